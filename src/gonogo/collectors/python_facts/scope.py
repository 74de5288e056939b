"""The state the one visitor carries through a module (enclosing classes and functions, import
aliases, the ``if``/``try`` context) and the name and scope helpers every pass uses."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

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


class VisitorState(ast.NodeVisitor):
    """What every pass of the one visitor reads: the facts collected so far, the enclosing
    classes, functions and handlers, and import aliases; and the helpers all passes use."""

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
