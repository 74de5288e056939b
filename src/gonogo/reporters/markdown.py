"""``report.md``: the readiness report the seeds wrote by hand, from evidence.

Written for the person who must say yes or no first (decision, why, what was not checked, gates,
scores), then for the engineer who fixes things (plan, findings with locations, verification).

Every piece of text that comes from the scanned tree or its config (paths, messages, names, notes,
table cells) goes through ``inline`` (escaped prose on one line) or ``code`` (a code span), so a
file name cannot add a heading, a link or a table column to the report or to the HTML made from it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from gonogo.model import Area, CheckResult, Priority, Report, Table
from gonogo.reporters.order import finding_sort_key
from gonogo.reporters.summary import condition_text, not_checked, number, why
from gonogo.reporters.text import markdown_code as code
from gonogo.reporters.text import markdown_inline as inline

FINDINGS_PER_CHECK = 25
STATUS_MARK = {"pass": "PASS", "fail": "FAIL", "unknown": "UNKNOWN"}


def render(report: Report) -> str:
    return "\n".join(_lines(report)).rstrip() + "\n"


def _lines(report: Report) -> Iterator[str]:
    roots = ", ".join(inline(r.name) for r in report.roots)
    yield f"# Production readiness: {report.decision.label}"
    yield ""
    yield f"**Decision: {report.decision.label}** for {roots or 'the workspace'} (profile {code(report.profile)})."
    yield f"{report.checks_passed} of {report.checks_ran} checks passed."
    yield ""
    yield why(report, inline)
    yield ""
    yield from _not_checked(report)
    yield from _gates(report)
    yield from _scores(report)
    yield from _plan(report)
    yield from _findings(report)
    yield from _checklist(report)
    yield from _evidence(report)


def _not_checked(report: Report) -> Iterator[str]:
    items = list(not_checked(report, inline, code))
    yield "## Not checked"
    yield ""
    if not items:
        yield "Everything the gates need was measured."
    yield from (f"- {item}" for item in items)
    yield ""


def _gates(report: Report) -> Iterator[str]:
    yield "## Gates"
    yield ""
    yield from _table(
        ("Gate", "Blocking", "Status", "Measured"),
        (
            (
                g.gate.name,
                "yes" if g.gate.blocking else "no",
                STATUS_MARK[g.status.value],
                "; ".join(condition_text(c) for c in g.conditions),
            )
            for g in report.gates
        ),
    )


def _scores(report: Report) -> Iterator[str]:
    yield "## Scores"
    yield ""
    yield from _table(
        ("Area", "Score (0-100)"),
        ((area.label, number(report.scores.get(area))) for area in Area),
    )
    yield from _table(
        ("Check", "Title", "Outcome", "Score", "Findings"),
        (
            (r.check_id, r.title, r.outcome.value, number(r.score), str(len(r.active_findings)))
            for r in report.checks
        ),
    )


def _plan(report: Report) -> Iterator[str]:
    yield "## Remediation plan"
    yield ""
    if not report.plan:
        yield "Nothing to do."
        yield ""
        return
    for priority in Priority:
        actions = [a for a in report.plan if a.priority is priority]
        if not actions:
            continue
        yield f"### {priority.value}"
        yield ""
        for action in actions:
            owner = f" (owner: {inline(action.owner)})" if action.owner else ""
            resolves = f"resolves {len(action.findings)}; verify: {code(action.verify)}"
            yield f"- **{inline(action.title)}**{owner} — {resolves}"
        yield ""


def _findings(report: Report) -> Iterator[str]:
    yield "## Findings"
    yield ""
    failing = [r for r in report.checks if r.findings or r.tables]
    failing.sort(key=lambda r: (min((f.severity.rank for f in r.findings), default=9), r.check_id))
    if not failing:
        yield "No findings."
        yield ""
    for result in failing:
        yield from _check_section(result)


def _check_section(result: CheckResult) -> Iterator[str]:
    active = len(result.active_findings)
    yield f"### {inline(result.check_id)} {inline(result.title)} ({result.outcome.value}, {active} active)"
    yield ""
    for table in result.tables:
        yield from _render_table(table)
    findings = sorted(result.findings, key=finding_sort_key)
    for finding in findings[:FINDINGS_PER_CHECK]:
        where = f"{code(str(finding.location))} " if finding.location else ""
        status = ""
        if finding.waived:
            status = f" _(waived: {inline(finding.waived.reason)})_"
        elif finding.suppressed:
            status = f" _(suppressed: {inline(finding.suppressed)})_"
        yield f"- [{finding.severity.value}] {where}{inline(finding.message)}{status}"
    if len(findings) > FINDINGS_PER_CHECK:
        yield f"- ... and {len(findings) - FINDINGS_PER_CHECK} more (see report.json)"
    yield ""


def _checklist(report: Report) -> Iterator[str]:
    commands = sorted({a.verify for a in report.plan})
    yield "## Verification checklist"
    yield ""
    if not commands:
        yield "- [x] nothing to verify"
    yield from (f"- [ ] {code(command)}" for command in commands)
    yield ""


def _evidence(report: Report) -> Iterator[str]:
    yield "## Evidence"
    yield ""
    yield f"- gonogo {inline(report.tool_version)}, profile {code(report.profile)}"
    for root in report.roots:
        yield f"- root {code(root.name)} at commit {code(root.commit or 'not a git checkout')}"
    for name, version in sorted(report.data_versions.items()):
        yield f"- data: {inline(name)} {inline(version)}"
    if report.duration_seconds is not None:
        yield f"- scan took {report.duration_seconds:.2f} s"
    yield ""


def _render_table(table: Table) -> Iterator[str]:
    yield f"**{inline(table.title)}**"
    yield ""
    yield from _table(table.columns, table.rows)


def _table(columns: Iterable[str], rows: Iterable[Iterable[str]]) -> Iterator[str]:
    """A table of plain-text cells: each is escaped here, so callers pass raw text."""
    header = list(columns)
    yield "| " + " | ".join(inline(cell) for cell in header) + " |"
    yield "|" + "|".join("---" for _ in header) + "|"
    for row in rows:
        yield "| " + " | ".join(inline(cell) for cell in row) + " |"
    yield ""

