"""Imports made optional by their function's callers: ``def ipython(): import IPython`` that the
module only ever calls as ``try: ipython() except ImportError: python()`` (ckan's ``ckan
shell``). The code copes without the distribution exactly as it would with the ``try`` around the
import itself, so the import is optional as a guarded one is."""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import replace

from gonogo.collectors.python_facts.model import IMPORT_ERRORS, Import
from gonogo.collectors.syntax_nodes import SyntaxNodes, last_name

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


def guarded_by_callers(tree: ast.Module, nodes: SyntaxNodes, imports: Sequence[Import]) -> tuple[Import, ...]:
    """``imports`` with those inside a module-level function marked optional when every use of
    that function's name in the module is a call in the body of a ``try`` whose handler names
    ``ImportError`` or ``ModuleNotFoundError``. A broad ``except Exception`` does not count (it is
    the ordinary way to survive any failure, not a statement that a module may be missing), nor a
    call in a handler, ``else`` or ``finally``, nor a name passed on as a value, which some other
    module may call unguarded."""
    deferred = {i for i in imports if i.deferred and not i.optional}
    if not deferred:
        return tuple(imports)
    guarded = _guarded_calls(nodes)
    if not guarded:
        return tuple(imports)
    functions = [statement for statement in tree.body if isinstance(statement, _FUNCTIONS)]
    uses: dict[str, list[ast.Name]] = {function.name: [] for function in functions}
    for node in nodes.of(ast.Name):
        if node.id in uses:
            uses[node.id].append(node)
    spans = [
        (function.lineno, function.end_lineno or function.lineno)
        for function in functions
        if uses[function.name] and all(id(node) in guarded for node in uses[function.name])
    ]
    return tuple(
        replace(i, optional=True) if i in deferred and any(a < i.line <= b for a, b in spans) else i
        for i in imports
    )


def _guarded_calls(nodes: SyntaxNodes) -> set[int]:
    """The ``id`` of every ``Name`` called directly in the body of a ``try`` that catches an
    import error."""
    found: set[int] = set()
    tries: list[ast.Try | ast.TryStar] = [*nodes.of(ast.Try), *nodes.of(ast.TryStar)]
    for node in tries:
        if not any(_catches_import_error(handler) for handler in node.handlers):
            continue
        for statement in node.body:
            for inner in ast.walk(statement):
                if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name):
                    found.add(id(inner.func))
    return found


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    caught = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type] if handler.type else []
    return any(last_name(name) in IMPORT_ERRORS for name in caught)
