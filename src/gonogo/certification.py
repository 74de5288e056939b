"""What a reader certifies against: the overall readiness score and its formula, each area's
standing (READY, CONDITIONAL, BLOCKED), the maturity level held, and the risk register.

Pure functions of the verdict's output (area scores, gate results, check results). The area
scores are also published as metrics (``score.security``, ``score.overall``) before the gates are
evaluated, so a gate can say ``score.security >= 95``.

**Which gates touch an area.** A gate touches an area when one of its condition metrics is
published by a check of that area: a metric a check yields, the metric a check ``counts``, a
tally's metric for every area of the checks that fed it (that passed or failed), and ``score.AREA`` for that area
(``score.overall`` for all of them). An area is BLOCKED when a blocking gate that touches it
fails, CONDITIONAL when a touching gate fails without blocking or is unknown, when no gate
touches it (nothing certifies it) or when none of its checks gave a score, and READY when every
gate that touches it passes and its score is known.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence

from gonogo.model import (
    Area,
    AreaStatus,
    AreaVerdict,
    Category,
    Certification,
    CheckResult,
    GateResult,
    GateStatus,
    LevelResult,
    Outcome,
    Risk,
)

DEFAULT_WEIGHTS: dict[Area, float] = {
    # what a breach or a broken release costs weighs most: security, then what proves the code
    # works (tests, the test run) and what makes the build the same twice (dependencies)
    Area.SECURITY: 3.0,
    Area.TESTS: 2.0,
    Area.RUNTIME: 2.0,
    Area.DEPENDENCIES: 2.0,
    Area.CONTAINERS: 1.0,
    Area.CODE_HEALTH: 1.0,
    Area.DOCUMENTATION: 1.0,
    Area.OBSERVABILITY: 1.0,
}
"""Weight of each area in the overall score; ``score_weights`` in the config changes them."""

SCORE_PREFIX = "score."
OVERALL_METRIC = "score.overall"
TOP_RISKS = 10


def certify(
    scores: Mapping[Area, float | None],
    weights: Mapping[Area, float],
    gates: Sequence[GateResult],
    results: Sequence[CheckResult],
    metrics: Mapping[str, float | None],
    *,
    areas_of: Mapping[str, set[Area]],
    levels: Mapping[str, Sequence[str]],
    advisory_max_age_days: int,
) -> Certification:
    """Everything a reader certifies against, from the verdict's output."""
    return Certification(
        overall=overall_score(scores, weights),
        weights=tuple(weights.items()),
        formula=formula(weights, scores),
        areas=area_verdicts(scores, gates, results, areas_of),
        levels=maturity(levels, gates),
        risks=risk_register(gates, results, metrics, advisory_max_age_days),
    )


def weights_for(config_weights: Mapping[str, float]) -> dict[Area, float]:
    """The default weights with the config's ``score_weights`` (by area name) applied."""
    return {area: float(config_weights.get(area.value, weight)) for area, weight in DEFAULT_WEIGHTS.items()}


def overall_score(scores: Mapping[Area, float | None], weights: Mapping[Area, float]) -> float | None:
    """The weighted mean of the measured areas' scores; an unmeasured area is left out (not
    counted as 0 nor as 100); ``None`` when no weighted area was measured."""
    measured = [(weights.get(a, 0.0), s) for a, s in scores.items() if s is not None and weights.get(a, 0.0) > 0]
    total = sum(w for w, _ in measured)
    return round(sum(w * s for w, s in measured) / total, 1) if total else None


def formula(weights: Mapping[Area, float], scores: Mapping[Area, float | None]) -> str:
    """The overall score's formula in words, naming the areas it left out."""
    terms = " + ".join(f"{_num(w)} x {a.value}" for a, w in weights.items() if w > 0)
    left_out = [a.value for a, w in weights.items() if w > 0 and scores.get(a) is None]
    unweighted = [a.value for a, w in weights.items() if w <= 0]
    text = f"overall = ({terms}) / (sum of the weights of the areas measured)"
    if left_out:
        text += f"; not measured, so left out: {', '.join(left_out)}"
    if unweighted:
        text += f"; weight 0: {', '.join(unweighted)}"
    return text


def score_metrics(scores: Mapping[Area, float | None], overall: float | None) -> dict[str, float | None]:
    """The area scores as metrics gates can read (``score.security``), and ``score.overall``."""
    return {f"{SCORE_PREFIX}{area.value}": score for area, score in scores.items()} | {OVERALL_METRIC: overall}


