"""SARIF 2.1.0: valid against the official schema, rules from the registry, stable fingerprints."""

from __future__ import annotations

import json
from datetime import date
from importlib import resources

import jsonschema
import pytest

from gonogo.api import create_baseline
from gonogo.config import load_config
from gonogo.model import (
    Category,
    CheckDoc,
    CheckResult,
    Decision,
    Finding,
    Location,
    Note,
    Outcome,
    Report,
    Severity,
    Waiver,
)
from gonogo.options import ScanOptions
from gonogo.registry import REGISTRY, load_plugins
from gonogo.reporters import sarif
from tests.helpers import make_repo, scan_repo

APP = """\
import subprocess
import hashlib

def run(cmd):
    subprocess.run(cmd, shell=True)

def digest(data):
    return hashlib.md5(data).hexdigest()  # gonogo: ignore[SEC003] cache key, not security
"""


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(resources.files("gonogo").joinpath("data/sarif-2.1.0.json").read_text("utf-8"))
    assert schema["id"].endswith("sarif-schema-2.1.0.json")
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)


def validate(validator, text):
    log = json.loads(text)
    errors = sorted(validator.iter_errors(log), key=str)
    assert errors == [], errors[0].message if errors else ""
    return log


def test_full_scan_output_is_valid_sarif(tmp_path, validator):
    repo = make_repo(tmp_path, {"app.py": APP, "tests/test_app.py": "def test_x():\n    assert True\n"})
    log = validate(validator, sarif.render(scan_repo(repo)))
    run = log["runs"][0]
    assert log["version"] == "2.1.0"
    assert run["tool"]["driver"]["name"] == "gonogo"
    assert {r["ruleId"][:3] for r in run["results"]} >= {"SEC"}


def test_rules_come_from_the_registry(tmp_path, validator):
    repo = make_repo(tmp_path, {"app.py": APP})
    log = validate(validator, sarif.render(scan_repo(repo, select="SEC")))
    rules = {r["id"]: r for r in log["runs"][0]["tool"]["driver"]["rules"]}
    load_plugins()
    spec = REGISTRY.checks["SEC001"]
    rule = rules["SEC001"]
    assert rule["shortDescription"]["text"] == spec.title
    assert spec.why in rule["help"]["text"] and spec.fix in rule["help"]["text"]
    assert rule["defaultConfiguration"]["level"] == "error"
    assert rule["properties"]["security-severity"] == "8.0"
    assert rules["SEC010"]["defaultConfiguration"]["level"] == "note"
    results = log["runs"][0]["results"]
    assert all(results[i]["ruleId"] == log["runs"][0]["tool"]["driver"]["rules"][r["ruleIndex"]]["id"]
               for i, r in enumerate(results))


