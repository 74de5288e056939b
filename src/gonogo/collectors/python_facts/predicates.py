"""Small questions about one syntax node (is this a ``__main__`` guard, a literal, an assertion
helper, a stub body?), shared by the visitor's passes."""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Iterator
from typing import TypeGuard

from gonogo.collectors.python_facts.model import (
    ASSERTING_CONTEXTS,
    ASSERTING_HELPER_PREFIXES,
    LITERAL_CHARS,
    NOT_IMPLEMENTED,
    PLATFORM_WORDS,
    RAISES_NOT_IMPLEMENTED,
    SNIPPET_CHARS,
    importorskip_reason,
)

SETTING_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")


def is_main_guard(test: ast.expr) -> bool:
    """``__name__ == "__main__"`` (either way round)."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq)):
        return False
    sides = [test.left, test.comparators[0]]
    names = any(isinstance(n, ast.Name) and n.id == "__name__" for n in sides)
    return names and any(isinstance(n, ast.Constant) and n.value == "__main__" for n in sides)


def literal_value(node: ast.expr) -> tuple[object, bool]:
    """(value, True) for a literal (``True``, ``["*"]``, ``("a", "b")``); (None, False) otherwise."""
    try:
        value = ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None, False
    # a settings flag or host list is short; a large constant table is not worth caching
    return (value, True) if len(repr(value)) <= LITERAL_CHARS else (None, False)


def names_any(node: ast.expr) -> bool:
    """``"*"``, ``["*"]``, or a ``resources`` mapping whose origins are ``"*"``, written literally."""
    value, literal = literal_value(node)
    if not literal:
        return False
    if isinstance(value, dict):
        return any(isinstance(v, dict) and v.get("origins", "*") in ("*", ["*"]) for v in value.values())
    return value == "*" or (isinstance(value, list | tuple) and "*" in value)


def asserts(name: str | None, node: ast.expr) -> bool:
    """A call that can fail a test: ``self.assert*``, ``mock.assert_called*``, ``self.fail``,
    ``pytest.raises``, or a helper named ``assert_*``, ``check_*``, ``verify_*``, ``expect*``."""
    if not isinstance(node, ast.Call):
        return False
    if name in ASSERTING_CONTEXTS:
        return True
    func = node.func
    last = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    return asserting_name(last)


@functools.lru_cache(maxsize=1 << 12)
def asserting_name(last: str) -> bool:
    """``asserts`` for the called name alone; remembered, as a file calls the same names again
    and again."""
    # a private helper (``_assert_with_payload``) asserts as well as a public one; a lower-case
    # start keeps exception classes (``AssertionError(...)``) out: raising is counted where it happens
    bare = last.lstrip("_")
    if not bare[:1].islower():
        return False
    # ``django_assert_num_queries(3)`` (a pytest-django fixture), ``snapshot.assert_match``
    return bare.startswith(ASSERTING_HELPER_PREFIXES) or "assert" in bare.split("_") or bare == "fail"


def on_self(func: ast.expr) -> TypeGuard[ast.Attribute]:
    """``self.name(...)`` or ``cls.name(...)``: a call of the class's own method."""
    return isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in ("self", "cls")


def always_true(test: ast.expr) -> bool:
    """``assert True``, ``assert 1``, ``assert "text"``, ``assert (x, "message")``: cannot fail."""
    if isinstance(test, ast.Constant):
        return bool(test.value)
    if isinstance(test, ast.Tuple | ast.List):
        return len(test.elts) > 0
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not) and isinstance(test.operand, ast.Constant):
        return not test.operand.value
    return False


def reraises(handler: ast.ExceptHandler) -> bool:
    for node in walk_body(handler.body):
        if isinstance(node, ast.Raise):
            return True
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr == "fail":
                return True
    return False


def walk_body(body: list[ast.stmt]) -> Iterator[ast.AST]:
    for statement in body:
        yield from ast.walk(statement)


def stub_kind(body: list[ast.stmt]) -> str | None:
    rest = body[1:] if body and is_docstring(body[0]) else body
    if not rest:
        return "docstring only"
    if len(rest) != 1:
        return None
    only = rest[0]
    if isinstance(only, ast.Pass):
        return "pass"
    if isinstance(only, ast.Expr) and isinstance(only.value, ast.Constant) and only.value.value is Ellipsis:
        return "..."
    if isinstance(only, ast.Raise) and only.exc is not None:
        target = only.exc.func if isinstance(only.exc, ast.Call) else only.exc
        if isinstance(target, ast.Name) and target.id == NOT_IMPLEMENTED:
            return RAISES_NOT_IMPLEMENTED
    return None


def is_docstring(statement: ast.stmt) -> bool:
    return (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Constant)
        and isinstance(statement.value.value, str)
    )


def text_of(node: ast.expr | None) -> str | None:
    if node is None:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.strip()[:SNIPPET_CHARS] or None
    return ast.unparse(node)[:SNIPPET_CHARS]


def keyword_arg(node: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in node.keywords if k.arg == name), None)


def first_text(node: ast.Call) -> str | None:
    return text_of(keyword_arg(node, "reason") or keyword_arg(node, "msg") or (node.args[0] if node.args else None))


def marker_reason(name: str, node: ast.Call) -> str | None:
    explicit = keyword_arg(node, "reason")
    if explicit is not None:
        return text_of(explicit)
    if name.endswith(("skipif", "skipIf", "skipUnless")):
        # unittest.skipIf(condition, reason); pytest.mark.skipif(condition) has only the condition
        if len(node.args) > 1:
            return text_of(node.args[1])
        return f"when {text_of(node.args[0])}" if node.args else None
    if name.endswith("xfail") and node.args and not isinstance(node.args[0], ast.Constant | ast.JoinedStr):
        return f"when {text_of(node.args[0])}"
    return text_of(node.args[0]) if node.args else None


def call_reason(name: str, node: ast.Call) -> str | None:
    if name == "pytest.importorskip":
        module = text_of(node.args[0]) if node.args else text_of(keyword_arg(node, "modname"))
        return importorskip_reason(module, text_of(keyword_arg(node, "reason")))
    return first_text(node)


def platform_word(words: list[str]) -> str | None:
    """The platform a condition names (``win32``, ``IS_WINDOWS``, ``"Darwin"``), normalised."""
    for word in words:
        for needle, platform in PLATFORM_WORDS:
            if word == needle or (len(needle) > 2 and needle in word):
                return platform
    return None
