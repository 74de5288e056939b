"""RUN006: ``--import-smoke`` imports every module of the packages with ``--python``, each in
turn, and reports those that fail, hang or kill the interpreter; without the flag it is unknown."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from gonogo.model import Outcome
from tests.helpers import make_repo, result_of, scan_repo

_PACKAGE = {
    "src/pkg/__init__.py": "",
    "src/pkg/ok.py": "import json\n",
    "src/pkg/sub/__init__.py": "",
    "src/pkg/sub/uses_ok.py": "from pkg import ok\nprint('printed at import')\n",
    "src/pkg/broken.py": "import not_installed_dependency_xyz\n",
    "src/pkg/exits.py": "import sys\nsys.exit(3)\n",
    "src/pkg/dies.py": "import os\nos._exit(7)\n",
    "script.py": "raise SystemExit('a loose script is never imported')\n",
    "src/pkg/__main__.py": "raise SystemExit('an entry point is never imported')\n",
    "src/pkg/alembic/__init__.py": "",
    "src/pkg/alembic/env.py": "from alembic import context\ncontext.config\n",
    "examples/demo/__init__.py": "import not_installed_for_the_example\n",
    "tests/test_x.py": "import not_installed_either\n",
}


def _smoke(repo: Path, **options: object) -> list[str]:
    report = scan_repo(repo, select="RUN006", options={"import_smoke": True, "python": sys.executable, **options})
    return sorted(f.message for f in result_of(report, "RUN006").findings)


def test_failing_modules_are_reported_and_their_healthy_twins_are_not(tmp_path: Path) -> None:
    messages = _smoke(make_repo(tmp_path, _PACKAGE))
    assert messages == [
        "import pkg.broken fails: ModuleNotFoundError: No module named 'not_installed_dependency_xyz' "
        "(src/pkg/broken.py:1)",
        "import pkg.dies fails: the interpreter exited with code 7 while importing it",
        "import pkg.exits fails: SystemExit: 3 (src/pkg/exits.py:2)",
    ]


def test_a_module_that_hangs_is_stopped_and_the_rest_still_imported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gonogo.probes import import_smoke

    monkeypatch.setattr(import_smoke, "MODULE_TIMEOUT_SECONDS", 2.0)
    files = {"pkg/__init__.py": "", "pkg/a_hangs.py": "import time\ntime.sleep(60)\n",
             "pkg/b_broken.py": "import nope_xyz\n"}
    messages = _smoke(make_repo(tmp_path, files))
    assert messages == [
        "import pkg.a_hangs fails: import did not finish within 2s",
        "import pkg.b_broken fails: ModuleNotFoundError: No module named 'nope_xyz' (pkg/b_broken.py:1)",
    ]


def test_without_the_flag_the_check_is_unknown(tmp_path: Path) -> None:
    report = scan_repo(make_repo(tmp_path, _PACKAGE), select="RUN006")
    result = result_of(report, "RUN006")
    assert result.outcome is Outcome.UNKNOWN and "--import-smoke" in (result.reason or "")


def test_a_missing_interpreter_is_unknown_not_a_pass(tmp_path: Path) -> None:
    report = scan_repo(make_repo(tmp_path, _PACKAGE), select="RUN006",
                       options={"import_smoke": True, "python": str(tmp_path / "no-python")})
    result = result_of(report, "RUN006")
    assert result.outcome is Outcome.UNKNOWN and "could not start" in (result.reason or "")


def test_the_smoke_writes_no_bytecode_into_the_repository(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"pkg/__init__.py": "", "pkg/ok.py": "import json\n"})
    assert _smoke(repo) == []
    assert not list(repo.rglob("__pycache__"))


def test_the_command_line_runs_the_smoke_with_the_given_interpreter(tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from gonogo.cli import app

    repo = make_repo(tmp_path / "repo", {"pkg/__init__.py": "", "pkg/broken.py": "import nope_cli_xyz\n"})
    result = CliRunner().invoke(app, ["check", str(repo), "--select", "RUN006", "--import-smoke", "--python",
                                      sys.executable, "--no-history", "--no-cache", "--json"],
                                catch_exceptions=False)
    report = json.loads(result.stdout)
    assert [f["message"] for f in report["findings"]] == [
        "import pkg.broken fails: ModuleNotFoundError: No module named 'nope_cli_xyz' (pkg/broken.py:1)"
    ]
