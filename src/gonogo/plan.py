"""Findings grouped into actions a person takes, prioritised P0-P3.

A check may declare how its findings group into actions (``@check(..., plan=...)``, see
``gonogo.grouping``); every other check gets one action for all its findings. P0 is an action that
moves a failing condition of a failing blocking gate (resolving it changes that metric), P1
security and reproducibility, P2 maintenance, P3 the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from gonogo.blocking import Moves, failing_blocking_metrics
from gonogo.grouping import Grouping, Planner
from gonogo.model import (
    Action,
    Area,
    CheckResult,
    Finding,
    GateResult,
    Priority,
    Severity,
)
from gonogo.schedule import effort_of, in_waves

Owners = Callable[[str], str | None]
Authors = Callable[[Sequence[str]], str | None]
"""The most frequent recent author of some paths (``gonogo.owners.load_authors``)."""

_P1_AREAS = {Area.SECURITY, Area.DEPENDENCIES, Area.CONTAINERS}


def build_plan(
    results: Sequence[CheckResult],
    gates: Sequence[GateResult],
    verify_target: str,
    moves: Moves | None = None,
    owners: Owners | None = None,
    planners: Mapping[str, Planner] | None = None,
    authors: Authors | None = None,
) -> tuple[Action, ...]:
    """``planners`` are the grouping functions checks declared, by check id. ``moves`` says which
    metrics resolving some findings would change (default: every metric their check publishes).
    An action is P0 only when it moves a metric of a failing condition
    of a failing blocking gate: its size or its family never makes it one. The owner is who
    CODEOWNERS names, else the most frequent recent author of the action's files (``authors``)."""
    blocking_metrics = failing_blocking_metrics(gates)
    moved_by = moves or (lambda result, _findings, _among=None: {n for n, _ in result.metrics})
    actions: list[Action] = []
    for result in results:
        active = result.active_findings
        if not active:
            continue
        grouping = (planners or {}).get(result.check_id) or _one_action(result.title)
        for title, findings in grouping(active):
            paths = sorted({f.path for f in findings if f.path})
            # asked only about the metrics that could make it P0: a tally none of them is in is not
            # recomputed for each action (the security tally over 12,000 findings on a large tree)
            blocks = bool(moved_by(result, findings, blocking_metrics) & blocking_metrics)
            owner, source = _owner_of(paths, owners), "CODEOWNERS"
            if owner is None and authors is not None and paths:
                owner, source = authors(paths), "git log"
            effort, rule = effort_of(result.category, findings)
            actions.append(
                Action(
                    priority=_priority(result, findings, blocks=blocks),
                    title=title,
                    check_ids=(result.check_id,),
                    findings=tuple(findings),
                    verify=f"gonogo check --select {result.check_id} {verify_target}".strip(),
                    owner=owner,
                    owner_source=source if owner else None,
                    effort=effort,
                    effort_rule=rule,
                    blocks_go=blocks,
                )
            )
    # within a priority, what must come first comes first
    return tuple(sorted(in_waves(actions), key=lambda a: (a.priority.value, a.wave, -len(a.findings), a.title)))


def _priority(result: CheckResult, findings: Sequence[Finding], blocks: bool) -> Priority:
    if blocks:
        return Priority.P0
    worst = min(f.severity.rank for f in findings)
    if result.category.area in _P1_AREAS and worst <= Severity.MEDIUM.rank:
        return Priority.P1
    if worst <= Severity.MEDIUM.rank:
        return Priority.P2
    return Priority.P3


def _one_action(title: str) -> Planner:
    def group(findings: Sequence[Finding]) -> Grouping:
        paths = sorted({f.path for f in findings if f.path})
        named = ", ".join(paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
        where = f" in {named}" if paths else ""
        if len(findings) == 1:
            yield f"{title}: {findings[0].message}{where}", findings
        else:
            yield f"{title}: fix {len(findings)} findings{where}", findings

    return group


def _owner_of(paths: Sequence[str], owners: Owners | None) -> str | None:
    if owners is None:
        return None
    found = sorted({o for p in paths if (o := owners(p))})
    return ", ".join(found) if found else None
