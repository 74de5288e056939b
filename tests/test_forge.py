"""Where a finding's file is read on the web: only a known forge's address, never a credential."""

from __future__ import annotations

import subprocess

import pytest

from gonogo.forge import web_base
from gonogo.gitinfo import git_state
from tests.helpers import make_repo

COMMIT = "0123456789abcdef0123456789abcdef01234567"


@pytest.mark.parametrize(
    ("remote", "prefix", "expected"),
    [
        ("git@github.com:acme/app.git", "", f"https://github.com/acme/app/blob/{COMMIT}/"),
        ("https://github.com/acme/app", "", f"https://github.com/acme/app/blob/{COMMIT}/"),
        ("https://x-access-token:ghs_secret@github.com/acme/app.git", "", f"https://github.com/acme/app/blob/{COMMIT}/"),
        ("ssh://git@gitlab.com/group/sub/app.git", "svc/", f"https://gitlab.com/group/sub/app/-/blob/{COMMIT}/svc/"),
        ("https://git.internal.example/acme/app.git", "", None),
        ("/srv/git/app.git", "", None),
    ],
    ids=["github ssh", "github https", "token in the remote is dropped", "gitlab subgroup in a subfolder",
         "unknown host", "local path"],
)
def test_web_base(remote, prefix, expected):
    assert web_base(remote, COMMIT, prefix) == expected


def test_a_checkout_links_at_its_commit_from_its_subfolder(tmp_path):
    root = make_repo(tmp_path / "repo", {"svc/a.py": "x = 1\n"}, git=True)
    subprocess.run(["git", "-C", str(root), "remote", "add", "origin", "git@github.com:acme/app.git"], check=True)
    state = git_state(root / "svc")
    assert state.remote and state.commit and state.prefix == "svc/"
    assert web_base(state.remote, COMMIT, state.prefix) == f"https://github.com/acme/app/blob/{COMMIT}/svc/"


def test_the_commit_date_is_read_from_git(tmp_path):
    root = make_repo(tmp_path / "repo", {"a.py": "x = 1\n"}, git=True)
    committed = git_state(root).committed
    assert committed is not None and committed[:4].isdigit() and "T" in committed
    assert git_state(make_repo(tmp_path / "plain", {"a.py": "x = 1\n"})).committed is None
