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
from gonogo.collectors.tomltext import LineFinder, load_toml
from gonogo.workspace import SourceFile

Errors = list[tuple[int | None, str]]


@register_format("pyproject.toml", "pyproject")
def parse_pyproject(text: str, file: SourceFile) -> Manifest:
    data, error = load_toml(text)
    if data is None:
        return Manifest(file=file, kind="pyproject", is_lock=False, dependencies=(), errors=(error,))  # type: ignore[arg-type]
    lines = LineFinder(text)
    deps: list[Dependency] = []
    errors: Errors = []
    project = _table(data.get("project"))
    start = lines.section("project")
    for item in _list(project.get("dependencies")):
        _add_pep508(item, file, lines, start, None, deps, errors)
    extras_start = lines.section("project.optional-dependencies") or start
    for extra, items in _table(project.get("optional-dependencies")).items():
        for item in _list(items):
            _add_pep508(item, file, lines, extras_start, str(extra), deps, errors)
    groups_start = lines.section("dependency-groups")
    for group, items in _table(data.get("dependency-groups")).items():
        for item in _list(items):
            if isinstance(item, dict):
                continue  # {include-group = "..."}: that group's own entries are read already
            _add_pep508(item, file, lines, groups_start, str(group), deps, errors)
    tool = _table(data.get("tool"))
    poetry = _table(tool.get("poetry"))
    deps.extend(_poetry(poetry, file, lines, errors))
    build = _table(data.get("build-system"))
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
    for group, body in _table(poetry.get("group")).items():
        tables.append((f"tool.poetry.group.{group}.dependencies", str(group), _table(body).get("dependencies")))
    deps: list[Dependency] = []
    for header, group, table in tables:
        start = lines.section(header)
        for name, value in _table(table).items():
            if name.lower() == "python":
                continue
            line = lines.key(name, start) or start
            for constraint in value if isinstance(value, list) else [value]:
                dep = _poetry_dependency(str(name), constraint, file, line, group)
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
def parse_setup_cfg(text: str, file: SourceFile) -> Manifest:
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
    lines = LineFinder(text)
    deps: list[Dependency] = []
    errors: Errors = []
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
        for name, value in _table(data.get(section)).items():
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


def _table(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


@register_format("setup.py", "setup.py")
def parse_setup_py(text: str, file: SourceFile) -> Manifest:
    """``install_requires``, ``extras_require`` and ``tests_require``, read from the AST, never
    executed: literals, module-level names bound to literals (``requires = [...]`` then
    ``install_requires=requires``) and their concatenations. Anything computed (read from a file,
    built in a loop) makes the manifest ``dynamic``: what it declares cannot all be known."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError) as exc:
        line = getattr(exc, "lineno", None)
        return Manifest(
            file=file,
            kind="setup.py",
            is_lock=False,
            dependencies=(),
            errors=((line, f"setup.py does not parse: {exc}"),),
            is_application=False,
        )
    reader = _SetupReader(tree, file)
    name = None
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "setup"):
            continue
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
