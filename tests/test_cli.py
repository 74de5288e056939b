"""The command line end to end: exit codes, written reports, explain and list-checks."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import gonogo
from gonogo.cli import app
from gonogo.registry import load_plugins
from tests.helpers import make_repo

EXAMPLE = Path(__file__).parent.parent / "examples" / "control-center"
runner = CliRunner()

CLEAN = {
    "app/core.py": "def run():\n    return 1\n",
    "tests/test_core.py": "from app.core import run\n\ndef test_run():\n    assert run() == 1\n",
}


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_example_is_no_go_and_writes_reports(tmp_path):
    target = tmp_path / "control-center"
    shutil.copytree(EXAMPLE, target)
    result = invoke("check", str(target), "--format", "md,json", "--output", str(tmp_path / "out"),
                    "--select", "TEST,CODE,DLV,DOC")
    assert result.exit_code == 1, result.output
    assert "NO GO" in result.output
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["decision"] == "NO_GO"
    assert report["metrics"]["tests.skipped"] == 6  # tests silenced: a pytestmark over 2 tests is 2
    assert report["metrics"]["tests.skip_sites"] == 5
    assert "# Production readiness: NO GO" in (tmp_path / "out" / "report.md").read_text()


def test_clean_repository_is_go(tmp_path):
    repo = make_repo(tmp_path / "clean", CLEAN)
    result = invoke("check", str(repo), "--select", "TEST,CODE,DLV,DOC")
    assert result.exit_code == 0, result.output
    assert "GO" in result.output and "NO GO" not in result.output


def test_conditional_go_fails_only_when_asked(tmp_path):
    repo = make_repo(tmp_path / "cond", {**CLEAN, "app/core.py": "def run():\n    return 1\n\ndef later():\n    pass\n"})
    assert invoke("check", str(repo), "--select", "TEST,CODE", "-q").exit_code == 0
    strict = invoke("check", str(repo), "--select", "TEST,CODE", "-q", "--fail-on", "conditional")
    assert strict.exit_code == 1
    assert "CONDITIONAL GO" in strict.output


def test_config_error_exits_2_naming_file_and_key(tmp_path):
    repo = make_repo(tmp_path / "bad", {"gonogo.toml": "profile = 'extreme'\n", "a.py": "x = 1\n"})
    result = runner.invoke(app, ["check", str(repo)])
    assert result.exit_code == 2
    assert "gonogo.toml" in result.output and "profile" in result.output


@pytest.mark.parametrize("args", [["check", "/no/such/path"], ["check", ".", "--format", "pdf"]],
                         ids=["missing path", "unknown format"])
def test_no_decision_possible_exits_2(args):
    assert runner.invoke(app, args).exit_code == 2


def test_explain_prints_why_and_fix():
    result = invoke("explain", "TEST001")
    assert result.exit_code == 0
    assert "No test is skipped" in result.output and "Why:" in result.output and "Fix:" in result.output
    assert runner.invoke(app, ["explain", "NOPE999"]).exit_code == 2


def test_list_checks_lists_every_registered_check():
    result = invoke("list-checks")
    assert result.exit_code == 0
    for check_id in load_plugins().checks:
        assert check_id in result.output


# What a `gonogo check` does not import until a command or option that needs it runs: Typer builds
# every command on each run (the fleet, the db sub-app), a reused scan needs none of the stages and
# names the advisory index without reading it, and every scan that is not reused loads every plugin
# module (the probes' collectors).
NOT_ON_THE_COMMAND_LINE = ("gonogo.pipeline", "gonogo.fleet.results", "gonogo.fleet.sources", "gonogo.fleet.summary",
                           "gonogo.fleet.task", "gonogo.vulndb.index", "gonogo.vulndb.osv", "rich.progress")
NOT_IN_THE_PLUGINS = ("gonogo.probes.tests_runner", "gonogo.probes.openapi", "gonogo.probes.load",
                      "gonogo.probes.http", "gonogo.probes.metrics_endpoint", "gonogo.probes.migration_state",
                      "defusedxml", "semver", "cvss")


def test_the_command_line_and_the_plugins_import_no_module_of_a_command_or_option_not_run():
    src = Path(gonogo.__file__).resolve().parent.parent
    code = (
        "import sys, gonogo.cli\n"
        f"print(sorted(m for m in {NOT_ON_THE_COMMAND_LINE!r} if m in sys.modules))\n"
        "from gonogo.registry import load_plugins\n"
        "load_plugins()\n"
        f"print(sorted(m for m in {NOT_IN_THE_PLUGINS!r} if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env={"PYTHONPATH": str(src)}, capture_output=True, text=True, check=True
    )
    assert result.stdout.splitlines() == ["[]", "[]"]
