"""Every registered check has a test that would fail if it stopped finding what it should.

A check nobody tests can go quiet (a renamed fact, a rule moved to another check) and the suite
stays green. This reads the test files, not their results, so it holds whichever subset runs: a
check id counts as tested when it is written in a test function (its body, its decorators, or a
module-level constant the function names) that asserts something.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from gonogo.registry import CHECK_ID, load_plugins

TESTS = Path(__file__).parent
ID_IN_TEXT = re.compile(r"\b[A-Z]{2,6}\d{3}\b")


def _strings(node: ast.AST) -> Iterator[str]:
    for child in ast.walk(node):
        if isinstance(child, ast.Constant) and isinstance(child.value, str):
            yield child.value


def _module_constants(tree: ast.Module) -> dict[str, list[ast.AST]]:
    """Module-level names and the values assigned to them (``CASES = [("SEC001", ...)]``)."""
    constants: dict[str, list[ast.AST]] = {}
    for statement in tree.body:
        if isinstance(statement, ast.Assign):
            for target in statement.targets:
                if isinstance(target, ast.Name):
                    constants.setdefault(target.id, []).append(statement.value)
        elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name) and statement.value:
            constants.setdefault(statement.target.id, []).append(statement.value)
    return constants


def _test_functions(tree: ast.Module) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test"):
            yield node


def ids_named_by_asserting_tests(source: str) -> set[str]:
    """Check ids written in the test functions of ``source`` that contain an ``assert``."""
    tree = ast.parse(source)
    constants = _module_constants(tree)
    named: set[str] = set()
    for function in _test_functions(tree):
        if not any(isinstance(node, ast.Assert) for node in ast.walk(function)):
            continue
        texts = list(_strings(function))
        for name in {n.id for n in ast.walk(function) if isinstance(n, ast.Name)} & constants.keys():
            for value in constants[name]:
                texts.extend(_strings(value))
        named.update(found for text in texts for found in ID_IN_TEXT.findall(text) if CHECK_ID.match(found))
    return named


def ids_under_test() -> dict[str, list[str]]:
    """Each check id written in an asserting test, with the files that test it."""
    where: dict[str, list[str]] = {}
    for path in sorted(TESTS.rglob("test_*.py")):
        if "fixtures" in path.relative_to(TESTS).parts:
            continue  # scanned material, not tests
        for check_id in ids_named_by_asserting_tests(path.read_text(encoding="utf-8")):
            where.setdefault(check_id, []).append(path.name)
    return where


def test_every_registered_check_id_is_named_in_an_asserting_test():
    tested = ids_under_test()
    untested = sorted(set(load_plugins().checks) - tested.keys())
    assert not untested, (
        f"no test asserts on {', '.join(untested)}: add one that fails when the check stops finding what "
        "it should (tests/test_check_units.py: run_check(ID, **facts), a case found and one not)"
    )


def test_an_id_only_in_a_test_without_assert_or_outside_tests_does_not_count():
    source = '''
SELECTED = "SEC001"
TABLE = [("SEC002", 1)]

def helper():
    assert run("SEC003")

def test_runs_but_asserts_nothing():
    run("SEC004")

def test_asserts(case=TABLE):
    assert run("SEC005,TEST001") == 1
'''
    assert ids_named_by_asserting_tests(source) == {"SEC002", "SEC005", "TEST001"}
