"""Which repository, commit and branch a scan judged, read with ``git`` (read-only commands).

A repository's identity is what stays the same across clones and machines: its ``origin``
remote (credentials and ``.git`` stripped, ``git@host:org/repo`` read as ``host/org/repo``) and
the scanned folder inside it. A folder outside git, or a clone with no remote, is identified by
its absolute path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from gonogo.gitinfo import git_state


@dataclass(frozen=True, slots=True, kw_only=True)
class Provenance:
    identity: str
    """``git:github.com/org/repo`` (plus ``//sub/folder`` when a subfolder was scanned) or
    ``path:/abs/folder``."""
    name: str
    commit: str | None = None
    branch: str | None = None
    dirty: bool | None = None
    """Uncommitted changes to tracked files when scanned; ``None`` outside git."""


def provenance_of(root: Path) -> Provenance:
    folder = (root if root.is_dir() else root.parent).resolve()
    state = git_state(folder)
    if state.toplevel is None:
        return Provenance(identity=f"path:{folder}", name=folder.name)
    if state.remote:
        identity = f"git:{normalise_remote(state.remote)}{_subfolder(folder, state.toplevel)}"
    else:
        identity = f"path:{folder}"
    return Provenance(identity=identity, name=folder.name, commit=state.commit, branch=state.branch, dirty=state.dirty)


def normalise_remote(url: str) -> str:
    """``https://user:token@github.com/Org/Repo.git`` and ``git@github.com:Org/Repo`` both give
    ``github.com/Org/Repo``: one identity per repository, and no credential ever stored."""
    url = url.strip()
    scp = re.match(r"^(?:[\w.-]+@)?([\w.-]+):(?!//)(.+)$", url)
    if scp and "://" not in url:
        host, path = scp.group(1), scp.group(2)
    else:
        parts = urlsplit(url)
        host, path = (parts.hostname or "", parts.path) if parts.scheme not in ("", "file") else ("", parts.path)
    path = path.strip("/").removesuffix(".git")
    return f"{host}/{path}" if host else path


def _subfolder(folder: Path, toplevel: Path) -> str:
    """``//sub/folder`` when a folder inside the checkout was scanned, else nothing."""
    inside = folder.relative_to(toplevel.resolve()).as_posix()
    return "" if inside == "." else f"//{inside}"
