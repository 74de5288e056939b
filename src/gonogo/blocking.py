"""Which findings stop the release: the ones whose resolution would change a metric of a failing
condition of a failing blocking gate.

The question is asked by counterfactual, not by family: a check's own metrics move with its
findings, and a tally's metrics move when recomputing the tally without those findings gives
another value. So an S101 ``assert`` (low) does not block although its family feeds the Security
gate, and a static skip does not block what a test run measured. The plan (P0) and the report's
``blocks`` flag on each finding both answer from here, so they can never disagree.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, Protocol

from gonogo.certification import OVERALL_METRIC, SCORE_PREFIX
from gonogo.evolve import replaced
from gonogo.model import CheckResult, Finding, GateResult, GateStatus, Outcome
from gonogo.registry import TallySpec, pooled_views
from gonogo.verdict import CHECK_SCORE_MAX as CEILING


class Moves(Protocol):
    """The metrics that would change if these findings of this check were resolved; with
    ``among``, only those of them (a tally none of whose metrics is among them is not recomputed)."""

    def __call__(
        self, result: CheckResult, findings: Sequence[Finding], among: set[str] | None = None
    ) -> set[str]: ...


def failing_blocking_metrics(gates: Sequence[GateResult]) -> set[str]:
    """The metrics of the failing conditions of failing blocking gates."""
    return {
        c.condition.metric
        for g in gates
        if g.gate.blocking and g.status is GateStatus.FAIL
        for c in g.conditions
        if c.status is GateStatus.FAIL
    }


def metrics_moved_by(tallies: Sequence[TallySpec], results: Sequence[CheckResult]) -> Moves:
    """A function telling which metrics resolving some findings of a check would change."""
    tallied = {m for spec in tallies for m in spec.metrics}
    sources = [[r for r in results if spec.feeds(r.check_id)] for spec in tallies]
    # a tally is computed only over checks that ran, as the engine does
    before = [spec.func(fed) if fed else {} for spec, fed in zip(tallies, sources, strict=True)]

    penalties: dict[int, float] = {}  # per result: its findings' penalty, summed once
    # (tally, result (none for a pooled tally), what the tally sees of the findings resolved)
    # -> the tally's metrics they move
    alike: dict[tuple[int, int | None, frozenset[tuple[Any, int]]], set[str]] = {}
    pools: dict[int, Counter[tuple[Any, ...]] | None] = {}  # per pooled tally: its views, or None if unknown

    def moves(result: CheckResult, findings: Sequence[Finding], among: set[str] | None = None) -> set[str]:
        penalty = penalties.get(id(result))
        if penalty is None:  # not setdefault: its argument would sum every finding on every call
            penalty = penalties[id(result)] = _penalty(result.findings)
        moved = ({name for name, _ in result.metrics} - tallied) | area_scores_moved(result, findings, penalty)
        for index, spec in enumerate(tallies):
            if not spec.feeds(result.check_id) or (among is not None and among.isdisjoint(spec.metrics)):
                continue
            views = [spec.view(finding) for finding in findings]
            if None in views:
                moved |= _tally_moved(spec, sources[index], before[index], result, findings)
                continue
            # the findings resolved matter to the tally only as the views they have, each so many times
            resolved = Counter(view for view in views if view is not None)  # none is, as tested above
            key = (index, None if spec.pooled else id(result), frozenset(resolved.items()))
            if key not in alike:
                alike[key] = (
                    _pool_moved(spec, pools, index, sources[index], before[index], resolved)
                    if spec.pooled is not None
                    else _tally_moved(spec, sources[index], before[index], result, findings)
                )
            moved |= alike[key]
        return moved

    return moves


def _pool_moved(
    spec: TallySpec,
    pools: dict[int, Counter[tuple[Any, ...]] | None],
    index: int,
    fed: Sequence[CheckResult],
    before: Mapping[str, float | None],
    resolved: Counter[tuple[Any, ...]],
) -> set[str]:
    """As :func:`_tally_moved`, for a pooled tally: its function of the views left once the
    resolved ones are taken from its checks' (``TallySpec.pooled``). A source that could not tell
    leaves every metric unknown, with or without these findings: nothing moves."""
    if index not in pools:
        unknown = any(r.outcome is Outcome.UNKNOWN for r in fed)
        pools[index] = None if unknown or spec.sees is None else pooled_views(fed, spec.sees)
    pool = pools[index]
    if pool is None or spec.pooled is None:
        return set()
    after = spec.pooled(pool - resolved)
    return {m for m in spec.metrics if before.get(m) != after.get(m)}


def _tally_moved(
    spec: TallySpec,
    fed: Sequence[CheckResult],
    before: Mapping[str, float | None],
    result: CheckResult,
    findings: Sequence[Finding],
) -> set[str]:
    """The tally's metrics that change when ``findings`` of ``result`` are resolved."""
    gone = {id(f) for f in findings}
    without = replace(result, findings=tuple(f for f in result.findings if id(f) not in gone))
    after = spec.func([without if r is result else r for r in fed])
    return {m for m in spec.metrics if before.get(m) != after.get(m)}


def area_scores_moved(result: CheckResult, findings: Sequence[Finding], penalty: float | None = None) -> set[str]:
    """``score.AREA`` and ``score.overall`` when resolving ``findings`` would raise the check's
    score (``verdict.check_score``: 10 minus the active findings' weights, floored at 0, so a
    score floored by many findings may not move for one), so a gate on an area score makes P0 the
    actions that raise it. ``penalty``: the result's total, when the caller asks many times."""
    if result.score is None:
        return set()
    total = _penalty(result.findings) if penalty is None else penalty
    removed = _penalty(findings)
    if removed <= 0 or total - removed >= CEILING:
        return set()
    return {f"{SCORE_PREFIX}{result.category.area.value}", OVERALL_METRIC}


def _penalty(findings: Sequence[Finding]) -> float:
    return sum(f.severity.weight for f in findings if f.active)


def mark_blocking(
    results: Sequence[CheckResult], gates: Sequence[GateResult], tallies: Sequence[TallySpec]
) -> list[CheckResult]:
    """``results`` with ``blocks`` set on each active finding that alone moves a failing blocking
    metric. Checks that can move none of those metrics are not asked, so a large report with a
    passing gate costs nothing here."""
    blocking = failing_blocking_metrics(gates)
    if not blocking:
        return list(results)
    moves = metrics_moved_by(tallies, results)
    reachable = {spec_metric for spec in tallies for spec_metric in spec.metrics}
    marked: list[CheckResult] = []
    for result in results:
        own = ({name for name, _ in result.metrics} - reachable) | area_scores_moved(result, result.active_findings)
        fed = {m for spec in tallies if spec.feeds(result.check_id) for m in spec.metrics}
        if not result.active_findings or not (own | fed) & blocking:
            marked.append(result)
            continue
        findings = tuple(
            replaced(f, blocks=True) if f.active and moves(result, [f], blocking) & blocking else f
            for f in result.findings
        )
        marked.append(replace(result, findings=findings))
    return marked
