"""Findings grouped into actions a person takes, prioritised P0-P3.

A check family may register a planner that groups its findings its own way ("add boto3 to 5
requirements files"); every other check gets one action for all its findings. P0 is an action that
moves a failing condition of a failing blocking gate (resolving it changes that metric), P1
security and reproducibility, P2 maintenance, P3 the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

from gonogo.model import (
    Action,
    Area,
    CheckResult,
    Finding,
    GateResult,
    GateStatus,
    Priority,
    Severity,
)
from gonogo.registry import TallySpec

Grouping = Iterable[tuple[str, Sequence[Finding]]]
Planner = Callable[[Sequence[Finding]], Grouping]
Owners = Callable[[str], str | None]
Moves = Callable[[CheckResult, Sequence[Finding]], set[str]]
"""The metrics that would change if these findings of this check were resolved."""

PLANNERS: dict[str, Planner] = {}

_P1_AREAS = {Area.SECURITY, Area.DEPENDENCIES, Area.CONTAINERS}


def planner(check_id: str) -> Callable[[Planner], Planner]:
    """Register how the findings of ``check_id`` group into actions: (title, findings) pairs."""

    def register(func: Planner) -> Planner:
        PLANNERS[check_id] = func
        return func

    return register


def count_files(findings: Sequence[Finding]) -> int:
    return len({f.path for f in findings if f.path})


def plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count} {word if count == 1 else (many or word + 's')}"


def build_plan(
    results: Sequence[CheckResult],
    gates: Sequence[GateResult],
    verify_target: str,
    moves: Moves | None = None,
    owners: Owners | None = None,
) -> tuple[Action, ...]:
    """``moves`` says which metrics resolving some findings would change (default: every metric
    their check publishes). An action is P0 only when it moves a metric of a failing condition
    of a failing blocking gate: its size or its family never makes it one."""
    blocking_metrics = {
        c.condition.metric
        for g in gates
        if g.gate.blocking and g.status is GateStatus.FAIL
        for c in g.conditions
        if c.status is GateStatus.FAIL
    }
    moved_by = moves or (lambda result, _: {n for n, _ in result.metrics})
    actions: list[Action] = []
    for result in results:
        active = result.active_findings
        if not active:
            continue
        grouping = PLANNERS.get(result.check_id, _one_action(result.title))
        for title, findings in grouping(active):
            paths = sorted({f.path for f in findings if f.path})
            blocks = bool(moved_by(result, findings) & blocking_metrics)
            actions.append(
                Action(
                    priority=_priority(result, findings, blocks=blocks),
                    title=title,
                    check_ids=(result.check_id,),
                    findings=tuple(findings),
                    verify=f"gonogo check --select {result.check_id} {verify_target}".strip(),
                    owner=_owner_of(paths, owners),
                )
            )
    return tuple(sorted(actions, key=lambda a: (a.priority.value, -len(a.findings), a.title)))


def metrics_moved_by(tallies: Sequence[TallySpec], results: Sequence[CheckResult]) -> Moves:
    """The metrics resolving some findings would change, found by asking: a check's own metrics
    move with its findings (unless a tally replaces them, ``tests.skipped`` from a test run);
    a tally's metrics move when recomputing the tally without those findings gives another value.
    So an S101 ``assert`` (low) does not move ``security.high_high_confidence`` although its
    family feeds it, and a static skip does not move what a test run measured."""
    tallied = {m for spec in tallies for m in spec.metrics}
    sources = [[r for r in results if spec.feeds(r.check_id)] for spec in tallies]
    # a tally is computed only over checks that ran, as the engine does
    before = [spec.func(fed) if fed else {} for spec, fed in zip(tallies, sources, strict=True)]

    def moves(result: CheckResult, findings: Sequence[Finding]) -> set[str]:
        moved = {name for name, _ in result.metrics} - tallied
        gone = {id(f) for f in findings}
        without = replace(result, findings=tuple(f for f in result.findings if id(f) not in gone))
        for index, spec in enumerate(tallies):
            if not spec.feeds(result.check_id):
                continue
            after = spec.func([without if r is result else r for r in sources[index]])
            moved |= {m for m in spec.metrics if before[index].get(m) != after.get(m)}
        return moved

    return moves


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
