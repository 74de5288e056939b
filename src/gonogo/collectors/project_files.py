"""Declaring manifests other than requirements files: ``pyproject.toml`` (PEP 621 dependencies and
optional dependencies, PEP 735 dependency groups, Poetry's tables), ``setup.cfg`` and ``Pipfile``."""

from __future__ import annotations

import ast
import configparser
import re
from typing import Any

from packaging.requirements import Requirement

from gonogo.collectors.manifest_types import Dependency, Manifest, normalise
from gonogo.collectors.manifests import register_format
from gonogo.collectors.requirements import REQUIREMENT_ERRORS, from_requirement
from gonogo.collectors.tomltext import LineFinder, load_toml, type_name
from gonogo.workspace import SourceFile

Errors = list[tuple[int | None, str]]


@register_format("pyproject.toml", "pyproject")
def parse_pyproject(text: str, file: SourceFile) -> Manifest | None:
    """A ``pyproject.toml`` is a manifest when it describes a project or its dependencies
    (``[project]``, ``[build-system]``, Poetry's project tables, ``[dependency-groups]``); one that
    only configures tools (``[tool.ruff]``) declares nothing and is ``None``."""
    data, error = load_toml(text)
    if data is None:
        return Manifest(file=file, kind="pyproject", is_lock=False, dependencies=(), errors=(error,))  # type: ignore[arg-type]
    if not is_project_pyproject(data):
        return None
    lines = LineFinder(text)
    deps: list[Dependency] = []
    errors: Errors = []
    start = lines.section("project")
    project = _table_at(data, "project", "", lines, errors)
    for item in _list_at(project, "dependencies", "project.", lines, errors):
        _add_pep508(item, file, lines, start, None, deps, errors)
    extras_start = lines.section("project.optional-dependencies") or start
    for extra, items in _table_at(project, "optional-dependencies", "project.", lines, errors).items():
        for item in _list_at({extra: items}, extra, "project.optional-dependencies.", lines, errors):
            _add_pep508(item, file, lines, extras_start, str(extra), deps, errors)
    groups_start = lines.section("dependency-groups")
    for group, items in _table_at(data, "dependency-groups", "", lines, errors).items():
        for item in _list_at({group: items}, group, "dependency-groups.", lines, errors):
            if isinstance(item, dict):
                continue  # {include-group = "..."}: that group's own entries are read already
            _add_pep508(item, file, lines, groups_start, str(group), deps, errors)
    tool = _table_at(data, "tool", "", lines, errors)
    poetry = _table_at(tool, "poetry", "tool.", lines, errors)
    deps.extend(_poetry(poetry, file, lines, errors))
    build = _table_at(data, "build-system", "", lines, errors)
    is_poetry = bool(poetry.get("dependencies") or poetry.get("group"))
    package_mode = poetry.get("package-mode", True)
    named = project.get("name") or poetry.get("name")
    return Manifest(
        file=file,
        kind="poetry" if is_poetry and not project.get("dependencies") else "pyproject",
        is_lock=False,
        dependencies=tuple(deps),
        errors=tuple(errors),
        project_name=normalise(named) if isinstance(named, str) else None,
        is_application=None if not (project or poetry) else (not build or package_mode is False),
    )


def is_project_pyproject(data: dict[str, Any]) -> bool:
    """Whether a parsed ``pyproject.toml`` plays a manifest's role rather than only holding tool settings."""
    tool = data.get("tool")
    poetry = tool.get("poetry") if isinstance(tool, dict) else None
    if poetry is not None and not isinstance(poetry, dict):
        return True  # a Poetry project whose table is broken: the parser names what is wrong
    poetry = poetry if isinstance(poetry, dict) else {}
    poetry_project = any(key in poetry for key in ("name", "dependencies", "group", "dev-dependencies"))
    return any(key in data for key in ("project", "build-system", "dependency-groups")) or poetry_project


