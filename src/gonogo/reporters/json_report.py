"""``report.json``: the machine contract, validated against ``schema/report.schema.json``.

Deterministic: the same report gives the same bytes (sorted findings, no clock). The duration and
the seconds by stage are the figures that change between runs, so they live under ``evidence``
where diffs can ignore them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from gonogo.model import Action, Certification, CheckResult, Finding, GateResult, Report, SinceLastRun, Table
from gonogo.reporters import json_text
from gonogo.reporters.order import finding_sort_key

SCHEMA_VERSION = "1.0"


class _LastFindings:
    """The finding dictionaries of the last report turned into a dictionary, by its checks.

    One ``gonogo check`` turns the same findings into dictionaries three times: for "Since the
    last run", for report.json and for the history (12,000 findings on a large tree, 0.2 s each).
    ``dataclasses.replace`` keeps the ``checks`` tuple of a report it copies (the report with "Since
    the last run" added is one), so the tuple's identity names the findings. Every reader treats
    the dictionaries as read-only."""

    def __init__(self) -> None:
        # one tuple, replaced whole: a thread (the fleet's, the server's) never pairs one report's
        # checks with another's dictionaries
        self._last: tuple[tuple[CheckResult, ...], list[dict[str, Any]]] | None = None

    def of(self, report: Report) -> list[dict[str, Any]]:
        last = self._last
        if last is not None and last[0] is report.checks:
            return last[1]
        dicts = [finding_to_dict(f) for f in sorted(report.findings, key=finding_sort_key)]
        self._last = (report.checks, dicts)
        return dicts


_last_findings = _LastFindings()


def report_to_dict(report: Report) -> dict[str, Any]:
    findings = _last_findings.of(report)
    return {
        "schema_version": SCHEMA_VERSION,
        "decision": report.decision.value,
        "valid_until": _when(report.valid_until),
        "profile": report.profile,
        "summary": {
            "checks_ran": report.checks_ran,
            "checks_passed": report.checks_passed,
            "findings": len(findings),
            "active_findings": sum(f.active for f in report.findings),
        },
        "gates": [_gate(g) for g in report.gates],
        "metrics": dict(sorted(report.metrics.items())),
        "scores": {area.value: score for area, score in report.scores.items()},
        "checks": [_check(c) for c in report.checks],
        "findings": findings,
        "plan": [_action(a) for a in report.plan],
        **({"certification": _certification(report.certification, report)} if report.certification else {}),
        **({"since_last_run": _since(report.since)} if report.since else {}),
        "notes": [
            {"message": n.message, "path": n.path, "source": n.source}
            for n in sorted(report.notes, key=lambda n: (n.source, n.path or "", n.message))
        ],
        "evidence": {
            "tool": "gonogo",
            "tool_version": report.tool_version,
            "scanned_at": _when(report.scanned_at),
            "roots": [{"name": r.name, "commit": r.commit, "branch": r.branch, "dirty": r.dirty} for r in report.roots],
            "data": dict(sorted(report.data_versions.items())),
            "duration_seconds": report.duration_seconds,
            # only when measured: a report rebuilt without its clock stays byte-for-byte stable
            **({"timings": report.timings} if report.timings else {}),
        },
    }


def render(report: Report) -> str:
    return json_text.dumps(report_to_dict(report), len(report.findings))


def finding_to_dict(finding: Finding) -> dict[str, Any]:
    out: dict[str, Any] = {
        "check_id": finding.check_id,
        "severity": finding.severity.value,
        "message": finding.message,
        "path": finding.path,
        "line": finding.line,
        "evidence": finding.evidence,
        "waived": finding.waived is not None,
        "blocks": finding.blocks,
        "fingerprint": finding.fingerprint,
    }
    if finding.waived is not None:
        out["waiver"] = {
            "reason": finding.waived.reason,
            "until": finding.waived.until.isoformat() if finding.waived.until else None,
        }
    if finding.suppressed is not None:
        out["suppressed"] = finding.suppressed
    if finding.data:
        out["data"] = {key: _plain(value) for key, value in finding.data}
    return out


_SCALARS = frozenset((str, int, float, bool, type(None)))


def _plain(value: Any) -> Any:
    # by exact type first: a report holds tens of thousands of these, nearly all plain strings
    if type(value) in _SCALARS or isinstance(value, str | int | float):
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return str(value)


def _gate(result: GateResult) -> dict[str, Any]:
    return {
        "name": result.gate.name,
        "status": result.status.value,
        "blocking": result.gate.blocking,
        "conditions": [
            {
                "metric": c.condition.metric,
                "operator": c.condition.operator.value,
                "threshold": c.condition.threshold,
                "measured": c.measured,
                "status": c.status.value,
            }
            for c in result.conditions
        ],
        "how_to_check": result.gate.how_to_check or None,
    }


def _check(result: CheckResult) -> dict[str, Any]:
    return {
        "id": result.check_id,
        "title": result.title,
        "category": result.category.name.lower(),
        "area": result.category.area.value,
        "severity": result.severity.value,
        "outcome": result.outcome.value,
        "score": result.score,
        "reason": result.reason,
        "findings": len(result.findings),
        "active_findings": len(result.active_findings),
        "tables": [_table(t) for t in result.tables],
    }


def _table(table: Table) -> dict[str, Any]:
    return {"title": table.title, "columns": list(table.columns), "rows": [list(r) for r in table.rows]}


def _action(action: Action) -> dict[str, Any]:
    return {
        "priority": action.priority.value,
        "title": action.title,
        "check_ids": list(action.check_ids),
        "findings": len(action.findings),
        "locations": sorted({str(f.location) for f in action.findings if f.location})[:50],
        "verify": action.verify,
        "owner": action.owner,
        "owner_source": action.owner_source,
        "effort": action.effort.value if action.effort else None,
        "effort_rule": action.effort_rule or None,
        "blocks_go": action.blocks_go,
        "wave": action.wave,
        "after": list(action.after),
    }


def _when(moment: datetime | None) -> str | None:
    """UTC, to the second, with a ``Z``: one spelling for every timestamp of the report."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def _certification(cert: Certification, report: Report) -> dict[str, Any]:
    next_level = cert.next_level
    return {
        "overall": cert.overall,
        "formula": cert.formula,
        "weights": {area.value: weight for area, weight in cert.weights},
        "checks_passed_percent": report.checks_passed_percent,
        "areas": [
            {"area": a.area.value, "score": a.score, "status": a.status.value, "gates": list(a.gates),
             "reason": a.reason}
            for a in cert.areas
        ],
        "level": cert.level,
        "next_level": next_level.name if next_level else None,
        "levels": [
            {"name": lv.name, "gates": list(lv.gates), "held": lv.held, "missing": list(lv.missing)}
            for lv in cert.levels
        ],
        "risks": [
            {"title": r.title, "likelihood": r.likelihood, "impact": r.impact, "evidence": r.evidence}
            for r in cert.risks
        ],
    }


def _since(since: SinceLastRun) -> dict[str, Any]:
    return {
        "previous": since.previous,
        "decision_before": since.decision_before,
        "regressions": list(since.regressions),
        "improvements": list(since.improvements),
        "trend": [
            {
                "when": point.when,
                "decision": point.decision,
                "overall": point.overall,
                "active_findings": point.active_findings,
                "scores": dict(point.scores),
            }
            for point in since.trend
        ],
    }
