"""Who declares what for whom: the folders that hold manifests ("scopes"), the distributions each
declares (following ``-r`` includes), the repository's own top-level names, and the third-party
imports of each Python file. Pure functions over facts; the dependency checks share them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from gonogo.collectors.import_names import (
    candidates,
    extra_brings,
    import_names_of,
    installed_requires,
    is_stdlib,
    knows,
    provided_by,
    providers,
    published_extra_brings,
    published_requires,
)
from gonogo.collectors.manifests import Dependency, Manifest, ManifestFacts
from gonogo.collectors.manifests.requirements_files import group_from_name
from gonogo.collectors.python import PythonFacts, PythonFile
from gonogo.collectors.python_facts import Import

_REQUIREMENTS_DIRS = frozenset({"requirements", "reqs"})
_PREFERRED = ("requirements", "pyproject", "poetry", "pipfile", "setup.cfg", "setup.py")
_OTHER_ECOSYSTEMS = frozenset({"package-lock.json"})
"""Manifest kinds that declare another ecosystem's packages: npm's lock beside a package's
JavaScript (Kiwi TCMS's ``tcms/package-lock.json``) declares nothing for the Python modules below
it, so it is no scope of theirs."""


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
    def declaration(self) -> Declared:
        """What the scope's manifests declare, extras and all (``Declared.of``)."""
        return Declared.of(d for m in (*self.declaring, *self.included) for d in m.dependencies)

    @property
    def target(self) -> Manifest:
        """The manifest a person would add a missing dependency to."""
        declaring = sorted(self.declaring, key=_preference)
        return declaring[0]


def _preference(manifest: Manifest) -> tuple[bool, bool, int, bool, str]:
    """Which manifest a missing dependency goes in first: one that declares something before an
    empty one, production before a group's, then by kind, a plain ``requirements.txt`` before a
    named one. A requirements file's group comes from its name, so an empty ``ci_requirements.txt``
    (pulpcore's) or a ``dev_requirements.txt`` is never the target beside ``pyproject.toml``."""
    kind = _PREFERRED.index(manifest.kind) if manifest.kind in _PREFERRED else len(_PREFERRED)
    exact = manifest.file.name != "requirements.txt"
    if manifest.kind == "requirements":
        group = group_from_name(manifest.file) is not None
    else:
        group = manifest.dependencies[0].group is not None if manifest.dependencies else False
    return (not manifest.dependencies, group, kind, exact, manifest.file.display)


class Scopes:
    """The scopes of a workspace, and the nearest one for any file."""

    def __init__(self, facts: ManifestFacts) -> None:
        by_folder: dict[tuple[Path, str], list[Manifest]] = defaultdict(list)
        by_display = {m.file.display: m for m in facts.manifests}
        for manifest in facts.manifests:
            if manifest.kind in _OTHER_ECOSYSTEMS:
                continue
            by_folder[(manifest.file.root, served_folder(manifest.folder))].append(manifest)
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


def in_requirements_group(folder: str) -> bool:
    """A folder one level below a requirements folder (``requirements/extras/``,
    ``securedrop/requirements/python3/``): its files sort the requirements by interpreter,
    environment or optional feature (Celery's ``requirements/extras/cassandra.txt``)."""
    parts = folder.split("/")
    return len(parts) >= 2 and parts[-2].lower() in _REQUIREMENTS_DIRS


def served_folder(folder: str) -> str:
    """The folder whose modules a manifest in ``folder`` declares for: its own, but the one above a
    requirements folder for ``requirements/*.txt``, and for ``requirements/<group>/*.txt`` too
    (SecureDrop's ``securedrop/requirements/python3/requirements.txt`` holds the app's Flask and
    SQLAlchemy; its ``securedrop/setup.py`` declares nothing). A folder one level below a
    requirements folder sorts its files by interpreter or environment, and serves no module."""
    parts = folder.split("/")
    if parts[-1].lower() in _REQUIREMENTS_DIRS:
        return "/".join(parts[:-1])
    if in_requirements_group(folder):
        return "/".join(parts[:-2])
    return folder


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


SOURCE_ROOTS = ("src", "apps")
"""Folders whose packages a project puts on ``sys.path`` itself: ``src/`` layouts, and Django
projects' ``apps/`` (jumpserver's ``utils/`` scripts ``import users.models`` from ``apps/users/``)."""


class OwnNames:
    """Top-level names the repository itself provides near a file: its modules and packages in the
    file's folder and every folder above it (and their ``src/`` and ``apps/``), its git submodules'
    folders, and its projects' names."""

    def __init__(self, python: PythonFacts, manifests: ManifestFacts) -> None:
        self._at: dict[tuple[Path, str], set[str]] = defaultdict(set)
        self._anywhere: dict[Path, set[str]] = defaultdict(set)
        """Test code often puts fixture packages on ``sys.path``: any folder's name counts there."""
        self._near: dict[tuple[Path, str, str], bool] = {}
        """(root, folder, name) -> whether the name is the repository's own there or above."""
        for item in python.files:
            parts = item.file.relpath.split("/")
            self._at[(item.file.root, "/".join(parts[:-1]))].add(parts[-1].removesuffix(".py"))
            self._add_folders(item.file.root, parts[:-1])
            self._anywhere[item.file.root].add(parts[-1].removesuffix(".py"))
            self._anywhere[item.file.root].update(parts[:-1])
        for root, submodule in manifests.submodules:  # empty in a checkout made without them
            self._add_folders(root, submodule.split("/"))
        self._projects = {
            name
            for m in manifests.manifests
            if m.project_name
            for name in (m.project_name.replace("-", "_"), m.project_name)
        }
        self._projects |= {_top_module(path) for m in manifests.manifests for path in m.generated_modules}

    def _add_folders(self, root: Path, folders: list[str]) -> None:
        """Each folder of the path ``folders`` is a name its parent folder provides."""
        for depth, folder in enumerate(folders):
            self._at[(root, "/".join(folders[:depth]))].add(folder)

    def __contains__(self, item: tuple[PythonFile, str]) -> bool:
        file, top = item
        if top.lower() in self._projects:
            return True
        root, folder = file.file.root, file.file.relpath.rpartition("/")[0]
        # the same name is asked about from every file of a folder: the walk up is done once
        question = (root, folder, top)
        near = self._near.get(question)
        if near is None:
            near = self._near[question] = self._in_or_above(root, folder, top)
        return near or (file.is_test_code and top in self._anywhere.get(root, ()))

    def _in_or_above(self, root: Path, start: str, top: str) -> bool:
        folder: str | None = start
        while folder is not None:
            if top in self._at.get((root, folder), ()):
                return True
            for source_root in SOURCE_ROOTS:
                if top in self._at.get((root, f"{folder}/{source_root}" if folder else source_root), ()):
                    return True
            folder = folder.rpartition("/")[0] if folder else None
        return False


def _top_module(path: str) -> str:
    """The top-level name a file the build writes is imported by: ``src/_black_version.py`` is
    ``_black_version``, ``pkg/_version.py`` is in ``pkg``."""
    parts = [part for part in path.replace("\\", "/").split("/") if part not in ("", ".")]
    if parts and parts[0] in SOURCE_ROOTS and len(parts) > 1:
        parts = parts[1:]
    return parts[0].removesuffix(".py").lower() if parts else ""


def third_party_imports(file: PythonFile, own: OwnNames) -> Iterator[Import]:
    for imported in file.facts.imports:
        if imported.level or not imported.module:
            continue
        top = imported.module.split(".")[0]
        if is_stdlib(top) or (file, top) in own:
            continue
        yield imported


class Declared:
    """Answers "does this set of distributions provide this import?", with a cache per name set.
    ``extras``: the names of the extras asked for (``distributed`` in ``dask[distributed]``)."""

    def __init__(self, names: Iterable[str], extras: Iterable[str] = ()) -> None:
        self.names = frozenset(names)
        self.extras = frozenset(extras)

    @classmethod
    def of(cls, dependencies: Iterable[Dependency]) -> Declared:
        """The dependencies, with what the extras they ask for bring: the distributions an
        installed distribution's metadata gives the extra (``extra_brings``), else those gonogo's
        table of PyPI releases gives it (:func:`_published_extra`), and an import named like the
        extra itself where no table names another provider for it (``dask[distributed]`` and
        ``import distributed``; not ``django-storages[google]`` and ``google.api_core``, which is
        google-api-core's)."""
        names: set[str] = set()
        extras: set[str] = set()
        for dependency in dependencies:
            names.add(dependency.name)
            for extra in dependency.extras:
                names |= extra_brings(dependency.name, extra) or _published_extra(dependency, extra)
                extras.add(canonicalize_name(extra))
        return cls(names, extras)

    @cached_property
    def _import_names(self) -> frozenset[str]:
        return frozenset(n for d in self.names for n in import_names_of(d))

    def provides(self, module: str) -> bool:
        return bool(candidates(module) & self.names) or provided_by(module, self._import_names) or (
            self._named_by_an_extra(module)
        )

    def _named_by_an_extra(self, module: str) -> bool:
        top = canonicalize_name(module.split(".")[0])
        if top not in self.extras:
            return False
        known = providers(module)
        return not known or top in known


def _published_extra(dependency: Dependency, extra: str) -> frozenset[str]:
    """What ``extra`` brings in the latest release of the dependency that gonogo's table holds,
    when the declaration speaks for that release (:func:`_same_series`, as for what a release
    requires): django-allauth's ``pyjwt[crypto] >= 2.0,<3`` brings cryptography, zds-site's
    ``easy-thumbnails[svg]==2.10.0`` brings svglib. Empty when the table cannot say."""
    found = published_extra_brings(dependency.name, extra)
    if found is None or not _same_series(dependency.specifier, found[0]):
        return frozenset()
    return found[1]


def build_hook_declarations(manifests: ManifestFacts) -> dict[tuple[Path, str], Declared]:
    """(root, path) of each file a manifest names as a build hook -> what its build environment
    holds: ``[build-system] requires`` and the hook's own dependencies. Flexget's Hatch metadata
    hook ``scripts/build_locked_extras.py`` imports hatchling, its build backend, which no runtime
    manifest declares, nor should."""
    found: dict[tuple[Path, str], Declared] = {}
    for manifest in manifests.declaring:
        for hook in manifest.build_hooks:
            path = f"{manifest.folder}/{hook.path}" if manifest.folder else hook.path
            found[(manifest.file.root, path)] = Declared.of((*manifest.build_requires, *hook.dependencies))
    return found


def build_call_declarations(manifests: ManifestFacts, python: PythonFacts) -> dict[tuple[Path, str], Declared]:
    """(root, path) of each module setuptools imports to call what ``[tool.setuptools.dynamic]``
    names with ``attr`` -> ``[build-system] requires``, for the imports inside its functions: they
    run when setuptools calls one, in the build environment (modoboa's ``version.get_version``
    imports setuptools_scm, which only ``[build-system] requires`` declares). Not for a module
    another module of the root imports (by any name): a function of it may then run in
    production, where only the project's dependencies are installed."""
    wanted: dict[tuple[Path, str], tuple[set[str], Manifest]] = {}
    for manifest in manifests.declaring:
        prefix = f"{manifest.folder}/" if manifest.folder else ""
        for module in manifest.build_attr_modules:
            names = {module, f"{prefix.replace('/', '.')}{module}"}
            for path in (f"{module.replace('.', '/')}.py", f"{module.replace('.', '/')}/__init__.py"):
                wanted[(manifest.file.root, f"{prefix}{path}")] = (names, manifest)
    if not wanted:
        return {}
    imported = {(f.file.root, name) for f in python.files for i in f.facts.imports for name in _absolute_names(f, i)}
    return {
        key: Declared.of(manifest.build_requires)
        for key, (names, manifest) in wanted.items()
        if not any((key[0], name) in imported for name in names)
    }


def _absolute_names(file: PythonFile, imported: Import) -> Iterator[str]:
    """The dotted names an import may load, relative ones resolved from the file's folder:
    ``from . import version`` in ``modoboa/__init__.py`` may load ``modoboa.version``."""
    base = imported.module
    if imported.level:
        folders = file.file.relpath.split("/")[:-1]
        if imported.level - 1 > len(folders):
            return
        parts = folders[: len(folders) - (imported.level - 1)] + ([imported.module] if imported.module else [])
        base = ".".join(parts)
    yield base
    yield from (f"{base}.{name}" for name in imported.names)


def own_declaration(file: PythonFile, hooks: dict[tuple[Path, str], Declared]) -> Declared | None:
    """What a file declares for itself, beyond its scope: a build hook's build environment
    (:func:`build_hook_declarations`), and a script's PEP 723 ``dependencies``, which ``uv run``
    or pipx install before they run it (Flexget's ``scripts/update_changelog.py`` declares
    gitpython so). ``None`` when it declares nothing of its own."""
    hook = hooks.get((file.file.root, file.file.relpath))
    script = file.facts.script
    if script is None or not script.requirements:
        return hook
    declared = Declared.of(
        Dependency.of(r.name, r.specifier, file.file, script.line, extras=r.extras) for r in script.requirements
    )
    if hook is None:
        return declared
    return Declared(declared.names | hook.names, declared.extras | hook.extras)


def used_by(dep: Dependency, modules: Iterable[str]) -> bool:
    names = import_names_of(dep.name)
    return any(dep.name in candidates(m) or provided_by(m, names) for m in modules)


@dataclass(frozen=True, slots=True, kw_only=True)
class Transitive:
    """An import no declared distribution provides, but a lock file installs as a dependency of one."""

    chain: tuple[str, ...]
    """Declared distribution first, the providing distribution last (``fastapi``, ``starlette``)."""
    lock: str
    """The lock file that shows the chain."""


def transitive_provider(module: str, scope: Scope, scopes: Scopes) -> Transitive | None:
    """The shortest chain, in the lock files of the scope and the scopes above it, from a
    distribution the scope declares to a locked one that provides ``module``; chains from main
    dependencies are preferred to chains from a dev or optional group."""
    declared = scope.declared
    main = {name for name, dep in declared.items() if dep.group is None}
    for lock in (m for s in scopes.ancestors(scope) for m in s.manifests if m.is_lock):
        graph = {d.name: d.requires for d in lock.dependencies if d.ecosystem == "PyPI"}
        graph.update({name: requires for name, requires in lock.own_requires if name not in graph})
        for starts in (main, set(declared)):
            chain = _shortest_chain(graph, starts, set(declared), lambda name: Declared([name]).provides(module))
            if chain is not None:
                return Transitive(chain=chain, lock=lock.file.display)
    return _installed_chain(module, scope)


def _installed_chain(module: str, scope: Scope) -> Transitive | None:
    """With no lock file to show it, the metadata of the declared distributions installed next to
    gonogo: only those whose installed version the declaration admits, one level down (what a
    declared package requires directly is what every release of it in that range is likely to).
    Failing that, what the latest releases of the declared distributions require on PyPI
    (:func:`published_requires`), two levels down (Celery brings kombu, which brings amqp)."""
    for name, dep in sorted(scope.declared.items(), key=lambda kv: (kv[1].group is not None, kv[0])):
        found = installed_requires(name)
        if found is None or not _admits(dep.specifier, found[0]):
            continue
        version, requires = found
        for child in requires:
            if child not in scope.declared and Declared([child]).provides(module):
                return Transitive(chain=(name, child), lock=f"metadata of the installed {name} {version}")
    return _published_chain(module, scope)


def _published_chain(module: str, scope: Scope) -> Transitive | None:
    """The shortest chain through the table from a declared distribution whose declaration the
    table's release speaks for (:func:`_same_series`)."""
    fetched, table = published_requires()
    graph = {name: requires for name, (_, requires) in table.items()}
    declared = {
        name: dep
        for name, dep in scope.declared.items()
        if name in table and _same_series(dep.specifier, table[name][0])
    }
    main = {name for name, dep in declared.items() if dep.group is None}
    for starts in (main, set(declared)):
        chain = _shortest_chain(graph, starts, set(scope.declared), lambda name: Declared([name]).provides(module))
        if chain is not None and len(chain) <= 3:
            versions = ", ".join(f"{name} {table[name][0]}" for name in chain[:-1])
            return Transitive(chain=chain, lock=f"on PyPI, {versions} (gonogo's table of {fetched})")
    return None


def _same_series(specifier: str, version: str) -> bool:
    """Whether what ``version`` requires speaks for the declaration: the range admits it, or every
    version the declaration pins is of the same series (the same major version; the same minor one
    before 1.0), whose releases seldom change what they require (Celery 5.7.0 for ``celery==5.6.3``,
    not FastAPI 0.115 for ``fastapi==0.1.0``)."""
    if _admits(specifier, version):
        return True
    try:
        pins = [Version(spec.version) for spec in SpecifierSet(specifier) if spec.operator in ("==", "===")]
        latest = Version(version)
    except (InvalidSpecifier, InvalidVersion):
        return False

    def series(of: Version) -> tuple[int, ...]:
        return (of.major, of.minor) if of.major == 0 else (of.major,)

    return bool(pins) and all(series(pin) == series(latest) for pin in pins)


def _admits(specifier: str, version: str) -> bool:
    try:
        return Version(version) in SpecifierSet(specifier or "", prereleases=True)
    except (InvalidSpecifier, InvalidVersion):
        return False


def _shortest_chain(
    graph: dict[str, tuple[str, ...]], starts: set[str], declared: set[str], wanted: Callable[[str], bool]
) -> tuple[str, ...] | None:
    """Breadth-first from every start over the lock graph, to the first node ``wanted`` accepts
    (declared nodes are not ends: they would have provided the import already)."""
    queue: list[tuple[str, ...]] = [(name,) for name in sorted(starts) if name in graph]
    seen = set(declared)
    while queue:
        path = queue.pop(0)
        for child in graph.get(path[-1], ()):
            if child in seen:
                continue
            seen.add(child)
            if wanted(child):
                return (*path, child)
            queue.append((*path, child))
    return None


_GENERIC_WORDS = frozenset({
    "python", "django", "flask", "core", "client", "api", "sdk", "lib", "utils", "tools", "plugin",
    "ext", "server", "common", "the", "async", "aio", "types", "base",
})


def unaccounted(scope: Scope, modules: Iterable[str]) -> frozenset[str]:
    """Distributions the scope declares whose import names are unknown (neither the shipped table nor
    installed metadata knows them) and that no module below the scope imports under a name derived
    from theirs: each may be what an unmatched import comes from."""
    modules = set(modules)
    found = set()
    for name in scope.declared:
        if knows(name):
            continue
        roots = import_names_of(name)
        if not any(provided_by(m, roots) or name in candidates(m) for m in modules):
            found.add(name)
    return frozenset(found)


def may_provide(module: str, distributions: Iterable[str]) -> tuple[str, ...]:
    """The distributions whose names share a word with ``module``'s top-level name (``pyhumps``
    and ``humps``, ``social-auth-core`` and ``social_core``): the ones that plausibly provide it.
    A declared distribution with no word in common is not taken as a possible provider, so an import
    that nothing declared resembles is still reported as undeclared."""
    top = module.split(".")[0].lower()
    words = {w for w in re.findall(r"[a-z]+", top) if len(w) >= 3} - _GENERIC_WORDS
    compact = re.sub(r"[^a-z0-9]", "", top)
    found = []
    for name in sorted(distributions):
        name_words = set(re.findall(r"[a-z]+", name))
        if compact in re.sub(r"[^a-z0-9]", "", name) or words & name_words:
            found.append(name)
    return tuple(found)
