"""``report.md``: the readiness report the seeds wrote by hand, from evidence.

Written for the person who must say yes or no first (decision, why, what was not checked, gates,
scores), then for the engineer who fixes things (plan, findings with locations, verification).

Every piece of text that comes from the scanned tree or its config (paths, messages, names, notes,
table cells) goes through ``inline`` (escaped prose on one line) or ``code`` (a code span), so a
file name cannot add a heading, a link or a table column to the report or to the HTML made from it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime

from gonogo.model import Action, Area, Certification, CheckResult, Priority, Report, Table
from gonogo.reporters.order import finding_sort_key
from gonogo.reporters.summary import condition_text, not_checked, number, why
from gonogo.reporters.text import markdown_code as code
from gonogo.reporters.text import markdown_inline as inline
from gonogo.schedule import EFFORT_RULE, RULES

FINDINGS_PER_CHECK = 25
STATUS_MARK = {"pass": "PASS", "fail": "FAIL", "unknown": "UNKNOWN"}


def render(report: Report) -> str:
    return "\n".join(_lines(report)).rstrip() + "\n"


def _lines(report: Report) -> Iterator[str]:
    roots = ", ".join(inline(r.name) for r in report.roots)
    yield f"# Production readiness: {report.decision.label}"
    yield ""
    yield f"**Decision: {report.decision.label}** for {roots or 'the workspace'} (profile {code(report.profile)})."
    if report.valid_until is not None:
        yield f"Valid until {_when(report.valid_until)} (`gonogo status` says whether it still holds)."
    yield _headline(report)
    yield ""
    yield why(report, inline)
    yield ""
    yield from _not_checked(report)
    yield from _since(report)
    yield from _gates(report)
    yield from _scores(report)
    if report.certification is not None:
        yield from _maturity(report.certification)
        yield from _risks(report.certification)
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


def _when(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def _headline(report: Report) -> str:
    """Checks passed and, where known, the readiness score and the level held, in one line."""
    percent = report.checks_passed_percent
    line = f"{report.checks_passed} of {report.checks_ran} checks passed"
    if percent is not None:
        line += f" ({number(percent)}%)"
    cert = report.certification
    if cert is None:
        return line + "."
    line += f"; readiness score {number(cert.overall)}/100; maturity level {inline(cert.level or 'none')}"
    return line + "."


def _since(report: Report) -> Iterator[str]:
    since = report.since
    if since is None:
        return
    yield "## Since the last run"
    yield ""
    yield f"Compared with {inline(since.previous)} (decision then: {inline(since.decision_before)})."
    yield ""
    if not since.regressions and not since.improvements:
        yield "Nothing changed."
    yield from (f"- worse: {inline(line)}" for line in since.regressions)
    yield from (f"- better: {inline(line)}" for line in since.improvements)
    yield ""


def _scores(report: Report) -> Iterator[str]:
    yield "## Scores"
    yield ""
    cert = report.certification
    if cert is None:
        yield from _table(
            ("Area", "Score (0-100)"),
            ((area.label, number(report.scores.get(area))) for area in Area),
        )
    else:
        yield from _certified_scores(cert)
    yield from _table(
        ("Check", "Title", "Outcome", "Score", "Findings"),
        (
            (r.check_id, r.title, r.outcome.value, number(r.score), str(len(r.active_findings)))
            for r in report.checks
        ),
    )


def _certified_scores(cert: Certification) -> Iterator[str]:
    yield f"Overall readiness: **{number(cert.overall)}/100**. Formula: {inline(cert.formula)}."
    yield ""
    yield "An area's status comes from the gates that read a metric one of its checks publishes: BLOCKED"
    yield "when a blocking one fails; CONDITIONAL when one fails without blocking or is not measured, when"
    yield "none reads the area, or when its score is unknown; READY when all of them pass. Each area's"
    yield "score is the metric `score.AREA`, which gates can read (`score.security >= 95`)."
    yield ""
    yield from _table(
        ("Area", "Score (0-100)", "Weight", "Status", "Why"),
        (
            (a.area.label, number(a.score), number(dict(cert.weights).get(a.area)), a.status.value, a.reason)
            for a in cert.areas
        ),
    )


def _maturity(cert: Certification) -> Iterator[str]:
    yield "## Maturity level"
    yield ""
    upcoming = cert.next_level
    held = f"Held: **{inline(cert.level)}**." if cert.level else "Held: none (the first level is not reached)."
    if upcoming is None:
        yield f"{held} Every level is reached."
    else:
        missing = "; ".join(inline(m) for m in upcoming.missing)
        yield f"{held} To reach {inline(upcoming.name)}: {missing}."
    yield ""
    yield "A level is held when every gate of it and of the levels below passes."
    yield ""
    yield from _table(
        ("Level", "Gates it adds", "Held"),
        ((lv.name, ", ".join(lv.gates), "yes" if lv.held else "no") for lv in cert.levels),
    )


def _risks(cert: Certification) -> Iterator[str]:
    yield "## Risk register"
    yield ""
    if not cert.risks:
        yield "No risk found: every gate passed on evidence with current data."
        yield ""
        return
    yield from _table(
        ("Risk", "Likelihood", "Impact", "Evidence"),
        ((r.title, r.likelihood, r.impact, r.evidence) for r in cert.risks),
    )


def _plan(report: Report) -> Iterator[str]:
    yield "## Remediation plan"
    yield ""
    if not report.plan:
        yield "Nothing to do."
        yield ""
        return
    yield from _schedule(report.plan)
    for priority in Priority:
        actions = [a for a in report.plan if a.priority is priority]
        if not actions:
            continue
        yield f"### {priority.value}"
        yield ""
        for action in actions:
            yield f"- **{inline(action.title)}** — {_action_facts(action)}"
        yield ""


def _schedule(plan: tuple[Action, ...]) -> Iterator[str]:
    waves = sorted({a.wave for a in plan})
    counts = ", ".join(f"wave {w}: {sum(a.wave == w for a in plan)}" for w in waves)
    blocking = sum(a.blocks_go for a in plan)
    yield f"{len(plan)} actions ({counts}); {blocking} block GO. Rules: {EFFORT_RULE}; an action waits one wave"
    yield "after what it depends on: " + "; ".join(rule.kind for rule in RULES) + "."
    yield ""


def _action_facts(action: Action) -> str:
    parts = []
    if action.effort is not None:
        parts.append(f"effort {action.effort.value} ({inline(action.effort_rule)})")
    parts.append(f"wave {action.wave}" + (f" (after: {inline('; '.join(action.after))})" if action.after else ""))
    if action.blocks_go:
        parts.append("blocks GO")
    if action.owner:
        source = f" ({inline(action.owner_source)})" if action.owner_source else ""
        parts.append(f"owner {inline(action.owner)}{source}")
    parts.append(f"resolves {len(action.findings)}; verify: {code(action.verify)}")
    return "; ".join(parts)


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
    if report.scanned_at is not None:
        yield f"- scanned at {_when(report.scanned_at)}"
    for root in report.roots:
        yield f"- root {code(root.name)} at {_checkout(root.commit, root.branch, root.dirty)}"
    for name, version in sorted(report.data_versions.items()):
        yield f"- data: {inline(name)} {inline(version)}"
    if report.duration_seconds is not None:
        yield f"- scan took {report.duration_seconds:.2f} s"
    yield ""


def _checkout(commit: str | None, branch: str | None, dirty: bool | None) -> str:
    if commit is None:
        return "no commit (not a git checkout)"
    where = f"commit {code(commit)}" + (f" on branch {code(branch)}" if branch else " (detached HEAD)")
    if dirty:
        return where + ", with uncommitted changes (the report judged files no commit holds)"
    return where + (", no uncommitted change to tracked files" if dirty is False else "")


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

