"""The terminal summary, written for an 80-column CI log read from the bottom up: the decision
first, what stops it (failing gate conditions only), what was not checked, then findings counted
per check and the top of the plan, and the decision again on the last line (``decision_line``,
which the CLI prints after the paths of the reports it wrote). ``verbose`` lists everything.

Every piece of untrusted text is a rich ``Text`` built by ``plain``: rich never reads markup in a
file name (``a[/bold]b.py`` would crash it) and no escape sequence from the scanned tree reaches the
terminal. A path is never folded in the middle of a name: one too long for its line keeps its file
name and loses leading folders (``…/deep/name.py:12``); ``verbose`` prints it whole.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from gonogo.model import Area, CheckResult, Decision, Finding, GateResult, GateStatus, Outcome, Priority, Report
from gonogo.reporters.order import finding_sort_key
from gonogo.reporters.summary import condition_text, failed_conditions, number
from gonogo.reporters.text import terminal_text

DECISION_STYLE = {Decision.GO: "bold green", Decision.CONDITIONAL_GO: "bold yellow", Decision.NO_GO: "bold red"}
STATUS_STYLE = {"pass": "green", "fail": "red", "unknown": "yellow"}
SEVERITY_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan", "info": "dim"}
WIDTH = 80
"""Layout is planned for this width; wider terminals get the same lines, narrower ones wrap."""
LIST_FINDINGS_UP_TO = 10
"""Up to this many active findings are listed one by one; above it they are counted per check."""
TOP_CHECKS = 12
WORST_FINDINGS = 5
TOP_ACTIONS = 6
NOT_CHECKED = 10


def summary(report: Report, verbose: bool = False) -> RenderableType:
    parts: list[RenderableType] = [_banner(report), *_gates(report, verbose), _scores(report)]
    parts.extend(_not_checked(report, verbose))
    parts.extend(_findings(report, verbose))
    parts.extend(_plan(report, verbose))
    return Group(*parts)


def print_summary(report: Report, console: Console, verbose: bool = False) -> None:
    console.print(summary(report, verbose), highlight=False)


def decision_line(report: Report) -> Text:
    """The last line of the output: the decision and its reason in figures, so a CI log's tail says it."""
    blocking = [g for g in report.gates if g.gate.blocking]
    failed = sum(g.status is GateStatus.FAIL for g in blocking)
    unknown = sum(g.status is GateStatus.UNKNOWN for g in blocking)
    reasons = [f"{failed} blocking gate{_s(failed)} failed"] if failed else []
    reasons += [f"{unknown} not measured"] if unknown else []
    active = sum(f.active for f in report.findings)
    facts = [", ".join(reasons) or "every gate passed", f"{active} active finding{_s(active)}"]
    return Text.assemble((report.decision.label, DECISION_STYLE[report.decision]), " · " + " · ".join(facts))


def plain(text: str, style: str = "") -> Text:
    """Untrusted text for the terminal: no markup read, control characters shown as escapes."""
    return Text(terminal_text(text), style=style)


def fit_path(where: str, width: int) -> str:
    """``where`` (``path`` or ``path:line``) in at most ``width`` columns without cutting a name:
    leading folders give way to ``…`` first; a file name longer than the line is kept whole."""
    if len(where) <= width:
        return where
    parts = where.split("/")
    kept = parts[-1]
    for part in reversed(parts[1:-1]):
        if len(part) + 1 + len(kept) + 2 > width:
            break
        kept = f"{part}/{kept}"
    return f"…/{kept}"


def split_path(path: str, width: int) -> list[str]:
    """``path`` as lines of at most ``width`` columns, broken after a ``/``; only a single name
    longer than a line is folded, since nothing else could show it."""
    lines = [""]
    for part in path.split("/"):
        piece = part if not lines[-1] else f"/{part}"
        if lines[-1] and len(lines[-1]) + len(piece) > width:
            lines[-1] += "/"
            lines.append(part)
        else:
            lines[-1] += piece
    return lines


def _s(count: int) -> str:
    return "" if count == 1 else "s"


def _banner(report: Report) -> Panel:
    active = sum(f.active for f in report.findings)
    return Panel(
        Text.assemble(
            (report.decision.label, DECISION_STYLE[report.decision]),
            f"   {report.checks_passed} of {report.checks_ran} checks passed · profile {terminal_text(report.profile)}"
            f" · {active} active finding{_s(active)}\n",
            _short_why(report),
        ),
        title="gonogo",
        title_align="left",
    )


def _short_why(report: Report) -> Text:
    """The gates behind the decision, by name: their conditions follow in the gates section."""
    blocking = [g for g in report.gates if g.gate.blocking]
    failed = [g.gate.name for g in blocking if g.status is GateStatus.FAIL]
    unknown = [g.gate.name for g in blocking if g.status is GateStatus.UNKNOWN]
    parts = [f"Blocking gates failed: {', '.join(failed)}." if failed else "",
             f"Not measured: {', '.join(unknown)}." if unknown else ""]
    return plain(" ".join(p for p in parts if p) or f"All {len(blocking)} blocking gates passed on evidence.")


