"""The terminal summary at 80 columns: decision first and last, failing conditions only, counts per
check on large reports, paths never folded, indented bullets, everything with --verbose."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest
from typer.testing import CliRunner

from gonogo.cli import app
from gonogo.model import (
    Action,
    Area,
    Category,
    CheckResult,
    Condition,
    ConditionResult,
    Decision,
    Finding,
    Gate,
    GateResult,
    GateStatus,
    Location,
    Note,
    Operator,
    Outcome,
    Priority,
    Report,
    Severity,
)
from gonogo.reporters.terminal import decision_line, fit_path, print_summary, split_path
from tests.helpers import make_repo

LONG_PATH = "services/billing/adapters/payment_providers/stripe_webhooks/handlers/refund_events.py"


def render(report: Report, verbose: bool = False) -> list[str]:
    from rich.console import Console

    buffer = io.StringIO()
    console = Console(file=buffer, width=80, color_system=None, legacy_windows=False)
    print_summary(report, console, verbose)
    console.print(decision_line(report))
    return [line.rstrip() for line in buffer.getvalue().splitlines()]


def gate_result(name: str, blocking: bool, *conditions: tuple[str, float | None, bool]) -> GateResult:
    gate = Gate(name=name, blocking=blocking, conditions=tuple(
        Condition(metric=metric, operator=Operator.EQ, threshold=0) for metric, _, _ in conditions))
    results = tuple(
        ConditionResult(condition=c, measured=measured,
                        status=GateStatus.UNKNOWN if measured is None else GateStatus.PASS if ok else GateStatus.FAIL)
        for c, (_, measured, ok) in zip(gate.conditions, conditions, strict=True)
    )
    statuses = {r.status for r in results}
    status = GateStatus.FAIL if GateStatus.FAIL in statuses else GateStatus.UNKNOWN if GateStatus.UNKNOWN in statuses \
        else GateStatus.PASS
    return GateResult(gate=gate, status=status, conditions=results)


def check_result(check_id: str, findings: tuple[Finding, ...], outcome: Outcome = Outcome.FAIL,
                 reason: str | None = None) -> CheckResult:
    return CheckResult(check_id=check_id, title=f"Requirement of {check_id}", category=Category.SECURITY,
                       severity=Severity.HIGH, outcome=outcome, score=0.0, findings=findings, reason=reason)


def findings(check_id: str, count: int, severity: Severity = Severity.LOW, path: str = "pkg/mod.py") -> tuple[Finding, ...]:
    return tuple(Finding(check_id=check_id, severity=severity, message=f"problem {n} of {check_id}",
                         location=Location(path=path, line=n + 1)) for n in range(count))


def report(*checks: CheckResult, **changes: object) -> Report:
    base = Report(
        decision=Decision.NO_GO,
        gates=(
            gate_result("Security", True, ("vulns.high", 2, False), ("secrets.found", 0, True), ("sast.high", 0, True)),
            gate_result("Tests pass", True, ("tests.run.failed", None, False)),
            gate_result("Code health", False, ("code.stubs", 3, False)),
            gate_result("Documentation", True, ("docs.broken_references", 0, True)),
        ),
        metrics={}, scores={Area.SECURITY: 40.0}, checks=checks, plan=(),
    )
    return replace(base, **changes)


def test_the_decision_comes_first_and_again_on_the_last_line():
    lines = render(report(check_result("SEC001", findings("SEC001", 2))))
    assert "NO GO" in lines[1] and "checks passed" in lines[1]
    assert lines[-1] == "NO GO · 1 blocking gate failed, 1 not measured · 2 active findings"
    assert all(len(line) <= 80 for line in lines)


def test_only_failing_conditions_are_listed_and_passing_ones_counted():
    text = "\n".join(render(report()))
    assert "vulns.high = 2 (needs == 0)" in text and "+ 2 passing" in text
    assert "secrets.found" not in text and "sast.high" not in text
    assert "not measured: tests.run.failed" in text
    assert "passing: Documentation" in text and "docs.broken_references" not in text
    assert "advisory, not blocking: Code health fail" in text
    verbose = "\n".join(render(report(), verbose=True))
    assert "secrets.found = 0 (needs == 0)" in verbose and "docs.broken_references = 0" in verbose


def test_a_large_report_is_counted_per_check_and_verbose_lists_every_finding():
    checks = (check_result("CODE002", findings("CODE002", 1850)), check_result("SEC009", findings("SEC009", 46)),
              check_result("TEST003", findings("TEST003", 44, Severity.HIGH)))
    lines = render(report(*checks))
    assert len(lines) < 60
    counts = [line.split()[:3] for line in lines if line.strip().split()[1:2] in (["high"], ["low"])]
    assert counts == [["44", "high", "TEST003"], ["1850", "low", "CODE002"], ["46", "low", "SEC009"]]
    assert sum("problem" in line for line in lines) == 5  # the five worst, no more
    verbose = render(report(*checks), verbose=True)
    assert sum(line.strip().startswith("problem") for line in verbose) == 1850 + 46 + 44


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        ("pkg/short.py", "high     SEC001   pkg/short.py:1"),
        (LONG_PATH, "high     SEC001   …/stripe_webhooks/handlers/refund_events.py:1"),
        ("a/" + "x" * 70 + "/" + "y" * 70 + ".py", "y" * 70 + ".py:1"),
    ],
    ids=["fits whole", "leading folders give way", "a name longer than the line gets a line of its own"],
)
def test_a_path_is_never_folded_in_the_middle_of_a_name(path, shown):
    lines = render(report(check_result("SEC001", findings("SEC001", 1, Severity.HIGH, path))))
    assert shown in lines
    verbose = render(report(check_result("SEC001", findings("SEC001", 1, Severity.HIGH, path))), verbose=True)
    assert f"{path}:1" in "".join(verbose)  # verbose keeps it whole


def test_fit_path_drops_leading_folders_first():
    assert fit_path(f"{LONG_PATH}:7", 40) == "…/handlers/refund_events.py:7"
    assert fit_path("a/b.py:1", 40) == "a/b.py:1"


def test_split_path_breaks_only_after_a_slash():
    assert split_path(LONG_PATH, 40) == ["services/billing/adapters/", "payment_providers/stripe_webhooks/",
                                         "handlers/refund_events.py"]
    assert split_path("a/" + "x" * 50, 40) == ["a/", "x" * 50]


def test_not_checked_bullets_keep_their_indent():
    unknown = tuple(check_result(f"RUN00{n}", (), Outcome.UNKNOWN, "tests not run; run with --run-tests") for n in range(1, 6))
    notes = (Note(message="CI script not followed: 1,063,352 bytes is over the 262,144-byte limit; not read",
                  path="saleor/graphql/schema.graphql"),)
    lines = render(report(*unknown, notes=notes))
    start = lines.index(next(line for line in lines if line.startswith("Not checked")))
    section = lines[start + 1:lines.index("", start)]
    assert section[0].startswith("  - Gate Tests pass")
    assert "  - RUN001, RUN002, RUN003, RUN004, RUN005: tests not run; run with --run-tests" in section
    assert all(line.startswith(("  - ", "    ")) for line in section)
    assert any(line.startswith("    ") and line.strip() for line in section)  # a wrapped bullet


def test_the_plan_shows_its_top_and_counts_the_rest():
    action = Action(priority=Priority.P0, title="pin 5 images", check_ids=("IMG001",), findings=(),
                    verify="gonogo check --select IMG001 .", owner="@team")
    lines = render(report(plan=(action,) * 9))
    assert lines.count("P0  pin 5 images (owner @team)") == 6
    assert "    ... and 3 more actions (--verbose, or report.md)" in lines


def test_check_prints_the_decision_on_its_last_line_after_the_reports_it_wrote(tmp_path):
    root = make_repo(tmp_path / "repo", {"a.py": "def f():\n    pass\n"})
    result = CliRunner().invoke(app, ["check", str(root), "--select", "CODE", "-f", "json", "-o", str(tmp_path / "o")],
                                env={"COLUMNS": "80"})
    lines = result.output.rstrip("\n").splitlines()
    assert lines[-2].startswith("wrote ") and lines[-1].split(" · ")[0] in ("GO", "CONDITIONAL GO", "NO GO")
    assert lines[0].startswith("╭─ gonogo")


def test_the_example_reads_in_one_screenful_of_decisions(tmp_path):
    import shutil
    from pathlib import Path

    target = tmp_path / "control-center"
    shutil.copytree(Path(__file__).parent.parent / "examples" / "control-center", target)
    result = CliRunner().invoke(app, ["check", str(target)], env={"COLUMNS": "80"})
    lines = result.output.rstrip("\n").splitlines()
    assert result.exit_code == 1
    assert "NO GO" in lines[1] and lines[-1].startswith("NO GO · ")
    assert len(lines) <= 110 and all(len(line) <= 80 for line in lines)  # 196 lines before, at 80 columns
    assert "tests.skipped.unconditional = 6 (needs == 0)" in result.output and "tests.files" not in result.output
    assert any(line.startswith("Findings by check") for line in lines)
