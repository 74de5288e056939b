"""Every node of one parsed file, listed once and sorted by kind, for the rules that want "every
node of kind X".

Several per-file rules (pydantic settings classes, secret defaults, passwords in dict literals,
the web surface) each used to ``ast.walk`` the whole tree for the few kinds they read; on a large
tree those walks cost more than the parse itself. ``SyntaxNodes`` walks the tree once, in
``ast.walk``'s own order (breadth first, children in field order), so a rule that reads
``nodes.of(ast.ClassDef)`` sees the same nodes in the same order as its own walk did, and its
results are unchanged. Expression contexts and operators (``Load``, ``Add``, ``Eq``), which every
rule reads through their parent, are not listed, nor are the fields that hold names and numbers
looked into: that is most of what a walk of a tree costs.
"""

from __future__ import annotations

import ast
import itertools
from typing import TypeVar

_Node = TypeVar("_Node", bound=ast.AST)

_NOT_NODES = frozenset({
    "ctx", "op", "ops",  # expression contexts and operators: nothing a rule lists
    "id", "attr", "arg", "asname", "module", "level", "type_comment", "kind", "conversion", "is_async",
    "simple", "name", "tag", "rest", "kwd_attrs",  # names, strings and numbers in every Python 3.11+ grammar
})
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {ast.Constant: ()}
"""The fields of each node class that may hold a node."""


def last_name(node: ast.expr) -> str:
    """The name a reference ends in: ``BaseSettings`` for ``BaseSettings`` and for
    ``pydantic_settings.BaseSettings``, ``getenv`` for ``os.getenv``; ``""`` for anything else."""
    match node:
        case ast.Name(id=name) | ast.Attribute(attr=name):
            return name
    return ""


def single_assignment(node: ast.stmt) -> tuple[str | None, ast.expr | None]:
    """``name = value`` or ``name: T = value`` to a single name: (name, value), the value ``None``
    for a bare annotation; (None, None) for any other statement."""
    match node:
        case ast.Assign(targets=[ast.Name(id=name)], value=value):
            return name, value
        case ast.AnnAssign(target=ast.Name(id=name), value=value):
            return name, value
    return None, None


def _child_fields(kind: type) -> tuple[str, ...]:
    fields = _CHILD_FIELDS[kind] = tuple(f for f in kind._fields if f not in _NOT_NODES)  # type: ignore[attr-defined]
    return fields


def child_fields(kind: type) -> tuple[str, ...]:
    """The fields of a node class that may hold a node a rule reads (no context, operator, name
    or number): what a walk of the tree must look into."""
    fields = _CHILD_FIELDS.get(kind)
    return _child_fields(kind) if fields is None else fields


def child_nodes(node: ast.AST) -> list[ast.AST]:
    """``ast.iter_child_nodes(node)`` less contexts and operators, as a list: the same children in
    the same order, without the two generators per node that make a walk built on it slow."""
    found: list[ast.AST] = []
    for name in child_fields(node.__class__):
        value = getattr(node, name, None)
        if isinstance(value, list):
            found.extend([item for item in value if isinstance(item, ast.AST)])
        elif isinstance(value, ast.AST):
            found.append(value)
    return found


def walk_list(node: ast.AST) -> list[ast.AST]:
    """``list(ast.walk(node))``, without the generator per node that makes ``ast.walk`` slow:
    the same nodes in the same order."""
    return _breadth_first(node, every_field=True)


def _breadth_first(
    root: ast.AST, *, every_field: bool, positions: dict[type, list[int]] | None = None
) -> list[ast.AST]:
    """The nodes under ``root`` in ``ast.walk``'s order: through every field, or only those that
    may hold a node a rule reads (``child_fields``); with each node's position filed by class in
    ``positions`` when given, in the same walk (it runs on every node of many files)."""
    found: list[ast.AST] = [root]
    append = found.append
    known_fields = _CHILD_FIELDS
    position = 0
    while position < len(found):
        current = found[position]
        kind = current.__class__
        if positions is not None:
            bucket = positions.get(kind)
            if bucket is None:
                positions[kind] = [position]
            else:
                bucket.append(position)
        position += 1
        fields: tuple[str, ...] | None = kind._fields if every_field else known_fields.get(kind)
        for name in _child_fields(kind) if fields is None else fields:
            value = getattr(current, name, None)
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST):
                        append(item)
            elif isinstance(value, ast.AST):
                append(value)
    return found


class SyntaxNodes:
    """The nodes of one tree in ``ast.walk`` order (less contexts and operators), with lists by
    kind worked out on demand."""

    __slots__ = ("_all", "_by_kind", "_positions", "tree")

    def __init__(self, tree: ast.AST) -> None:
        self.tree = tree
        self._all: list[ast.AST] | None = None
        self._positions: dict[type, list[int]] | None = None
        self._by_kind: dict[tuple[type, ...], list[ast.AST]] = {}

    @property
    def all(self) -> list[ast.AST]:
        """Every node (less contexts and operators), walked on first use: a file no rule reads
        this way costs no walk."""
        self._index()
        return self._all  # type: ignore[return-value]

    @property
    def listed(self) -> bool:
        """The nodes are listed already (some rule asked for them): a rule whose cheap test on the
        text only spares it that walk may then skip the test and read the nodes."""
        return self._positions is not None

    def of(self, *kinds: type[_Node]) -> list[_Node]:
        """The nodes of exactly these classes (``ast.FunctionDef, ast.AsyncFunctionDef``), in walk
        order. The AST's concrete classes have no subclasses, so exact classes suffice; an
        abstract class (``ast.expr``), a context or an operator is not a kind here."""
        found = self._by_kind.get(kinds)
        if found is None:
            positions = self._index()
            every = self.all
            if len(kinds) == 1:
                found = [every[i] for i in positions.get(kinds[0], ())]
            else:
                merged = sorted(itertools.chain.from_iterable(positions.get(kind, ()) for kind in kinds))
                found = [every[i] for i in merged]
            self._by_kind[kinds] = found
        return found  # type: ignore[return-value]

    def _index(self) -> dict[type, list[int]]:
        """The position in ``all`` of each node, by class: worked out in the walk itself."""
        if self._positions is None:
            positions: dict[type, list[int]] = {}
            self._all = _breadth_first(self.tree, every_field=False, positions=positions)
            self._positions = positions
        return self._positions
