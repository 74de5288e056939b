"""What pages and the API show, computed from stored runs (pure: runs in, plain data out).

A stored report was validated against the schema when it was uploaded, but runs recorded by an
older ``gonogo check`` or another writer may lack parts, so every read here tolerates a missing
key rather than failing the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from gonogo.history.provenance import Provenance
from gonogo.history.runs import DamagedRunError, StoredRun
from gonogo.history.validity import standing
from gonogo.model import Area
from gonogo.server.storage import RepositoryRow

DECISIONS = ("GO", "CONDITIONAL_GO", "NO_GO")
DECISION_CLASS = {"GO": "go", "CONDITIONAL_GO": "conditional", "NO_GO": "nogo"}
AREAS = tuple(area.value for area in Area)
SORTS = ("name", "decision", "scanned", *AREAS)
SHOWN_FINDINGS = 200
SEVERITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}


@dataclass(frozen=True, slots=True, kw_only=True)
class Latest:
    """One repository's line on the dashboard: its newest run at a glance."""

    repository: RepositoryRow
    run_id: int
    decision: str
    profile: str
    scanned_at: datetime
    commit: str | None
    branch: str | None
    failing_gates: tuple[str, ...]
    scores: dict[str, float | None]
    stale: tuple[str, ...]
    """Why the decision no longer holds (expired, old advisory data); empty while it holds."""


@dataclass(frozen=True, slots=True, kw_only=True)
class GateTimeline:
    name: str
    statuses: tuple[str | None, ...]
    """One status per run, oldest first; ``None`` when the run had no such gate."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Timeline:
    runs: tuple[StoredRun, ...]
    """Oldest first."""
    gates: tuple[GateTimeline, ...] = field(default=())


def stale_reasons(run: StoredRun, now: datetime) -> tuple[str, ...]:
    """Why a stored decision no longer holds. The server cannot see the working tree, so only
    what the run itself says counts: its validity date and the age of its advisory data."""
    try:
        return standing(run, now, Provenance(identity=run.identity, name=run.name)).reasons
    except DamagedRunError as exc:
        return (f"its stored report is damaged ({exc})",)


def latest(repository: RepositoryRow, run: StoredRun, now: datetime) -> Latest:
    report = run.readable_report  # a damaged latest run shows its row, not an error on every project
    scores = report.get("scores") or {}
    return Latest(
        repository=repository,
        run_id=run.id,
        decision=run.decision,
        profile=run.profile,
        scanned_at=run.scanned_at,
        commit=run.commit,
        branch=run.branch,
        failing_gates=failing_gates(report),
        scores={area: _number(scores.get(area)) for area in AREAS},
        stale=stale_reasons(run, now),
    )


def failing_gates(report: dict[str, Any]) -> tuple[str, ...]:
    return tuple(str(g.get("name")) for g in _dicts(report.get("gates")) if g.get("status") == "fail")


def dashboard(rows: Sequence[Latest], query: str, decision: str, sort: str, descending: bool) -> list[Latest]:
    """Filter by words (name, identity, project, failing gate) and decision, then sort; unknown
    scores sort last either way."""
    words = query.lower().split()
    chosen = [
        row
        for row in rows
        if (not decision or row.decision == decision) and all(w in _haystack(row) for w in words)
    ]
    key = sort if sort in SORTS else "name"
    known = [row for row in chosen if _sort_value(row, key) is not None]
    unknown = [row for row in chosen if _sort_value(row, key) is None]
    known.sort(key=lambda row: (_sort_value(row, key), row.repository.name.lower()), reverse=descending)
    unknown.sort(key=lambda row: row.repository.name.lower())
    return known + unknown


def _haystack(row: Latest) -> str:
    parts = [row.repository.name, row.repository.identity, row.repository.project or "", *row.failing_gates]
    return " ".join(parts).lower()


def _sort_value(row: Latest, key: str) -> Any:
    match key:
        case "name":
            return row.repository.name.lower()
        case "decision":
            return DECISIONS.index(row.decision) if row.decision in DECISIONS else len(DECISIONS)
        case "scanned":
            return row.scanned_at
        case _:
            return row.scores.get(key)


def timeline(runs_newest_first: Sequence[StoredRun]) -> Timeline:
    runs = tuple(reversed(runs_newest_first))
    names: list[str] = []
    for run in runs:
        for gate in _dicts(run.readable_report.get("gates")):
            if str(gate.get("name")) not in names:
                names.append(str(gate.get("name")))
    gates = tuple(
        GateTimeline(name=name, statuses=tuple(_gate_status(run.readable_report, name) for run in runs))
        for name in names
    )
    return Timeline(runs=runs, gates=gates)


def _gate_status(report: dict[str, Any], name: str) -> str | None:
    for gate in _dicts(report.get("gates")):
        if str(gate.get("name")) == name:
            return str(gate.get("status"))
    return None


def gates(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Gates failing first, then unknown, then passing, each with its failing conditions as text."""
    order = {"fail": 0, "unknown": 1, "pass": 2}
    shown: list[dict[str, Any]] = []
    for gate in _dicts(report.get("gates")):
        failing = [c for c in _dicts(gate.get("conditions")) if c.get("status") != "pass"]
        shown.append({
            "name": str(gate.get("name", "")),
            "status": str(gate.get("status", "unknown")),
            "blocking": bool(gate.get("blocking")),
            "failing": [_condition(c) for c in failing],
            "passing": len(_dicts(gate.get("conditions"))) - len(failing),
            # how to measure it matters only while it is unmeasured, as in the HTML report
            "how_to_check": str(gate.get("how_to_check") or "") if gate.get("status") == "unknown" else "",
        })
    shown.sort(key=lambda g: (order.get(g["status"], 3), not g["blocking"], g["name"]))
    return shown


