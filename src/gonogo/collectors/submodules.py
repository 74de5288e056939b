"""The folders a repository's ``.gitmodules`` files name: other repositories' code, checked out
beside its own. A checkout made without ``--recursive`` (a CI job's, a snapshot) has them empty,
so what refers into one (a document's link, a module's import) cannot be shown by a file of the
tree, and is not missing either."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

from gonogo.relpaths import at_or_below
from gonogo.workspace import FileReadError, Workspace

GITMODULES_READ_LIMIT = 2 * 1024 * 1024
"""Bytes of a ``.gitmodules`` file read: a real one lists a few folders in a few hundred bytes."""

MAX_DEPTH = 64
"""Folders deeper than this are not read as submodules: no repository nests one so deep, and the
import check walks a submodule's folders one level at a time."""

_SUBMODULE_PATH = re.compile(r"^[ \t]*path[ \t]*=[ \t]*(?P<path>[^\s][^\n]*?)[ \t\r]*$", re.MULTILINE)
"""A ``path = ...`` line of ``.gitmodules``. Blanks are spaces and tabs only: a ``\\s`` that could
run across lines would read a file of blank lines again from each of them."""


def submodule_folders(workspace: Workspace) -> frozenset[tuple[Path, str]]:
    """(root, folder from the root) of every submodule a ``.gitmodules`` file names (aiohttp's
    ``vendor/llhttp``, readthedocs.org's ``common``), and of every symbolic link into one; one
    naming a folder outside its root, the root itself, or one deeper than :data:`MAX_DEPTH` is
    left out. An unreadable file names none (the workspace's walk notes a file it could not read)."""
    found = _gitmodules_folders(workspace)
    return found | _links_into(workspace, found)


def _links_into(workspace: Workspace, folders: frozenset[tuple[Path, str]]) -> frozenset[tuple[Path, str]]:
    """The symbolic links that point into a submodule folder, as folders of their own:
    openlibrary's ``infogami -> vendor/infogami/infogami`` makes ``import infogami`` find the
    submodule's package, which the checkout lacks as it lacks the submodule."""
    found: set[tuple[Path, str]] = set()
    for root, link, target in workspace.inner_links:
        if any(r == root and at_or_below(target, f) for r, f in folders):
            found.add((root, link))
    return frozenset(found)


def _gitmodules_folders(workspace: Workspace) -> frozenset[tuple[Path, str]]:
    found: set[tuple[Path, str]] = set()
    for file in workspace.files:
        if file.name != ".gitmodules":
            continue
        try:
            text = workspace.read_text(file, limit=GITMODULES_READ_LIMIT)
        except FileReadError:
            continue
        base = posixpath.dirname(file.relpath)
        for match in _SUBMODULE_PATH.finditer(text):
            path = posixpath.normpath(posixpath.join(base, match.group("path").strip("/")))
            if not path.startswith("..") and path != "." and path.count("/") < MAX_DEPTH:
                found.add((file.root, path))
    return frozenset(found)
