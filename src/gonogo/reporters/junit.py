"""JUnit XML: each gate and each check as a test case, so CI dashboards show them.

Two suites, ``gates`` and ``checks``. A failing gate or check is a ``failure`` (its message says
the measured values or how many findings). A gate not measured or a check that could not tell is
``skipped`` with its reason ("could not tell: ...", "blocking gate not measured: ..."), as is a check
with nothing to judge ("not applicable: ..."): a dashboard's ``error`` means the tool broke, and a
static run would otherwise show a dozen of them. Never a pass either way: the decision, in the
root's ``decision`` attribute, still counts an unknown blocking gate. ``error`` is left for gonogo
itself failing, which exits 3 with no report. A failing check's ``file`` is its worst finding's
path; ``time`` is the scan's duration, on the suites (a check's own time would mostly be the facts it
happened to build first for every other check). Waived and suppressed findings are listed in
``system-out``. No timestamps: same report, same bytes.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence

from gonogo.model import CheckResult, Finding, GateResult, GateStatus, Outcome, Report

MAX_FINDINGS_LISTED = 200
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def render(report: Report) -> str:
    gates = _gates_suite(report.gates)
    checks = _checks_suite(sorted(report.checks, key=lambda r: r.check_id))
    root = ET.Element("testsuites", _counts([gates, checks]) | {"name": "gonogo"})
    root.set("decision", report.decision.value)
    if report.duration_seconds is not None:
        for element in (root, checks):
            element.set("time", f"{report.duration_seconds:.3f}")
    root.extend([gates, checks])
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _gates_suite(gates: Sequence[GateResult]) -> ET.Element:
    suite = ET.Element("testsuite", {"name": "gates"})
    for gate in gates:
        case = ET.SubElement(suite, "testcase", {"classname": "gonogo.gates", "name": _clean(gate.gate.name)})
        lines = [
            f"{c.condition.metric} = {_number(c.measured)} (needs {c.condition.operator.value} "
            f"{_number(c.condition.threshold)}): {c.status.value}"
            for c in gate.conditions
        ]
        kind = "blocking" if gate.gate.blocking else "non-blocking"
        if gate.status is GateStatus.FAIL:
            failed = [line for line, c in zip(lines, gate.conditions, strict=True) if c.status is GateStatus.FAIL]
            _child(case, "failure", f"{kind} gate failed: {'; '.join(failed)}", "\n".join(lines), "gate")
        elif gate.status is GateStatus.UNKNOWN:
            missing = [c.condition.metric for c in gate.conditions if c.status is GateStatus.UNKNOWN]
            hint = f"; check with: {gate.gate.how_to_check}" if gate.gate.how_to_check else ""
            _skipped(case, f"{kind} gate not measured: {', '.join(missing) or 'no conditions'}{hint}")
    suite.attrib.update(_counts([suite]))
    return suite


def _checks_suite(results: Sequence[CheckResult]) -> ET.Element:
    suite = ET.Element("testsuite", {"name": "checks"})
    for result in results:
        case = ET.SubElement(suite, "testcase", {
            "classname": f"gonogo.checks.{result.category.area.value}",
            "name": _clean(f"{result.check_id} {result.title}"),
        })
        active = result.active_findings
        match result.outcome:
            case Outcome.FAIL:
                worst = min(active, key=_rank, default=None)
                if worst is not None and worst.path:
                    case.set("file", _clean(worst.path))
                _child(case, "failure", f"{len(active)} finding(s)", _listing(active), result.check_id)
            case Outcome.UNKNOWN:
                _skipped(case, f"could not tell: {result.reason or 'no reason given'}")
            case Outcome.NOT_APPLICABLE:
                _skipped(case, f"not applicable: {result.reason or 'nothing to check'}")
            case _:
                pass
        quiet = [f for f in result.findings if not f.active]
        if quiet:
            ET.SubElement(case, "system-out").text = _clean(_listing(quiet))
    suite.attrib.update(_counts([suite]))
    return suite


def _listing(findings: Sequence[Finding]) -> str:
    lines = []
    for finding in findings[:MAX_FINDINGS_LISTED]:
        where = f"{finding.location}: " if finding.location else ""
        state = ""
        if finding.waived is not None:
            state = f" [waived: {finding.waived.reason}]"
        elif finding.suppressed is not None:
            state = f" [suppressed: {finding.suppressed}]"
        lines.append(f"{finding.severity.value.upper()} {where}{finding.message}{state}")
        if finding.evidence:
            lines.append(f"    {finding.evidence}")
    if len(findings) > MAX_FINDINGS_LISTED:
        lines.append(f"... and {len(findings) - MAX_FINDINGS_LISTED} more")
    return "\n".join(lines)


def _rank(finding: Finding) -> tuple[int, str, int]:
    return finding.severity.rank, finding.path or "", finding.line or 0


def _skipped(case: ET.Element, message: str) -> None:
    ET.SubElement(case, "skipped", {"message": _clean(message)})


def _child(case: ET.Element, tag: str, message: str, text: str | None, kind: str) -> None:
    element = ET.SubElement(case, tag, {"message": _clean(message), "type": _clean(kind)})
    if text:
        element.text = _clean(text)


def _counts(suites: Iterable[ET.Element]) -> dict[str, str]:
    cases = [case for suite in suites for case in suite.iter("testcase")]
    return {
        "tests": str(len(cases)),
        "failures": str(sum(case.find("failure") is not None for case in cases)),
        "errors": str(sum(case.find("error") is not None for case in cases)),
        "skipped": str(sum(case.find("skipped") is not None for case in cases)),
    }


def _number(value: float | None) -> str:
    if value is None:
        return "unknown"
    return f"{value:g}"


def _clean(text: str) -> str:
    """XML 1.0 cannot carry control characters, whatever a finding's message holds."""
    return _NOT_XML.sub("\ufffd", text)
