"""Test integrity: tests that are skipped, expected to fail, can never fail, or do not exist."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence

from gonogo.collectors.python import PythonFacts, PythonFile
from gonogo.collectors.python_facts import MODULE_SCOPE, Skip
from gonogo.model import Category, Finding, Severity, Table
from gonogo.plan import Grouping, count_files, planner, plural
from gonogo.registry import CheckOutput, Metric, NotApplicable, check, fail


def _skip_message(skip: Skip, source: PythonFile) -> str:
    where = " inside `except NotImplementedError`" if skip.in_not_implemented_handler else ""
    covered = _tests_covered(skip, source)
    reach = f" ({plural(covered, 'test')})" if covered is not None else ""
    return f"{skip.form} on {skip.scope}{reach}{where}: {skip.reason or 'no reason given'}"


def _tests_covered(skip: Skip, source: PythonFile) -> int | None:
    """How many tests a module- or class-level skip silences; ``None`` for a single test's skip."""
    tests = [f for f in source.facts.functions if f.looks_like_test]
    if skip.scope == MODULE_SCOPE:
        return len(tests)
    if any(f.class_name == skip.scope for f in tests):
        return sum(f.class_name == skip.scope for f in tests)
    return None


def _skip_findings(python: PythonFacts, kinds: set[str]) -> Iterator[CheckOutput]:
    per_file: Counter[str] = Counter()
    for source in python.files:
        for skip in source.facts.skips:
            if skip.kind not in kinds:
                continue
            per_file[source.file.display] += 1
            yield fail(
                _skip_message(skip, source),
                at=source.file.at(skip.line),
                evidence=skip.snippet,
                key=f"{skip.scope}:{skip.form}",
                kind=skip.kind,
                reason=skip.reason,
            )
    if per_file:
        yield Table(
            title="Per file",
            columns=("File", "Count"),
            rows=tuple((path, str(n)) for path, n in sorted(per_file.items(), key=lambda i: (-i[1], i[0]))),
        )


@check("TEST001", "No test is skipped", category=Category.TESTS, severity=Severity.HIGH, counts="tests.skipped")
def skipped_tests(python: PythonFacts) -> Iterator[CheckOutput]:
    """Why: a skipped test is a claim nobody checks; it passes CI while proving nothing. Skips
    written as `try: ... except NotImplementedError: pytest.skip()` hide features that do not exist.
    Counts `pytest.skip()`, `@pytest.mark.skip`/`skipif`, module-level `pytestmark`,
    `pytest.importorskip`, `unittest.skip*` decorators, `raise SkipTest` and `self.skipTest()`.

    Fix: implement what the test needs, or delete the test. A test that must not run on some
    platform belongs in a job for that platform, not behind a skip."""
    yield from _skip_findings(python, {"skip", "skipif", "importorskip"})


@check("TEST002", "No test is marked as expected to fail", category=Category.TESTS, severity=Severity.MEDIUM,
       counts="tests.xfail")
def expected_failures(python: PythonFacts) -> Iterator[CheckOutput]:
    """Why: an xfail test runs but its failure is accepted, so it documents a known bug that ships.

    Fix: fix the bug and remove the marker, or turn the marker into an issue and delete the test."""
    yield from _skip_findings(python, {"xfail"})


@check("TEST003", "Every test can fail", category=Category.TESTS, severity=Severity.HIGH,
       counts="tests.without_assertions")
