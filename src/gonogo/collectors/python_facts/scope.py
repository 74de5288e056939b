"""The state the one visitor carries through a module (enclosing classes and functions, import
aliases, the ``if``/``try`` context) and the name and scope helpers every pass uses."""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from gonogo.collectors.python_facts.model import (
    MODULE_SCOPE,
    SNIPPET_CHARS,
    ClassInfo,
    CorsCall,
    Function,
    Import,
    Setting,
    Skip,
)


@dataclass(slots=True)
class FunctionState:
    node: ast.FunctionDef | ast.AsyncFunctionDef
    qualname: str
    assertions: int = 0
    constant: int = 0
    swallowed: int = 0
    skipped: bool = False
    calls: set[str] = field(default_factory=set)
    method_calls: set[str] = field(default_factory=set)


@dataclass(slots=True)
class ClassState:
    name: str
    is_test: bool
    is_protocol: bool


_Method = Callable[[Any, Any], Any]


def _nothing_below(visitor: Any, node: ast.AST) -> None:
    """A node with no fields (``Load``, ``Add``, ``Eq``), or a constant, has nothing to visit."""


class VisitorState(ast.NodeVisitor):
    """What every pass of the one visitor reads: the facts collected so far, the enclosing
    classes, functions and handlers, and import aliases; and the helpers all passes use.

    ``visit`` and ``generic_visit`` do what ``ast.NodeVisitor``'s do, faster, since they run at
    every node of every file: the method for a node class is looked up once per visitor class
    (kept as a plain function, so the cache holds no visitor), not built from its name at every
    node; ``generic_visit`` calls a child's method itself, and not at all for a node that holds
    no node (``Load``, ``Add``, a constant). ``ast.NodeVisitor.visit_Constant``, which looks at
    every constant for the ``visit_Num``/``visit_Str`` methods of Python 3.7's visitors, is not
    used: no pass defines those."""

    _METHODS: ClassVar[dict[tuple[type, type], _Method]] = {}

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.aliases: dict[str, str] = {}
        self.functions: list[Function] = []
        self.skips: list[Skip] = []
        self.imports: list[Import] = []
        self.settings: list[Setting] = []
        self.cors: list[CorsCall] = []
        self._classes: list[ClassState] = []
        self._functions: list[FunctionState] = []
        self.classes: list[ClassInfo] = []
        self._marker_aliases: dict[str, tuple[str, ast.Call | None]] = {}
        self._optional_imports = 0
        self._optional_names: dict[str, str] = {}
        self._type_checking = 0
        self._main_guard = 0
        """Inside ``if __name__ == "__main__":``: runs when the file is executed, never on import."""
        self._not_implemented_handlers = 0
        self._conditions: list[ast.expr] = []
        """The tests of the ``if`` statements around the node being visited, innermost last."""
        self._import_handlers: list[str | None] = []
        """Inside ``except ImportError``: the module the ``try`` imported, innermost last."""
        self._swallowing_tries = 0
        self._decorator_scope: str | None = None
        self._pytestmark_scope: str | None = None
        self._benchmark_scopes: set[str] = set()
    def visit(self, node: ast.AST) -> Any:
        kind = node.__class__
        method = self._METHODS.get((self.__class__, kind)) or self._method_for(kind)
        return method(self, node)
    @classmethod
    def _method_for(cls, kind: type) -> _Method:
        method: _Method | None = getattr(cls, f"visit_{kind.__name__}", None)
        if method is None or method is getattr(ast.NodeVisitor, f"visit_{kind.__name__}", None):
            method = _nothing_below if kind is ast.Constant or not kind._fields else cls.generic_visit  # type: ignore[attr-defined]
        cls._METHODS[(cls, kind)] = method
        return method
    def generic_visit(self, node: ast.AST) -> None:
        methods, cls = self._METHODS, self.__class__
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST):
                        method = methods.get((cls, item.__class__)) or self._method_for(item.__class__)
                        if method is not _nothing_below:
                            method(self, item)
            elif isinstance(value, ast.AST):
                method = methods.get((cls, value.__class__)) or self._method_for(value.__class__)
                if method is not _nothing_below:
                    method(self, value)
    def resolve(self, node: ast.expr) -> str | None:
        """The dotted name an expression refers to, with import aliases undone."""
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        head = self.aliases.get(node.id, node.id)
        return ".".join([head, *reversed(parts)])
    def snippet(self, line: int) -> str:
        text = self.lines[line - 1].strip() if 0 < line <= len(self.lines) else ""
        return text[:SNIPPET_CHARS]
    def scope(self) -> str:
        if self._functions:
            return self._functions[-1].qualname
        if self._classes:
            return ".".join(c.name for c in self._classes)
        return MODULE_SCOPE
    def _count_assertion(self, constant: bool) -> None:
        state = self._functions[-1]
        state.assertions += 1
        state.constant += constant
        state.swallowed += self._swallowing_tries > 0
