"""GitHub Actions: the job summary, the annotations and the step outputs for one report.

``gonogo ci github gonogo-report/report.json`` runs after ``gonogo check`` in the composite action
(action.yml). It reads the JSON report (the public, schema-checked shape, so the step works on a
report written by any gonogo version that wrote the same schema) and gives:

- the job summary (``$GITHUB_STEP_SUMMARY``, Markdown): the decision, each gate with its failing
  conditions against their thresholds, the top of the plan with the command that verifies each
  action, and how many checks passed;
- workflow commands (``::error file=..,line=..,title=..::message``) for the worst active findings,
  those that block the release first, capped, since GitHub shows only the first few of each level;
- step outputs (``decision``, ``exit-code``) for later steps' ``if:``.

Everything quoted from the report came from the scanned repository: it is escaped for Markdown
(``markdown_inline``) and for workflow commands (``%``, CR, LF, and ``:`` ``,`` in properties), so a
file name cannot fake a summary heading or a second command.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gonogo.reporters.text import markdown_code, markdown_inline, one_line

LABELS = {"GO": "GO", "CONDITIONAL_GO": "CONDITIONAL GO", "NO_GO": "NO GO"}
ICONS = {"GO": ":white_check_mark:", "CONDITIONAL_GO": ":warning:", "NO_GO": ":x:"}
STATUS_ICONS = {"pass": ":white_check_mark: pass", "fail": ":x: fail", "unknown": ":grey_question: unknown"}
SEVERITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}
MAX_ANNOTATIONS = 10
PLAN_ROWS = 5


@dataclass(frozen=True, slots=True, kw_only=True)
class Condition:
    metric: str
    operator: str
    threshold: float | None
    measured: float | None
    status: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Gate:
    name: str
    status: str
    blocking: bool
    conditions: tuple[Condition, ...]
    how_to_check: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Action:
    priority: str
    title: str
    findings: int
    verify: str | None
    owner: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Found:
    check_id: str
    severity: str
    message: str
    path: str | None
    line: int | None
    blocks: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Summary:
    """What the GitHub step reads of a report.json, parsed once at the edge."""

    decision: str
    gates: tuple[Gate, ...]
    plan: tuple[Action, ...]
    findings: tuple[Found, ...]
    checks_ran: int
    checks_passed: int


class ReportShapeError(ValueError):
    """The file is not a gonogo JSON report (another tool's JSON, a truncated file)."""


def parse_report(data: Any) -> Summary:
    """The parts of a JSON report the step uses; a clear error naming what is missing otherwise."""
    try:
        summary = data["summary"]
        return Summary(
            decision=str(data["decision"]),
            gates=tuple(_gate(g) for g in data["gates"]),
            plan=tuple(_action(a) for a in data["plan"]),
            findings=tuple(_found(f) for f in data["findings"] if _is_active(f)),
            checks_ran=int(summary["checks_ran"]),
            checks_passed=int(summary["checks_passed"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ReportShapeError(f"not a gonogo JSON report ({type(exc).__name__}: {exc})") from exc


def _is_active(finding: Mapping[str, Any]) -> bool:
    return not finding.get("waived") and not finding.get("suppressed")


def _gate(data: Mapping[str, Any]) -> Gate:
    return Gate(
        name=str(data["name"]), status=str(data["status"]), blocking=bool(data["blocking"]),
        conditions=tuple(
            Condition(metric=str(c["metric"]), operator=str(c["operator"]), threshold=c["threshold"],
                      measured=c["measured"], status=str(c["status"]))
            for c in data["conditions"]
        ),
        how_to_check=data.get("how_to_check"),
    )


def _action(data: Mapping[str, Any]) -> Action:
    return Action(priority=str(data["priority"]), title=str(data["title"]), findings=int(data["findings"]),
                  verify=data.get("verify"), owner=data.get("owner"))


def _found(data: Mapping[str, Any]) -> Found:
    line = data.get("line")
    return Found(check_id=str(data["check_id"]), severity=str(data["severity"]), message=str(data["message"]),
                 path=data.get("path"), line=int(line) if line else None, blocks=bool(data.get("blocks")))


# --- the job summary ------------------------------------------------------------------------------

def step_summary(report: Summary, plan_rows: int = PLAN_ROWS) -> str:
    """The Markdown for ``$GITHUB_STEP_SUMMARY``: decision first, then why, then what to do."""
    label = LABELS.get(report.decision, report.decision)
    lines = [f"## {ICONS.get(report.decision, '')} gonogo: {label}".replace("  ", " "), ""]
    lines += [_why(report), ""]
    if report.gates:
        lines += ["| Gate | Blocking | Status | Failing or unmeasured conditions |", "|---|---|---|---|"]
        lines += [_gate_row(gate) for gate in report.gates]
        lines.append("")
    lines += [f"{report.checks_passed} of {report.checks_ran} checks passed; "
              f"{len(report.findings)} active finding(s).", ""]
    if report.plan:
        shown = report.plan[:plan_rows]
        lines += [f"### Plan (top {len(shown)} of {len(report.plan)} actions)", "",
                  "| Priority | Action | Findings | Verify with |", "|---|---|---|---|"]
        lines += [
            f"| {markdown_inline(a.priority)} | {markdown_inline(a.title)} | {a.findings} | "
            f"{markdown_code(a.verify) if a.verify else ''} |"
            for a in shown
        ]
        lines.append("")
    return "\n".join(lines)


def _why(report: Summary) -> str:
    failed = [g for g in report.gates if g.blocking and g.status == "fail"]
    unknown = [g for g in report.gates if g.blocking and g.status == "unknown"]
    parts = []
    if failed:
        parts.append("blocking gate(s) failed: " + ", ".join(markdown_inline(g.name) for g in failed))
    if unknown:
        parts.append("not measured: " + ", ".join(markdown_inline(g.name) for g in unknown))
    return ("**Why:** " + "; ".join(parts) + ".") if parts else "Every blocking gate passed on evidence."


def _gate_row(gate: Gate) -> str:
    shown = [c for c in gate.conditions if c.status != "pass"]
    passing = len(gate.conditions) - len(shown)
    cells = [_condition(c) for c in shown]
    if passing:
        cells.append(f"{passing} passing")
    status = STATUS_ICONS.get(gate.status, markdown_inline(gate.status))
    return (f"| {markdown_inline(gate.name)} | {'yes' if gate.blocking else 'no'} | {status} | "
            f"{'<br>'.join(cells)} |")


def _condition(condition: Condition) -> str:
    measured = "not measured" if condition.measured is None else f"{condition.measured:g}"
    threshold = "?" if condition.threshold is None else f"{condition.threshold:g}"
    return markdown_inline(f"{condition.metric} = {measured} (needs {condition.operator} {threshold})")


# --- annotations ----------------------------------------------------------------------------------

def worst_findings(findings: Sequence[Found], limit: int = MAX_ANNOTATIONS) -> list[Found]:
    """Those that block first, then by severity, then by place: the ones a reviewer must see."""
    ordered = sorted(findings, key=lambda f: (not f.blocks, SEVERITY_RANK.get(f.severity, 9),
                                              f.check_id, f.path or "", f.line or 0))
    return ordered[:max(limit, 0)]


def annotation(finding: Found, prefix: str = "") -> str:
    """One workflow command; ``prefix`` maps a path relative to the scanned root to one relative
    to the repository, which is what GitHub places annotations by."""
    level = "error" if finding.blocks or finding.severity in ("critical", "high") else (
        "warning" if finding.severity == "medium" else "notice")
    properties = []
    if finding.path:
        properties.append(f"file={_property(prefix + finding.path)}")
        if finding.line:
            properties.append(f"line={finding.line}")
    blocks = ", blocks the release" if finding.blocks else ""
    properties.append(f"title={_property(f'{finding.check_id} ({finding.severity}{blocks})')}")
    return f"::{level} {','.join(properties)}::{_data(one_line(finding.message))}"


def path_prefix(roots: Sequence[str], workspace: str) -> str:
    """What to put before a report's paths so they are relative to the GitHub workspace: the one
    root itself, or the folder holding several roots (the report names them ``<root name>/...``)."""
    absolute = [os.path.abspath(r) for r in roots]
    parents = {os.path.dirname(a) for a in absolute}
    if not absolute or (len(absolute) > 1 and len(parents) > 1):
        return ""  # roots in different folders: no one prefix; annotations then name the report's paths
    base = absolute[0] if len(absolute) == 1 else parents.pop()
    relative = os.path.relpath(base, os.path.abspath(workspace))
    if relative == "." or relative.startswith(".."):
        return ""
    return relative.replace(os.sep, "/") + "/"


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


# --- step outputs ---------------------------------------------------------------------------------

def step_outputs(report: Summary, exit_code: int) -> str:
    """Lines for ``$GITHUB_OUTPUT``: values without line breaks, so ``name=value`` is enough."""
    return f"decision={report.decision}\nexit-code={exit_code}\n"
