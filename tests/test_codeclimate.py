"""``--format codeclimate``: the Code Quality JSON GitLab reads, checked against the fields GitLab
requires (docs.gitlab.com, "Code Quality report format": description, check_name, fingerprint,
severity, location.path, location.lines.begin or location.positions.begin.line)."""

from __future__ import annotations

import json

import jsonschema
import pytest
from typer.testing import CliRunner

from gonogo.cli import app
from gonogo.model import Category, CheckResult, Decision, Finding, Location, Outcome, Report, Severity, Waiver
from gonogo.reporters import codeclimate
from tests.helpers import make_repo, scan_repo

GITLAB_CODE_QUALITY = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "properties": {
            "description": {"type": "string", "minLength": 1},
            "check_name": {"type": "string", "minLength": 1},
            "fingerprint": {"type": "string", "minLength": 1},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "location": {
                "type": "object",
                "required": ["path", "lines"],
                "properties": {
                    "path": {"type": "string", "minLength": 1, "not": {"pattern": "^/"}},
                    "lines": {
                        "type": "object",
                        "required": ["begin"],
                        "properties": {"begin": {"type": "integer", "minimum": 1}},
                    },
                },
            },
        },
    },
}

APP = "import subprocess\n\ndef run(cmd):\n    subprocess.run(cmd, shell=True)\n"


def valid(text: str) -> list[dict]:
    issues = json.loads(text)
    jsonschema.validate(issues, GITLAB_CODE_QUALITY)
    fingerprints = [issue["fingerprint"] for issue in issues]
    assert len(fingerprints) == len(set(fingerprints))  # GitLab folds equal fingerprints into one issue
    return issues


def test_a_scan_gives_valid_code_quality_issues(tmp_path):
    repo = make_repo(tmp_path, {"app.py": APP})
    issues = valid(codeclimate.render(scan_repo(repo)))
    shell = next(i for i in issues if i["check_name"] == "SEC001")
    assert shell["location"] == {"path": "app.py", "lines": {"begin": 4}}
    assert shell["severity"] == "blocker"  # it fails the blocking Security gate
    assert shell["categories"] == ["Security"]
    assert codeclimate.render(scan_repo(repo)) == codeclimate.render(scan_repo(repo))


def _report(*findings: Finding) -> Report:
    check = CheckResult(check_id="DOC103", title="t", category=Category.DOCS, severity=Severity.LOW,
                        outcome=Outcome.FAIL, score=0.0, findings=findings)
    return Report(decision=Decision.NO_GO, gates=(), metrics={}, scores={}, checks=(check,), plan=())


@pytest.mark.parametrize(
    ("finding", "expected"),
    [
        (Finding(check_id="DOC103", severity=Severity.HIGH, message="m", location=Location(path="a.py", line=3)),
         {"severity": "major", "location": {"path": "a.py", "lines": {"begin": 3}}}),
        (Finding(check_id="DOC103", severity=Severity.MEDIUM, message="m", location=Location(path="LICENSE")),
         {"severity": "minor", "location": {"path": "LICENSE", "lines": {"begin": 1}}}),
        (Finding(check_id="DOC103", severity=Severity.LOW, message="no LICENSE"),
         {"severity": "info", "location": {"path": ".", "lines": {"begin": 1}}}),
        (Finding(check_id="DOC103", severity=Severity.CRITICAL, message="m", blocks=True),
         {"severity": "blocker", "location": {"path": ".", "lines": {"begin": 1}}}),
    ],
    ids=["line", "file only", "about the whole repository", "blocks the release"],
)
def test_each_finding_has_the_fields_gitlab_requires(finding, expected):
    (issue,) = valid(codeclimate.render(_report(finding)))
    assert {key: issue[key] for key in expected} == expected


def test_accepted_findings_are_left_out_and_twins_get_distinct_fingerprints():
    twin = Finding(check_id="DOC103", severity=Severity.LOW, message="same", location=Location(path="a.py", line=1))
    report = _report(
        twin, twin,
        Finding(check_id="DOC103", severity=Severity.LOW, message="waived", location=Location(path="b.py", line=1),
                waived=Waiver(check="DOC103", reason="accepted")),
        Finding(check_id="DOC103", severity=Severity.LOW, message="old", suppressed="baseline"),
    )
    issues = valid(codeclimate.render(report))
    assert [i["description"] for i in issues] == ["DOC103: same", "DOC103: same"]


def test_cli_writes_the_file_gitlab_collects(tmp_path):
    repo = make_repo(tmp_path / "repo", {"app.py": APP})
    result = CliRunner().invoke(app, ["check", str(repo), "--select", "SEC", "-f", "codeclimate", "-o", str(tmp_path / "out")])
    assert result.exit_code == 1, result.output
    issues = valid((tmp_path / "out" / "gl-code-quality-report.json").read_text(encoding="utf-8"))
    assert any(i["check_name"] == "SEC001" for i in issues)