def metric_areas(
    results: Sequence[CheckResult],
    counted: Mapping[str, str],
    tallies: Iterable[tuple[Sequence[str], Sequence[str]]],
) -> dict[str, set[Area]]:
    """Which areas publish each metric. ``counted``: a check id to the metric it ``counts``;
    ``tallies``: (source id prefixes, metrics) pairs."""
    areas: dict[str, set[Area]] = defaultdict(set)
    for result in results:
        area = result.category.area
        for name, _ in result.metrics:
            areas[name].add(area)
        if result.check_id in counted:
            areas[counted[result.check_id]].add(area)
    for sources, metrics in tallies:
        # a source that could not tell or did not apply gave the tally nothing of its area
        fed = {
            r.category.area
            for r in results
            if r.check_id.startswith(tuple(sources)) and r.outcome in (Outcome.PASS, Outcome.FAIL)
        }
        for name in metrics:
            areas[name] |= fed
    for area in Area:
        areas[f"{SCORE_PREFIX}{area.value}"].add(area)
    areas[OVERALL_METRIC] |= set(Area)
    return dict(areas)


def area_verdicts(
    scores: Mapping[Area, float | None],
    gates: Sequence[GateResult],
    results: Sequence[CheckResult],
    areas_of: Mapping[str, set[Area]],
) -> tuple[AreaVerdict, ...]:
    verdicts = []
    for area in Area:
        touching = [g for g in gates if any(area in areas_of.get(c.condition.metric, ()) for c in g.conditions)]
        status, because = _standing(touching)
        score = scores.get(area)
        if score is None and status is AreaStatus.READY:
            # gates that pass on an area none of whose checks gave a score certify nothing of it
            status = AreaStatus.CONDITIONAL
        reason = because if score is not None else f"{because}; score unknown: {_why_unscored(area, results)}"
        verdicts.append(
            AreaVerdict(area=area, score=score, status=status, gates=tuple(g.gate.name for g in touching),
                        reason=reason)
        )
    return tuple(verdicts)


def _standing(touching: Sequence[GateResult]) -> tuple[AreaStatus, str]:
    if not touching:
        return AreaStatus.CONDITIONAL, "no gate reads a metric of this area, so nothing certifies it"
    failing_blocking = [g.gate.name for g in touching if g.gate.blocking and g.status is GateStatus.FAIL]
    if failing_blocking:
        return AreaStatus.BLOCKED, f"blocking gate failed: {', '.join(failing_blocking)}"
    failing = [g.gate.name for g in touching if g.status is GateStatus.FAIL]
    unknown = [g.gate.name for g in touching if g.status is GateStatus.UNKNOWN]
    if failing or unknown:
        parts = ([f"non-blocking gate failed: {', '.join(failing)}"] if failing else []) + (
            [f"gate not measured: {', '.join(unknown)}"] if unknown else []
        )
        return AreaStatus.CONDITIONAL, "; ".join(parts)
    return AreaStatus.READY, f"every gate that reads it passed: {', '.join(g.gate.name for g in touching)}"


def _why_unscored(area: Area, results: Sequence[CheckResult]) -> str:
    """Why an area has no score: no check of it ran, or none applied, or none could tell."""
    own = [r for r in results if r.category.area is area and r.category is not Category.CLAIMS]
    if not own:
        return "no check feeds this area yet"
    unknown = [r for r in own if r.outcome is Outcome.UNKNOWN]
    parts = []
    if unknown:
        parts.append("could not tell: " + ", ".join(f"{r.check_id} ({r.reason or 'no reason'})" for r in unknown[:3]))
    inapplicable = [r for r in own if r.outcome is Outcome.NOT_APPLICABLE]
    if inapplicable:
        ids = ", ".join(r.check_id for r in inapplicable[:8]) + (" ..." if len(inapplicable) > 8 else "")
        parts.append(f"{len(inapplicable)} of its checks did not apply to this code ({ids})")
    return "; ".join(parts) or "its checks gave no score"


def maturity(levels: Mapping[str, Sequence[str]], gates: Sequence[GateResult]) -> tuple[LevelResult, ...]:
    """Each level, lowest first: held only when every gate of it and of the levels below passes.
    A level's ``missing`` lists every such gate that does not pass, below it included."""
    status = {g.gate.name: g.status.value for g in gates}
    missing: list[str] = []
    out = []
    for name, gate_names in levels.items():
        for gate in gate_names:
            if gate not in status:
                missing.append(f"{gate} (not configured)")
            elif status[gate] != GateStatus.PASS.value:
                missing.append(f"{gate} ({status[gate]})")
        out.append(LevelResult(name=name, gates=tuple(gate_names), held=not missing, missing=tuple(missing)))
    return tuple(out)