def _add_pep508(
    item: object,
    file: SourceFile,
    lines: LineFinder,
    after: int | None,
    group: str | None,
    deps: list[Dependency],
    errors: Errors,
) -> None:
    if not isinstance(item, str):
        errors.append((after, f"dependency {item!r} is not a string"))
        return
    _add_requirement(item, file, lines.find(item, after) or after, group, deps, errors)


def _add_requirement(
    text: str, file: SourceFile, line: int | None, group: str | None, deps: list[Dependency], errors: Errors
) -> None:
    """One PEP 508 string as a dependency, or as an error naming its line."""
    try:
        requirement = Requirement(text)
    except REQUIREMENT_ERRORS as exc:
        errors.append((line, f"not a valid requirement {text!r}: {exc}"))
        return
    deps.append(from_requirement(requirement, file, line, group))


def _poetry(poetry: dict[str, Any], file: SourceFile, lines: LineFinder, errors: Errors) -> list[Dependency]:
    tables: list[tuple[str, str | None, Any]] = [
        ("tool.poetry.dependencies", None, poetry.get("dependencies")),
        ("tool.poetry.dev-dependencies", "dev", poetry.get("dev-dependencies")),
    ]
    for group, body in _table_at(poetry, "group", "tool.poetry.", lines, errors).items():
        where = f"tool.poetry.group.{group}"
        body_table = _table_at({group: body}, group, "tool.poetry.group.", lines, errors)
        tables.append((f"{where}.dependencies", str(group), body_table.get("dependencies")))
    deps: list[Dependency] = []
    for header, group_name, table in tables:
        start = lines.section(header)
        parent, _, key = header.rpartition(".")
        for name, value in _table_at({key: table}, key, f"{parent}.", lines, errors).items():
            if name.lower() == "python":
                continue
            line = lines.key(name, start) or start
            for constraint in value if isinstance(value, list) else [value]:
                dep = _poetry_dependency(str(name), constraint, file, line, group_name)
                if isinstance(dep, str):
                    errors.append((line, dep))
                else:
                    deps.append(dep)
    return deps


def _poetry_dependency(
    name: str, value: object, file: SourceFile, line: int | None, group: str | None
) -> Dependency | str:
    url = None
    extras: tuple[str, ...] = ()
    marker = None
    match value:
        case str():
            constraint = value
        case dict():
            constraint = str(value.get("version", ""))
            url = next((str(value[k]) for k in ("git", "url", "path") if k in value), None)
            extras = tuple(str(e) for e in _list(value.get("extras")))
            marker = value.get("markers") if isinstance(value.get("markers"), str) else None
        case _:
            return f"dependency {name!r} has an unreadable constraint {value!r}"
    return Dependency.of(
        name, poetry_to_pep440(constraint), file, line, group=group, extras=extras, marker=marker, url=url
    )


_VERSION = re.compile(r"^\d+(\.\d+)*([a-z]+\d*)?(\.post\d+)?(\.dev\d+)?$", re.IGNORECASE)


def poetry_to_pep440(constraint: str) -> str:
    """Poetry's ``^1.2`` / ``~1.2`` / ``1.2.3`` / ``*`` as a PEP 440 specifier (``||`` kept as is)."""
    parts = []
    for raw in constraint.split(","):
        part = raw.strip()
        if not part or part == "*":
            continue
        if part.startswith("^") and _VERSION.match(part[1:]):
            parts.append(_caret(part[1:]))
        elif part.startswith("~") and not part.startswith("~=") and _VERSION.match(part[1:].strip()):
            parts.append(_tilde(part[1:].strip()))
        elif _VERSION.match(part) or (part.endswith(".*") and _VERSION.match(part[:-2])):
            parts.append(f"=={part}")
        else:
            parts.append(part.replace(" ", ""))
    return ",".join(parts)


def _numbers(version: str) -> list[int]:
    return [int(x) for x in re.findall(r"\d+", version.split("a")[0].split("b")[0].split("rc")[0])[:3]]


