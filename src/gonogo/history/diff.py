"""What changed between two runs: findings new, fixed and changed (matched by fingerprint, not
by line), gates that flipped, metric deltas, and each area score change with the checks that
moved it. Works on JSON reports, so a run from the history and a report.json file compare alike.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from gonogo.history.fingerprints import fingerprint_of

SEVERITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}


@dataclass(frozen=True, slots=True, kw_only=True)
class Snapshot:
    label: str
    """``run 12 (3f2a9c1, 2026-11-29)`` or a file name."""
    report: dict[str, Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class FindingChange:
    check_id: str
    severity: str
    message: str
    path: str | None
    line: int | None
    was: str | None = None
    """For a changed finding: what differed before (``severity high``, ``waived``)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Change:
    name: str
    before: Any
    after: Any


@dataclass(frozen=True, slots=True, kw_only=True)
class ScoreChange:
    area: str
    before: float | None
    after: float | None
    moved_by: tuple[str, ...]
    """``TEST001 pass -> fail (0 -> 3 active)`` for each check of the area that changed."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Diff:
    before: Snapshot
    after: Snapshot
    decision: Change
    new: tuple[FindingChange, ...]
    fixed: tuple[FindingChange, ...]
    changed: tuple[FindingChange, ...]
    gates: tuple[Change, ...]
    metrics: tuple[Change, ...]
    scores: tuple[ScoreChange, ...]

    @property
    def regressed(self) -> bool:
        """Worse on any count a reader acts on: a decision or gate that got worse, or a new finding."""
        return bool(self.new) or any(g.after == "fail" for g in self.gates) or (
            _DECISION_RANK.get(str(self.decision.after).lower(), 0)
            < _DECISION_RANK.get(str(self.decision.before).lower(), 0)
        )


_DECISION_RANK = {"no_go": 0, "conditional_go": 1, "go": 2}


def compare(before: Snapshot, after: Snapshot) -> Diff:
    new, fixed, changed = _findings(before.report.get("findings", []), after.report.get("findings", []))
    return Diff(
        before=before,
        after=after,
        decision=Change(name="decision", before=before.report.get("decision"), after=after.report.get("decision")),
        new=new,
        fixed=fixed,
        changed=changed,
        gates=_gates(before.report, after.report),
        metrics=_metrics(before.report, after.report),
        scores=_scores(before.report, after.report),
    )


def _findings(
    old: list[dict[str, Any]], new: list[dict[str, Any]]
) -> tuple[tuple[FindingChange, ...], tuple[FindingChange, ...], tuple[FindingChange, ...]]:
    by_print: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for entry in old:
        by_print[fingerprint_of(entry)].append(entry)
    added, changed = [], []
    for entry in new:
        matches = by_print.get(fingerprint_of(entry))
        if not matches:
            added.append(_change(entry))
            continue
        previous = matches.pop(0)
        differs = None if previous == entry else _difference(previous, entry)
        if differs:
            changed.append(_change(entry, was=differs))
    removed = [_change(entry) for entries in by_print.values() for entry in entries]
    return _ordered(added), _ordered(removed), _ordered(changed)


def _difference(before: dict[str, Any], after: dict[str, Any]) -> str | None:
    parts = []
    if before.get("severity") != after.get("severity"):
        parts.append(f"severity {before.get('severity')}")
    if bool(before.get("waived")) != bool(after.get("waived")):
        parts.append("waived" if before.get("waived") else "not waived")
    if _masked(before.get("message")) != _masked(after.get("message")):
        parts.append(f"message {before.get('message')!r}")
    return "; ".join(parts) or None


def _masked(message: object) -> str:
    """A message with its numbers masked: "found in 6 files" is the same finding as "in 5"."""
    return re.sub(r"\d+", "#", str(message))


def _change(entry: dict[str, Any], was: str | None = None) -> FindingChange:
    line = entry.get("line")
    return FindingChange(
        check_id=str(entry.get("check_id", "")),
        severity=str(entry.get("severity", "")),
        message=str(entry.get("message", "")),
        path=entry.get("path") if isinstance(entry.get("path"), str) else None,
        line=line if isinstance(line, int) else None,
        was=was,
    )


def _ordered(changes: list[FindingChange]) -> tuple[FindingChange, ...]:
    return tuple(
        sorted(changes, key=lambda c: (SEVERITY_RANK.get(c.severity, 9), c.check_id, c.path or "", c.line or 0))
    )


def _gates(before: dict[str, Any], after: dict[str, Any]) -> tuple[Change, ...]:
    old = {g.get("name"): g.get("status") for g in before.get("gates", []) if isinstance(g, dict)}
    new = {g.get("name"): g.get("status") for g in after.get("gates", []) if isinstance(g, dict)}
    return tuple(
        Change(name=str(name), before=old.get(name), after=new.get(name))
        for name in sorted(set(old) | set(new), key=str)
        if old.get(name) != new.get(name)
    )


def _metrics(before: dict[str, Any], after: dict[str, Any]) -> tuple[Change, ...]:
    old, new = before.get("metrics", {}) or {}, after.get("metrics", {}) or {}
    return tuple(
        Change(name=name, before=old.get(name), after=new.get(name))
        for name in sorted(set(old) | set(new))
        if old.get(name) != new.get(name)
    )


def _scores(before: dict[str, Any], after: dict[str, Any]) -> tuple[ScoreChange, ...]:
    old, new = before.get("scores", {}) or {}, after.get("scores", {}) or {}
    old_checks = {c.get("id"): c for c in before.get("checks", []) if isinstance(c, dict)}
    changes = []
    for area in sorted(set(old) | set(new)):
        if old.get(area) == new.get(area):
            continue
        moved = []
        for check in after.get("checks", []):
            if not isinstance(check, dict) or check.get("area") != area:
                continue
            previous = old_checks.get(check.get("id"), {})
            if (previous.get("outcome"), previous.get("active_findings")) != (
                check.get("outcome"),
                check.get("active_findings"),
            ):
                moved.append(
                    f"{check.get('id')} {previous.get('outcome', 'absent')} -> {check.get('outcome')} "
                    f"({previous.get('active_findings', 0)} -> {check.get('active_findings', 0)} active)"
                )
        changes.append(ScoreChange(area=area, before=old.get(area), after=new.get(area), moved_by=tuple(moved)))
    return tuple(changes)
