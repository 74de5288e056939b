"""The terminal summary: decision first, then gates, scores, worst findings and the top of the plan.

Every cell is a rich ``Text`` built by ``plain``: rich never reads markup in a file name
(``a[/bold]b.py`` would crash it) and no escape sequence from the scanned tree reaches the terminal.
"""

from __future__ import annotations

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from gonogo.model import Area, Decision, Report
from gonogo.reporters.order import finding_sort_key
from gonogo.reporters.summary import condition_text, not_checked, number, why
from gonogo.reporters.text import terminal_text

DECISION_STYLE = {Decision.GO: "bold green", Decision.CONDITIONAL_GO: "bold yellow", Decision.NO_GO: "bold red"}
STATUS_STYLE = {"pass": "green", "fail": "red", "unknown": "yellow"}
WORST_FINDINGS = 10
TOP_ACTIONS = 8


def summary(report: Report) -> RenderableType:
    parts: list[RenderableType] = [
        Panel(
            Text.assemble(
                (report.decision.label, DECISION_STYLE[report.decision]),
                f"   {report.checks_passed} of {report.checks_ran} checks passed   profile {report.profile}\n",
                terminal_text(why(report)),
            ),
            title="gonogo",
        ),
        _gates(report),
        _scores(report),
    ]
    unknown = list(not_checked(report))
    if unknown:
        parts.append(Text("Not checked:", style="bold yellow"))
        parts.extend(plain(f"  - {line.replace('**', '')}") for line in unknown[:12])
        if len(unknown) > 12:
            parts.append(Text(f"  ... and {len(unknown) - 12} more (see report.md)"))
    parts.append(_worst_findings(report))
    parts.append(_plan(report))
    return Group(*parts)


def print_summary(report: Report, console: Console) -> None:
    console.print(summary(report))


def plain(text: str, style: str = "") -> Text:
    """Untrusted text for the terminal: no markup read, control characters shown as escapes."""
    return Text(terminal_text(text), style=style)


def _gates(report: Report) -> Table:
    table = Table(title="Gates", title_justify="left")
    for column in ("Gate", "Blocking", "Status", "Measured"):
        table.add_column(column)
    for gate in report.gates:
        status = gate.status.value
        table.add_row(
            plain(gate.gate.name),
            "yes" if gate.gate.blocking else "no",
            Text(status.upper(), style=STATUS_STYLE[status]),
            plain("; ".join(condition_text(c) for c in gate.conditions)),
        )
    return table


def _scores(report: Report) -> Table:
    table = Table(title="Scores (0-100)", title_justify="left")
    table.add_column("Area")
    table.add_column("Score", justify="right")
    for area in Area:
        table.add_row(area.label, number(report.scores.get(area)))
    return table


def _worst_findings(report: Report) -> Table:
    active = sorted((f for f in report.findings if f.active), key=finding_sort_key)
    table = Table(title=f"Worst findings ({len(active)} active)", title_justify="left")
    for column in ("Severity", "Check", "Where", "What"):
        table.add_column(column, overflow="fold")
    for finding in active[:WORST_FINDINGS]:
        table.add_row(
            finding.severity.value, plain(finding.check_id), plain(str(finding.location or "")), plain(finding.message)
        )
    return table


def _plan(report: Report) -> Table:
    table = Table(title=f"Plan ({len(report.plan)} actions)", title_justify="left")
    for column in ("Priority", "Action", "Verify"):
        table.add_column(column, overflow="fold")
    for action in report.plan[:TOP_ACTIONS]:
        table.add_row(action.priority.value, plain(action.title), plain(action.verify))
    return table
