"""Shared test options (``--update-goldens`` rewrites tests/golden/ from the current output), the
isolated cache, and the real servers the runtime tests use (tests/servers.py)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator

import pytest
from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir

from tests import servers

# Hypothesis keeps a cache of constants (and by default its example database) in ``.hypothesis`` of
# the working directory: the suite keeps both out of the repository, for every test module, before
# any of them is imported. Runs are derandomized, so CI replays what a developer ran.
set_hypothesis_home_dir(tempfile.mkdtemp(prefix="gonogo-hypothesis-"))
settings.register_profile("gonogo", database=None, derandomize=True, deadline=None)
settings.load_profile("gonogo")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true", help="rewrite tests/golden/ files")


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-goldens"))


@pytest.fixture(autouse=True, scope="session")
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """No test reads or writes the user's real cache, vulnerability index or run history. Session-scoped, so it
    is in place before any module-scoped fixture scans something."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GONOGO_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))
        patch.delenv("GONOGO_VULNDB", raising=False)
        # no test remembers its runs in the user's history; the history tests name their own
        patch.setenv("GONOGO_HISTORY", "off")
        yield


@pytest.fixture(autouse=True, scope="session")
def _real_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Redis and PostgreSQL for `server_url`: the ones GONOGO_TEST_*_URL name, or ones this session
    starts on first use and stops at its end, so the suite passes on a fresh clone with no set-up."""
    with servers.on_demand(tmp_path_factory.mktemp("servers")):
        yield
