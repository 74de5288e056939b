"""Every module of the repository's packages imports in the target environment
(``--import-smoke --python PYTHON``). RUN006.

Without ``--import-smoke`` the ``import_smoke`` fact cannot be built, so the check is *unknown*,
never a pass.
"""

from __future__ import annotations

from collections.abc import Iterator

from gonogo.model import Category, Severity
from gonogo.probes.import_smoke import ImportSmokes
from gonogo.registry import CannotTell, CheckOutput, Metric, NotApplicable, check, fail


@check("RUN006", "Every module of the package imports in the target environment", category=Category.RUNTIME,
       severity=Severity.MEDIUM, counts="imports.failed")
def modules_import(import_smoke: ImportSmokes) -> Iterator[CheckOutput]:
    """Why: a module that cannot be imported (a dependency missing from the environment that is
    shipped, a setting read at import time, syntax the target Python does not accept) fails in
    production the first time it is used, while a test suite that never imports it, or mocks
    what it needs, stays green. Each module of the packages is imported by ``--python`` in a
    child process, with a timeout; this is executed evidence about that interpreter's
    environment, so a module that needs configuration to import (Django models without
    ``DJANGO_SETTINGS_MODULE``) fails here too. Not part of a blocking gate.
    Fix: declare and install the missing dependency, move work done at import time into a
    function, or guard an optional import; re-run with ``--import-smoke --python PYTHON``."""
    if not import_smoke.runs:
        raise NotApplicable("no module inside a package to import")
    problems = [run.problem for run in import_smoke.runs if run.problem]
    if problems and not any(run.failures for run in import_smoke.runs):
        raise CannotTell(problems[0])
    yield Metric(name="imports.tried", value=sum(run.modules for run in import_smoke.runs))
    for run in import_smoke.runs:
        for failure in run.failures:
            yield fail(f"import {failure.module} fails: {failure.error}", at=failure.file.at(None),
                       evidence=f"{run.python} -c 'import {failure.module}'", key=f"import:{failure.module}")