def _condition(condition: dict[str, Any]) -> str:
    measured = condition.get("measured")
    return (
        f"{condition.get('metric')} {condition.get('operator')} {condition.get('threshold')}: "
        f"measured {'unknown' if measured is None else measured}"
    )


def findings(report: dict[str, Any], limit: int = SHOWN_FINDINGS) -> tuple[list[dict[str, Any]], int]:
    """The worst findings first, at most ``limit``, and how many there are in all."""
    every = _dicts(report.get("findings"))
    ordered = sorted(
        every,
        key=lambda f: (
            bool(f.get("waived")) or bool(f.get("suppressed")),
            SEVERITY_RANK.get(str(f.get("severity")), 9),
            str(f.get("check_id")),
            str(f.get("path") or ""),
            f.get("line") if isinstance(f.get("line"), int) else 0,
        ),
    )
    return [_finding(f) for f in ordered[:limit]], len(every)


def _finding(entry: dict[str, Any]) -> dict[str, Any]:
    """Every key the page reads, present (a stored report may omit the optional ones)."""
    waiver = entry["waiver"] if isinstance(entry.get("waiver"), dict) else {}
    line = entry.get("line")
    return {
        "check_id": str(entry.get("check_id", "")),
        "severity": str(entry.get("severity", "info")),
        "message": str(entry.get("message", "")),
        "path": str(entry.get("path") or ""),
        "line": line if isinstance(line, int) else None,
        "evidence": str(entry.get("evidence") or ""),
        "waived": bool(entry.get("waived")),
        "waiver_reason": str(waiver.get("reason") or ""),
        "suppressed": str(entry.get("suppressed") or ""),
    }


def plan(report: dict[str, Any]) -> list[dict[str, Any]]:
    actions = sorted(_dicts(report.get("plan")), key=lambda a: str(a.get("priority")))
    return [
        {
            "priority": str(a.get("priority", "")),
            "title": str(a.get("title", "")),
            "owner": str(a.get("owner") or ""),
            "check_ids": [str(c) for c in a.get("check_ids", []) if isinstance(c, str)]
            if isinstance(a.get("check_ids"), list) else [],
            "verify": str(a.get("verify") or ""),
        }
        for a in actions
    ]


def _dicts(value: object) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