def _caret(version: str) -> str:
    numbers = _numbers(version) or [0]
    index = next((i for i, n in enumerate(numbers) if n != 0), len(numbers) - 1)
    upper = [*numbers[:index], numbers[index] + 1]
    return f">={version},<{'.'.join(map(str, upper))}"


def _tilde(version: str) -> str:
    numbers = _numbers(version) or [0]
    upper = [numbers[0] + 1] if len(numbers) == 1 else [numbers[0], numbers[1] + 1]
    return f">={version},<{'.'.join(map(str, upper))}"


@register_format("setup.cfg", "setup.cfg")
def parse_setup_cfg(text: str, file: SourceFile) -> Manifest | None:
    """setuptools' declarative configuration; a ``setup.cfg`` holding only tool settings
    (``[flake8]``, ``[tool:pytest]``) is not a manifest and is ``None``."""
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text)
    except configparser.Error as exc:
        line = getattr(exc, "lineno", None)
        return Manifest(
            file=file,
            kind="setup.cfg",
            is_lock=False,
            dependencies=(),
            errors=((line, f"invalid setup.cfg: {exc.message if hasattr(exc, 'message') else exc}"),),
        )
    if not (parser.has_section("metadata") or parser.has_section("options")):
        return None
    lines = LineFinder(text)
    deps: list[Dependency] = []
    errors: Errors = []
    for misplaced in ("install_requires", "extras_require", "tests_require", "python_requires"):
        if parser.has_option("metadata", misplaced):
            why = f"{misplaced} is in [metadata], where setuptools ignores it; it goes in [options]"
            errors.append((lines.key(misplaced), why))
    sources: list[tuple[str | None, str, int | None]] = []
    if parser.has_option("options", "install_requires"):
        sources.append((None, parser.get("options", "install_requires"), lines.section("options")))
    if parser.has_section("options.extras_require"):
        start = lines.section("options.extras_require")
        for extra, value in parser.items("options.extras_require"):
            sources.append((extra, value, start))
    for group, value, start in sources:
        for item in value.splitlines():
            item = item.split(" #")[0].strip()
            if item and not item.startswith("#"):
                _add_pep508(item, file, lines, start, group, deps, errors)
    name = parser.get("metadata", "name", fallback=None)
    return Manifest(
        file=file,
        kind="setup.cfg",
        is_lock=False,
        dependencies=tuple(deps),
        errors=tuple(errors),
        project_name=normalise(name) if name else None,
        is_application=False if name else None,
    )


@register_format("Pipfile", "pipfile")
def parse_pipfile(text: str, file: SourceFile) -> Manifest:
    data, error = load_toml(text)
    if data is None:
        return Manifest(file=file, kind="pipfile", is_lock=False, dependencies=(), errors=(error,))  # type: ignore[arg-type]
    lines = LineFinder(text)
    deps: list[Dependency] = []
    errors: Errors = []
    for section, group in (("packages", None), ("dev-packages", "dev")):
        start = lines.section(section)
        for name, value in _table_at(data, section, "", lines, errors).items():
            line = lines.key(name, start) or start
            dep = _pipfile_dependency(str(name), value, file, line, group)
            if isinstance(dep, str):
                errors.append((line, dep))
            else:
                deps.append(dep)
    return Manifest(
        file=file, kind="pipfile", is_lock=False, dependencies=tuple(deps), errors=tuple(errors), is_application=True
    )


