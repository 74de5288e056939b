"""Runtime test evidence: the suite, run (``--run-tests``). RUN checks.

Without ``--run-tests`` the ``test_run`` fact cannot be built, so every check here is *unknown*
("tests not run; run with --run-tests") and so is the "Tests pass" gate: never a pass on a guess.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from gonogo.collectors.python import PythonFacts
from gonogo.collectors.python_facts import DEPENDENCY, MODULE_SCOPE, ProjectCode, Skip, skip_condition
from gonogo.grouping import Grouping, count_files, plural
from gonogo.model import Category, Finding, Location, Severity, Table
from gonogo.probes.facts import TestRunFacts
from gonogo.registry import CannotTell, CheckOutput, Metric, check, fail
from gonogo.thresholds import Thresholds

if TYPE_CHECKING:  # annotations only: the runner itself is imported by --run-tests (probes.facts)
    from gonogo.probes.tests_runner import CaseResult, TestRun

SLOWEST = 5
RAN = frozenset({"passed", "failed", "error"})
"""Outcomes of a test that was executed; skipped and uncollected ones were not."""


def _where_path(run: TestRun, path: str, line: int | None = None) -> Location:
    return Location(path=path if run.root == "." else f"{run.root}/{path}", line=line)


def _where(run: TestRun, case: CaseResult) -> Location | None:
    if not case.file:
        return None
    return _where_path(run, case.file.replace("\\", "/"), case.line)


def _ran(test_run: TestRunFacts) -> list[TestRun]:
    """Runs that produced results; a suite that could not start at all is *unknown*."""
    usable = [r for r in test_run.runs if r.exit_code is not None or r.timed_out]
    if not usable:
        raise CannotTell("; ".join(r.problem or "the suite did not run" for r in test_run.runs))
    return usable


def _plan_failures(findings: Sequence[Finding]) -> Grouping:
    files = count_files(findings)
    yield f"fix {plural(len(findings), 'failing test')} in {plural(files, 'file')}", findings


@check("RUN001", "Every test passes", category=Category.RUNTIME, severity=Severity.HIGH,
       counts="tests.run.failed", plan=_plan_failures)
def tests_pass(test_run: TestRunFacts) -> Iterator[CheckOutput]:
    """Why: a failing test is the suite saying the code does not do what it claims; shipping over a
    red suite ships the defect it found.
    A run in which no test executed (a collection error everywhere, every test skipped) is
    *unknown*, never a pass: it shows nothing about whether the tests would pass.
    Fix: fix the code (or the test, if the test is wrong), then run `gonogo check --run-tests`."""
    runs = _ran(test_run)
    if not any(c.outcome in RAN for r in runs for c in r.cases):
        raise CannotTell(f"no test ran, so none can be said to pass ({_why_none_ran(runs)})")
    for run in runs:
        for case in run.cases:
            if case.outcome == "failed":
                yield fail(
                    f"{case.nodeid} failed: {case.message or 'no message'}",
                    at=_where(run, case), evidence=run.evidence, key=case.nodeid, test=case.nodeid,
                )
    yield Metric(name="tests.run.passed", value=float(sum(r.count("passed") for r in runs)))
    yield Metric(name="tests.run.seconds", value=round(sum(r.seconds for r in runs), 3))
    slowest = sorted(
        ((r, c) for r in runs for c in r.cases), key=lambda rc: (-rc[1].seconds, rc[1].nodeid)
    )[:SLOWEST]
    if slowest:
        yield Table(
            title="Slowest tests",
            columns=("Test", "Seconds", "Outcome"),
            rows=tuple((c.nodeid, f"{c.seconds:.3f}", c.outcome) for _, c in slowest),
        )


def _why_none_ran(runs: Sequence[TestRun]) -> str:
    collection = sum(r.count("collection") for r in runs)
    skipped = sum(r.count("skipped") for r in runs)
    reasons = [
        *([plural(collection, "collection error")] if collection else []),
        *([f"{plural(skipped, 'test')} skipped"] if skipped else []),
    ]
    return ", ".join(reasons) or "; ".join(r.evidence for r in runs)


@check("RUN002", "The test suite runs to the end without errors", category=Category.RUNTIME,
       severity=Severity.CRITICAL, counts="tests.run.errors")
def suite_runs(test_run: TestRunFacts) -> Iterator[CheckOutput]:
    """Why: a collection error, a crash or a timeout means part of the suite never ran, so its
    pass count proves less than it seems; an error in a fixture hides whether the test would pass.
    Fix: run the command in the evidence yourself, fix the import or fixture error it shows, and
    make the suite finish within the time limit (`--test-timeout`)."""
    for run in _ran(test_run):
        yield from _run_errors(run)


def _run_errors(run: TestRun) -> Iterator[CheckOutput]:
    tail = run.output_tail.strip().splitlines()[-15:]
    evidence = run.evidence + ("\n" + "\n".join(tail) if tail else "")
    for case in run.cases:
        if case.outcome == "collection":
            yield fail(f"collection error in {case.file or case.nodeid}: {case.message}",
                       at=_where(run, case), evidence=evidence, key=f"collect:{case.nodeid}")
        elif case.outcome == "error":
            yield fail(f"{case.nodeid} errored: {case.message or 'no message'}",
                       at=_where(run, case), evidence=evidence, key=f"error:{case.nodeid}")
    if run.timed_out:
        yield fail(f"the suite was killed after the {run.timeout_s:g} s time limit",
                   evidence=evidence, key="timeout", severity=Severity.CRITICAL)
    elif run.exit_code is not None and (run.exit_code < 0 or run.exit_code in (3, 4)):
        yield fail(f"the suite crashed ({run.evidence.rsplit('-> ', 1)[-1]})",
                   evidence=evidence, key=f"crash:{run.exit_code}")
    elif run.exit_code == 5:
        yield fail("pytest collected no tests", evidence=evidence, key="no-tests")
    elif run.exit_code == 2 and not any(c.outcome == "collection" for c in run.cases):
        yield fail("the run was interrupted before it finished", evidence=evidence, key="interrupted")
    if run.problem and not run.timed_out:
        yield fail(run.problem, evidence=evidence, key="report")


@check("RUN003", "Test coverage meets the profile's threshold", category=Category.RUNTIME,
       severity=Severity.HIGH)
def coverage(test_run: TestRunFacts, thresholds: Thresholds) -> Iterator[CheckOutput]:
    """Why: code no test executes is code whose behaviour nobody has observed; the profile states
    how much of that a release of this criticality may carry. The bar is the one the effective
    gates set on `coverage.percent` (the profile's, or a `[gates."Tests pass"]` setting), so this
    check and the gate never disagree; with no such condition, coverage is measured, not judged.
    Fix: add tests for the least covered packages in the table, or lower the bar knowingly with a
    `[gates."Tests pass"]` setting."""
    runs = _ran(test_run)
    measured = [(r, r.coverage) for r in runs if r.coverage is not None]
    if len(measured) != len(runs):
        raise CannotTell("; ".join(r.coverage_problem or "no coverage data" for r in runs if r.coverage is None))
    weights = [sum(p.statements + p.branches for p in cov.packages) for _, cov in measured]
    total_weight = sum(weights)
    percent = (
        sum(cov.percent * w for (_, cov), w in zip(measured, weights, strict=True)) / total_weight
        if total_weight
        else 100.0
    )
    percent = round(percent, 2)
    yield Metric(name="coverage.percent", value=percent)
    branches = [cov.branch_percent for _, cov in measured if cov.branch_percent is not None]
    yield Metric(name="coverage.branch_percent", value=min(branches) if branches else None)
    for bar in thresholds.on("coverage.percent"):
        condition = bar.condition
        if not condition.operator.holds(percent, condition.threshold):
            yield fail(
                f"coverage is {percent:.1f}%; the {bar.gate!r} gate ({thresholds.profile} profile) requires "
                f"coverage.percent {condition.operator.value} {condition.threshold:g}",
                evidence="; ".join(r.evidence for r, _ in measured), key=f"coverage:{bar.gate}",
                percent=percent, threshold=condition.threshold,
            )
    rows = [
        (p.package if r.root == "." else f"{r.root}/{p.package}", str(p.statements),
         f"{p.percent:.1f}%", "-" if p.branch_percent is None else f"{p.branch_percent:.1f}%")
        for r, cov in measured for p in cov.packages
    ]
    if rows:
        yield Table(title="Coverage per package", columns=("Package", "Statements", "Lines", "Branches"),
                    rows=tuple(sorted(rows, key=lambda row: float(row[2].rstrip("%")))))


@check("RUN004", "No test is skipped at run time", category=Category.RUNTIME,
       severity=Severity.MEDIUM, counts="tests.run.skipped")
def runtime_skips(test_run: TestRunFacts, python: PythonFacts) -> Iterator[CheckOutput]:
    """Why: a test skipped at run time (a missing service, a `pytest.skip()` call, an import that
    failed) passes CI while proving nothing, and static markers cannot see it. What the run
    skipped is the stronger evidence, so it replaces TEST001's static counts in the gate; each
    skip is conditional or not as the static skip behind it says (an `importorskip` that could not
    import is conditional on that dependency).
    Fix: provide what the test needs in the test environment, or delete the test."""
    sites = _static_skips(python)
    project = python.project_code(stubs=True, imports=True)
    for run in _ran(test_run):
        for case in run.cases:
            if case.outcome == "skipped":
                condition = _condition_of(case, _where(run, case), sites, project)
                yield fail(f"{case.nodeid} skipped: {case.message or 'no reason given'}",
                           at=_where(run, case), key=case.nodeid, test=case.nodeid, condition=condition)


StaticSkips = dict[str, list[Skip]]


def _static_skips(python: PythonFacts) -> StaticSkips:
    """Skip and skipif sites by file, to tell a run's skips conditional or not."""
    return {
        f.file.display: [s for s in f.facts.skips if s.kind != "xfail"]
        for f in python.test_code
        if any(s.kind != "xfail" for s in f.facts.skips)
    }


def _without_parameters(name: str) -> str:
    r"""``test_x`` of ``test_x[a-b]``: what ``re.sub(r"\[.*\]$", "", name)`` gave, without trying
    every "[" of a hostile id (a JUnit file may hold a megabyte-long one)."""
    body, newline = (name[:-1], "\n") if name.endswith("\n") else (name, "")
    start = body.find("[", body.rfind("\n") + 1)
    return body[:start] + newline if start >= 0 and body.endswith("]") else name


def _condition_of(
    case: CaseResult, where: Location | None, sites: StaticSkips, project: ProjectCode
) -> str | None:
    """What a skip seen at run time depends on: the static skip on that test (or its class or
    module), else one whose reason is the run's message (a fixture's skip), else the message."""
    name = _without_parameters(case.nodeid.rsplit("::", 1)[-1])
    owner = case.nodeid.rsplit("::", 1)[0].rsplit(".", 1)[-1] if "::" in case.nodeid else ""
    scopes = {MODULE_SCOPE, name, owner, f"{owner}.{name}"}
    matched = [s for s in sites.get(where.path if where else "", []) if s.scope in scopes]
    if not matched and case.message:
        matched = [s for found in sites.values() for s in found if s.reason and s.reason in case.message]
    if matched:
        conditions = [skip_condition(s, project) for s in matched]
        return None if None in conditions else conditions[0]
    return DEPENDENCY if case.message.startswith("could not import") else None


@check("RUN005", "The test run leaves the repository as it found it", category=Category.RUNTIME,
       severity=Severity.LOW, counts="tests.run.tree_changes")
def leaves_tree_clean(test_run: TestRunFacts) -> Iterator[CheckOutput]:
    """Why: a suite that writes into the repository dirties the working tree, races with a second
    run, and its leftovers end up in commits and container images; one that changes or deletes
    files it did not create can destroy work. gonogo already moves pytest's cache, coverage data,
    bytecode and pytest-benchmark's and Hypothesis's stores out of the repository, so what is left
    is the suite's own doing. gonogo reports it and leaves it in place: the files are yours.
    Fix: write to pytest's `tmp_path` fixture (or `tempfile`) instead of the working directory, and
    never to files under version control."""
    runs = _ran(test_run)
    unknown = [run.root for run in runs if run.tree_changes is None]
    if unknown:
        raise CannotTell(f"the working tree of {', '.join(unknown)} is too large to compare before and after")
    compared = [(run, run.tree_changes) for run in runs if run.tree_changes is not None]
    for run, changes in compared:
        for kind, paths, severity in (
            ("created", changes.created, Severity.LOW),
            ("changed", changes.changed, Severity.MEDIUM),
            ("removed", changes.removed, Severity.MEDIUM),
        ):
            for path in paths:
                yield fail(f"the test run {kind} {path}", at=_where_path(run, path), evidence=run.evidence,
                           key=f"{kind}:{path}", severity=severity)
