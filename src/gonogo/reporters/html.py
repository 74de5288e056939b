"""``report.html``: one self-contained page a team lead can open from a CI artifact and share.

The decision as a banner, gates as badges with their failing conditions, charts of the scores and
the findings, the plan with copy buttons, and every finding, filterable and searched as you type.

Safe on hostile text: the page is rendered by Jinja2 with autoescape on, and findings travel as a
JSON data block (``tojson`` escapes ``<``, ``>``, ``&`` and quotes) that the script turns into rows
with ``textContent`` only. A Content-Security-Policy allows the one script and the one style by
their hashes and nothing else (no network, no inline handler), so even text that slipped through
could not run. Everything is inline: it works offline, and nothing is fetched from anywhere.

Fast on large reports: findings are grouped per check and a group renders its rows only when
opened, a hundred at a time; filtering works on the data, not the DOM.
"""

from __future__ import annotations

import base64
import hashlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import quote

import jinja2
from markupsafe import Markup

from gonogo.model import Area, Decision, Finding, GateResult, GateStatus, Priority, Report, Severity, TrendPoint
from gonogo.reporters.order import finding_sort_key
from gonogo.reporters.summary import condition_text, not_checked, number, why
from gonogo.suppressions import BASELINE_REASON

DECISION_CLASS = {Decision.GO: "go", Decision.CONDITIONAL_GO: "conditional", Decision.NO_GO: "nogo"}
OPEN_GROUPS_UP_TO = 300
"""With at most this many findings every check's group starts open; above it they start closed,
so a report of thousands of findings draws a page of headings, not thousands of rows."""
CHART_CHECKS = 12


@dataclass(frozen=True, slots=True, kw_only=True)
class Bar:
    """One bar of an inline SVG chart: its label, the value shown, and its length in 0..1."""

    label: str
    value: str
    fraction: float
    tone: str


AREA_CLASS = {"READY": "pass", "BLOCKED": "fail", "CONDITIONAL": "unknown"}
"""An area's status drawn with the gate badges' colours."""


def render(report: Report) -> str:
    css, js = _asset("report.css"), _asset("report.js")
    page = _templates().get_template("report.html.j2").render(
        report=report,
        decision_class=DECISION_CLASS[report.decision],
        why=why(report),
        gates=[_gate(g) for g in sorted(report.gates, key=_gate_order)],
        score_bars=list(_score_bars(report)),
        severity_bars=list(_severity_bars(report)),
        check_bars=list(_check_bars(report)),
        plan=[(p.value, [a for a in report.plan if a.priority is p]) for p in Priority],
        not_checked=[line.replace("**", "") for line in not_checked(report)],
        groups=_groups(report),
        findings=_findings(report),
        severities=[(s.value, sum(1 for f in report.findings if f.severity is s)) for s in Severity],
        statuses=sorted(Counter(_status(f) for f in report.findings).items()),
        open_groups=len(report.findings) <= OPEN_GROUPS_UP_TO,
        cert=report.certification,
        trend=_trend(report),
        area_class=AREA_CLASS,
        css=Markup(css),  # our own shipped files, never text from the scanned tree
        js=Markup(js),
        csp=f"default-src 'none'; script-src '{_sha256(js)}'; style-src '{_sha256(css)}'; "
        "img-src data:; base-uri 'none'; form-action 'none'",
    )
    return page.rstrip() + "\n"