_LIKELIHOOD = {"certain": 0, "likely": 1, "possible": 2}
_IMPACT = {"high": 0, "medium": 1, "low": 2}


def risk_register(
    gates: Sequence[GateResult],
    results: Sequence[CheckResult],
    metrics: Mapping[str, float | None],
    advisory_max_age_days: int,
) -> tuple[Risk, ...]:
    """The top risks to the release, worst first: failing gates (certain), blocking gates not
    measured (possible: nothing says either way), advisory data older than the profile allows,
    and checks that could not tell."""
    return ranked([*_gate_risks(gates), *_data_risks(gates, metrics, advisory_max_age_days), *_unknown_checks(results)])


def ranked(risks: Iterable[Risk]) -> tuple[Risk, ...]:
    """The top ``TOP_RISKS``, highest impact first, then the most likely."""
    return tuple(sorted(risks, key=lambda r: (_IMPACT[r.impact], _LIKELIHOOD[r.likelihood], r.title))[:TOP_RISKS])


def _gate_risks(gates: Sequence[GateResult]) -> Iterator[Risk]:
    for g in gates:
        impact = "high" if g.gate.blocking else "medium"
        if g.status is GateStatus.FAIL:
            failed = "; ".join(
                f"{c.condition.metric} = {_num(c.measured)} (needs {c.condition.operator.value} "
                f"{_num(c.condition.threshold)})"
                for c in g.conditions
                if c.status is GateStatus.FAIL
            )
            stops = "stops the release" if g.gate.blocking else "a condition of the release"
            yield Risk(title=f"{g.gate.name} fails: {stops}", likelihood="certain", impact=impact,
                       evidence=f"measured: {failed}")
        elif g.status is GateStatus.UNKNOWN and g.gate.blocking:
            absent = ", ".join(c.condition.metric for c in g.conditions if c.measured is None)
            how = f"; to check: {g.gate.how_to_check}" if g.gate.how_to_check else ""
            yield Risk(title=f"{g.gate.name} not measured: it may fail", likelihood="possible", impact=impact,
                       evidence=f"no measurement of {absent}{how}")


def _data_risks(gates: Sequence[GateResult], metrics: Mapping[str, float | None], allowed: int) -> Iterator[Risk]:
    age = metrics.get("vulns.data_age_days")
    if age is None or age <= allowed:
        return
    blocking = any(
        g.gate.blocking for g in gates for c in g.conditions if c.condition.metric.startswith("vulns.")
    )
    yield Risk(
        title="Advisory data is stale: vulnerabilities published since are not counted",
        likelihood="likely" if age > 2 * allowed else "possible",
        impact="high" if blocking else "medium",
        evidence=f"vulns.data_age_days = {_num(age)}, the profile allows {allowed}; run gonogo db update",
    )


def _unknown_checks(results: Sequence[CheckResult]) -> Iterator[Risk]:
    unknown = [r for r in results if r.outcome is Outcome.UNKNOWN]
    if unknown:
        ids = ", ".join(f"{r.check_id} ({r.reason or 'no reason'})" for r in unknown[:4])
        more = f" and {len(unknown) - 4} more" if len(unknown) > 4 else ""
        yield Risk(title=f"{len(unknown)} checks could not tell: what they judge is unverified",
                   likelihood="possible", impact="medium" if any(r.severity.rank <= 1 for r in unknown) else "low",
                   evidence=f"{ids}{more}")


def claims_risk(document: str, contradicted: int, unverifiable: int) -> Risk | None:
    """A readiness document's claims the scan contradicted (certain) or could not verify (possible)."""
    if contradicted:
        return Risk(title=f"{document} makes claims the evidence contradicts", likelihood="certain",
                    impact="medium", evidence=f"{contradicted} contradicted, {unverifiable} unverifiable claims")
    if unverifiable:
        return Risk(title=f"{document} makes claims nothing verified", likelihood="possible", impact="low",
                    evidence=f"{unverifiable} claims could not be checked against the scan")
    return None


def _num(value: float | None) -> str:
    if value is None:
        return "unknown"
    return f"{value:g}"
