"""What a manifest says about which packages setuptools puts in the distribution.

Read from the same parse as the dependencies (the ``setup()`` call's AST, ``setup.cfg``'s
sections, ``pyproject.toml``'s tables); nothing is executed. Only setuptools' ``find`` discovery
drops a sub-folder that has no ``__init__.py``: ``find_packages()`` walks only into folders holding
one, while ``find_namespace_packages()``, automatic discovery, an explicit list and the other
backends (hatchling, flit, poetry, pdm) decide differently. So what is recorded is the discovery
kind, with ``find``'s ``where`` / ``include`` / ``exclude`` when they are written as literals, and
the two things that ship a folder as data anyway (``include_package_data`` with a ``MANIFEST.in``
or setuptools-scm's file list).
"""

from __future__ import annotations

import ast
import configparser
import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


class DiscoveryKind(enum.Enum):
    FIND = "find_packages"
    """Folders with an ``__init__.py`` only: a sub-folder without one is not walked into."""
    NAMESPACE = "find_namespace_packages"
    LISTED = "an explicit list"
    COMPUTED = "computed"
    """Built by code or written in a form not read here: what ships cannot be told."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Discovery:
    """How the ``packages`` option is set, as setuptools' ``PackageFinder.find`` takes it."""

    kind: DiscoveryKind
    line: int | None = None
    where: str = "."
    include: tuple[str, ...] = ("*",)
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Packaging:
    """One manifest's packaging settings; ``None`` fields are not said by this manifest."""

    backend: str | None = None
    """``[build-system] build-backend``; only ``pyproject.toml`` says it."""
    packages: Discovery | None = None
    include_package_data: bool | None = None
    """``True`` by default for a ``pyproject.toml`` with a ``[project]`` table (setuptools 61+)."""
    scm_files: bool = False
    """setuptools-scm is a build requirement: every file git tracks is in the manifest of files,
    so ``include_package_data`` ships a folder without ``__init__.py`` as data."""
    loose_files: bool = False
    """Single files the build ships besides packages: setuptools' ``py_modules`` (``py-modules``)
    or ``scripts`` (``script-files``), whatever they name."""


_FIND_CALLS = {"find_packages": DiscoveryKind.FIND, "find_namespace_packages": DiscoveryKind.NAMESPACE}
_SCM = ("setuptools_scm", "setuptools-scm")
_TRUE = frozenset({"true", "1", "yes", "on"})


# -- setup.py ------------------------------------------------------------------------------------


def setup_py_packaging(call: ast.Call, names: Mapping[str, ast.expr]) -> Packaging:
    """The packaging keywords of one ``setup()`` call; ``names`` are the module-level bindings,
    so ``packages=PACKAGES`` is followed to its literal. ``setup(**options)`` may set anything."""
    if any(keyword.arg is None for keyword in call.keywords):
        return Packaging(packages=Discovery(kind=DiscoveryKind.COMPUTED, line=call.lineno))
    packages = None
    include_data = None
    scm = loose = False
    for keyword in call.keywords:
        value = _follow(keyword.value, names)
        match keyword.arg:
            case "packages":
                packages = _setup_py_discovery(value, names, keyword.value.lineno)
            case "include_package_data":
                flag = value.value if isinstance(value, ast.Constant) else None
                include_data = flag if isinstance(flag, bool) else None
            case "use_scm_version":
                scm = True
            case "py_modules" | "scripts":
                loose = True
            case "setup_requires":
                scm = scm or any(word in ast.unparse(value) for word in _SCM)
    return Packaging(packages=packages, include_package_data=include_data, scm_files=scm, loose_files=loose)


def _follow(node: ast.expr, names: Mapping[str, ast.expr]) -> ast.expr:
    seen: set[str] = set()
    while isinstance(node, ast.Name) and node.id in names and node.id not in seen:
        seen.add(node.id)
        node = names[node.id]
    return node


def _setup_py_discovery(node: ast.expr, names: Mapping[str, ast.expr], line: int) -> Discovery:
    match node:
        case ast.List() | ast.Tuple():
            return Discovery(kind=DiscoveryKind.LISTED, line=line)
        case ast.Call(func=ast.Name(id=str(called)) | ast.Attribute(attr=str(called))) if called in _FIND_CALLS:
            return _find_call(node, _FIND_CALLS[called], names, line)
    return Discovery(kind=DiscoveryKind.COMPUTED, line=line)


