"""SQL assembled from strings and handed to ``execute()``: the injection ruff's S608 misses.

S608 flags a string that *looks like* SQL (``"SELECT ... FROM" + x``). It says nothing when the
text does not start like a query (``"DELETE " + table``, ``query % values`` built elsewhere) and
nothing about whether the string reaches a database. This module looks from the other side: every
call to a database sink (``cursor.execute``, ``executemany``, ``executescript``, ``mogrify``,
Django's ``raw``, pandas' ``read_sql``) whose query argument is built with an f-string, ``%``,
``+`` or ``.format()``, directly or through a variable assigned in the same function.
The file is parsed, never imported or run.
"""

from __future__ import annotations

import ast
import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass

from gonogo.collectors.syntax_nodes import SyntaxNodes, child_nodes

SINKS = frozenset(
    {"execute", "executemany", "executescript", "mogrify", "raw", "read_sql", "read_sql_query"}
)
SINK_CALL = re.compile(rb"\.(?:" + b"|".join(sorted(n.encode() for n in SINKS)) + rb")\s*\(")
"""A cheap test on the bytes: only files that call a sink are parsed."""
QUERY_KEYWORDS = ("sql", "query", "statement", "operation")
_Function = ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda


@dataclass(frozen=True, slots=True, kw_only=True)
class SqlSink:
    """A sink call whose query is built from strings: where the call is, and where the string is."""

    call_line: int
    built_line: int
    built_end_line: int
    how: str
    sink: str


def sql_sinks(source: bytes) -> list[SqlSink]:
    """Every sink call in ``source`` fed a built string; ``[]`` for files that do not parse."""
    if SINK_CALL.search(source) is None:
        return []
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    return sql_sinks_in(tree, source)


def sql_sinks_in(tree: ast.Module, source: bytes, nodes: SyntaxNodes | None = None) -> list[SqlSink]:
    """As :func:`sql_sinks`, on a tree the per-file pass has parsed already (``nodes``: its
    nodes by kind, listed once for every rule that reads them)."""
    if SINK_CALL.search(source) is None:
        return []
    calls = [node for node in (nodes or SyntaxNodes(tree)).of(ast.Call) if _is_sink(node)]
    if not calls:
        return []  # ``.execute(`` in a comment or a string
    try:
        return list(_scan_scope(tree, sorted((call.lineno, call.col_offset) for call in calls)))
    except RecursionError:
        return []


def _is_sink(call: ast.Call) -> bool:
    return isinstance(call.func, ast.Attribute) and call.func.attr in SINKS


def _scan_scope(scope: ast.AST, sink_calls: list[tuple[int, int]]) -> Iterator[SqlSink]:
    """The sinks of ``scope`` and of the functions in it. ``sink_calls``: where each sink call
    of the file starts, sorted; a function holding none is not walked (most functions of a file
    that calls ``execute`` somewhere), since only a sink call makes a finding."""
    assignments: dict[str, list[tuple[int, ast.expr, bool]]] = {}
    calls: list[ast.Call] = []
    for node in _own_nodes(scope):
        match node:
            case ast.FunctionDef() | ast.AsyncFunctionDef() | ast.Lambda():
                if _holds_one(node, sink_calls):
                    yield from _scan_scope(node, sink_calls)
            case ast.Assign(targets=targets, value=value):
                for target in targets:
                    if isinstance(target, ast.Name):
                        assignments.setdefault(target.id, []).append((node.lineno, value, False))
            case ast.AnnAssign(target=ast.Name(id=name), value=value) if value is not None:
                assignments.setdefault(name, []).append((node.lineno, value, False))
            case ast.AugAssign(target=ast.Name(id=name), op=ast.Add(), value=value):
                assignments.setdefault(name, []).append((node.lineno, _as_concat(value), True))
            case ast.Call() if _is_sink(node):
                calls.append(node)
    for call in calls:
        query = _query_argument(call)
        if query is None:
            continue
        built: ast.expr | None = query
        if isinstance(query, ast.Name):
            built = _last_built(assignments.get(query.id, []), call.lineno)
        how = _how_built(built) if built is not None else None
        if how is None or built is None:
            continue
        yield SqlSink(
            call_line=call.lineno,
            built_line=built.lineno,
            built_end_line=built.end_lineno or built.lineno,
            how=how,
            sink=call.func.attr,  # type: ignore[attr-defined]
        )


def _last_built(assigned: list[tuple[int, ast.expr, bool]], before: int) -> ast.expr | None:
    """The built value the variable holds at the call: the latest ``+=`` or ``=`` that builds,
    unless a plain ``=`` of a safe value came after it."""
    for line, value, augmented in sorted(assigned, key=lambda item: item[0], reverse=True):
        if line > before:
            continue
        if _how_built(value):
            return value
        if not augmented:
            return None
    return None


def _holds_one(function: _Function, sink_calls: list[tuple[int, int]]) -> bool:
    """Whether a sink call starts inside the function's scope as :func:`_scan_scope` walks it:
    from its first decorator (decorators are walked with it) to its end."""
    decorators = getattr(function, "decorator_list", ())
    start = min([(function.lineno, function.col_offset)] + [(d.lineno, d.col_offset) for d in decorators])
    if function.end_lineno is None or function.end_col_offset is None:
        return True
    first = bisect.bisect_left(sink_calls, start)
    return first < len(sink_calls) and sink_calls[first] <= (function.end_lineno, function.end_col_offset)


def _own_nodes(scope: ast.AST) -> Iterator[ast.AST]:
    """The nodes of one scope; nested functions are yielded but not entered (they are scanned
    as scopes of their own, with their own variables). Contexts and operators are not yielded
    (``child_nodes``): no case of ``_scan_scope`` is one."""
    stack = child_nodes(scope)
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            stack.extend(child_nodes(node))


def _query_argument(call: ast.Call) -> ast.expr | None:
    if call.args and not isinstance(call.args[0], ast.Starred):
        return call.args[0]
    for keyword in call.keywords:
        if keyword.arg and keyword.arg.lower() in QUERY_KEYWORDS:
            return keyword.value
    return None


def _as_concat(value: ast.expr) -> ast.expr:
    """``q += x`` builds like ``q + x``: a string concatenated with a value."""
    joined = ast.BinOp(left=ast.Constant(value=""), op=ast.Add(), right=value)
    return ast.copy_location(joined, value)


def _how_built(node: ast.expr) -> str | None:
    match node:
        case ast.JoinedStr(values=values) if any(isinstance(v, ast.FormattedValue) for v in values):
            return "an f-string"
        case ast.BinOp(left=left, op=ast.Mod()) if _is_text(left):
            return "% formatting"
        case ast.BinOp(op=ast.Add()):
            parts = _concat_parts(node)
            if any(_is_text(p) for p in parts) and not all(isinstance(p, ast.Constant) for p in parts):
                return "string concatenation"
        case ast.Call(func=ast.Attribute(value=value, attr="format")) if _is_text(value):
            return "str.format()"
    return None


def _concat_parts(node: ast.expr) -> list[ast.expr]:
    """The operands of ``a + b + c``, left to right; one list, so a long chain costs its length."""
    parts: list[ast.expr] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, ast.BinOp) and isinstance(current.op, ast.Add):
            stack.extend((current.right, current.left))
        else:
            parts.append(current)
    return parts


def _is_text(node: ast.expr) -> bool:
    return (isinstance(node, ast.Constant) and isinstance(node.value, str)) or isinstance(
        node, ast.JoinedStr
    )
