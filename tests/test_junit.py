"""JUnit XML: every gate and every check is a test case CI dashboards can show."""

from __future__ import annotations

import defusedxml.ElementTree as ET

from gonogo.model import (
    Category,
    CheckResult,
    Condition,
    ConditionResult,
    Decision,
    Finding,
    Gate,
    GateResult,
    GateStatus,
    Location,
    Operator,
    Outcome,
    Report,
    Severity,
)
from gonogo.reporters import junit
from tests.helpers import make_repo, scan_repo


def cases(root, suite):
    return {c.get("name"): c for c in root.find(f"testsuite[@name='{suite}']").iter("testcase")}


def test_each_gate_and_check_is_a_testcase(tmp_path):
    repo = make_repo(tmp_path, {"app.py": "import subprocess\nsubprocess.run(cmd, shell=True)\n"})
    report = scan_repo(repo, select="SEC")
    root = ET.fromstring(junit.render(report))
    gates = cases(root, "gates")
    checks = cases(root, "checks")
    assert set(gates) == {g.gate.name for g in report.gates}
    assert len(checks) == len(report.checks)
    security = gates["Security"].find("failure")
    assert security is not None and "security.high_high_confidence = 1" in security.get("message")
    shell = checks["SEC001 No OS command is built from input or run through a shell"].find("failure")
    assert shell.get("message") == "2 finding(s)" and "app.py:2" in shell.text
    assert checks["SEC002 No SQL query is assembled from strings"].find("failure") is None
    assert checks["SEC099 Every inline suppression names a check and gives a reason"].find("skipped") is not None
    assert root.get("tests") == str(len(gates) + len(checks))
    assert root.get("failures") == str(sum(c.find("failure") is not None for c in [*gates.values(), *checks.values()]))


def test_unknown_is_an_error_never_a_pass():
    gate = Gate(name="Tests", conditions=(Condition(metric="tests.files", operator=Operator.GE, threshold=1),))
    report = Report(
        decision=Decision.CONDITIONAL_GO,
        gates=(GateResult(gate=gate, status=GateStatus.UNKNOWN, conditions=(
            ConditionResult(condition=gate.conditions[0], measured=None, status=GateStatus.UNKNOWN),)),),
        metrics={}, scores={}, plan=(),
        checks=(CheckResult(check_id="TEST001", title="t", category=Category.TESTS, severity=Severity.HIGH,
                            outcome=Outcome.UNKNOWN, score=None, reason="pytest not found"),),
    )
    root = ET.fromstring(junit.render(report))
    assert cases(root, "gates")["Tests"].find("error").get("message").startswith("blocking gate not measured")
    assert cases(root, "checks")["TEST001 t"].find("error").get("message") == "could not tell: pytest not found"
    assert root.get("errors") == "2"


def test_suppressed_findings_are_listed_and_hostile_text_stays_valid_xml():
    findings = (
        Finding(check_id="SEC001", severity=Severity.HIGH, message="bad \x00\x07 <&> \"quoted\" ]]>",
                location=Location(path="a.py", line=1), evidence="x\x1by"),
        Finding(check_id="SEC001", severity=Severity.LOW, message="known", suppressed="baseline"),
    )
    report = Report(
        decision=Decision.NO_GO, gates=(), metrics={}, scores={}, plan=(),
        checks=(CheckResult(check_id="SEC001", title="t", category=Category.SECURITY, severity=Severity.HIGH,
                            outcome=Outcome.FAIL, score=0.0, findings=findings),),
    )
    text = junit.render(report)
    case = cases(ET.fromstring(text), "checks")["SEC001 t"]
    assert "<&> \"quoted\" ]]>" in case.find("failure").text
    assert "[suppressed: baseline]" in case.find("system-out").text
    assert "\x00" not in text and junit.render(report) == text