def _find_call(node: ast.Call, kind: DiscoveryKind, names: Mapping[str, ast.expr], line: int) -> Discovery:
    """``find_packages(where=".", exclude=(), include=("*",))``, positional or by keyword. Any
    argument that is not a literal makes the result unknowable."""
    given: dict[str, ast.expr] = dict(zip(("where", "exclude", "include"), node.args, strict=False))
    given.update((k.arg, k.value) for k in node.keywords if k.arg)
    if set(given) - {"where", "exclude", "include"} or len(node.args) > 3 or any(k.arg is None for k in node.keywords):
        return Discovery(kind=DiscoveryKind.COMPUTED, line=line)
    try:
        where = _literal(given["where"], names) if "where" in given else "."
        exclude = _literal(given["exclude"], names) if "exclude" in given else ()
        include = _literal(given["include"], names) if "include" in given else ("*",)
    except ValueError:
        return Discovery(kind=DiscoveryKind.COMPUTED, line=line)
    if not isinstance(where, str):
        return Discovery(kind=DiscoveryKind.COMPUTED, line=line)
    return Discovery(kind=kind, line=line, where=where, exclude=_patterns(exclude), include=_patterns(include))


def _literal(node: ast.expr, names: Mapping[str, ast.expr]) -> object:
    return ast.literal_eval(_follow(node, names))


def _patterns(value: object) -> tuple[str, ...]:
    """setuptools unpacks the argument (``_build_filter(*exclude)``): a string is taken character
    by character, exactly as ``find_packages(exclude="tests")`` does at build time."""
    if isinstance(value, str | list | tuple | set | frozenset):
        return tuple(str(item) for item in value)
    raise ValueError(value)


# -- setup.cfg -----------------------------------------------------------------------------------


def setup_cfg_packaging(parser: configparser.ConfigParser, line: int | None) -> Packaging:
    """``[options] packages = find: | find_namespace: | a list`` and ``[options.packages.find]``."""
    options = parser["options"] if parser.has_section("options") else {}
    packages = None
    value = options.get("packages")
    if value is not None:
        text = value.strip()
        if text in ("find:", "find_namespace:"):
            found = parser["options.packages.find"] if parser.has_section("options.packages.find") else {}
            packages = Discovery(
                kind=DiscoveryKind.FIND if text == "find:" else DiscoveryKind.NAMESPACE,
                line=line,
                where=found.get("where", ".").strip() or ".",
                include=_cfg_list(found.get("include")) or ("*",),
                exclude=_cfg_list(found.get("exclude")),
            )
        else:
            packages = Discovery(kind=DiscoveryKind.LISTED, line=line)
    include_data = options.get("include_package_data")
    requires = options.get("setup_requires", "")
    return Packaging(
        packages=packages,
        include_package_data=None if include_data is None else include_data.strip().lower() in _TRUE,
        scm_files=any(word in requires for word in _SCM),
        loose_files="py_modules" in options or "scripts" in options,
    )


def _cfg_list(value: str | None) -> tuple[str, ...]:
    """setuptools' list syntax in ``setup.cfg``: one item a line, or separated by commas."""
    if not value:
        return ()
    return tuple(item.strip() for line in value.splitlines() for item in line.split(",") if item.strip())


# -- pyproject.toml ------------------------------------------------------------------------------


def pyproject_packaging(data: Mapping[str, Any], line: int | None) -> Packaging:
    """``[build-system]`` and ``[tool.setuptools]``. ``[tool.setuptools.packages.find]`` looks
    for namespace packages unless ``namespaces = false``, unlike ``find_packages()``."""
    build = _table(data.get("build-system"))
    backend = build.get("build-backend")
    requires = build.get("requires")
    scm = isinstance(requires, list) and any(isinstance(r, str) and r.startswith(_SCM) for r in requires)
    setuptools = _table(_table(data.get("tool")).get("setuptools"))
    packages = None
    match setuptools.get("packages"):
        case None:
            pass
        case list():
            packages = Discovery(kind=DiscoveryKind.LISTED, line=line)
        case {"find": dict() as found}:
            packages = _pyproject_find(found, line)
        case _:
            packages = Discovery(kind=DiscoveryKind.COMPUTED, line=line)
    include_data = setuptools.get("include-package-data", True if "project" in data else None)
    return Packaging(
        backend=backend if isinstance(backend, str) else None,
        packages=packages,
        include_package_data=include_data if isinstance(include_data, bool) else None,
        scm_files=scm,
        loose_files="py-modules" in setuptools or "script-files" in setuptools,
    )


def _pyproject_find(found: Mapping[str, Any], line: int | None) -> Discovery:
    where = found.get("where", ["."])
    include = found.get("include", ["*"])
    exclude = found.get("exclude", [])
    namespaces = found.get("namespaces", True)
    written = (where, include, exclude)
    if not all(isinstance(v, list) and all(isinstance(i, str) for i in v) for v in written) or len(where) != 1:
        return Discovery(kind=DiscoveryKind.COMPUTED, line=line)  # several roots, or not the documented types
    kind = DiscoveryKind.FIND if namespaces is False else DiscoveryKind.NAMESPACE
    return Discovery(kind=kind, line=line, where=where[0], include=tuple(include), exclude=tuple(exclude))


def _table(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}