def _grid(*widths: int | None) -> Table:
    """Columns that wrap inside themselves, so a wrapped line keeps its indent."""
    table = Table.grid(padding=(0, 1))
    for width in widths:
        if width is None:
            table.add_column(ratio=1, overflow="fold")
        else:
            table.add_column(width=width, no_wrap=True)
    return table


def _heading(text: str, detail: str = "") -> Text:
    return Text.assemble("\n", (text, "bold"), (f"  {detail}" if detail else "", "dim"))


def _gates(report: Report, verbose: bool) -> Iterator[RenderableType]:
    """Blocking gates that do not pass, with the conditions that fail; passing gates by name, and
    advisory gates on one line (their conditions with ``verbose``)."""
    counts = Counter(g.status.value for g in report.gates)
    yield _heading("Gates", " · ".join(f"{counts[s]} {s}" for s in ("fail", "unknown", "pass") if counts[s]))
    table = _grid(7, 22, None)
    table.columns[1].no_wrap = False  # "Operational readiness (advisory)" wraps at a space, whole words
    passing, advisory = [], []
    for gate in report.gates:
        if gate.status is GateStatus.PASS and not verbose:
            passing.append(gate.gate.name)
        elif not gate.gate.blocking and not verbose:
            advisory.append(gate)
        else:
            table.add_row(*_gate_row(gate, verbose))
    if table.row_count:
        yield table
    if advisory:
        line = Text("advisory, not blocking: ", style="dim")
        line.append_text(Text(", ").join(
            plain(g.gate.name) + Text(f" {g.status.value}", style=STATUS_STYLE[g.status.value]) for g in advisory
        ))
        yield _indented(line, 8)
    if passing:
        line = Text("passing: ", style="green")
        line.append_text(plain(", ".join(passing)))
        yield _indented(line, 8)


def _gate_row(gate: GateResult, verbose: bool) -> tuple[Text, Text, Text]:
    """Failing conditions one a line, unmeasured metrics on one line, passing ones counted."""
    shown = gate.conditions if verbose else failed_conditions(gate)
    measured = [c for c in shown if c.measured is not None or verbose]
    unmeasured = [c.condition.metric for c in shown if c.measured is None and not verbose]
    lines = [plain(condition_text(c), "" if c.status is GateStatus.PASS else STATUS_STYLE[c.status.value])
             for c in measured]
    if unmeasured:
        lines.append(Text("not measured: ", style="yellow") + plain(", ".join(unmeasured)))
    rest = len(gate.conditions) - len(shown)
    if rest:
        lines.append(Text(f"+ {rest} passing", style="dim"))
    name = plain(gate.gate.name, "bold")
    if not gate.gate.blocking:
        name.append(" (advisory)", style="dim")
    status = gate.status.value
    return Text(status.upper(), style=STATUS_STYLE[status]), name, Text("\n").join(lines)


def _scores(report: Report) -> RenderableType:
    table = _grid(14, 8, 14, 8, 14, 8)
    cells: list[Text] = []
    for area in Area:
        score = report.scores.get(area)
        cells += [Text(area.label, style="dim"), Text(number(score), style=_score_style(score))]
    for start in range(0, len(cells), 6):
        row = cells[start:start + 6]
        table.add_row(*row, *([Text("")] * (6 - len(row))))
    cert = report.certification
    if cert is None:
        return Group(_heading("Scores", "0-100"), table)
    upcoming = cert.next_level
    level = f"level {cert.level or 'none'}" + (f" (next: {upcoming.name})" if upcoming else "")
    overall = Text.assemble(("overall ", "dim"), (number(cert.overall), _score_style(cert.overall)), f" · {level}")
    return Group(_heading("Scores", "0-100"), overall, table)


def _score_style(score: float | None) -> str:
    if score is None:
        return "yellow"
    return "green" if score >= 80 else "yellow" if score >= 50 else "red"


def _not_checked(report: Report, verbose: bool) -> Iterator[RenderableType]:
    lines = list(_unknowns(report, verbose))
    if not lines:
        return
    yield _heading("Not checked", f"{len(lines)} item{_s(len(lines))}")
    table = _grid(3, None)
    for line in lines if verbose else lines[:NOT_CHECKED]:
        table.add_row(Text("  -"), line)
    yield table
    if not verbose and len(lines) > NOT_CHECKED:
        yield _indented(Text(f"... and {len(lines) - NOT_CHECKED} more (--verbose, or report.md)", style="dim"), 4)


