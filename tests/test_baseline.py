"""Baselines: known findings are marked and leave the gates; new ones still count."""

from __future__ import annotations

import json

import pytest

from gonogo.api import create_baseline
from gonogo.config import load_config
from gonogo.fingerprint import fingerprint, normalise
from gonogo.model import Finding, GateStatus, Location, Severity
from gonogo.options import ScanOptions
from tests.helpers import make_repo, result_of, scan_repo

APP = "import subprocess\n\ndef run(cmd):\n    subprocess.run(cmd, shell=True)\n"


def security(report):
    return next(g for g in report.gates if g.gate.name == "Security")


def write_baseline(repo):
    return create_baseline([repo], config=load_config(None, {"select": ["SEC"]}),
                           options=ScanOptions(use_cache=False))


def test_baseline_file_has_no_line_numbers_and_is_deterministic(tmp_path):
    repo = make_repo(tmp_path, {"app.py": APP})
    written = write_baseline(repo)
    assert written.path == repo / ".gonogo-baseline.json"
    assert written.findings == 2  # the shell=True call and the subprocess import
    text = written.path.read_text()
    data = json.loads(text)
    assert data["version"] == 1
    assert all(set(row) == {"check", "path", "key", "fingerprint", "count"} for row in data["findings"])
    assert "line" not in text
    assert write_baseline(repo).path.read_text() == text


def test_known_findings_are_marked_and_gates_judge_new_ones_only(tmp_path):
    repo = make_repo(tmp_path, {"app.py": APP})
    assert security(scan_repo(repo, select="SEC")).status is GateStatus.FAIL
    write_baseline(repo)
    report = scan_repo(repo, select="SEC")
    shell = result_of(report, "SEC001").findings
    assert [f.suppressed for f in shell] == ["baseline", "baseline"]
    assert report.metrics["baseline.findings"] == 2
    assert report.metrics["security.high_high_confidence"] == 0
    assert security(report).status is not GateStatus.FAIL


def test_findings_survive_code_moving(tmp_path):
    repo = make_repo(tmp_path, {"app.py": APP})
    write_baseline(repo)
    (repo / "app.py").write_text('"""Docs."""\n\n\n' + APP.replace("    subprocess", "\n    subprocess"))
    report = scan_repo(repo, select="SEC001")
    assert all(f.suppressed == "baseline" for f in result_of(report, "SEC001").findings)


def test_a_second_copy_of_a_known_problem_is_new(tmp_path):
    repo = make_repo(tmp_path, {"app.py": APP})
    write_baseline(repo)
    (repo / "app.py").write_text(APP + "\ndef again(cmd):\n    subprocess.run(cmd, shell=True)\n")
    report = scan_repo(repo, select="SEC")
    states = [f.suppressed for f in result_of(report, "SEC001").findings if f.get("rule") == "S602"]
    assert sorted(states, key=str) == [None, "baseline"]
    assert report.metrics["security.high_high_confidence"] == 1
    assert security(report).status is GateStatus.FAIL


def test_ignore_baseline_judges_everything(tmp_path):
    repo = make_repo(tmp_path, {"app.py": APP})
    write_baseline(repo)
    report = scan_repo(repo, "SEC", options={"ignore_baseline": True})
    assert "baseline.findings" not in report.metrics
    assert report.metrics["security.high"] == 1


@pytest.mark.parametrize(
    "content",
    [b"{not json", b"[]", b'{"findings": [1]}', b'{"findings": {}}', b"\xff\xfe\x00", b""],
    ids=["malformed", "a list", "finding not an object", "findings not a list", "binary", "empty"],
)
def test_unusable_baseline_is_a_note_and_everything_counts(tmp_path, content):
    repo = make_repo(tmp_path, {"app.py": APP, ".gonogo-baseline.json": content})
    report = scan_repo(repo, select="SEC")
    assert any(n.source == "baseline" and "baseline not applied" in n.message for n in report.notes)
    assert report.metrics["security.high_high_confidence"] == 1


