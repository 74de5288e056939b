"""``--python`` is read as the user's shell reads it: relative to the current directory first."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gonogo.cli import app
from tests.helpers import make_repo

runner = CliRunner()
SUITE = {"tests/test_ok.py": "def test_ok():\n    assert 1 + 1 == 2\n"}


def run_check(repo: Path, python: str, out: Path):
    args = ["check", str(repo), "--run-tests", "--python", python, "--select", "RUN001",
            "--format", "json", "--output", str(out)]
    return runner.invoke(app, args, catch_exceptions=False)


def link_python(folder: Path) -> None:
    folder.mkdir(parents=True)
    (folder / "python").symlink_to(sys.executable)


@pytest.mark.parametrize(
    ("venv_in", "note"),
    [("cwd", False), ("repo", True)],
    ids=["a venv in the current directory", "a venv only in the scanned folder, said so"],
)
def test_a_relative_interpreter_is_found(tmp_path, monkeypatch, venv_in, note):
    repo = make_repo(tmp_path / "repo", SUITE)
    here = tmp_path / "here"
    here.mkdir()
    link_python((here if venv_in == "cwd" else repo) / ".venv" / "bin")
    monkeypatch.chdir(here)
    result = run_check(repo, ".venv/bin/python", tmp_path / "out")
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["metrics"]["tests.run.passed"] == 1
    assert ("in the scanned folder" in result.output) is note


def test_a_missing_interpreter_is_a_clear_error_not_a_traceback(tmp_path, monkeypatch):
    repo = make_repo(tmp_path / "repo", SUITE)
    monkeypatch.chdir(tmp_path)
    result = run_check(repo, ".venv/bin/python", tmp_path / "out")
    assert result.exit_code == 2
    assert "--python .venv/bin/python: interpreter not found" in result.output
    assert "Traceback" not in result.output
