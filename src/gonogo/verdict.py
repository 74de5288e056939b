"""Gates, area scores and the decision, from metrics and check results.

A condition whose metric was not measured is ``unknown``; an unknown blocking gate keeps the
decision from being GO, so a check that did not run can never be mistaken for one that passed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from gonogo.model import (
    Area,
    CheckResult,
    ConditionResult,
    Decision,
    Finding,
    Gate,
    GateResult,
    GateStatus,
    Outcome,
)


def evaluate_gate(gate: Gate, metrics: Mapping[str, float | None]) -> GateResult:
    results = []
    for condition in gate.conditions:
        measured = metrics.get(condition.metric)
        if measured is None:
            status = GateStatus.UNKNOWN
        elif condition.operator.holds(measured, condition.threshold):
            status = GateStatus.PASS
        else:
            status = GateStatus.FAIL
        results.append(ConditionResult(condition=condition, measured=measured, status=status))
    statuses = {r.status for r in results}
    if GateStatus.FAIL in statuses:
        overall = GateStatus.FAIL
    elif GateStatus.UNKNOWN in statuses or not results:
        overall = GateStatus.UNKNOWN
    else:
        overall = GateStatus.PASS
    return GateResult(gate=gate, status=overall, conditions=tuple(results))


def decide(gates: Sequence[GateResult]) -> Decision:
    """NO-GO when a blocking gate fails; CONDITIONAL GO when a non-blocking gate fails or a blocking
    gate is unknown; GO only when every gate passes on evidence."""
    if any(g.gate.blocking and g.status is GateStatus.FAIL for g in gates):
        return Decision.NO_GO
    if any(g.status is not GateStatus.PASS for g in gates):
        return Decision.CONDITIONAL_GO
    return Decision.GO


CHECK_SCORE_MAX = 10.0


def check_score(severity_penalties: Iterable[Finding]) -> float:
    """10 with no active finding; each finding costs its severity's weight, floored at 0."""
    penalty = sum(f.severity.weight for f in severity_penalties if f.active)
    return round(max(0.0, CHECK_SCORE_MAX - penalty), 2)


def area_scores(results: Sequence[CheckResult]) -> dict[Area, float | None]:
    """Each area's checks averaged (weighted by the check's severity) onto 0-100; ``None`` when no
    check of the area produced a score, so an unscanned area never shows as 100."""
    totals: dict[Area, list[float]] = {area: [0.0, 0.0] for area in Area}
    for result in results:
        if result.score is None or result.outcome in (Outcome.NOT_APPLICABLE, Outcome.UNKNOWN):
            continue
        weight = result.severity.weight
        bucket = totals[result.category.area]
        bucket[0] += result.score * weight
        bucket[1] += weight
    return {
        area: (round(total / weight * 10, 1) if weight else None)
        for area, (total, weight) in totals.items()
    }
