"""The history and a diff, as terminal text, Markdown and JSON. Every string that came from a
scanned repository (messages, paths, branch names) goes through the same escaping the reports
use: control characters shown, Markdown neutralised."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from typing import Any

from gonogo.history.diff import Diff, FindingChange
from gonogo.history.runs import StoredRun
from gonogo.history.validity import Standing
from gonogo.reporters.text import markdown_code, markdown_inline, terminal_text

SPARKS = "▁▂▃▄▅▆▇█"
SHOWN_FINDINGS = 20


def sparkline(values: Sequence[float | None]) -> str:
    """One character per value on a 0-100 scale, oldest first; a gap for an unknown score."""
    return "".join(" " if v is None else SPARKS[min(len(SPARKS) - 1, int(v / 100 * len(SPARKS)))] for v in values)


def history_text(runs: Sequence[StoredRun]) -> str:
    if not runs:
        return "no run recorded for this repository"
    name, identity = terminal_text(runs[0].name), terminal_text(runs[0].identity)
    lines = [f"{len(runs)} run(s) of {name} ({identity}), newest first", ""]
    for run in runs:
        failing = [g["name"] for g in run.report.get("gates", []) if g.get("status") == "fail"]
        lines.append(
            f"#{run.id:<5} {run.scanned_at:%Y-%m-%d %H:%M}  {(run.commit or '-')[:8]:<8} "
            f"{terminal_text(run.branch or '-')[:20]:<20} {_decision(run.decision):<14} "
            f"{'failing: ' + terminal_text(', '.join(failing)) if failing else 'all gates pass'}"
        )
    areas = sorted({area for run in runs for area in run.report.get("scores", {})})
    oldest_first = list(reversed(runs))
    lines += ["", "scores, oldest to newest:"]
    for area in areas:
        values = [_score(run, area) for run in oldest_first]
        latest = next((v for v in reversed(values) if v is not None), None)
        lines.append(f"  {area:<14} {sparkline(values)}  {'unknown' if latest is None else f'{latest:g}'}")
    return "\n".join(lines)


def history_json(runs: Sequence[StoredRun]) -> str:
    return json.dumps(
        [
            {
                "id": run.id,
                "identity": run.identity,
                "scanned_at": run.scanned_at.isoformat(),
                "valid_until": run.valid_until.isoformat(),
                "commit": run.commit,
                "branch": run.branch,
                "dirty": run.dirty,
                "decision": run.decision,
                "profile": run.profile,
                "failing_gates": [g["name"] for g in run.report.get("gates", []) if g.get("status") == "fail"],
                "scores": run.report.get("scores", {}),
            }
            for run in runs
        ],
        indent=2,
    )


def standing_text(standing: Standing) -> str:
    run = standing.run
    head = (
        f"last decision: {_decision(run.decision)} for {(run.commit or 'no commit')[:12]} "
        f"on {run.scanned_at:%Y-%m-%d %H:%M} UTC (run #{run.id}), valid until {run.valid_until:%Y-%m-%d %H:%M} UTC"
    )
    if standing.holds:
        return f"{head}\nit still holds for the working tree"
    return "\n".join([head, "it no longer holds:", *(f"  - {terminal_text(r)}" for r in standing.reasons)])


def diff_text(diff: Diff) -> str:
    return "\n".join(_diff_lines(diff, markdown=False))


def diff_markdown(diff: Diff) -> str:
    return "\n".join(_diff_lines(diff, markdown=True)) + "\n"


def diff_json(diff: Diff) -> str:
    data: dict[str, Any] = asdict(diff)
    data["before"] = {"label": diff.before.label}
    data["after"] = {"label": diff.after.label}
    data["regressed"] = diff.regressed
    return json.dumps(data, indent=2, default=str)


def _diff_lines(diff: Diff, *, markdown: bool) -> Iterator[str]:
    text = markdown_inline if markdown else terminal_text
    heading = "## " if markdown else ""
    bullet = "- " if markdown else "  "
    yield f"{'# ' if markdown else ''}gonogo diff: {text(diff.before.label)} -> {text(diff.after.label)}"
    yield ""
    before, after = _decision(diff.decision.before), _decision(diff.decision.after)
    yield f"Decision: {before} -> {after}" if before != after else f"Decision: {after} (unchanged)"
    yield (
        f"{len(diff.new)} new, {len(diff.fixed)} fixed, {len(diff.changed)} changed finding(s); "
        f"{len(diff.gates)} gate(s) flipped"
    )
    if diff.gates:
        yield ""
        yield f"{heading}Gates that flipped"
        for gate in diff.gates:
            yield f"{bullet}{text(gate.name)}: {gate.before or 'absent'} -> {gate.after or 'absent'}"
    for title, changes in (("New findings (regressions)", diff.new), ("Fixed findings", diff.fixed),
                           ("Changed findings", diff.changed)):
        if changes:
            yield ""
            yield f"{heading}{title}"
            yield from (f"{bullet}{_finding(c, markdown)}" for c in changes[:SHOWN_FINDINGS])
            if len(changes) > SHOWN_FINDINGS:
                yield f"{bullet}... and {len(changes) - SHOWN_FINDINGS} more (--format json lists them all)"
    if diff.scores:
        yield ""
        yield f"{heading}Scores"
        for score in diff.scores:
            yield f"{bullet}{score.area}: {_number(score.before)} -> {_number(score.after)}"
            for reason in score.moved_by:
                yield f"{'  ' if markdown else '      '}- {text(reason)}"
    if diff.metrics:
        yield ""
        yield f"{heading}Metrics"
        for metric in diff.metrics:
            yield f"{bullet}{text(metric.name)}: {_number(metric.before)} -> {_number(metric.after)}"


def _finding(change: FindingChange, markdown: bool) -> str:
    where = f"{change.path}:{change.line}" if change.path and change.line else change.path or ""
    if markdown:
        place = f" {markdown_code(where)}" if where else ""
        was = f" (was: {markdown_inline(change.was)})" if change.was else ""
        return f"[{change.severity}] {change.check_id}{place} {markdown_inline(change.message)}{was}"
    was = f" (was: {terminal_text(change.was)})" if change.was else ""
    return f"[{change.severity}] {change.check_id} {terminal_text(where)} {terminal_text(change.message)}{was}"


def _score(run: StoredRun, area: str) -> float | None:
    value = run.report.get("scores", {}).get(area)
    return float(value) if isinstance(value, int | float) else None


def _number(value: object) -> str:
    if value is None:
        return "unknown"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _decision(value: object) -> str:
    return str(value).replace("_", " ").upper()
