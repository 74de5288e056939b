"""``setup.py`` as a manifest: the requirements its ``setup()`` call declares, read from the AST,
never executed."""

from __future__ import annotations

import ast
import re

from gonogo.collectors.manifests.fields import add_requirement
from gonogo.collectors.manifests.model import Dependency, Errors, Manifest, normalise
from gonogo.collectors.manifests.package_discovery import Discovery, DiscoveryKind, Packaging, setup_py_packaging
from gonogo.workspace import SourceFile


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
        packaging=(
            setup_py_packaging(calls[0], reader.names)
            if len(calls) == 1
            else Packaging(packages=Discovery(kind=DiscoveryKind.COMPUTED, line=calls[0].lineno))
        ),
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
        add_requirement(text, self.file, line, group, self.deps, self.errors)
