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


def unknown_report(duration: float | None = None) -> Report:
    gate = Gate(name="Tests", conditions=(Condition(metric="tests.files", operator=Operator.GE, threshold=1),))
    return Report(
        decision=Decision.CONDITIONAL_GO,
        gates=(GateResult(gate=gate, status=GateStatus.UNKNOWN, conditions=(
            ConditionResult(condition=gate.conditions[0], measured=None, status=GateStatus.UNKNOWN),)),),
        metrics={}, scores={}, plan=(),
        checks=(CheckResult(check_id="TEST001", title="t", category=Category.TESTS, severity=Severity.HIGH,
                            outcome=Outcome.UNKNOWN, score=None, reason="pytest not found"),
                CheckResult(check_id="OPS001", title="o", category=Category.OPERATIONS, severity=Severity.LOW,
                            outcome=Outcome.NOT_APPLICABLE, score=None, reason="no Dockerfile")),
        duration_seconds=duration,
    )


def test_could_not_tell_is_skipped_with_its_reason_never_an_error_nor_a_pass():
    root = ET.fromstring(junit.render(unknown_report()))
    gate = cases(root, "gates")["Tests"]
    assert gate.find("skipped").get("message").startswith("blocking gate not measured: tests.files")
    checks = cases(root, "checks")
    assert checks["TEST001 t"].find("skipped").get("message") == "could not tell: pytest not found"
    assert checks["OPS001 o"].find("skipped").get("message") == "not applicable: no Dockerfile"
    assert root.find(".//error") is None and root.get("errors") == "0"
    assert root.get("skipped") == "3"
    assert root.get("decision") == "CONDITIONAL_GO"  # still not GO: skipped is no pass


def test_time_is_the_scan_duration_and_absent_when_unknown():
    timed = ET.fromstring(junit.render(unknown_report(duration=12.3456)))
    assert timed.get("time") == "12.346"
    assert timed.find("testsuite[@name='checks']").get("time") == "12.346"
    assert ET.fromstring(junit.render(unknown_report())).get("time") is None  # no made-up clock


def test_failing_check_names_the_file_of_its_worst_finding():
    findings = (
        Finding(check_id="SEC001", severity=Severity.LOW, message="low", location=Location(path="a.py", line=9)),
        Finding(check_id="SEC001", severity=Severity.CRITICAL, message="worst", location=Location(path="z/b.py", line=3)),
        Finding(check_id="SEC001", severity=Severity.CRITICAL, message="waived one", suppressed="baseline",
                location=Location(path="0-first.py", line=1)),
    )
    report = Report(
        decision=Decision.NO_GO, gates=(), metrics={}, scores={}, plan=(),
        checks=(CheckResult(check_id="SEC001", title="t", category=Category.SECURITY, severity=Severity.HIGH,
                            outcome=Outcome.FAIL, score=0.0, findings=findings),
                CheckResult(check_id="SEC002", title="u", category=Category.SECURITY, severity=Severity.HIGH,
                            outcome=Outcome.PASS, score=10.0)),
    )
    checks = cases(ET.fromstring(junit.render(report)), "checks")
    assert checks["SEC001 t"].get("file") == "z/b.py"
    assert checks["SEC002 u"].get("file") is None


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
