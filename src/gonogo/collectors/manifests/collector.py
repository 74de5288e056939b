"""The ``manifests`` fact: every dependency manifest and lock file of the workspace, parsed.

Nothing is installed or executed: requirements files, ``pyproject.toml``, ``setup.cfg``,
``Pipfile``, ``setup.py`` and the lock files are read as text and parsed with ``packaging``,
``tomllib``, ``json`` and ``ast``. A file that does not parse (or only partly) is still a
``Manifest``, carrying ``errors`` with line and reason, so a check can make them findings; the
rest of the scan goes on.

Which parser reads which file is one explicit table, ``FORMATS``: a format is added by writing its
module and adding its row here, never by registering itself when imported.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Mapping

from gonogo.collectors.image_builds import bake_bases
from gonogo.collectors.manifests.model import Manifest, ManifestFacts, UnreadLock
from gonogo.collectors.manifests.npm_lock import parse_package_lock
from gonogo.collectors.manifests.pipfile import parse_pipfile
from gonogo.collectors.manifests.pipfile_lock import parse_pipfile_lock
from gonogo.collectors.manifests.pyproject import parse_pyproject
from gonogo.collectors.manifests.requirements_files import (
    MANIFEST_READ_LIMIT,
    is_requirements_file,
    requirements_manifests,
)
from gonogo.collectors.manifests.setup_cfg import parse_setup_cfg
from gonogo.collectors.manifests.setup_py import parse_setup_py
from gonogo.collectors.manifests.toml_locks import parse_poetry_lock, parse_pylock, parse_uv_lock
from gonogo.collectors.submodules import submodule_folders
from gonogo.collectors.testpaths import is_test_data
from gonogo.registry import collector
from gonogo.workspace import FileReadError, SourceFile, Workspace, refuse_binary

ParseFile = Callable[[str, SourceFile], Manifest | None]
"""``None`` when the file, though it has a manifest's name, does not play that role."""

FORMATS: Mapping[str, tuple[str, ParseFile]] = {
    "pyproject.toml": ("pyproject", parse_pyproject),
    "setup.cfg": ("setup.cfg", parse_setup_cfg),
    "Pipfile": ("pipfile", parse_pipfile),
    "setup.py": ("setup.py", parse_setup_py),
    "uv.lock": ("uv.lock", parse_uv_lock),
    "poetry.lock": ("poetry.lock", parse_poetry_lock),
    "pylock.toml": ("pylock.toml", parse_pylock),
    "Pipfile.lock": ("Pipfile.lock", parse_pipfile_lock),
    "package-lock.json": ("package-lock.json", parse_package_lock),
    "npm-shrinkwrap.json": ("package-lock.json", parse_package_lock),  # the same format, published with a package
}
"""File name (exact, case-sensitive, as tools read them) -> (kind, parser). Requirements files
have no fixed name; ``requirements_files`` finds them."""


@collector("manifests")
def manifests(workspace: Workspace) -> ManifestFacts:
    """Every manifest of the workspace but a test's data (Poetry's
    ``tests/fixtures/invalid_lock/poetry.lock``, pip's test packages): input for the tool under
    test, broken or outdated on purpose, not this project's manifests. Left out before it is read."""
    found = list(requirements_manifests(workspace))
    for file in workspace.files:
        entry = FORMATS.get(file.name)
        if entry is None or is_test_data(file.relpath):
            continue
        kind, parse = entry
        try:
            limit = LOCK_READ_LIMIT if kind in LOCK_KINDS else MANIFEST_READ_LIMIT
            text = _python_source(workspace, file, limit) if kind == "setup.py" else workspace.read_text(file, limit)
        except FileReadError as exc:
            found.append(unreadable(file, kind, str(exc)))
            continue
        try:
            parsed = parse(text, file)
        except (RecursionError, MemoryError):
            # Python's parser gives up on 100,000 nested unary minus with a MemoryError: one
            # manifest unread, not the whole fact (every DEP, VULN and SEC003 check ``unknown``)
            found.append(unreadable(file, kind, "nested too deeply to parse"))
            continue
        if parsed is not None:
            found.append(parsed)
    found.extend(_skipped_manifests(workspace))
    found.sort(key=lambda m: (m.file.display, m.kind))
    unread = tuple(
        UnreadLock(file=f, ecosystem=UNREAD_LOCKS[f.name]) for f in workspace.files if f.name in UNREAD_LOCKS
    )
    return ManifestFacts(
        manifests=tuple(found),
        unread_locks=unread,
        submodules=submodule_folders(workspace),
        image_bases=bake_bases(workspace),
    )


def _python_source(workspace: Workspace, file: SourceFile, limit: int) -> str:
    """A ``setup.py`` decoded as Python decodes it: UTF-8, or the encoding its first lines declare
    (PEP 263, ``# -*- coding: latin-1 -*-``, as pip's test packages do)."""
    data = workspace.read_bytes(file, limit)
    refuse_binary(data)
    try:
        return importlib.util.decode_source(data)
    except (SyntaxError, UnicodeDecodeError, LookupError) as exc:
        raise FileReadError(f"not decodable as Python source: {exc}") from exc


UNREAD_LOCKS = {
    "yarn.lock": "npm",
    "pnpm-lock.yaml": "npm",
    "bun.lock": "npm",
    "bun.lockb": "npm",
    "Cargo.lock": "crates.io",
    "Gemfile.lock": "RubyGems",
    "composer.lock": "Packagist",
    "go.sum": "Go",
}
"""Lock files gonogo does not parse, by name, with the ecosystem whose audit they leave open."""


def _skipped_manifests(workspace: Workspace) -> list[Manifest]:
    """A manifest the walk would not read (a FIFO, a link out of the root) is still a manifest
    that does not parse: the project depends on it, and silence would read as a pass."""
    found = []
    for skipped in workspace.skipped:
        if is_test_data(skipped.file.relpath):
            continue
        entry = FORMATS.get(skipped.file.name)
        kind = entry[0] if entry else "requirements" if is_requirements_file(skipped.file) else None
        if kind is not None:
            found.append(unreadable(skipped.file, kind, skipped.reason))
    return found


def unreadable(file: SourceFile, kind: str, reason: str, line: int | None = None) -> Manifest:
    return Manifest(
        file=file,
        kind=kind,
        is_lock=kind in LOCK_KINDS,
        dependencies=(),
        errors=((line, reason),),
    )


LOCK_KINDS = frozenset({"uv.lock", "poetry.lock", "Pipfile.lock", "pylock.toml", "package-lock.json"})
LOCK_READ_LIMIT = 64 * 1024 * 1024
"""Lock files of big monorepos pass the workspace's default read limit; they are still read."""
