"""The command line as a CI step sees it: fail-safe exit codes, one report on standard output for a
pipe, ``python -m gonogo``, ``--version`` and shell completion."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gonogo import __version__
from gonogo.cli import EXIT_NO_DECISION, app
from gonogo.registry import SelectionError
from tests.helpers import make_repo, scan_repo

SRC = Path(__file__).parent.parent / "src"
CLEAN = {
    "app/core.py": "def run():\n    return 1\n",
    "tests/test_core.py": "from app.core import run\n\ndef test_run():\n    assert run() == 1\n",
}
runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.mark.parametrize(
    ("args", "suggested"),
    [
        (("--select", "TSET"), "TEST"),
        (("--select", "SEC12"), "SEC012"),
        (("--select", "TEST,NOPE999"), None),
    ],
    ids=["misspelt family", "id missing a digit", "one good prefix and one that names nothing"],
)
def test_select_naming_no_check_is_no_decision(tmp_path, args, suggested):
    repo = make_repo(tmp_path / "repo", CLEAN)
    result = invoke("check", str(repo), *args)
    assert result.exit_code == EXIT_NO_DECISION == 2, result.output
    assert "matches no check" in result.stderr
    assert "passed" not in result.output and "GO" not in result.stdout  # never "0 of 0 passed, GO"
    if suggested:
        assert f"did you mean {suggested}" in " ".join(result.stderr.split())


def test_select_and_ignore_leaving_nothing_is_no_decision(tmp_path):
    repo = make_repo(tmp_path / "repo", CLEAN)
    result = invoke("check", str(repo), "--select", "TEST001", "--ignore", "TEST")
    assert result.exit_code == 2
    assert "leaves no check to run" in " ".join(result.stderr.split())


def test_select_in_the_config_file_is_checked_too(tmp_path):
    repo = make_repo(tmp_path / "repo", {**CLEAN, "gonogo.toml": "select = ['TETS']\n"})
    assert invoke("check", str(repo)).exit_code == 2
    with pytest.raises(SelectionError, match="TETS"):
        scan_repo(repo)


def test_a_good_selection_still_runs(tmp_path):
    repo = make_repo(tmp_path / "repo", CLEAN)
    result = invoke("check", str(repo), "--select", "TEST001", "-q")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    "args",
    [("-o", "-"), ("--json",), ("-f", "json", "-o", "-"), ("-f", "json", "-o", "/dev/stdout")],
    ids=["dash", "json switch", "json format to dash", "json format to /dev/stdout"],
)
def test_json_report_on_stdout_and_everything_else_on_stderr(tmp_path, monkeypatch, args):
    repo = make_repo(tmp_path / "repo", CLEAN)
    monkeypatch.chdir(tmp_path)
    result = invoke("check", str(repo), "--select", "TEST,CODE,DLV,DOC", *args)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)  # nothing but the report: parses as one JSON document
    assert report["decision"] in ("GO", "CONDITIONAL_GO")
    assert "GO" in result.stderr  # the summary moved to stderr, not dropped
    assert not (tmp_path / "-").exists()
    assert not (tmp_path / "gonogo-report").exists()


def test_sarif_can_be_piped_too(tmp_path):
    repo = make_repo(tmp_path / "repo", CLEAN)
    result = invoke("check", str(repo), "--select", "TEST", "-f", "sarif", "-o", "-")
    assert json.loads(result.stdout)["version"] == "2.1.0"


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("-f", "json,sarif", "-o", "-"), "takes one report"),
        (("--json", "-f", "md"), "--json is -f json -o -"),
        (("--json", "-o", "out"), "--json is -f json -o -"),
    ],
    ids=["two formats to one stream", "json switch with another format", "json switch with a folder"],
)
def test_stream_that_cannot_hold_the_reports_is_refused(tmp_path, args, said):
    repo = make_repo(tmp_path / "repo", CLEAN)
    result = invoke("check", str(repo), "--select", "TEST", *args)
    assert result.exit_code == 2
    assert said in result.stderr


def test_python_dash_m_gonogo_pipes_json_to_dev_stdout(tmp_path):
    """A real process with a real pipe: /dev/stdout is the pipe, not a folder to create."""
    repo = make_repo(tmp_path / "repo", CLEAN)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        [sys.executable, "-m", "gonogo", "check", str(repo), "--select", "TEST,CODE,DLV,DOC", "-f", "json", "-o", "/dev/stdout"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["decision"] in ("GO", "CONDITIONAL_GO")
    assert "GO" in done.stderr


def test_version_switch_and_command_agree():
    assert invoke("--version").stdout.strip() == __version__
    assert invoke("version").stdout.strip() == __version__


def test_shell_completion_is_available(monkeypatch):
    # typer's own switch: ``--show-completion`` then takes the shell by name instead of finding
    # it among the process's parents, which a test run by a scheduler or a service does not have
    monkeypatch.setenv("_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION", "1")
    result = runner.invoke(app, ["--show-completion", "bash"], prog_name="gonogo")
    assert result.exit_code == 0
    assert "_GONOGO_COMPLETE=complete_bash" in result.stdout
    assert "complete -o default -F _gonogo_completion gonogo" in result.stdout
    assert "--install-completion" in invoke("--help").stdout
