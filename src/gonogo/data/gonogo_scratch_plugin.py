"""A pytest plugin gonogo loads into the suite it runs (``-p gonogo_scratch_plugin``).

It runs inside the repository's own interpreter, which need not have gonogo installed, so it is
copied into the run's scratch folder and imports nothing but pytest and the standard library.
Its one job: point plugins that keep state in the working directory at the scratch folder, so an
evidence run leaves the repository as it found it. pytest-benchmark, for one, creates
``.benchmarks/`` in the current directory the moment it starts, whether or not a test benchmarks.
"""

from __future__ import annotations

import os

import pytest

SCRATCH_VARIABLE = "GONOGO_SCRATCH"


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    scratch = os.environ.get(SCRATCH_VARIABLE)
    if not scratch:
        return
    if hasattr(config.option, "benchmark_storage"):
        # read by pytest-benchmark's own pytest_configure, which runs after this one (trylast)
        config.option.benchmark_storage = "file://" + os.path.join(scratch, "benchmarks")