def _pipfile_dependency(
    name: str, value: object, file: SourceFile, line: int | None, group: str | None
) -> Dependency | str:
    url = None
    extras: tuple[str, ...] = ()
    marker = None
    editable = False
    match value:
        case str():
            specifier = "" if value.strip() == "*" else value.strip()
        case dict():
            raw = str(value.get("version", "*"))
            specifier = "" if raw.strip() == "*" else raw.strip()
            url = next((str(value[k]) for k in ("git", "file", "path") if k in value), None)
            extras = tuple(str(e) for e in _list(value.get("extras")))
            marker = value.get("markers") if isinstance(value.get("markers"), str) else None
            editable = bool(value.get("editable", False))
        case _:
            return f"package {name!r} has an unreadable value {value!r}"
    try:
        Requirement(f"{name}{specifier}")
    except REQUIREMENT_ERRORS as exc:
        return f"package {name!r}: {exc}"
    return Dependency.of(
        name, specifier, file, line, group=group, extras=extras, marker=marker, url=url, editable=editable
    )


def _table_at(parent: dict[str, Any], key: str, where: str, lines: LineFinder, errors: Errors) -> dict[str, Any]:
    """``parent[key]`` as a table; anything else is an error naming the key (a string where a
    table belongs must not pass for an empty table)."""
    value = parent.get(key)
    if value is None or isinstance(value, dict):
        return value or {}
    errors.append((_line_of(lines, where, key), f"{where}{key} is {type_name(value)}, not a table"))
    return {}


def _list_at(parent: dict[str, Any], key: str, where: str, lines: LineFinder, errors: Errors) -> list[Any]:
    """``parent[key]`` as an array; anything else is an error naming the key."""
    value = parent.get(key)
    if value is None or isinstance(value, list):
        return value or []
    errors.append((_line_of(lines, where, key), f"{where}{key} is {type_name(value)}, not an array"))
    return []


def _line_of(lines: LineFinder, where: str, key: str) -> int | None:
    """The line of ``[where.key]`` or of ``key = ...`` under ``[where]``."""
    parent = lines.section(where.rstrip(".")) if where else None
    return lines.section(f"{where}{key}") or lines.key(key, parent) or parent


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


