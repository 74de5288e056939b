"""Paths inside a root, written as a file of the root writes them: relative to its folder, with
``../`` in them. One place resolves such a path and refuses one that leaves the root, and says
whether a path lies at or below a folder, for every collector that reads paths out of files
(compose files' mounts and Dockerfiles, documentation's references, links into submodules)."""

from __future__ import annotations

import posixpath


def resolved_within(folder: str, path: str) -> str | None:
    """``path``, written from the root-relative ``folder`` (``""`` or ``"."`` for the root), as a
    normalised root-relative path (``"."`` for the root itself); ``None`` for an absolute path or
    one that climbs above the root: it names nothing in the tree, whatever the machine holds there."""
    joined = posixpath.normpath(posixpath.join(folder or ".", path))
    if joined.startswith("/") or joined == ".." or joined.startswith("../"):
        return None
    return joined


def at_or_below(path: str, folder: str) -> bool:
    """``path`` is ``folder`` or inside it (``docker/dovecot_config/x`` in ``docker``; not ``dockerfiles``)."""
    return path == folder or path.startswith(f"{folder}/")
