"""Folders without ``__init__.py`` where the layout needs one: a sub-package setuptools'
``find_packages()`` leaves out of the distribution, and test modules pytest's default import mode
cannot tell apart."""

from __future__ import annotations

import fnmatch
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from gonogo.collectors.manifests.package_discovery import Discovery
from gonogo.collectors.package_layout import (
    DEFAULT_NORECURSE,
    DEFAULT_PYTHON_FILES,
    FindPackagesProject,
    PackageLayout,
    PytestConfig,
)
from gonogo.collectors.python import PythonFacts, PythonFile
from gonogo.collectors.testpaths import is_test_path
from gonogo.grouping import Grouping, plural
from gonogo.model import Category, Finding, Severity
from gonogo.registry import CheckOutput, NotApplicable, check, fail

MAX_LISTED = 5


@dataclass(frozen=True, slots=True, kw_only=True)
class _Tree:
    """The folders of one root as the interpreter sees them: which hold an ``__init__.py``,
    which hold Python files (directly or below), and the module files."""

    packages: frozenset[str]
    with_python: frozenset[str]
    modules: frozenset[str]

    @classmethod
    def of(cls, files: Iterable[PythonFile]) -> _Tree:
        packages, with_python, modules = set(), set(), set()
        for source in files:
            relpath = source.file.relpath
            modules.add(relpath)
            folder = relpath.rpartition("/")[0]
            if source.file.name == "__init__.py":
                packages.add(folder)
            while folder:
                with_python.add(folder)
                folder = folder.rpartition("/")[0]
        return cls(packages=frozenset(packages), with_python=frozenset(with_python), modules=frozenset(modules))


def _trees(python: PythonFacts) -> dict[Path, _Tree]:
    by_root: dict[Path, list[PythonFile]] = defaultdict(list)
    for source in python.files:
        by_root[source.file.root].append(source)
    return {root: _Tree.of(files) for root, files in by_root.items()}


# -- CODE007 ---------------------------------------------------------------------------------------


def plan_unshipped(findings: Sequence[Finding]) -> Grouping:
    yield (f"add __init__.py to {plural(len(findings), 'folder')} find_packages() leaves out", findings)


@check("CODE007", "Every sub-package the code imports ships in the distribution", category=Category.CODE,
       severity=Severity.MEDIUM, plan=plan_unshipped)
def unshipped_subpackages(package_layout: PackageLayout, python: PythonFacts) -> Iterator[CheckOutput]:
    """Why: setuptools' ``find_packages()`` (``packages = find:`` in ``setup.cfg``,
    ``[tool.setuptools.packages.find]`` with ``namespaces = false``) walks only into folders that
    hold an ``__init__.py``. When ``pkg/`` has one and ``pkg/sub/`` does not, ``pkg.sub`` imports
    fine in the checkout (Python reads the folder as a namespace package), so the tests pass, while
    ``pip install .`` ships ``pkg`` without ``pkg.sub`` and the same import fails with
    ``ModuleNotFoundError`` wherever the package is installed. Reported at the import (a test's
    first, else the code's) of each such folder, only when the import reaches a Python file there,
    the parent package ships, and ``find``'s ``include``/``exclude`` would ship the sub-package once
    it has an ``__init__.py``. Not reported when the whole folder ships anyway: hatchling, flit,
    poetry and pdm copy the package's folder, ``find_namespace_packages()`` / ``find_namespace:``
    / ``namespaces = true`` (the default in ``pyproject.toml``) and setuptools' automatic discovery
    find namespace folders, an explicit ``packages = [...]`` says what it means, and
    ``include_package_data`` with a ``MANIFEST.in`` or setuptools-scm ships the folder as data.
    Where the packaging cannot be read (computed ``packages``, a manifest that does not parse),
    nothing is reported. On 24 real repositories it reported 2 folders (pygoat's
    ``introduction/playground/A6`` and ``A9``, imported by its views), both true: setuptools'
    ``build_py`` leaves them out.

    Fix: add an empty ``__init__.py`` to the folder (or switch to ``find_namespace_packages()``
    if the namespace is deliberate), then check the built wheel's file list."""
    projects = package_layout.find_projects
    if not projects:
        raise NotApplicable("no project is packaged with setuptools' find_packages()")
    if all(p.ships_as_data for p in projects):
        reasons = sorted({p.ships_as_data or "" for p in projects})
        raise NotApplicable(f"find_packages() ships folders without __init__.py as data ({', '.join(reasons)})")
    trees = _trees(python)
    for project in projects:
        tree = trees.get(project.root)
        if tree is not None and project.ships_as_data is None:
            yield from _unshipped(project, tree, python)