@register_format("setup.py", "setup.py")
def parse_setup_py(text: str, file: SourceFile) -> Manifest | None:
    """``install_requires``, ``extras_require`` and ``tests_require``, read from the AST, never
    executed: literals, module-level names bound to literals (``requires = [...]`` then
    ``install_requires=requires``) and their concatenations. Anything computed (read from a file,
    built in a loop) makes the manifest ``dynamic``: what it declares cannot all be known."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError) as exc:
        if not _BUILD_MODULES.search(text):
            return None  # a module that happens to be called setup.py, and does not parse
        line = getattr(exc, "lineno", None)
        return Manifest(
            file=file,
            kind="setup.py",
            is_lock=False,
            dependencies=(),
            errors=((line, f"setup.py does not parse: {exc}"),),
            is_application=False,
        )
    calls = setup_calls(tree)
    if not calls:
        return None  # named setup.py, but it builds nothing: a module like any other
    reader = _SetupReader(tree, file)
    name = None
    for node in calls:
        for keyword in node.keywords:
            if keyword.arg == "name" and isinstance(keyword.value, ast.Constant):
                name = str(keyword.value.value)
            elif keyword.arg in _SETUP_GROUPS:
                reader.requirements(keyword.value, _SETUP_GROUPS[keyword.arg])
            elif keyword.arg == "extras_require":
                reader.extras(keyword.value)
            elif keyword.arg is None:
                reader.dynamic = True  # setup(**options): anything may be in there
    return Manifest(
        file=file,
        kind="setup.py",
        is_lock=False,
        dependencies=tuple(reader.deps),
        errors=tuple(reader.errors),
        project_name=normalise(name) if name else None,
        is_application=False,
        dynamic=reader.dynamic,
    )


_SETUP_GROUPS = {"install_requires": None, "tests_require": "test"}
_BUILD_MODULES = re.compile(r"\b(?:setuptools|distutils|skbuild)\b")
_BUILD_TOPS = frozenset({"setuptools", "distutils", "skbuild", "numpy"})


def setup_calls(tree: ast.Module) -> list[ast.Call]:
    """The calls of a build backend's ``setup()`` in a module: ``setup`` imported from setuptools,
    distutils (or scikit-build, numpy.distutils), or ``setuptools.setup(...)``. A view module or a
    Sphinx extension that defines its own ``setup`` is not building a distribution."""
    functions: set[str] = set()
    modules: set[str] = set()
    for node in ast.walk(tree):
        match node:
            case ast.ImportFrom(module=str(module)) if module.split(".")[0] in _BUILD_TOPS:
                for alias in node.names:
                    if alias.name in ("setup", "*"):  # ``from setuptools import *`` brings setup too
                        functions.add("setup" if alias.name == "*" else alias.asname or alias.name)
            case ast.Import():
                modules.update(
                    a.asname or a.name.split(".")[0] for a in node.names if a.name.split(".")[0] in _BUILD_TOPS
                )
    calls = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        match node.func:
            case ast.Name(id=name) if name in functions:
                calls.append(node)
            case ast.Attribute(attr="setup", value=value) if _base_name(value) in modules:
                calls.append(node)
    return calls


def _base_name(node: ast.expr) -> str | None:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


class _SetupReader:
    """Requirement strings out of ``setup()`` arguments, following module-level names."""

    def __init__(self, tree: ast.Module, file: SourceFile) -> None:
        self.file = file
        self.deps: list[Dependency] = []
        self.errors: Errors = []
        self.dynamic = False
        self.names: dict[str, ast.expr] = {}
        """Module-level name -> the expression last bound to it (``+=`` extends it)."""
        for statement in tree.body:
            match statement:
                case ast.Assign(targets=[ast.Name(id=name)], value=value):
                    self.names[name] = value
                case ast.AnnAssign(target=ast.Name(id=name), value=ast.expr() as value):
                    self.names[name] = value
                case ast.AugAssign(target=ast.Name(id=name), op=ast.Add(), value=value) if name in self.names:
                    self.names[name] = ast.BinOp(left=self.names[name], op=ast.Add(), right=value)

    def requirements(self, node: ast.expr, group: str | None, expanding: frozenset[str] = frozenset()) -> None:
        match node:
            case ast.Name(id=name) if name in self.names and name not in expanding:
                self.requirements(self.names[name], group, expanding | {name})
            case ast.List() | ast.Tuple():
                for element in node.elts:
                    if isinstance(element, ast.Constant) and isinstance(element.value, str):
                        self._add(element.value, element.lineno, group)
                    else:
                        self.requirements(element, group, expanding)
            case ast.BinOp(op=ast.Add()):
                self.requirements(node.left, group, expanding)
                self.requirements(node.right, group, expanding)
            case ast.Constant(value=str() as text):  # setuptools accepts one requirement per line
                for offset, item in enumerate(text.splitlines()):
                    if item.strip() and not item.strip().startswith("#"):
                        self._add(item.strip(), node.lineno + offset, group)
            case ast.Constant(value=value):  # a number, None, bytes: never a requirement list
                written = f"{type(value).__name__} {value!r}"[:80]
                self.errors.append((node.lineno, f"requirements must be strings, not {written}"))
            case ast.Dict() | ast.Set():
                kind = type(node).__name__.lower()
                self.errors.append((node.lineno, f"requirements must be a list of strings, not a {kind}"))
            case _:
                self.dynamic = True

    def extras(self, node: ast.expr, expanding: frozenset[str] = frozenset()) -> None:
        match node:
            case ast.Name(id=name) if name in self.names and name not in expanding:
                self.extras(self.names[name], expanding | {name})
            case ast.Dict():
                for key, item in zip(node.keys, node.values, strict=True):
                    if isinstance(key, ast.Constant) and isinstance(key.value, str):
                        self.requirements(item, key.value, expanding)
                    else:
                        self.dynamic = True
            case _:
                self.dynamic = True

    def _add(self, text: str, line: int, group: str | None) -> None:
        _add_requirement(text, self.file, line, group, self.deps, self.errors)
