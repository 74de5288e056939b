"""Inline SVG charts for a project's page, laid out here so the template only places shapes.

The decision and every gate over time is a grid: one column per run (oldest left), one row for
the decision and one per gate, each cell coloured by status. Area scores over time are small
polylines on a 0-100 scale. The page needs no script and no image file to draw them.
"""

from __future__ import annotations

from dataclasses import dataclass

from gonogo.server.views import AREAS, DECISION_CLASS, Timeline

CELL_W, CELL_H, GAP = 14, 16, 2
LABEL_W = 190
SPARK_W, SPARK_H = 240, 36
MAX_COLUMNS = 60
"""Runs shown in the grid: the newest ones; older runs are in the API and the run list."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Cell:
    x: int
    y: int
    tone: str
    title: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Row:
    label: str
    y: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Grid:
    width: int
    height: int
    rows: tuple[Row, ...]
    cells: tuple[Cell, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Spark:
    area: str
    points: str
    """``x,y x,y ...`` for a polyline; empty when the area was never scored."""
    latest: str


def grid(timeline: Timeline) -> Grid:
    runs = timeline.runs[-MAX_COLUMNS:]
    skip = len(timeline.runs) - len(runs)
    rows = [Row(label="Decision", y=0)]
    cells = [
        Cell(x=_x(i), y=0, tone=DECISION_CLASS.get(run.decision, "unknown"),
             title=f"run #{run.id} {run.scanned_at:%Y-%m-%d %H:%M}: {run.decision.replace('_', ' ')}")
        for i, run in enumerate(runs)
    ]
    for r, gate in enumerate(timeline.gates, start=1):
        y = r * (CELL_H + GAP)
        rows.append(Row(label=gate.name, y=y))
        for i, status in enumerate(gate.statuses[skip:]):
            run = runs[i]
            cells.append(Cell(x=_x(i), y=y, tone=status or "absent",
                              title=f"run #{run.id}: {gate.name} {status or 'not evaluated'}"))
    height = len(rows) * (CELL_H + GAP)
    return Grid(width=LABEL_W + max(1, len(runs)) * (CELL_W + GAP), height=height, rows=tuple(rows),
                cells=tuple(cells))


def _x(index: int) -> int:
    return LABEL_W + index * (CELL_W + GAP)


def sparks(timeline: Timeline) -> list[Spark]:
    runs = timeline.runs[-MAX_COLUMNS:]
    step = SPARK_W / max(1, len(runs) - 1)
    shown = []
    for area in AREAS:
        values = [_score(run.readable_report, area) for run in runs]
        points = " ".join(
            f"{i * step:.1f},{SPARK_H - 2 - v / 100 * (SPARK_H - 4):.1f}" for i, v in enumerate(values) if v is not None
        )
        latest = next((v for v in reversed(values) if v is not None), None)
        shown.append(Spark(area=area, points=points, latest="unknown" if latest is None else f"{latest:g}"))
    return shown


def _score(report: dict[str, object], area: str) -> float | None:
    scores = report.get("scores")
    value = scores.get(area) if isinstance(scores, dict) else None
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