def test_results_have_relative_uris_levels_and_suppressions(tmp_path, validator):
    repo = make_repo(tmp_path, {"app.py": APP})
    text = sarif.render(scan_repo(repo, select="SEC"))
    assert str(tmp_path) not in text
    results = validate(validator, text)["runs"][0]["results"]
    shell = next(r for r in results if r["properties"].get("rule") == "S602")
    location = shell["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "app.py", "uriBaseId": "%SRCROOT%"}
    assert location["region"]["startLine"] == 5
    assert shell["level"] == "error"
    assert shell["properties"]["cwe"] == 78
    md5 = next(r for r in results if r["properties"].get("rule") == "S324")
    assert md5["suppressions"] == [
        {"kind": "inSource", "status": "accepted", "justification": "inline: cache key, not security"}
    ]


def fingerprints(report):
    log = json.loads(sarif.render(report))
    return sorted(
        (r["ruleId"], r["properties"].get("rule"), r["partialFingerprints"][sarif.FINGERPRINT_KEY])
        for r in log["runs"][0]["results"]
    )


def test_fingerprints_survive_code_moving_and_differ_between_findings(tmp_path):
    before = fingerprints(scan_repo(make_repo(tmp_path / "a", {"app.py": APP}), select="SEC"))
    moved = "# a comment\n\n\n" + APP.replace("def run(cmd):", "def helper():\n    return 1\n\ndef run(cmd):")
    after = fingerprints(scan_repo(make_repo(tmp_path / "b", {"app.py": moved}), select="SEC"))
    assert before == after
    assert len({mark for *_, mark in before}) == len(before)


def test_sarif_reports_the_fingerprint_the_baseline_records(tmp_path):
    """One fingerprint: an alert in code scanning and a row of the baseline name the same finding."""
    repo = make_repo(tmp_path, {"app.py": APP})
    log = json.loads(sarif.render(scan_repo(repo, select="SEC")))
    written = create_baseline([repo], config=load_config(None, {"select": ["SEC"]}),
                               options=ScanOptions(use_cache=False))
    recorded = {row["fingerprint"] for row in json.loads(written.path.read_text())["findings"]}
    open_results = [r for r in log["runs"][0]["results"] if "suppressions" not in r]
    reported = {r["partialFingerprints"][sarif.FINGERPRINT_KEY].split(":")[0] for r in open_results}
    assert len(recorded) == len(open_results) >= 2
    assert reported == recorded


def test_rules_are_described_from_the_report_alone():
    """The reporter reads a check's Why and Fix from its result, not from the registry: a check
    no plugin registered still gets its documentation."""
    result = CheckResult(check_id="ZZZ998", title="Nothing is left behind", category=Category.DOCS,
                         severity=Severity.LOW, outcome=Outcome.PASS, score=1.0,
                         doc=CheckDoc(name="nothing_left", why="left things rot", fix="take them"))
    report = Report(decision=Decision.GO, gates=(), metrics={}, scores={}, checks=(result,), plan=(), notes=())
    rule = json.loads(sarif.render(report))["runs"][0]["tool"]["driver"]["rules"][0]
    assert rule["name"] == "nothing_left"
    assert rule["help"]["text"] == "Why: left things rot\nFix: take them"
    assert rule["fullDescription"]["text"] == "left things rot"


def test_hand_built_edge_cases_are_valid(validator):
    findings = (
        Finding(check_id="SEC001", severity=Severity.CRITICAL, message="no location"),
        Finding(check_id="SEC001", severity=Severity.INFO, message="path only",
                location=Location(path="dir with space/naïve#1.py")),
        Finding(check_id="SEC001", severity=Severity.MEDIUM, message="control \x00\x1b chars",
                location=Location(path="a.py", line=3, column=0, end_line=1),
                waived=Waiver(check="SEC001", reason="accepted", until=date(2030, 1, 1)),
                data=(("nested", {"b": (1, 2), "a": float("nan")}), ("obj", Severity.LOW))),
        Finding(check_id="SEC001", severity=Severity.LOW, message="baselined",
                location=Location(path="a.py", line=9), suppressed="baseline"),
    )
    checks = (
        CheckResult(check_id="SEC001", title="t", category=Category.SECURITY, severity=Severity.HIGH,
                    outcome=Outcome.FAIL, score=1.0, findings=findings),
        CheckResult(check_id="ZZZ999", title="not registered", category=Category.DOCS,
                    severity=Severity.LOW, outcome=Outcome.UNKNOWN, score=None, reason="no data"),
    )
    report = Report(decision=Decision.NO_GO, gates=(), metrics={"x": float("inf"), "y": None}, scores={},
                    checks=checks, plan=(), notes=(Note(message="n", path="p"),))
    log = validate(validator, sarif.render(report))
    results = log["runs"][0]["results"]
    assert results[0]["locations"] == [{"physicalLocation": {"artifactLocation": {"uri": ".", "uriBaseId": "%SRCROOT%"}}}]
    rules = {rule["id"]: rule for rule in log["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["SEC001"]["helpUri"].endswith("/docs/checks/SEC001.md")
    assert "helpUri" not in rules["ZZZ999"]  # no page: no link that answers 404
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results[1:]]
    assert "dir%20with%20space/na%C3%AFve%231.py" in uris
    assert log["runs"][0]["properties"]["metrics"] == {"x": None, "y": None}
    assert {r["suppressions"][0]["kind"] for r in results if "suppressions" in r} == {"external"}
    notes = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert notes[0]["message"]["text"] == "ZZZ999 could not tell: no data"
