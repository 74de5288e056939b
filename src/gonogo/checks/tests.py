"""Test integrity: tests that are skipped, expected to fail, can never fail, or do not exist."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from gonogo.collectors.ci import CiFacts
from gonogo.collectors.python import PythonFacts, PythonFile
from gonogo.collectors.python_facts import DEPENDENCY, MODULE_SCOPE, Function, Skip, skip_condition
from gonogo.grouping import Grouping, count_files, plural
from gonogo.model import Category, CheckResult, Finding, Outcome, Severity, Table
from gonogo.registry import CheckOutput, Metric, NotApplicable, check, fail, tally

SKIP_KINDS = frozenset({"skip", "skipif", "importorskip"})
SKIP_METRICS = ("tests.skipped", "tests.skipped.unconditional", "tests.skipped.conditional")
_PYTHON_VERSION = re.compile(r"^(?:pypy-?)?3\.\d{1,2}t?$")
_INSTALLS = re.compile(r"\b(?:pip3?|uv|poetry|pdm|conda|mamba|apt(?:-get)?|brew|pipx)\b.*\b(?:install|add|sync)\b")
_PLATFORM_IN_CI = {
    "windows": re.compile(r"\bwindows\b", re.IGNORECASE),
    "macos": re.compile(r"\bmac(?:os)?\b", re.IGNORECASE),
    "linux": re.compile(r"\b(?:ubuntu|linux)\b", re.IGNORECASE),
    "pypy": re.compile(r"\bpypy", re.IGNORECASE),
}


def _skip_message(skip: Skip, condition: str | None, reach: int | None, in_ci: str | None) -> str:
    where = " inside `except NotImplementedError`" if skip.in_not_implemented_handler else ""
    shown = f" ({plural(reach, 'test')})" if reach is not None else ""
    if skip.kind == "xfail":
        return f"{skip.form} on {skip.scope}{shown}{where}: {skip.reason or 'no reason given'}"
    if condition is None:
        depends = "unconditional"
    else:
        depends = f"conditional on {condition}" + (f" {skip.subject}" if skip.subject else "")
        depends += f"; runs in CI: {in_ci}" if in_ci else ""
    return f"{skip.form} on {skip.scope}{shown}{where}, {depends}: {skip.reason or 'no reason given'}"


def _silenced(skip: Skip, source: PythonFile) -> tuple[str, ...] | None:
    """The tests a skip silences; ``None`` when it sits outside any test (a fixture, a helper),
    where the tests it reaches cannot be told from the file."""
    tests = [f for f in source.facts.functions if f.looks_like_test]
    if skip.scope == MODULE_SCOPE:
        return tuple(f.qualname for f in tests)
    in_class = tuple(f.qualname for f in tests if f.class_name == skip.scope)
    if in_class:
        return in_class
    if any(f.qualname == skip.scope for f in tests):
        return (skip.scope,)
    return None


def _reach(skip: Skip, silenced: tuple[str, ...] | None) -> int | None:
    """How many tests to name in the message: none for a single test's own skip."""
    return None if silenced is None or silenced == (skip.scope,) else len(silenced)


def _owners(sites: list[tuple[Skip, tuple[str, ...] | None]], conditions: list[str | None]) -> list[int]:
    """How many tests each skip site is counted for, so that a test silenced twice (a module's
    ``pytestmark`` and its own ``@skip``) counts once, under its unconditional skip when it has
    one (``conditions``: each site's, ``None`` for unconditional)."""
    owner: dict[str, int] = {}
    ordered = sorted(range(len(sites)), key=lambda i: (conditions[i] is not None, sites[i][0].line))
    for index in ordered:
        for test in sites[index][1] or ():
            owner.setdefault(test, index)
    counts = [0] * len(sites)
    for index in owner.values():
        counts[index] += 1
    for index, (_, silenced) in enumerate(sites):
        if silenced is None:  # a fixture's skip reaches at least the one test that uses it
            counts[index] = 1
    return counts


def _ci_evidence(skip: Skip, ci: CiFacts) -> str | None:
    """Where the CI configuration shows the skip's condition holding: a job that installs the
    optional dependency, runs on that platform, or on several Python versions."""
    commands = [(f.file.display, c) for f in ci.files for c in f.commands]
    match skip.condition, skip.subject:
        case "optional dependency", str(module):
            name = re.compile(rf"(?<![\w.-]){re.escape(module).replace('_', '[-_]')}(?![\w-])", re.IGNORECASE)
            for path, command in commands:
                if _INSTALLS.search(command.text) and name.search(command.text):
                    return f"{path}:{command.line} installs {module}"
        case "platform", str(platform) if platform in _PLATFORM_IN_CI:
            for path, command in commands:
                if _PLATFORM_IN_CI[platform].search(command.text):
                    return f"{platform} in {path}:{command.line}"
        case "Python version", _:
            for file in ci.files:
                versions = sorted({c.text.strip() for c in file.commands if _PYTHON_VERSION.match(c.text.strip())})
                if len(versions) > 1:  # a matrix of versions: the one the skip needs is likely among them
                    return f"Python {', '.join(versions)} in {file.file.display}"
    return None