def _unshipped(project: FindPackagesProject, tree: _Tree, python: PythonFacts) -> Iterator[CheckOutput]:
    base = _join(project.folder, project.discovery.where)
    importers: dict[str, dict[tuple[str, int], tuple[PythonFile, int, str]]] = defaultdict(dict)
    for source in python.files:
        if source.file.root != project.root or not _under(source.file.relpath, project.folder):
            continue
        if source.facts.parse_error is not None:
            continue
        for statement in source.facts.imports:
            if statement.level or statement.type_checking or statement.optional:
                continue  # relative imports name the importer's own package; optional ones cope
            for dotted in _imported(statement.module, statement.names):
                missing = _missing_init(dotted, base, tree, project.discovery)
                if missing is not None:  # the most specific name of the statement is the one shown
                    importers[missing][(source.file.relpath, statement.line)] = (source, statement.line, dotted)
    for folder, found in sorted(importers.items()):
        yield _unshipped_finding(project, folder, base, list(found.values()))


def _imported(module: str, names: tuple[str, ...]) -> Iterator[str]:
    yield module
    for name in names:
        if name != "*":
            yield f"{module}.{name}"


def _missing_init(dotted: str, base: str, tree: _Tree, discovery: Discovery) -> str | None:
    """The folder without ``__init__.py`` that ``dotted`` passes through on its way to a Python
    file, when ``find`` ships its parent and would ship it with an ``__init__.py``."""
    parts = dotted.split(".")
    if _join(base, parts[0]) not in tree.packages:
        return None  # not one of this project's top-level packages
    for index in range(1, len(parts)):
        folder = _join(base, "/".join(parts[: index + 1]))
        if folder in tree.packages:
            continue
        if f"{folder}.py" in tree.modules or folder not in tree.with_python:
            return None
        if not _reaches_python(base, parts, tree):
            return None
        parent, child = ".".join(parts[:index]), ".".join(parts[: index + 1])
        if is_test_path(f"{folder}/__init__.py") or is_test_path(f"{folder.rpartition('/')[0]}/__init__.py"):
            return None  # a test folder: not shipped on purpose
        if not (_found(parent, discovery) and _found(child, discovery)):
            return None
        return folder
    return None


def _reaches_python(base: str, parts: list[str], tree: _Tree) -> bool:
    """The full name is a module file or a folder of Python files: the import works in the checkout."""
    path = _join(base, "/".join(parts))
    return f"{path}.py" in tree.modules or path in tree.with_python


def _found(package: str, discovery: Discovery) -> bool:
    """Whether ``PackageFinder.find`` yields ``package`` (given its folder has an
    ``__init__.py``): included, not excluded, and no ancestor pruned by ``pkg*`` / ``pkg.*``."""
    parts = package.split(".")
    for end in range(1, len(parts)):
        ancestor = ".".join(parts[:end])
        if f"{ancestor}*" in discovery.exclude or f"{ancestor}.*" in discovery.exclude:
            return False
    included = any(fnmatch.fnmatchcase(package, pattern) for pattern in discovery.include)
    return included and not any(fnmatch.fnmatchcase(package, pattern) for pattern in discovery.exclude)


def _unshipped_finding(
    project: FindPackagesProject, folder: str, base: str, found: list[tuple[PythonFile, int, str]]
) -> CheckOutput:
    found.sort(key=lambda item: (not item[0].is_test_code, item[0].file.display, item[1]))
    source, line, dotted = found[0]
    package = folder.removeprefix(f"{base}/" if base else "").replace("/", ".")
    shown = "; ".join(f"{s.file.display}:{n} imports {d}" for s, n, d in found[:MAX_LISTED])
    more = f"; and {len(found) - MAX_LISTED} more" if len(found) > MAX_LISTED else ""
    declared = project.declared.display + (f":{project.discovery.line}" if project.discovery.line else "")
    shown_folder = project.declared.display.removesuffix(project.declared.relpath) + folder
    return fail(
        f"{shown_folder}/ has no __init__.py: find_packages() ({declared}) ships {package.rpartition('.')[0]} "
        f"without {package}, so {source.file.display} imports {dotted} from a package the installed "
        f"distribution does not have",
        at=source.file.at(line),
        evidence=shown + more,
        key=f"unshipped:{folder}",
    )


