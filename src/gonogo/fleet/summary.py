"""The fleet's page: how many repositories can ship, which are worst, which gates fail most.

Built from outcomes only (no report is re-read), rendered in three forms by pure functions: a rich
table for the terminal, Markdown and JSON. Every name and reason comes from a fleet file or a
repository, so each renderer passes it through the escaping of ``reporters.text``. Output is
deterministic: outcomes are sorted, and the one clock figure (the wall time) is passed in.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from gonogo.fleet.task import RepoOutcome, Status
from gonogo.reporters.terminal import plain
from gonogo.reporters.text import markdown_inline, one_line

WORST_SHOWN = 10
DECISIONS = ("NO_GO", "CONDITIONAL_GO", "GO")
_RANK = {decision: rank for rank, decision in enumerate(DECISIONS)}


@dataclass(frozen=True, slots=True, kw_only=True)
class GateCount:
    gate: str
    repositories: int
    blocking: bool
    """Blocking in at least one repository that failed it."""


@dataclass(frozen=True, slots=True, kw_only=True)
class FleetSummary:
    repositories: int
    statuses: dict[str, int]
    decisions: dict[str, int]
    """By decision, over scanned repositories and skipped ones whose earlier verdict is known."""
    worst: tuple[RepoOutcome, ...]
    gates: tuple[GateCount, ...]
    not_scanned: tuple[RepoOutcome, ...]
    wall_seconds: float


def summarise(outcomes: Sequence[RepoOutcome], wall_seconds: float, worst: int = WORST_SHOWN) -> FleetSummary:
    judged = [o for o in outcomes if o.decision in _RANK]
    failing: Counter[str] = Counter(gate for o in judged for gate in set(o.failing_gates))
    blocking = {gate for o in judged for gate in o.blocking_failed}
    return FleetSummary(
        repositories=len(outcomes),
        statuses={status.value: sum(o.status is status for o in outcomes) for status in Status},
        decisions={label(d): sum(o.decision == d for o in judged) for d in DECISIONS},
        worst=tuple(sorted(judged, key=_badness)[:worst]),
        gates=tuple(sorted(  # most repositories first; at equal counts a blocking gate first
            (GateCount(gate=gate, repositories=count, blocking=gate in blocking) for gate, count in failing.items()),
            key=lambda g: (-g.repositories, not g.blocking, g.gate),
        )),
        not_scanned=tuple(sorted((o for o in outcomes if o.status in (Status.FAILED, Status.TIMED_OUT)),
                                 key=lambda o: o.name)),
        wall_seconds=round(wall_seconds, 1),
    )


def label(decision: str | None) -> str:
    return (decision or "none").replace("_", " ")


def _badness(outcome: RepoOutcome) -> tuple[int, int, int, int, str]:
    return (
        _RANK.get(outcome.decision or "", len(DECISIONS)),
        -len(outcome.blocking_failed),
        -len(outcome.failing_gates),
        -(outcome.active_findings or 0),
        outcome.name,
    )


def _count(value: int | None) -> str:
    return "-" if value is None else str(value)


def render_json(summary: FleetSummary) -> str:
    data = {
        "repositories": summary.repositories,
        "statuses": summary.statuses,
        "decisions": summary.decisions,
        "worst": [_line(o) for o in summary.worst],
        "failing_gates": [
            {"gate": g.gate, "repositories": g.repositories, "blocking": g.blocking} for g in summary.gates
        ],
        "not_scanned": [{"name": o.name, "source": o.shown, "status": o.status.value, "reason": o.reason}
                        for o in summary.not_scanned],
        "wall_seconds": summary.wall_seconds,
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _line(outcome: RepoOutcome) -> dict[str, object]:
    return {
        "name": outcome.name,
        "folder": outcome.slug,
        "decision": label(outcome.decision),
        "status": outcome.status.value,
        "blocking_gates_failed": list(outcome.blocking_failed),
        "gates_failed": list(outcome.failing_gates),
        "active_findings": outcome.active_findings,
        "commit": outcome.provenance.commit if outcome.provenance else None,
    }


def render_markdown(summary: FleetSummary) -> str:
    lines = [
        "# Fleet readiness",
        "",
        f"{summary.repositories} repositories: "
        + ", ".join(f"{count} {status}" for status, count in summary.statuses.items() if count)
        + f" in {summary.wall_seconds:.0f} s.",
        "",
        "| Decision | Repositories |",
        "| --- | ---: |",
        *(f"| {decision} | {count} |" for decision, count in summary.decisions.items()),
        "",
        "## Worst repositories",
        "",
    ]
    if summary.worst:
        lines += ["| Repository | Decision | Blocking gates failed | Active findings |", "| --- | --- | --- | ---: |"]
        lines += [
            f"| [{markdown_inline(o.name)}]({quote(o.slug)}/report.md) | {label(o.decision)} | "
            f"{markdown_inline(', '.join(o.blocking_failed)) or '-'} | {_count(o.active_findings)} |"
            for o in summary.worst
        ]
    else:
        lines.append("No repository was judged.")
    lines += ["", "## Most common failing gates", ""]
    if summary.gates:
        lines += ["| Gate | Repositories | Blocking |", "| --- | ---: | --- |"]
        lines += [f"| {markdown_inline(g.gate)} | {g.repositories} | {'yes' if g.blocking else 'no'} |"
                  for g in summary.gates]
    else:
        lines.append("No gate failed.")
    if summary.not_scanned:
        lines += ["", "## Not scanned", ""]
        lines += [f"- **{markdown_inline(o.name)}** ({o.status.value}): {markdown_inline(o.reason or '')}"
                  for o in summary.not_scanned]
    return "\n".join(lines) + "\n"


def render_terminal(summary: FleetSummary) -> RenderableType:
    headline = Text(f"{summary.repositories} repositories, {summary.wall_seconds:.0f} s: ", style="bold")
    headline += plain(", ".join(f"{n} {status}" for status, n in summary.statuses.items() if n))
    decisions = Table(title="Decisions")
    decisions.add_column("Decision")
    decisions.add_column("Repositories", justify="right")
    for decision, count in summary.decisions.items():
        decisions.add_row(decision, str(count))
    worst = Table(title="Worst repositories")
    for column in ("Repository", "Decision", "Blocking gates failed", "Active findings"):
        worst.add_column(column)
    for o in summary.worst:
        worst.add_row(plain(o.name), label(o.decision), plain(", ".join(o.blocking_failed) or "-"),
                      _count(o.active_findings))
    gates = Table(title="Most common failing gates")
    for column in ("Gate", "Repositories", "Blocking"):
        gates.add_column(column)
    for g in summary.gates:
        gates.add_row(plain(g.gate), str(g.repositories), "yes" if g.blocking else "no")
    parts: list[RenderableType] = [headline, decisions, worst, gates]
    for o in summary.not_scanned:
        parts.append(plain(f"not scanned: {o.name} ({o.status.value}): {one_line(o.reason or '')}", "yellow"))
    return Group(*parts)
