"""git is asked about a scanned checkout without running any command the checkout's own config
names: a hostile ``.git/config`` (``core.fsmonitor``, a clean filter, signature checking) must not
turn a scan into code execution."""

from __future__ import annotations

import os
import shlex
import subprocess
import time
from pathlib import Path

import pytest

from gonogo.gitinfo import git_state
from gonogo.history.provenance import provenance_of
from gonogo.owners import load_authors
from gonogo.workspace import Workspace
from tests.helpers import make_repo


def _hostile(tmp_path: Path, key: str, marker: Path) -> Path:
    repo = make_repo(tmp_path / "repo", {"a.py": "x = 1\n", ".gitattributes": "* filter=evil\n"}, git=True)
    command = f"sh -c {shlex.quote(f'touch {marker}; cat')}"
    subprocess.run(["git", "-C", str(repo), "config", key, command], check=True)
    later = time.time() + 5  # a touched file is re-read by status, through the filter if there is one
    os.utime(repo / "a.py", (later, later))
    return repo


@pytest.mark.parametrize(
    ("key", "dirty"),
    [("core.fsmonitor", False), ("filter.evil.clean", None), ("filter.evil.process", None)],
    ids=["fsmonitor hook (switched off)", "clean filter (status not run)", "long-running filter (status not run)"],
)
def test_reading_a_checkout_never_runs_a_command_its_config_names(tmp_path: Path, key: str, dirty: bool | None) -> None:
    marker = tmp_path / "ran"
    repo = _hostile(tmp_path, key, marker)
    state = git_state(repo)
    provenance = provenance_of(repo)
    authors = load_authors(Workspace.open([repo]))
    assert not marker.exists()
    assert authors is not None and authors(["a.py"]) is not None
    assert state.commit and provenance.commit == state.commit and state.committed
    assert state.dirty is dirty and provenance.dirty is dirty


def test_a_plain_checkout_reports_its_place_commit_and_remote(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {"svc/a.py": "x = 1\n"}, git=True)
    subprocess.run(["git", "-C", str(repo), "remote", "add", "origin", "https://t:secret@github.com/o/r.git"], check=True)
    state = git_state(repo / "svc")
    assert state.toplevel == repo.resolve() and state.prefix == "svc/" and state.dirty is False
    assert state.remote == "https://t:secret@github.com/o/r.git", "raw: the reporters strip the credential"
    assert provenance_of(repo / "svc").identity == "git:github.com/o/r//svc"


def test_a_repository_with_no_commit_yet_has_a_place_but_no_commit(tmp_path: Path) -> None:
    repo = tmp_path / "empty"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    state = git_state(repo)
    assert state.toplevel == repo.resolve() and state.commit is None and state.dirty is None