# -- CODE008 ---------------------------------------------------------------------------------------


def plan_same_named_tests(findings: Sequence[Finding]) -> Grouping:
    yield (f"give pytest distinct module names for {plural(len(findings), 'test module name')}", findings)


@check("CODE008", "pytest can import every test module under its own name", category=Category.CODE,
       severity=Severity.MEDIUM, plan=plan_same_named_tests)
def same_named_test_modules(package_layout: PackageLayout, python: PythonFacts) -> Iterator[CheckOutput]:
    """Why: under pytest's default import mode (``prepend``, and ``append`` too) a test module is
    imported by its name under its package chain: ``tests/api/test_models.py`` in a folder without
    ``__init__.py`` is plain ``test_models``. Two such files with the same name in one run make
    collection stop with ``import file mismatch`` (the second finds the first in
    ``sys.modules``), so the suite never runs until one is renamed. Reported for files one pytest
    run collects (``python_files``, ``testpaths``, ``norecursedirs``, ``--ignore`` of the
    configuration it reads; where CI runs pytest, the folders and paths its commands give, else
    the whole project) when the project runs pytest (a pytest configuration, a ``conftest.py`` or
    a test importing pytest). Not reported when the folders have ``__init__.py`` (the names
    differ: ``api.test_models``), when the configuration sets ``--import-mode=importlib`` or
    ``consider_namespace_packages``, when a tox, nox, make or CI command passes
    ``--import-mode`` or ``PYTEST_ADDOPTS``, or when a ``conftest.py`` above the files changes
    collection (``collect_ignore``, ``pytest_ignore_collect``): there what pytest imports cannot
    be told. A ``conftest.py`` alone does not help: pytest names test modules the same way with one.
    On 24 real repositories it reported 5 pairs, each one pytest itself stops on (two that
    pytorch2.0_ttnn renamed to fix exactly this, three in a course repository's CI run).

    Fix: add ``__init__.py`` to the test folders (making the names ``api.test_models`` and
    ``db.test_models``), rename one file, or set ``addopts = --import-mode=importlib``."""
    if not any(s.is_test_module for s in python.files):
        raise NotApplicable("no test modules")
    configs = {(c.file.root, c.folder): c for c in package_layout.pytest_configs}
    elsewhere = {f.root for f in package_layout.import_mode_runners}
    runs: dict[Path, list[str]] = defaultdict(list)
    for root, scope in package_layout.ci_pytest_runs:
        runs[root].append(scope)
    trees = _trees(python)
    groups: dict[tuple[Path, str], list[PythonFile]] = defaultdict(list)
    for source in python.files:
        if source.file.suffix == ".py" and source.file.root not in elsewhere:
            groups[(source.file.root, _config_folder(source.file.relpath, source.file.root, configs))].append(source)
    reported: set[tuple[str, str]] = set()
    for (root, folder), files in sorted(groups.items()):
        config = configs.get((root, folder))
        if not _runs_pytest(config, files) or not _names_by_folder(config):
            continue
        hooks = [h.relpath.rpartition("/")[0] for h in package_layout.collection_hooks if h.root == root]
        collected = _collected(files, folder, config)
        for scope in runs.get(root) or [""]:
            in_run = [s for s in collected if not scope or _within(s.file.relpath, scope)]
            for finding, identity in _collisions(in_run, trees[root], hooks):
                if identity not in reported:
                    reported.add(identity)
                    yield finding


def _config_folder(relpath: str, root: Path, configs: dict[tuple[Path, str], PytestConfig]) -> str:
    """The nearest folder above the file holding pytest configuration (``""``: the root's, or
    pytest's defaults): the run that collects the file reads that one."""
    folder = relpath.rpartition("/")[0]
    while folder:
        if (root, folder) in configs:
            return folder
        folder = folder.rpartition("/")[0]
    return ""


