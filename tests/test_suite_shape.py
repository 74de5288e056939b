"""The test suite's own rules: one import style for its helpers, one way to scan.

``from helpers import`` loads tests/helpers.py a second time, as another module, beside
``tests.helpers``: two copies of every helper and of the servers they start. And a test that builds
its own config and options for ``gonogo.api.scan`` can drift from what a user's scan does; the one
``scan_repo`` (tests/helpers.py) reads the project's config as the command line does.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
SCAN_HELPER = TESTS / "helpers.py"


def _python_files() -> list[Path]:
    return sorted(p for p in TESTS.rglob("*.py") if "fixtures" not in p.relative_to(TESTS).parts)


def helper_imports_not_through_tests(source: str) -> list[int]:
    """Lines importing a module of tests/ by its bare name (``from helpers import``)."""
    siblings = {p.stem for p in TESTS.glob("*.py")}
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] in siblings:
                lines.append(node.lineno)
        elif isinstance(node, ast.Import):
            lines.extend(node.lineno for alias in node.names if alias.name.split(".")[0] in siblings)
    return lines


def _imports_the_engine(node: ast.AST) -> bool:
    if isinstance(node, ast.ImportFrom) and node.module == "gonogo.api":
        return any(alias.name == "scan" for alias in node.names)
    if isinstance(node, ast.ImportFrom) and node.module == "gonogo":
        # ``from gonogo import scan`` stays allowed: the tests of the public API must import it so
        return any(alias.name == "api" for alias in node.names)
    return isinstance(node, ast.Import) and any(alias.name == "gonogo.api" for alias in node.names)


def direct_scans(source: str) -> list[int]:
    """Lines importing ``scan`` from ``gonogo.api``, or ``gonogo.api`` itself."""
    return [node.lineno for node in ast.walk(ast.parse(source)) if _imports_the_engine(node)]


def test_test_modules_import_helpers_one_way():
    offenders = {p.name: lines for p in _python_files()
                 if (lines := helper_imports_not_through_tests(p.read_text(encoding="utf-8")))}
    assert not offenders, f"import the suite's modules as tests.<name> (from tests.helpers import ...): {offenders}"


def test_only_the_scan_helper_calls_the_engine():
    offenders = {p.name: lines for p in _python_files()
                 if p != SCAN_HELPER and (lines := direct_scans(p.read_text(encoding="utf-8")))}
    assert not offenders, f"scan through tests.helpers.scan_repo, not gonogo.api.scan: {offenders}"


@pytest.mark.parametrize(
    ("source", "helper_lines", "scan_lines"),
    [
        ("from helpers import make_repo\nimport servers\n", [1, 2], []),
        ("from tests.helpers import make_repo\nfrom gonogo.api import scan\n", [], [2]),
        ("from gonogo.api import NothingToScan\nimport gonogo.api\n", [], [2]),
        ("from gonogo import api\nfrom gonogo import Report, scan\n", [], [1]),
    ],
    ids=["bare helper names", "engine imported for scan", "engine module imported", "public API is not the engine"],
)
def test_the_rules_see_what_they_forbid(source, helper_lines, scan_lines):
    assert helper_imports_not_through_tests(source) == helper_lines
    assert direct_scans(source) == scan_lines
