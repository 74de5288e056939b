"""The pre-commit hook: `gonogo hook FILE...` judges only the files a commit touches, and
`pre-commit try-repo` installs and runs it from this checkout on a sample repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from gonogo.cli import app
from gonogo.integrations.precommit import HOOK_FAMILIES
from tests.helpers import make_repo

ROOT = Path(__file__).parent.parent
SHELL = "import subprocess\n\ndef run(cmd):\n    subprocess.run(cmd, shell=True)\n"
LOW_ONLY = "import subprocess\n\ndef run():\n    subprocess.run(['ls'])\n"
CLEAN = "def double(x):\n    return 2 * x\n"
runner = CliRunner()


def hook(repo: Path, monkeypatch: pytest.MonkeyPatch, *args: str):
    monkeypatch.chdir(repo)
    return runner.invoke(app, ["hook", *args])


def test_findings_in_files_the_commit_does_not_touch_do_not_stop_it(tmp_path, monkeypatch):
    repo = make_repo(tmp_path / "repo", {"app.py": SHELL, "clean.py": CLEAN})
    untouched = hook(repo, monkeypatch, "clean.py")
    assert untouched.exit_code == 0, untouched.output
    assert "app.py" not in untouched.output
    touched = hook(repo, monkeypatch, "clean.py", "app.py")
    assert touched.exit_code == 1
    assert "app.py:4: SEC001 [high]" in touched.stdout


def test_lower_findings_are_shown_and_stop_only_when_asked(tmp_path, monkeypatch):
    repo = make_repo(tmp_path / "repo", {"app.py": LOW_ONLY})
    shown = hook(repo, monkeypatch, "app.py")
    assert shown.exit_code == 0
    assert "app.py:1: SEC001 [low]" in shown.stdout
    assert hook(repo, monkeypatch, "--fail-at", "low", "app.py").exit_code == 1


@pytest.mark.parametrize(
    ("args", "code", "said"),
    [((), 0, ""), (("--fail-at", "severe", "a.py"), 2, "--fail-at severe"), (("--select", "SEX", "a.py"), 2, "SEC")],
    ids=["no files of its types", "unknown severity", "selection naming no check"],
)
def test_hook_edges(tmp_path, monkeypatch, args, code, said):
    repo = make_repo(tmp_path / "repo", {"a.py": CLEAN})
    result = hook(repo, monkeypatch, *args)
    assert result.exit_code == code
    assert said in " ".join(result.stderr.split())


def test_hook_families_are_static_and_exist():
    from gonogo.registry import load_plugins

    ids = load_plugins().checks
    for family in HOOK_FAMILIES:
        assert any(check_id.startswith(family) for check_id in ids)
    assert not {"VULN", "RUN", "SVC"} & set(HOOK_FAMILIES)  # network, test runs and services stay in CI


def test_hook_manifest_is_what_pre_commit_expects():
    (spec,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert spec["id"] == "gonogo" and spec["entry"] == "gonogo hook"
    assert spec["language"] == "python"  # installed from this repository, no system gonogo needed


def _checkout_copy(target: Path) -> Path:
    """This checkout's package as a fresh git repository: try-repo needs git, and a copy keeps the
    test independent of what the working tree holds uncommitted."""
    for name in ("src", "pyproject.toml", "README.md", "LICENSE", ".pre-commit-hooks.yaml"):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(source, target / name)
    git = ["git", "-C", str(target), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run(["git", "init", "-q", str(target)], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "gonogo"], check=True)
    return target


def test_pre_commit_try_repo_installs_and_runs_the_hook(tmp_path):
    hooks_repo = _checkout_copy(tmp_path / "gonogo")
    sample = make_repo(tmp_path / "sample", {"app.py": SHELL, "clean.py": CLEAN}, git=True)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    env.pop("PYTHONPATH", None)  # the hook must run the gonogo pre-commit installed, not this test's

    def try_repo(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(hooks_repo), "gonogo", *args],
                              cwd=sample, env=env, capture_output=True, text=True, timeout=1200)

    clean = try_repo("--files", "clean.py")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "Passed" in clean.stdout
    everything = try_repo("--all-files")
    assert everything.returncode == 1, everything.stdout + everything.stderr
    assert "app.py:4: SEC001 [high]" in everything.stdout