def _inherited_condition(skip: Skip, source: PythonFile) -> str | None:
    """A skip on a test method that overrides one a test class of the file defines, and that
    class runs (wagtail's ``TestSubmitSnippetToWorkflowNotLockable`` skips the lock tests it
    inherits from ``TestSubmitPageToWorkflow``, "Model is not lockable"): the subclass opts out
    of a case that does not apply to it, and the test still runs where it does. ``None`` for any
    other skip, an xfail, or one :func:`skip_condition` has reasons to judge (a missing feature)."""
    owner, _, method = skip.scope.rpartition(".")
    if skip.kind == "xfail" or skip.condition is not None or skip.in_not_implemented_handler:
        return None
    if not owner or "." in owner or not method.startswith("test"):
        return None
    classes = {c.name: c for c in source.facts.classes}
    pending = list(classes[owner].bases) if owner in classes else []
    seen: set[str] = {owner}
    while pending:
        base = classes.get(pending.pop(0))
        if base is None or base.name in seen:
            continue
        seen.add(base.name)
        if method in base.methods and base.name.startswith("Test"):
            return f"the subclass ({base.name} runs the test)"
        pending.extend(base.bases)
    return None


def _skip_findings(python: PythonFacts, kinds: frozenset[str], ci: CiFacts | None = None) -> Iterator[CheckOutput]:
    per_file: Counter[str] = Counter()
    skips = [s for source in python.files for s in source.facts.skips if s.kind in kinds]
    first_party = python.first_party
    # the walks over every function and import only for a tree with a skip that needs them
    project = python.project_code(
        stubs=any(s.in_not_implemented_handler for s in skips),
        imports=any(s.condition == DEPENDENCY and (s.subject or "").split(".")[0] in first_party for s in skips),
    )
    for source in python.files:
        sites = [(s, _silenced(s, source)) for s in source.facts.skips if s.kind in kinds]
        conditions = [skip_condition(s, project) or _inherited_condition(s, source) for s, _ in sites]
        for (skip, silenced), tests, condition in zip(sites, _owners(sites, conditions), conditions, strict=True):
            per_file[source.file.display] += 1
            conditional = condition is not None
            yield fail(
                _skip_message(skip, condition, _reach(skip, silenced),
                              _ci_evidence(skip, ci) if ci is not None and conditional else None),
                at=source.file.at(skip.line),
                evidence=skip.snippet,
                key=f"{skip.scope}:{skip.form}",
                # a skip that depends on the platform or an optional dependency may run elsewhere;
                # the profile decides whether it blocks (tests.skipped.conditional)
                severity=Severity.MEDIUM if conditional and kinds == SKIP_KINDS else None,
                kind=skip.kind,
                reason=skip.reason,
                condition=condition,
                tests=tests,
            )
    if per_file:
        yield Table(
            title="Per file",
            columns=("File", "Count"),
            rows=tuple((path, str(n)) for path, n in sorted(per_file.items(), key=lambda i: (-i[1], i[0]))),
        )


def plan_skips(findings: Sequence[Finding]) -> Grouping:
    """Unconditional skips (remove or implement) apart from conditional ones (make sure some job
    runs them), since the standard profile blocks on the first only."""
    unconditional = [f for f in findings if f.get("condition") is None]
    conditional = [f for f in findings if f.get("condition") is not None]
    if unconditional:
        yield (
            f"remove or implement {plural(len(unconditional), 'unconditional skip')} "
            f"({plural(sum(f.get('tests', 1) for f in unconditional), 'test')}) in "
            f"{plural(count_files(unconditional), 'file')}: {_per_file_summary(unconditional)}",
            unconditional,
        )
    if conditional:
        yield (
            f"run {plural(len(conditional), 'conditional skip')} "
            f"({plural(sum(f.get('tests', 1) for f in conditional), 'test')}) in a job where the condition "
            f"holds (platform, Python version, optional dependency): {_per_file_summary(conditional)}",
            conditional,
        )


@check("TEST001", "No test is skipped", category=Category.TESTS, severity=Severity.HIGH, counts="tests.skip_sites",
       plan=plan_skips)
