""""Since the last run": the report's short account of what changed since the previous recorded
run of the same repository, regressions first. Computed by the CLI from the history before the
reports are written (``history.cli.with_since``); the diff itself is ``gonogo.history.diff``, so
``gonogo diff`` and this section can never disagree.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from gonogo.history.diff import Diff, FindingChange, Snapshot, compare
from gonogo.history.runs import StoredRun
from gonogo.model import SinceLastRun, TrendPoint

NAMED_FINDINGS = 5
"""New or fixed findings named one by one; the rest are counted."""

_GATE_RANK = {"fail": 0, "unknown": 1, "pass": 2}
_DECISION_RANK = {"NO_GO": 0, "CONDITIONAL_GO": 1, "GO": 2}


def since_last_run(previous: Snapshot, current: dict[str, Any]) -> SinceLastRun:
    diff = compare(previous, Snapshot(label="this run", report=current))
    worse, better = _split(diff)
    return SinceLastRun(
        previous=previous.label,
        decision_before=str(previous.report.get("decision", "")),
        regressions=tuple(worse),
        improvements=tuple(better),
    )


def _split(diff: Diff) -> tuple[list[str], list[str]]:
    worse: list[str] = []
    better: list[str] = []
    before, after = str(diff.decision.before), str(diff.decision.after)
    if before != after:
        moved = f"decision {before} -> {after}"
        (better if _DECISION_RANK.get(after, 0) > _DECISION_RANK.get(before, 0) else worse).append(moved)
    for gate in diff.gates:
        moved = f"gate {gate.name}: {gate.before or 'absent'} -> {gate.after or 'absent'}"
        up = _GATE_RANK.get(str(gate.after), 1) > _GATE_RANK.get(str(gate.before), 1)
        (better if up else worse).append(moved)
    for score in diff.scores:
        why = f" ({'; '.join(score.moved_by)})" if score.moved_by else ""
        moved = f"score {score.area}: {_num(score.before)} -> {_num(score.after)}{why}"
        up = (score.after or 0) > (score.before or 0)
        (better if up else worse).append(moved)
    worse.extend(_named("new", diff.new))
    better.extend(_named("fixed", diff.fixed))
    return worse, better


def _named(word: str, changes: Sequence[FindingChange]) -> Iterator[str]:
    for change in changes[:NAMED_FINDINGS]:
        where = f" at {change.path}" + (f":{change.line}" if change.line else "") if change.path else ""
        yield f"{word} {change.severity} {change.check_id}: {change.message}{where}"
    if len(changes) > NAMED_FINDINGS:
        yield f"... and {len(changes) - NAMED_FINDINGS} more {word} findings (gonogo diff lists them)"


def _num(value: float | None) -> str:
    return "unknown" if value is None else f"{value:g}"


def trend_point(run: StoredRun) -> TrendPoint:
    """A stored run as one point of the trend charts, read from its summary (``StoredRun.summary``)."""
    summary = run.summary
    overall = summary.get("overall")
    active = summary.get("active_findings")
    scores = summary.get("scores")
    return TrendPoint(
        when=f"{run.scanned_at:%Y-%m-%d %H:%M}",
        decision=str(run.decision),
        overall=float(overall) if isinstance(overall, int | float) else None,
        active_findings=active if isinstance(active, int) else None,
        scores=tuple(
            (str(area), float(value) if isinstance(value, int | float) else None)
            for area, value in sorted(scores.items())
        )
        if isinstance(scores, dict)
        else (),
    )
