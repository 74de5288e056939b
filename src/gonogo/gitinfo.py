"""What git says about a scanned root (where the checkout is, the commit and its date, the branch,
whether the tree was dirty, the ``origin`` remote), read with git itself, never with the
repository's own code. The one place gonogo runs git on a scanned checkout: the report's roots, the
forge links and the run history's provenance all read the same :class:`GitState`."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

GIT_TIMEOUT_S = 10
HARDENED = ("--no-optional-locks", "-c", "core.fsmonitor=false", "-c", "log.showSignature=false")
"""A checkout's own config can name commands git runs for it: ``core.fsmonitor`` (run by ``git
status``) and ``log.showSignature`` (which runs gpg) are switched off on every call, so scanning a
hostile checkout never runs its commands. ``--no-optional-locks`` keeps ``git status`` from
refreshing the checkout's index: a scan writes nothing into the repository it reads."""


@dataclass(frozen=True, slots=True, kw_only=True)
class GitState:
    """The checkout a scan judged. ``None`` where git could not say (not a checkout, no git)."""

    toplevel: Path | None = None
    """The checkout's top folder; ``None`` outside git."""
    prefix: str = ""
    """The scanned folder inside the checkout (``svc/``), as ``git rev-parse --show-prefix`` says."""
    commit: str | None = None
    committed: str | None = None
    """When the commit was made (ISO 8601): the date the evidence is about."""
    branch: str | None = None
    """``None`` on a detached HEAD as well as outside git."""
    dirty: bool | None = None
    """Uncommitted changes to tracked files under the scanned folder: the scan judged something
    no commit holds."""
    remote: str | None = None
    """``remote.origin.url`` as git's config holds it: untrusted, possibly with a credential, so
    never reported as it is (see ``git_remote.remote_uri`` and ``forge.web_base``)."""


def git_state(path: Path) -> GitState:
    """Everything above for the checkout holding ``path``, with read-only commands that run no hook."""
    located = run_git(path, "rev-parse", "--show-toplevel", "--show-prefix")
    if located is None:
        return GitState()
    toplevel, _, prefix = located.partition("\n")
    head = run_git(path, "log", "-1", "--format=%H%n%cI")  # fails on a repository with no commit yet
    commit, _, committed = (head or "").partition("\n")
    config = _config(path)
    remote = config.get("remote.origin.url") if config is not None else None
    if not commit:
        return GitState(toplevel=Path(toplevel), prefix=prefix.strip(), remote=remote or None)
    status = _status(path, config)
    return GitState(
        toplevel=Path(toplevel),
        prefix=prefix.strip(),
        commit=commit,
        committed=committed.strip() or None,
        branch=run_git(path, "symbolic-ref", "--quiet", "--short", "HEAD") or None,
        dirty=None if status is None else bool(status.strip()),
        remote=remote or None,
    )


def _config(path: Path) -> dict[str, str] | None:
    """The configuration git applies in the checkout (every scope, includes followed), read once:
    the remote comes from it and so does the decision whether ``git status`` may run. A key set
    twice keeps its last value, as ``git config --get`` gives it; ``None`` when git cannot read it."""
    listed = run_git(path, "config", "--list", "-z")
    if listed is None:
        return None
    entries = (entry.partition("\n") for entry in listed.split("\0") if entry)
    return {name: value for name, _, value in entries}


def _status(path: Path, config: dict[str, str] | None) -> str | None:
    """``git status`` of the scanned folder only (a change elsewhere in the checkout is not in what
    was judged), or ``None`` when the checkout's config names a clean filter: status re-reads a
    touched file through it, which would run a command of the checkout's choosing."""
    if config is None or any(_runs_a_filter(name) for name in config):
        return None
    return run_git(path, "status", "--porcelain", "--untracked-files=no", "--ignore-submodules=all", "--", ".")


def _runs_a_filter(name: str) -> bool:
    return name.lower().startswith("filter.") and name.lower().endswith((".clean", ".process"))


def run_git(path: Path, *args: str, timeout: float = GIT_TIMEOUT_S) -> str | None:
    """git's standard output with its outer whitespace stripped, or ``None`` when git failed, is
    missing or took too long. ``path`` may be a file: git runs in its folder. Undecodable bytes
    (an author's name in Latin-1) are replaced, not fatal."""
    try:
        done = subprocess.run(
            ["git", *HARDENED, "-C", str(path if path.is_dir() else path.parent), *args],
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None
