"""What git says about a scanned root (the commit, the branch, whether the tree was dirty), read
with git itself, never with the repository's own code."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

GIT_TIMEOUT_S = 10


@dataclass(frozen=True, slots=True, kw_only=True)
class GitState:
    """The checkout a scan judged. ``None`` where git could not say (not a checkout, no git)."""

    commit: str | None = None
    branch: str | None = None
    """``None`` on a detached HEAD as well as outside git."""
    dirty: bool | None = None
    """Uncommitted changes to tracked files under the scanned folder: the scan judged something
    no commit holds."""


def commit_of(path: Path) -> str | None:
    """The commit checked out at ``path``, or ``None`` outside a repository or without git."""
    return _git(path, "rev-parse", "HEAD") or None


def git_state(path: Path) -> GitState:
    """Commit, branch and dirtiness of the checkout holding ``path``; read-only commands only."""
    commit = commit_of(path)
    if commit is None:
        return GitState()
    # only the scanned folder: a change elsewhere in the checkout is not in what was judged
    status = _git(path, "status", "--porcelain", "--untracked-files=no", "--", ".")
    return GitState(
        commit=commit,
        branch=_git(path, "symbolic-ref", "--quiet", "--short", "HEAD") or None,
        dirty=None if status is None else bool(status.strip()),
    )


def _git(path: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(path if path.is_dir() else path.parent), *args],
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None
