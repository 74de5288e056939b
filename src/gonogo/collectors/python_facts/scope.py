"""The state the one visitor carries through a module (enclosing classes and functions, import
aliases, the ``if``/``try`` context) and the name and scope helpers every pass uses."""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import repeat
from types import MethodType
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
from gonogo.collectors.syntax_nodes import child_fields


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
    body: frozenset[int] | None = None
    """The ids of the statements of its body, listed when an import asks (``Import.after``)."""
    first_import: str | None = None
    """What the first import statement of its body imports (``""`` for a relative one)."""


@dataclass(slots=True)
class ClassState:
    name: str
    is_test: bool
    is_protocol: bool


_Method = Callable[[Any, Any], Any]


def _node_classes() -> list[type]:
    """Every class of syntax node the parser makes (``ast.AST``'s subclasses, all levels)."""
    found: list[type] = []
    pending: list[type] = [ast.AST]
    while pending:
        kind = pending.pop()
        found.append(kind)
        pending.extend(kind.__subclasses__())
    return found


_FIELD_VALUES: dict[type, tuple[Callable[[Any], Any], bool]] = {}
"""For each node class ``generic_visit`` looks into: the values of its fields that can hold a node
(``operator.attrgetter``, one call for them all), and whether there is only one (then the getter
gives the value itself, not a tuple)."""


class VisitorState(ast.NodeVisitor):
    """What every pass of the one visitor reads: the facts collected so far, the enclosing
    classes, functions and handlers, and import aliases; and the helpers all passes use.

    ``visit`` and ``generic_visit`` do what ``ast.NodeVisitor``'s do, faster, since they run at
    every node of every file: each visitor has a table from node class to its bound method
    (``visit_X``, else ``generic_visit``), made once per file from a table made once per visitor
    class, not a method name built at every node; ``generic_visit`` looks only into the fields
    that can hold a node (``syntax_nodes.child_fields``: no context, operator, name or number),
    and calls a child's method itself. A node class no pass reads and that holds no node
    (``Load``, ``Add``, a constant, a name) has no entry: it costs a failed look-up, not a call.
    ``visit_Name`` matters only once a marker alias is known (``_marker_aliases``), so it enters
    the table then (``_watch_names``). ``ast.NodeVisitor.visit_Constant``, which looks at every
    constant for the ``visit_Num``/``visit_Str`` methods of Python 3.7's visitors, is not used:
    no pass defines those."""

    _TABLES: ClassVar[dict[type, dict[type, _Method]]] = {}
    _BINDINGS: ClassVar[dict[type, tuple[tuple[type, ...], tuple[_Method, ...]]]] = {}

    def __init__(self, lines: list[str], complexities: dict[int, int] | None = None) -> None:
        self.lines = lines
        self.complexities = complexities or {}
        """mccabe's complexity by the line of a ``def`` (``python_facts._complexities``)."""
        self.aliases: dict[str, str] = {}
        self.functions: list[Function] = []
        self.skips: list[Skip] = []
        self.imports: list[Import] = []
        self.settings: list[Setting] = []
        self.cors: list[CorsCall] = []
        self._classes: list[ClassState] = []
        self._functions: list[FunctionState] = []
        self.classes: list[ClassInfo] = []
        self._marker_aliases: dict[str, tuple[str, ast.Call | None, tuple[str | None, str | None] | None]] = {}
        """A name bound to a skip marker: the marker, its call, and what the assignment depended on
        (uvicorn's ``skip_if_no_httptools = pytest.mark.skipif(True, ...)`` in ``except ImportError``)."""
        self._optional_imports = 0
        self._optional_names: dict[str, str] = {}
        self._type_checking = 0
        self._main_guard = 0
        """Inside ``if __name__ == "__main__":``: runs when the file is executed, never on import."""
        self._not_implemented_handlers = 0
        self._stub_tries: list[tuple[tuple[str, ...], bool]] = []
        """Inside ``except NotImplementedError``: what its ``try`` calls (``Skip.tried``) and whether
        the handler catches other errors too (``Skip.environment_error``), innermost last."""
        self._conditions: list[ast.expr] = []
        """The tests of the ``if`` statements around the node being visited, innermost last."""
        self._import_handlers: list[str | None] = []
        """Inside ``except ImportError``: the module the ``try`` imported, innermost last."""
        self._other_handlers = 0
        """Inside an ``except`` of anything else (``OSError``, ``UnicodeEncodeError``): what runs
        there runs only when the ``try`` failed, as what runs under an ``if`` does when its test holds."""
        self._swallowing_tries = 0
        self._decorator_scope: str | None = None
        self._pytestmark_scope: str | None = None
        self._benchmark_scopes: set[str] = set()
        kinds, methods = self._BINDINGS.get(self.__class__) or self._bindings()
        # bound in one call per file, not a Python loop: every file makes a visitor, most are small
        bound = map(MethodType, methods, repeat(self))
        self._handlers: dict[type, Callable[[Any], Any]] = dict(zip(kinds, bound, strict=True))

    @classmethod
    def _bindings(cls) -> tuple[tuple[type, ...], tuple[_Method, ...]]:
        """The node classes each visitor binds a method for from the start (all but ``ast.Name``:
        ``_watch_names``), and those methods, in two lists to bind at once."""
        table = cls._TABLES.get(cls) or cls._table()
        kinds = tuple(kind for kind in table if kind is not ast.Name)
        found = cls._BINDINGS[cls] = kinds, tuple(table[kind] for kind in kinds)
        return found

    @classmethod
    def _table(cls) -> dict[type, _Method]:
        table: dict[type, _Method] = {}
        for kind in _node_classes():
            fields = child_fields(kind)
            if fields:
                _FIELD_VALUES[kind] = (operator.attrgetter(*fields), len(fields) == 1)
            method: _Method | None = getattr(cls, f"visit_{kind.__name__}", None)
            if method is None or method is getattr(ast.NodeVisitor, f"visit_{kind.__name__}", None):
                if kind is ast.Constant or not fields:
                    continue
                method = cls.generic_visit
            table[kind] = method
        cls._TABLES[cls] = table
        return table

    def _watch_names(self) -> None:
        """From now on every name is looked at (``visit_Name``): a marker alias may be used."""
        name_method = self._TABLES[self.__class__].get(ast.Name)
        if name_method is not None:
            self._handlers[ast.Name] = name_method.__get__(self)

    def visit(self, node: ast.AST) -> Any:
        method = self._handlers.get(node.__class__)
        return method(node) if method is not None else None

    def generic_visit(self, node: ast.AST) -> None:
        handlers = self._handlers
        getter, single = _FIELD_VALUES[node.__class__]
        for value in (getter(node),) if single else getter(node):
            if value.__class__ is list:
                for item in value:
                    method = handlers.get(item.__class__)
                    if method is not None:
                        method(item)
            else:
                method = handlers.get(value.__class__)
                if method is not None:
                    method(value)

    def resolve(self, node: ast.expr) -> str | None:
        """The dotted name an expression refers to, with import aliases undone."""
        if node.__class__ is ast.Name:
            return self.aliases.get(node.id, node.id)
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