def skipped_tests(python: PythonFacts, ci: CiFacts) -> Iterator[CheckOutput]:
    """Why: a skipped test is a claim nobody checks; it passes CI while proving nothing. Skips
    written as `try: ... except NotImplementedError: pytest.skip()` hide features that do not exist.
    Counts `pytest.skip()`, `@pytest.mark.skip`/`skipif`, module-level `pytestmark`,
    `pytest.importorskip`, `unittest.skip*` decorators, `raise SkipTest` and `self.skipTest()`.
    A skip is *unconditional* (`@skip`, a bare `pytest.skip()`, a skip in `except
    NotImplementedError` around the project's own stub) or *conditional* on the platform, the Python
    version, an optional dependency or the environment (`skipif`, `importorskip`, a skip under `if`,
    after a guard clause that returns, or in an `except` other than NotImplementedError; one in
    `except NotImplementedError` around a capability the platform or a backend may lack, such as
    `os.symlink` or a method some implementations leave out; a marker a helper or hook builds for
    the tests it picks; a subclass's skip of a test it inherits from a test class, which still runs
    it there); a conditional one runs where its condition holds, and the message says when
    the CI configuration shows that. `tests.skipped` counts the tests silenced (a `pytestmark` over
    5 tests is 5), split into `tests.skipped.unconditional` and `.conditional`; `tests.skip_sites`
    counts the places. The standard profile blocks on unconditional skips, the critical profile on
    all. When the suite was run (`--run-tests`), what the run skipped replaces these static counts
    in the gate, and the findings here stay as context.

    Fix: implement what the test needs, or delete the test. A test that must not run on some
    platform belongs in a job for that platform, not behind a skip."""
    yield from _skip_findings(python, SKIP_KINDS, ci)


def _skip_counted_as(finding: Finding) -> tuple[bool, object]:
    """What ``skip_metrics`` makes of a finding besides whether it is active: conditional or not,
    and how many tests it skips."""
    return finding.get("condition") is None, finding.get("tests", 1)


@tally("TEST001", "RUN004", metrics=SKIP_METRICS, sees=_skip_counted_as)
def skip_metrics(results: Sequence[CheckResult]) -> dict[str, float | None]:
    """The gate's skip counts: from the test run when there was one (it is the stronger evidence:
    it saw what was skipped where the suite ran), else from the static skip sites."""
    by_id = {r.check_id: r for r in results}
    run = by_id.get("RUN004")
    static = by_id.get("TEST001")
    if run is not None and run.outcome is not Outcome.UNKNOWN:
        observed = run.active_findings
        unconditional = sum(f.get("condition") is None for f in observed)
        return {
            "tests.skipped": float(len(observed)),
            "tests.skipped.unconditional": float(unconditional),
            "tests.skipped.conditional": float(len(observed) - unconditional),
        }
    if static is None:
        return {}
    if static.outcome is Outcome.UNKNOWN:
        return dict.fromkeys(SKIP_METRICS)
    found = static.active_findings
    unconditional = sum(f.get("tests", 1) for f in found if f.get("condition") is None)
    conditional = sum(f.get("tests", 1) for f in found if f.get("condition") is not None)
    return {
        "tests.skipped": float(unconditional + conditional),
        "tests.skipped.unconditional": float(unconditional),
        "tests.skipped.conditional": float(conditional),
    }


def plan_xfails(findings: Sequence[Finding]) -> Grouping:
    yield (f"fix the bugs behind {plural(len(findings), 'xfail marker')}: {_per_file_summary(findings)}", findings)


@check("TEST002", "No test is marked as expected to fail", category=Category.TESTS, severity=Severity.MEDIUM,
       counts="tests.xfail", plan=plan_xfails)
def expected_failures(python: PythonFacts) -> Iterator[CheckOutput]:
    """Why: an xfail test runs but its failure is accepted, so it documents a known bug that ships.

    Fix: fix the bug and remove the marker, or turn the marker into an issue and delete the test."""
    yield from _skip_findings(python, frozenset({"xfail"}))


def plan_assertions(findings: Sequence[Finding]) -> Grouping:
    yield (
        f"add real assertions to {plural(len(findings), 'test')} that cannot fail: {_per_file_summary(findings)}",
        findings,
    )


@check("TEST003", "Every test can fail", category=Category.TESTS, severity=Severity.HIGH,
       counts="tests.without_assertions", plan=plan_assertions)
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
            if function.assertions == 0 and not helpers.called_by(function):
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


@dataclass(frozen=True, slots=True, kw_only=True)
class AssertingHelpers:
    """The test code's helpers that can fail a test: plain functions (``check_response(r)``) and
    methods called on ``self`` (``self.post(data, expect_fragment=...)``), by name."""

    functions: frozenset[str]
    methods: frozenset[str]

    def called_by(self, function: Function) -> bool:
        return not (self.functions.isdisjoint(function.calls) and self.methods.isdisjoint(function.method_calls))


def _asserting_helpers(python: PythonFacts) -> AssertingHelpers:
    """Helpers of the test code (test modules, conftest, anything under ``tests/``) that assert,
    raise or call another such helper: followed until nothing new is found, so a helper that
    delegates to ``_assert_payload`` counts too."""
    candidates = [
        f for source in python.test_code for f in source.facts.functions if not f.looks_like_test and not f.nested
    ]
    helpers = AssertingHelpers(functions=frozenset(), methods=frozenset())
    while True:
        asserting = [f for f in candidates if f.assertions > f.constant_assertions or helpers.called_by(f)]
        grown = AssertingHelpers(
            functions=frozenset(f.name for f in asserting if f.class_name is None),
            methods=frozenset(f.name for f in asserting if f.class_name is not None),
        )
        if grown == helpers:
            return helpers
        helpers = grown


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