def _unknowns(report: Report, verbose: bool) -> Iterator[Text]:
    """Unknown gates with how to check them, unknown checks (grouped by reason unless verbose, so
    five checks a test run would settle take one line), and what could not be read."""
    for gate in report.gates:
        if gate.status is GateStatus.UNKNOWN:
            line = Text.assemble(("Gate ", ""), plain(gate.gate.name, "bold"), (" not measured", "yellow"))
            if gate.gate.how_to_check:
                line.append_text(Text(": ") + plain(gate.gate.how_to_check, "cyan"))
            yield line
    unknown = [r for r in report.checks if r.outcome is Outcome.UNKNOWN]
    by_reason: dict[str, list[CheckResult]] = {}
    for result in unknown:
        by_reason.setdefault(result.reason or "no reason given", []).append(result)
    for reason, results in by_reason.items():
        if verbose or len(results) == 1:
            for r in results:
                yield Text.assemble(plain(r.check_id, "bold"), " ", plain(r.title), ": ", plain(reason, "yellow"))
        else:
            ids = ", ".join(r.check_id for r in results)
            yield Text.assemble(plain(ids, "bold"), ": ", plain(reason, "yellow"))
    for note in report.notes:
        yield plain(f"{note.path}: {note.message}" if note.path else note.message)


def _findings(report: Report, verbose: bool) -> Iterator[RenderableType]:
    active = sorted((f for f in report.findings if f.active), key=finding_sort_key)
    others = len(report.findings) - len(active)
    detail = f"{len(active)} active" + (f", {others} waived or baselined" if others else "")
    if not active:
        yield _heading("Findings", detail)
        return
    if verbose or len(active) <= LIST_FINDINGS_UP_TO:
        yield _heading("Findings", detail)
        yield from _finding_lines(active, verbose)
        return
    per_check = _per_check(report)
    yield _heading("Findings by check", f"{detail} in {len(per_check)} checks")
    table = _grid(5, 8, 8, None)
    for result, count in per_check[:TOP_CHECKS]:
        severity = min((f.severity for f in result.active_findings), key=lambda s: s.rank)
        title = Text(terminal_text(result.title), no_wrap=True, overflow="ellipsis")
        table.add_row(Text(str(count), justify="right"), Text(severity.value, style=SEVERITY_STYLE[severity.value]),
                      plain(result.check_id, "bold"), title)
    yield table
    if len(per_check) > TOP_CHECKS:
        yield _indented(Text(f"... and {len(per_check) - TOP_CHECKS} more checks (--verbose lists every finding)",
                             style="dim"), 6)
    yield _heading("Worst findings", f"{WORST_FINDINGS} of {len(active)}")
    yield from _finding_lines(active[:WORST_FINDINGS], verbose)


def _per_check(report: Report) -> list[tuple[CheckResult, int]]:
    """Checks with active findings, worst severity first, then most findings."""
    counted = [(r, len(r.active_findings)) for r in report.checks if r.active_findings]
    counted.sort(key=lambda pair: (min(f.severity.rank for f in pair[0].active_findings), -pair[1], pair[0].check_id))
    return counted


def _finding_lines(findings: Iterable[Finding], verbose: bool) -> Iterator[RenderableType]:
    """Severity, check and place, then the message indented. The place is never folded: it loses
    leading folders to fit (whole with ``verbose``), or takes a line of its own, left unwrapped."""
    for finding in findings:
        head = Text.assemble(
            (f"{finding.severity.value:<8}", SEVERITY_STYLE[finding.severity.value]),
            " ",
            plain(f"{finding.check_id:<8}", "bold"),
            " ",
        )
        room = WIDTH - head.cell_len
        whole = str(finding.location) if finding.location else "(no file)"
        where = whole if verbose else fit_path(whole, room)
        if len(where) <= room:
            yield head + plain(where, "cyan")
        else:  # a name longer than the line: the whole path below, broken only after a "/"
            yield head
            yield Text("\n").join(plain(line, "cyan") for line in split_path(whole, WIDTH))
        yield _indented(plain(finding.message), 9)


def _plan(report: Report, verbose: bool) -> Iterator[RenderableType]:
    if not report.plan:
        return
    counts = Counter(a.priority.value for a in report.plan)
    yield _heading("Plan", " · ".join(f"{p.value} {counts[p.value]}" for p in Priority if counts[p.value]))
    shown = report.plan if verbose else report.plan[:TOP_ACTIONS]
    table = _grid(3, None)
    for action in shown:
        text = plain(action.title)
        if action.owner:
            text.append_text(Text(" (owner ", style="dim") + plain(action.owner) + Text(")", style="dim"))
        text.append_text(Text("\nverify: ", style="dim") + plain(action.verify, "cyan"))
        table.add_row(Text(action.priority.value, style="bold red" if action.priority is Priority.P0 else "bold"), text)
    yield table
    if len(report.plan) > len(shown):
        yield _indented(Text(f"... and {len(report.plan) - len(shown)} more actions (--verbose, or report.md)",
                             style="dim"), 4)


def _indented(text: Text, columns: int) -> Table:
    """``text`` wrapped with every line indented by ``columns``."""
    table = _grid(columns - 1, None)
    table.add_row(Text(""), text)
    return table