@cache
def _templates() -> jinja2.Environment:
    """Autoescape on for every template: almost every value on the page comes from the scanned tree."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("gonogo.reporters", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,  # a misspelt field fails the render rather than printing nothing
        trim_blocks=True,
        lstrip_blocks=True,
    )


@cache
def _asset(name: str) -> str:
    return resources.files("gonogo.reporters").joinpath("templates", name).read_text(encoding="utf-8")


def _sha256(text: str) -> str:
    """A CSP source for an inline block: the hash of its exact text, so only that block runs."""
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def _gate_order(gate: GateResult) -> tuple[int, int]:
    """What stops the release first: failing, then unmeasured blocking gates; passing gates last."""
    status = {GateStatus.FAIL: 0, GateStatus.UNKNOWN: 1, GateStatus.PASS: 2}[gate.status]
    return (status if status == 2 else status + (0 if gate.gate.blocking else 2), 0)


def _gate(gate: GateResult) -> dict[str, Any]:
    failing = [c for c in gate.conditions if c.status is not GateStatus.PASS]
    return {
        "name": gate.gate.name,
        "blocking": gate.gate.blocking,
        "status": gate.status.value,
        "failing": [condition_text(c) for c in failing],
        "passing": len(gate.conditions) - len(failing),
        "how_to_check": gate.gate.how_to_check if gate.status is GateStatus.UNKNOWN else "",
    }


def _tone(score: float | None) -> str:
    if score is None:
        return "unknown"
    return "good" if score >= 80 else "fair" if score >= 50 else "poor"


def _score_bars(report: Report) -> Iterator[Bar]:
    for area in Area:
        score = report.scores.get(area)
        yield Bar(label=area.label, value=number(score), fraction=(score or 0) / 100, tone=_tone(score))


def _severity_bars(report: Report) -> Iterator[Bar]:
    counts = Counter(f.severity for f in report.findings if f.active)
    most = max(counts.values(), default=0) or 1
    for severity in Severity:
        yield Bar(label=severity.value, value=str(counts[severity]), fraction=counts[severity] / most,
                  tone=severity.value)


def _check_bars(report: Report) -> Iterator[Bar]:
    worst = {r.check_id: r.severity.value for r in report.checks}
    counts = Counter(f.check_id for f in report.findings if f.active).most_common(CHART_CHECKS)
    most = counts[0][1] if counts else 1
    for check_id, count in counts:
        yield Bar(label=check_id, value=str(count), fraction=count / most, tone=worst.get(check_id, "info"))


def _groups(report: Report) -> list[dict[str, Any]]:
    """One collapsible section per check that has findings or a table, worst first."""
    results = [r for r in report.checks if r.findings or r.tables]
    results.sort(key=lambda r: (min((f.severity.rank for f in r.findings), default=9), r.check_id))
    return [
        {
            "id": r.check_id,
            "title": r.title,
            "outcome": r.outcome.value,
            # a check shown only for its table has no finding to rate: its badge is its outcome
            "severity": min((f.severity for f in r.findings), key=lambda s: s.rank).value if r.findings
            else r.outcome.value,
            "total": len(r.findings),
            "active": len(r.active_findings),
            "tables": r.tables,
        }
        for r in results
    ]


def _status(finding: Finding) -> str:
    if finding.waived is not None:
        return "waived"
    if finding.suppressed == BASELINE_REASON:
        return "baselined"
    return "suppressed" if finding.suppressed else "active"


def _findings(report: Report) -> list[dict[str, Any]]:
    """The rows the page's script draws, in the report's order (worst first, then path and line).
    Short keys: a report of thousands of findings stays a page, not a download."""
    links = _linker(report)
    rows = []
    for f in sorted(report.findings, key=finding_sort_key):
        reason = f.waived.reason if f.waived else f.suppressed or ""
        rows.append({
            "c": f.check_id, "s": f.severity.value, "m": f.message, "w": str(f.location or ""),
            "u": links(f), "t": _status(f), "r": reason, "e": f.evidence or "", "b": f.blocks,
        })
    return rows


def _linker(report: Report) -> Callable[[Finding], str]:
    """file:line -> the file's page on its forge at the scanned commit, or "" when the remote is
    unknown (the page then shows the relative path alone). With several roots a path starts with
    its root's folder name, which the forge address already names."""
    several = len(report.roots) > 1
    bases = [(f"{r.name}/" if several else "", r.web) for r in report.roots if r.web]

    def link(finding: Finding) -> str:
        if finding.location is None:
            return ""
        for prefix, base in bases:
            if finding.location.path.startswith(prefix):
                anchor = f"#L{finding.location.line}" if finding.location.line else ""
                return f"{base}{quote(finding.location.path[len(prefix):])}{anchor}"
        return ""

    return link


TREND_WIDTH, TREND_HEIGHT, TREND_PAD = 600, 120, 10


@dataclass(frozen=True, slots=True, kw_only=True)
class TrendChart:
    """The trend of earlier runs and this one, as SVG coordinates: the overall score (0-100) and
    active findings (scaled to the largest count) as lines, and the decision of each run as a dot."""

    overall: str
    findings: str
    dots: tuple[tuple[float, float, str, str], ...]
    """(x, y, css class, title) per run."""
    most_findings: int


def _trend(report: Report) -> TrendChart | None:
    since = report.since
    if since is None or not since.trend:
        return None
    cert = report.certification
    points = [*since.trend, TrendPoint(
        when="this run", decision=report.decision.value,
        overall=cert.overall if cert else None, active_findings=sum(f.active for f in report.findings),
    )]
    step = (TREND_WIDTH - 2 * TREND_PAD) / max(1, len(points) - 1)
    most = max((p.active_findings or 0 for p in points), default=0) or 1

    def y(value: float, top: float) -> float:
        return round(TREND_HEIGHT - TREND_PAD - value / top * (TREND_HEIGHT - 2 * TREND_PAD), 1)

    xs = [round(TREND_PAD + i * step, 1) for i in range(len(points))]
    overall = " ".join(f"{x},{y(p.overall, 100)}" for x, p in zip(xs, points, strict=True) if p.overall is not None)
    findings = " ".join(
        f"{x},{y(p.active_findings, most)}" for x, p in zip(xs, points, strict=True) if p.active_findings is not None
    )
    dots = tuple(
        (x, y(p.overall if p.overall is not None else 50, 100), _DECISION_DOT.get(p.decision.upper(), "unknown"),
         f"{p.when}: {p.decision.replace('_', ' ')}, overall {'unknown' if p.overall is None else p.overall}, "
         f"{p.active_findings} active findings")
        for x, p in zip(xs, points, strict=True)
    )
    return TrendChart(overall=overall, findings=findings, dots=dots, most_findings=most)


_DECISION_DOT = {"GO": "pass", "CONDITIONAL_GO": "unknown", "NO_GO": "fail"}