def _runs_pytest(config: PytestConfig | None, files: list[PythonFile]) -> bool:
    if config is not None:
        return True
    return any(s.file.name == "conftest.py" or _imports_pytest(s) for s in files if s.is_test_code)


def _imports_pytest(source: PythonFile) -> bool:
    return any(i.module == "pytest" or i.module.startswith("pytest.") for i in source.facts.imports)


def _names_by_folder(config: PytestConfig | None) -> bool:
    """The configuration leaves pytest naming modules by folder, and could be read."""
    if config is None:
        return True
    return config.unreadable is None and config.import_mode != "importlib" and not config.consider_namespace_packages


def _collected(files: list[PythonFile], folder: str, config: PytestConfig | None) -> list[PythonFile]:
    """The files pytest imports when run where ``config`` is (pytest's defaults without one)."""
    patterns = config.python_files if config else DEFAULT_PYTHON_FILES
    collected = []
    for source in files:
        relative = source.file.relpath.removeprefix(f"{folder}/" if folder else "")
        if not any(fnmatch.fnmatch(source.file.name, p) for p in patterns) and source.file.name != "conftest.py":
            continue
        if _selected(relative, config):
            collected.append(source)
    return collected


def _selected(relative: str, config: PytestConfig | None) -> bool:
    """Inside ``testpaths`` (when set), in no ``norecursedirs`` folder, not ``--ignore``d."""
    folders = relative.split("/")[:-1]
    norecurse = config.norecursedirs if config else DEFAULT_NORECURSE
    if any(fnmatch.fnmatch(name, pattern) for name in folders for pattern in norecurse):
        return False
    if config is None:
        return True
    if config.testpaths and not any(_within(relative, path) for path in config.testpaths):
        return False
    return not any(_within(relative, path) for path in config.ignores)


def _within(relative: str, path: str) -> bool:
    path = path.removeprefix("./").rstrip("/")
    prefixes = ["/".join(relative.split("/")[:end]) for end in range(1, relative.count("/") + 2)]
    return any(prefix == path or fnmatch.fnmatch(prefix, path) for prefix in prefixes)


def _collisions(
    files: list[PythonFile], tree: _Tree, hooks: list[str]
) -> Iterator[tuple[CheckOutput, tuple[str, str]]]:
    named: dict[str, list[PythonFile]] = defaultdict(list)
    for source in files:
        name = _pytest_module_name(source.file.relpath, tree)
        if name is not None:
            named[name].append(source)
    for name, group in sorted(named.items()):
        if len(group) < 2 or any(_under(s.file.relpath, hook) for s in group for hook in hooks):
            continue
        group.sort(key=lambda s: s.file.relpath.split("/"))
        first, second = group[0], group[1]
        shown = ", ".join(s.file.display for s in group[:MAX_LISTED])
        finding = fail(
            f"{len(group)} test files are all module {name} to pytest ({shown}): collecting "
            f"{second.file.display} stops with \"import file mismatch\" "
            f"(it finds {first.file.display} already imported)",
            at=second.file.at(1),
            evidence="; ".join(f"{s.file.display}:1" for s in group[:MAX_LISTED]),
            key=f"module:{name}:{second.file.display}",
        )
        yield finding, (name, second.file.display)  # one run's view of it is enough


def _pytest_module_name(relpath: str, tree: _Tree) -> str | None:
    """What ``resolve_pkg_root_and_module_name`` names the file: its stem under every folder above
    it that holds an ``__init__.py`` and is an identifier. ``None`` for a conftest outside a
    package: pytest drops the previous ``conftest`` from ``sys.modules`` before importing it."""
    folder, _, filename = relpath.rpartition("/")
    parts = [filename.removesuffix(".py")]
    while folder and folder in tree.packages and folder.rpartition("/")[2].isidentifier():
        parts.insert(0, folder.rpartition("/")[2])
        folder = folder.rpartition("/")[0]
    if filename == "conftest.py" and len(parts) == 1:
        return None
    return ".".join(parts)


def _join(folder: str, path: str) -> str:
    path = path.strip("/")
    path = "" if path in (".", "") else path.removeprefix("./")
    return "/".join(p for p in (folder, path) if p)


def _under(relpath: str, folder: str) -> bool:
    return not folder or relpath.startswith(folder + "/")
