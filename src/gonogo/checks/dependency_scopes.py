"""Who declares what for whom: the folders that hold manifests ("scopes"), the distributions each
declares (following ``-r`` includes), the repository's own top-level names, and the third-party
imports of each Python file. Pure functions over facts; the dependency checks share them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from gonogo.collectors.import_names import candidates, import_names_of, is_stdlib
from gonogo.collectors.manifests import Dependency, Manifest, ManifestFacts
from gonogo.collectors.python import PythonFacts, PythonFile
from gonogo.collectors.python_facts import Import

_REQUIREMENTS_DIRS = frozenset({"requirements", "reqs"})
_PREFERRED = ("requirements", "pyproject", "poetry", "pipfile", "setup.cfg", "setup.py")


@dataclass(frozen=True, slots=True, kw_only=True)
class Scope:
    """A folder holding at least one manifest: it declares for every module below it."""

    root: Path
    folder: str
    manifests: tuple[Manifest, ...]
    included: tuple[Manifest, ...]
    """Manifests the folder's requirements files pull in with ``-r`` (not ``-c``), from anywhere."""

    @property
    def label(self) -> str:
        return self.manifests[0].file.display.rpartition("/")[0] or "."

    @property
    def declaring(self) -> tuple[Manifest, ...]:
        own = tuple(m for m in self.manifests if not m.is_lock)
        return own or self.manifests  # a folder with only a lock file declares what it locks

    @property
    def declared(self) -> dict[str, Dependency]:
        found: dict[str, Dependency] = {}
        for manifest in (*self.declaring, *self.included):
            for dep in manifest.dependencies:
                found.setdefault(dep.name, dep)
        return found

    @property
    def target(self) -> Manifest:
        """The manifest a person would add a missing dependency to."""
        declaring = sorted(self.declaring, key=_preference)
        return declaring[0]


def _preference(manifest: Manifest) -> tuple[int, int, str]:
    kind = _PREFERRED.index(manifest.kind) if manifest.kind in _PREFERRED else len(_PREFERRED)
    exact = manifest.file.name != "requirements.txt"
    group = manifest.dependencies[0].group is not None if manifest.dependencies else False
    return (kind, exact + 2 * group, manifest.file.display)


class Scopes:
    """The scopes of a workspace, and the nearest one for any file."""

    def __init__(self, facts: ManifestFacts) -> None:
        by_folder: dict[tuple[Path, str], list[Manifest]] = defaultdict(list)
        by_display = {m.file.display: m for m in facts.manifests}
        for manifest in facts.manifests:
            folder = manifest.folder
            if folder.rpartition("/")[2].lower() in _REQUIREMENTS_DIRS:
                folder = folder.rpartition("/")[0]  # requirements/*.txt serve the folder above
            by_folder[(manifest.file.root, folder)].append(manifest)
        self.scopes: dict[tuple[Path, str], Scope] = {}
        for key, manifests in sorted(by_folder.items(), key=lambda kv: (str(kv[0][0]), kv[0][1])):
            self.scopes[key] = Scope(
                root=key[0],
                folder=key[1],
                manifests=tuple(manifests),
                included=tuple(_closure(manifests, by_display)),
            )

    def nearest(self, root: Path, relpath: str) -> Scope | None:
        folder = relpath.rpartition("/")[0]
        while True:
            scope = self.scopes.get((root, folder))
            if scope is not None:
                return scope
            if not folder:
                return None
            folder = folder.rpartition("/")[0]

    def ancestors(self, scope: Scope) -> Iterator[Scope]:
        """The scope itself, then every scope above it in the same root."""
        folder: str | None = scope.folder
        while folder is not None:
            found = self.scopes.get((scope.root, folder))
            if found is not None:
                yield found
            folder = folder.rpartition("/")[0] if folder else None


def _closure(manifests: Iterable[Manifest], by_display: dict[str, Manifest]) -> list[Manifest]:
    """Manifests pulled in with ``-r``, transitively, each once (so cycles end)."""
    seen: set[str] = {m.file.display for m in manifests}
    queue = [p for m in manifests for p in m.includes if p not in m.constraints]
    found: list[Manifest] = []
    while queue:
        display = queue.pop(0)
        if display in seen or display not in by_display:
            continue
        seen.add(display)
        included = by_display[display]
        found.append(included)
        queue.extend(p for p in included.includes if p not in included.constraints)
    return found


class OwnNames:
    """Top-level names the repository itself provides near a file: its modules and packages in the
    file's folder and every folder above it (and their ``src/``), and its projects' names."""

    def __init__(self, python: PythonFacts, manifests: ManifestFacts) -> None:
        self._at: dict[tuple[Path, str], set[str]] = defaultdict(set)
        self._anywhere: dict[Path, set[str]] = defaultdict(set)
        """Test code often puts fixture packages on ``sys.path``: any folder's name counts there."""
        for item in python.files:
            parts = item.file.relpath.split("/")
            self._at[(item.file.root, "/".join(parts[:-1]))].add(parts[-1].removesuffix(".py"))
            for depth in range(len(parts) - 1):
                self._at[(item.file.root, "/".join(parts[:depth]))].add(parts[depth])
            self._anywhere[item.file.root].add(parts[-1].removesuffix(".py"))
            self._anywhere[item.file.root].update(parts[:-1])
        self._projects = {
            name
            for m in manifests.manifests
            if m.project_name
            for name in (m.project_name.replace("-", "_"), m.project_name)
        }

    def __contains__(self, item: tuple[PythonFile, str]) -> bool:
        file, top = item
        if top.lower() in self._projects:
            return True
        folder: str | None = file.file.relpath.rpartition("/")[0]
        while folder is not None:
            if top in self._at.get((file.file.root, folder), ()):
                return True
            src = f"{folder}/src" if folder else "src"
            if top in self._at.get((file.file.root, src), ()):
                return True
            folder = folder.rpartition("/")[0] if folder else None
        return file.is_test_code and top in self._anywhere.get(file.file.root, ())


def third_party_imports(file: PythonFile, own: OwnNames) -> Iterator[Import]:
    for imported in file.facts.imports:
        if imported.level or not imported.module:
            continue
        top = imported.module.split(".")[0]
        if is_stdlib(top) or (file, top) in own:
            continue
        yield imported


class Declared:
    """Answers "does this set of distributions provide this import?", with a cache per name set."""

    def __init__(self, names: Iterable[str]) -> None:
        self.names = frozenset(names)

    @cached_property
    def _import_names(self) -> frozenset[str]:
        return frozenset(n for d in self.names for n in import_names_of(d))

    def provides(self, module: str) -> bool:
        return bool(candidates(module) & self.names) or module.split(".")[0].lower() in self._import_names


def used_by(dep: Dependency, modules: Iterable[str]) -> bool:
    names = import_names_of(dep.name)
    return any(dep.name in candidates(m) or m.split(".")[0].lower() in names for m in modules)
