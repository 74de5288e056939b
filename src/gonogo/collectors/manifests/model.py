"""The shapes of dependency manifests, shared by every manifest parser and the checks that judge them.

They live apart from ``manifests.py`` (which re-exports them) so each parser module can import
them without importing the collector that imports the parsers.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name

from gonogo.collectors.manifests.package_discovery import Packaging
from gonogo.workspace import SourceFile

Errors = list[tuple[int | None, str]]
"""A manifest's problems while it is parsed: (line or ``None``, what is wrong)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Dependency:
    """One declared (or locked) distribution, where it is declared and how it is constrained."""

    name: str
    """PEP 503 normalised (``pyjwt``): the key every comparison uses."""
    display_name: str
    """As written (``PyJWT``), for messages."""
    specifier: str
    """``""`` when none, else ``>=2,<3`` or ``==2.8.0``."""
    pinned: str | None
    """The exact version when pinned (``==``/``===`` without wildcard) or locked."""
    extras: tuple[str, ...]
    marker: str | None
    ecosystem: str
    """``PyPI`` or ``npm`` (OSV's ecosystem names)."""
    group: str | None
    """``None`` for main dependencies; ``dev``, ``test``, an extra's name, a PEP 735 group..."""
    file: SourceFile
    line: int | None
    url: str | None = None
    """Direct URL, VCS or path requirements."""
    editable: bool = False
    hashes: tuple[str, ...] = ()
    """``--hash`` values on a requirements line, or a lock entry's hashes."""
    requires: tuple[str, ...] = ()
    """A lock entry's own dependencies (normalised names), where the lock file records them: the
    graph that shows ``starlette`` installed because ``fastapi`` needs it."""

    @property
    def at(self) -> str:
        return f"{self.file.display}:{self.line}" if self.line else self.file.display

    @classmethod
    def of(
        cls,
        name: str,
        specifier: str,
        file: SourceFile,
        line: int | None,
        *,
        group: str | None = None,
        extras: tuple[str, ...] = (),
        marker: str | None = None,
        url: str | None = None,
        editable: bool = False,
        hashes: tuple[str, ...] = (),
        ecosystem: str = "PyPI",
        pinned: str | None = None,
        requires: tuple[str, ...] = (),
    ) -> Dependency:
        """A dependency as written; the normalised name and the pin are derived here, once, for
        every manifest format (a lock file passes its exact version as ``pinned``)."""
        return cls(
            name=normalise(name) if ecosystem == "PyPI" else name,
            display_name=name,
            specifier=specifier,
            pinned=pinned or (pinned_version(specifier) if specifier else None),
            extras=extras,
            marker=marker,
            ecosystem=ecosystem,
            group=group,
            file=file,
            line=line,
            url=url,
            editable=editable,
            hashes=hashes,
            requires=requires,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildHook:
    """A Python file the build backend runs while it builds the project: a Hatch custom build or
    metadata hook (``[tool.hatch.build.hooks.custom] path``, ``hatch_build.py`` when none is
    named), or pdm-backend's (``[tool.pdm.build] custom-hook``, ``pdm_build.py``). It runs in the
    build environment, which holds ``[build-system] requires`` and the hook's own
    ``dependencies``, not the project's."""

    path: str
    """Relative to the manifest's folder, normalised (``scripts/build_locked_extras.py``)."""
    dependencies: tuple[Dependency, ...] = ()
    """The hook table's ``dependencies``, which Hatch installs for it."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Manifest:
    """A file that declares or locks dependencies, with what did not parse in it."""

    file: SourceFile
    kind: str
    """``requirements``, ``pyproject``, ``poetry``, ``pipfile``, ``setup.cfg``, ``uv.lock``,
    ``poetry.lock``, ``Pipfile.lock``, ``pylock.toml``, ``package-lock.json``."""
    is_lock: bool
    dependencies: tuple[Dependency, ...]
    includes: tuple[str, ...] = ()
    """Display paths pulled in with ``-r`` / ``-c`` (both; ``constraints`` says which are ``-c``)."""
    errors: tuple[tuple[int | None, str], ...] = ()
    """(line, reason) for each part that did not parse; the rest of the file still counts."""
    constraints: tuple[str, ...] = ()
    """The subset of ``includes`` pulled in with ``-c``: they pin, they do not declare."""
    project_name: str | None = None
    """The project's own distribution name (``[project] name``), when the manifest says."""
    is_application: bool | None = None
    """``False`` for a library (built and published), ``True`` for an application, ``None``
    when the manifest does not say."""
    dynamic: bool = False
    """Part of what it declares is computed when the project builds (a ``setup.py`` that reads a
    file or loops), so an import it seems not to declare may be declared after all."""
    own_requires: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """A lock file's entries for the workspace's own projects (not dependencies, so not in
    ``dependencies``): (normalised name, what it requires), for the dependency graph."""
    packaging: Packaging | None = None
    """How setuptools chooses the packages it ships (``setup.py``, ``setup.cfg``, ``pyproject.toml``)."""
    compiled: bool = False
    """Written by pip-compile or ``uv pip compile``: it pins the whole tree, transitive packages
    included, so a package nobody imports there is expected, not unused."""
    generated_modules: tuple[str, ...] = ()
    """Python files the build writes, relative to the manifest's folder: the version file of
    hatch-vcs (``[tool.hatch.build.hooks.vcs] version-file``) or setuptools-scm
    (``[tool.setuptools_scm] version_file`` / ``write_to``). Black imports its
    ``src/_black_version.py``, which no checkout holds until the project is built."""
    build_requires: tuple[Dependency, ...] = ()
    """``[build-system] requires``: what a build front-end installs to build the project, kept
    apart from ``dependencies`` (nothing installs it beside the project)."""
    build_hooks: tuple[BuildHook, ...] = ()
    """Files the build backend runs (:class:`BuildHook`): what they import is declared by
    ``build_requires`` and the hook's own dependencies."""
    build_attr_modules: tuple[str, ...] = ()
    """Dotted names of the modules setuptools imports while it builds, to call or read what
    ``[tool.setuptools.dynamic]`` names with ``attr`` (modoboa's ``version = {attr =
    "modoboa.version.get_version"}``): what their functions import runs in the build environment."""

    @property
    def locks_versions(self) -> bool:
        """A lock file that could be read. One that could not (unreadable, not JSON, a list where
        the packages table belongs) pins nothing, so it must not excuse unpinned ranges."""
        return self.is_lock and not (self.errors and not self.dependencies)

    @property
    def folder(self) -> str:
        """The root-relative folder holding the manifest (``""`` at the root)."""
        return self.file.relpath.rpartition("/")[0]


@dataclass(frozen=True, slots=True, kw_only=True)
class UnreadLock:
    """A lock file of a format gonogo does not parse (``yarn.lock``, ``pnpm-lock.yaml``): what it
    pins is not audited, and that must be said rather than left out."""

    file: SourceFile
    ecosystem: str
    """OSV's name for the ecosystem it locks (``npm``, ``crates.io``)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ManifestFacts:
    manifests: tuple[Manifest, ...]
    unread_locks: tuple[UnreadLock, ...] = ()
    submodules: frozenset[tuple[Path, str]] = frozenset()
    """(root, folder) of each git submodule (``collectors.submodules``): code the repository
    depends on by checking another repository out beside its own, so what its modules import from
    there (readthedocs.org's ``common``) is no package to declare."""
    image_bases: frozenset[tuple[Path, str, str]] = frozenset()
    """(root, folder, base folder) of each image a bake file builds on another of its targets
    (``image_builds.bake_bases``): code of ``folder`` runs with what ``base folder`` installs."""

    @property
    def dependencies(self) -> tuple[Dependency, ...]:
        """Every dependency of every manifest, lock files included."""
        return tuple(d for m in self.manifests for d in m.dependencies)

    @property
    def declaring(self) -> tuple[Manifest, ...]:
        """Manifests that declare dependencies (not lock files)."""
        return tuple(m for m in self.manifests if not m.is_lock)

    @property
    def locks(self) -> tuple[Manifest, ...]:
        return tuple(m for m in self.manifests if m.is_lock)

    @property
    def unreadable(self) -> tuple[Manifest, ...]:
        """Manifests of which nothing could be read (not TOML, a link out of the tree, a list where
        the packages table belongs): the build cannot be reproduced from them. Files under a
        ``{{ ... }}`` folder are project templates (cookiecutter, copier), rendered before any tool
        reads them, so their Jinja is not a defect of this build."""
        return tuple(
            m for m in self.manifests if m.errors and not m.dependencies and not _TEMPLATE_DIR.search(m.file.relpath)
        )


_TEMPLATE_DIR = re.compile(r"(?:^|/)[^/]*\{\{[^/]*\}\}[^/]*/")


@functools.lru_cache(maxsize=4096)
def pinned_version(specifier: str) -> str | None:
    """The exact version a specifier set allows (``==1.2`` / ``===1.2``), else ``None``.
    Remembered: a manifest repeats its specifiers, and parsing one is most of the cost of a
    dependency (a 100,000-package manifest paid a second each)."""
    try:
        specs = list(SpecifierSet(specifier))
    except InvalidSpecifier:
        return None
    exact = [s for s in specs if s.operator in ("==", "===") and not s.version.endswith(".*")]
    return exact[0].version if exact else None


def normalise(name: str) -> str:
    return canonicalize_name(name)
