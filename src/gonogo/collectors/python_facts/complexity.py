"""McCabe's cyclomatic complexity of a module's functions, as mccabe (flake8's C901) counts it.

mccabe's ``PathGraphingAstVisitor`` builds, per function, a graph of ``PathNode`` objects named
by formatted strings, only to count its edges and nodes: on a large file that costs a fifth of
the per-file pass. ``complexities`` walks the same statements in the same order and makes the
same ``connect`` calls, but a node is a number and a graph keeps only each node's count of
out-edges, so it gives mccabe's numbers (edges - nodes + 2) for a fraction of the cost. The
tests compare it with mccabe itself.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field


@dataclass(slots=True)
class _Graph:
    line: int
    out: dict[int | None, int] = field(default_factory=dict)
    """Out-edges per node; mccabe's ``connect(a, b)`` appends to ``a``'s list and empties ``b``'s."""

    def complexity(self) -> int:
        return sum(self.out.values()) - len(self.out) + 2


class _Paths:
    """mccabe's ``PathGraphingAstVisitor``, method for method (see ``mccabe.py``), on numbers."""

    def __init__(self) -> None:
        self.classname = ""
        self.graphs: dict[str, _Graph] = {}
        self.graph: _Graph | None = None
        self.tail: int | None = None
        self._last_node = 0

    def _new_node(self) -> int:
        self._last_node += 1  # from 1: a node is never falsy, as a ``PathNode`` never is
        return self._last_node

    def _connect(self, first: int | None, second: int) -> None:
        out = self.graph.out  # type: ignore[union-attr]  # only ever called inside a graph
        out[first] = out.get(first, 0) + 1
        out[second] = 0

    def dispatch(self, node: ast.AST) -> None:
        kind = node.__class__
        if kind is ast.FunctionDef or kind is ast.AsyncFunctionDef:
            self._function(node)  # type: ignore[arg-type]
        elif kind is ast.ClassDef:
            self._class(node)  # type: ignore[arg-type]
        elif kind is ast.If or kind is ast.For or kind is ast.AsyncFor or kind is ast.While:
            self._subgraph(node, "If" if kind is ast.If else "Loop", ())  # type: ignore[arg-type]
        elif kind is ast.Try:
            self._subgraph(node, "TryExcept", node.handlers)  # type: ignore[attr-defined]
        elif kind is ast.With or kind is ast.AsyncWith:
            self._append()
            self.dispatch_list(node.body)  # type: ignore[attr-defined]
        elif isinstance(node, ast.stmt):
            self._append()  # mccabe's ``visitSimpleStatement`` (``TryStar`` and ``Match`` too)
        else:
            for child in ast.iter_child_nodes(node):
                self.dispatch(child)

    def dispatch_list(self, nodes: list[ast.stmt]) -> None:
        for node in nodes:
            self.dispatch(node)

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        if self.graph is not None:  # a closure: part of the enclosing function's graph
            pathnode = self._append()
            self.tail = pathnode
            self.dispatch_list(node.body)
            bottom = self._new_node()
            self._connect(self.tail, bottom)
            self._connect(pathnode, bottom)
            self.tail = bottom
        else:
            self.graph = _Graph(line=node.lineno)
            self.tail = self._new_node()
            self.dispatch_list(node.body)
            self.graphs[f"{self.classname}{node.name}"] = self.graph
            self.graph = self.tail = None

    def _class(self, node: ast.ClassDef) -> None:
        outer = self.classname
        self.classname += node.name + "."
        self.dispatch_list(node.body)
        self.classname = outer

    def _append(self) -> int | None:
        if not self.tail:
            return None
        pathnode = self._new_node()
        self._connect(self.tail, pathnode)
        self.tail = pathnode
        return pathnode

    def _subgraph(self, node: ast.If | ast.For | ast.AsyncFor | ast.While | ast.Try, kind: str,
                  extra_blocks: list[ast.ExceptHandler] | tuple[()]) -> None:
        if self.graph is None:  # a statement outside any function: a graph of its own
            self.graph = _Graph(line=node.lineno)
            self._subgraph_parse(node, self._new_node(), extra_blocks)
            self.graphs[f"{self.classname}{kind} {node.lineno}"] = self.graph
            self.graph = self.tail = None
        else:
            self._subgraph_parse(node, self._append(), extra_blocks)

    def _subgraph_parse(self, node: ast.If | ast.For | ast.AsyncFor | ast.While | ast.Try,
                        pathnode: int | None, extra_blocks: list[ast.ExceptHandler] | tuple[()]) -> None:
        loose_ends: list[int | None] = []
        self.tail = pathnode
        self.dispatch_list(node.body)
        loose_ends.append(self.tail)
        for extra in extra_blocks:
            self.tail = pathnode
            self.dispatch_list(extra.body)
            loose_ends.append(self.tail)
        if node.orelse:
            self.tail = pathnode
            self.dispatch_list(node.orelse)
            loose_ends.append(self.tail)
        else:
            loose_ends.append(pathnode)
        if pathnode:
            bottom = self._new_node()
            for end in loose_ends:
                self._connect(end, bottom)
            self.tail = bottom


def complexities(tree: ast.Module) -> dict[int, int]:
    """mccabe's complexity of each graph of the module, by the line it starts on (a function's
    ``def``; a later graph of the same line wins, as in a dict built from mccabe's graphs)."""
    paths = _Paths()
    paths.dispatch(tree)
    return {graph.line: graph.complexity() for graph in paths.graphs.values()}