def tests_that_cannot_fail(python: PythonFacts) -> Iterator[CheckOutput]:
    """Why: a test with no assertion, with only `assert True`, or whose assertions sit inside a
    `try` that swallows every exception, passes whatever the code does. It inflates the test count
    and the coverage figure without checking anything. Benchmarks (the `benchmark` fixture or
    marker of pytest-benchmark and pytest-codspeed) measure speed and are not held to this.

    Fix: assert on the behaviour the test is named for (a value, a raised exception with
    `pytest.raises`, a call with `mock.assert_called_with`), and let exceptions propagate."""
    helpers = _asserting_helpers(python)
    for source in python.files:
        if not source.is_test_module:
            continue
        for function in source.facts.functions:
            if not function.looks_like_test or function.skipped:
                continue
            if function.benchmark and function.assertions == 0:
                continue  # it measures speed; it asserts nothing by design
            if function.assertions == 0 and helpers.isdisjoint(function.calls):
                problem = "has no assertion"
            elif function.assertions == 0:
                continue  # it calls a helper of the test code that asserts
            elif function.constant_assertions == function.assertions:
                problem = "asserts only constants that are always true"
            elif function.swallowed_assertions == function.assertions:
                problem = "swallows every exception around its assertions"
            else:
                continue
            yield fail(
                f"{function.qualname} {problem}",
                at=source.file.at(function.line),
                evidence=function.snippet,
                key=function.qualname,
            )


def _asserting_helpers(python: PythonFacts) -> frozenset[str]:
    """Names of the test code's plain helper functions that assert (``common_test(app)``)."""
    return frozenset(
        f.name
        for source in python.test_code
        for f in source.facts.functions
        if f.assertions > f.constant_assertions and not f.looks_like_test and not f.nested
    )


@check("TEST004", "The repository has tests", category=Category.TESTS, severity=Severity.HIGH)
def test_inventory(python: PythonFacts) -> Iterator[CheckOutput]:
    """Why: without tests nothing in this report about behaviour can be trusted; the inventory
    (files and functions, split into unit, integration and e2e by folder name) shows where the
    suite is thin.

    Fix: add tests under `tests/`, named `test_*.py`, that pytest collects."""
    if not python.files:
        raise NotApplicable("no Python files")
    modules = [f for f in python.files if f.is_test_module]
    by_kind: Counter[str] = Counter()
    functions_by_kind: Counter[str] = Counter()
    for source in modules:
        tests = sum(f.looks_like_test for f in source.facts.functions)
        by_kind[source.test_kind] += 1
        functions_by_kind[source.test_kind] += tests
    total_functions = sum(functions_by_kind.values())
    yield Metric(name="tests.files", value=len(modules))
    yield Metric(name="tests.functions", value=total_functions)
    for kind in ("unit", "integration", "e2e", "unclassified"):
        yield Metric(name=f"tests.{kind}_functions", value=functions_by_kind[kind])
    yield Table(
        title="Test inventory",
        columns=("Kind", "Files", "Test functions"),
        rows=tuple(
            (kind, str(by_kind[kind]), str(functions_by_kind[kind]))
            for kind in ("unit", "integration", "e2e", "unclassified")
            if by_kind[kind]
        ),
    )
    if not modules:
        yield fail(f"no test files among {plural(len(python.files), 'Python file')}", key="no-tests")
    elif total_functions == 0:
        yield fail(f"{plural(len(modules), 'test file')} but no test function", key="no-test-functions")


def _per_file_summary(findings: Sequence[Finding]) -> str:
    counts = Counter(f.path for f in findings if f.path)
    top = ", ".join(f"{path} ({n})" for path, n in counts.most_common(3))
    more = f" and {len(counts) - 3} more" if len(counts) > 3 else ""
    return f"{top}{more}"


@planner("TEST001")
def plan_skips(findings: Sequence[Finding]) -> Grouping:
    yield (
        f"remove or implement {plural(len(findings), 'skipped test')} in "
        f"{plural(count_files(findings), 'file')}: {_per_file_summary(findings)}",
        findings,
    )


@planner("TEST002")
def plan_xfails(findings: Sequence[Finding]) -> Grouping:
    yield (f"fix the bugs behind {plural(len(findings), 'xfail marker')}: {_per_file_summary(findings)}", findings)


@planner("TEST003")
def plan_assertions(findings: Sequence[Finding]) -> Grouping:
    yield (
        f"add real assertions to {plural(len(findings), 'test')} that cannot fail: {_per_file_summary(findings)}",
        findings,
    )