def test_explicit_baseline_path_and_missing_file(tmp_path):
    repo = make_repo(tmp_path / "repo", {"app.py": APP})
    elsewhere = tmp_path / "b.json"
    create_baseline([repo], config=load_config(None, {"select": ["SEC"]}),
                    options=ScanOptions(use_cache=False), output=elsewhere)
    report = scan_repo(repo, "SEC", options={"baseline": str(elsewhere)})
    assert report.metrics["baseline.findings"] == 2
    missing = scan_repo(repo, "SEC", options={"baseline": str(tmp_path / "none.json")})
    assert any("cannot read" in n.message for n in missing.notes)


def test_fingerprint_ignores_layout_and_line_numbers():
    a = Finding(check_id="SEC001", severity=Severity.HIGH, message="m", location=Location(path="a.py", line=3))
    b = Finding(check_id="SEC001", severity=Severity.HIGH, message="m", location=Location(path="a.py", line=90))
    assert fingerprint(a, "  x =  f(y)") == fingerprint(b, "x = f(y)  # gonogo: ignore[X]")
    assert fingerprint(a, "x = f(y)") != fingerprint(a, "x = f(z)")
    no_line = Finding(check_id="DOC001", severity=Severity.LOW, message="missing at line 4")
    moved = Finding(check_id="DOC001", severity=Severity.LOW, message="missing at line 7")
    assert fingerprint(no_line, "") == fingerprint(moved, "")


def test_a_long_line_is_anchored_by_its_digest_and_normalising_it_again_changes_nothing():
    """Every finding on a 2 MB line hashed the line again; now the line is hashed once."""
    finding = Finding(check_id="SEC020", severity=Severity.HIGH, message="m", location=Location(path="a.js", line=1))
    line = "var a = 1; " * 1000
    anchor = normalise(line)
    assert len(anchor) == 64 and normalise(anchor) == anchor
    assert fingerprint(finding, line) == fingerprint(finding, anchor) != fingerprint(finding, line + "b")
    assert normalise("x =  f(y)") == "x = f(y)"  # a short line is still its own anchor


TOKEN = "ghp_" + "a" * 36


@pytest.mark.parametrize(
    ("finding", "line", "written_before"),
    [
        (Finding(check_id="SEC001", severity=Severity.HIGH, message="m", key="S602",
                 location=Location(path="a.py", line=3)), "  x =  f(y)", "0be6e2b3c1a2aec476bc9236"),
        (Finding(check_id="DOC001", severity=Severity.LOW, message="missing at line 4", key="k"), "",
         "8c5d6a61493a41df55e50772"),
        (Finding(check_id="SEC020", severity=Severity.HIGH, message=f"token {TOKEN} in x",
                 location=Location(path=f"cfg/ghp_{'b' * 36}.py", line=1)), "", "af09b0d6c2184b244f4a59f8"),
    ],
    ids=["finding on a source line", "finding without a line", "credential in the path and message"],
)
def test_fingerprint_is_the_one_baselines_were_written_with(finding, line, written_before):
    """Values computed by the baseline module before the fingerprint had a module of its own:
    a committed ``.gonogo-baseline.json`` keeps matching."""
    assert fingerprint(finding, line) == written_before


OLD_BASELINE = {
    "version": 1,
    "tool": "gonogo",
    "findings": [
        {"check": "SEC001", "path": "app.py", "key": "S404", "fingerprint": "1bd4fab05747881d79c42957", "count": 1},
        {"check": "SEC001", "path": "app.py", "key": "S602", "fingerprint": "cede5971c8e879d007e6cef2", "count": 1},
    ],
}
"""Written by ``gonogo baseline`` for ``APP`` before the fingerprint moved out of this module."""


def test_a_baseline_written_before_still_applies(tmp_path):
    repo = make_repo(tmp_path, {"app.py": APP})
    (repo / ".gonogo-baseline.json").write_text(json.dumps(OLD_BASELINE))
    report = scan_repo(repo, "SEC")
    assert report.metrics["baseline.findings"] == 2
    assert {f.suppressed for f in report.findings} == {"baseline"}
