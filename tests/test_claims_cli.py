"""`gonogo verify` on the command line: exit codes, outputs, --against, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gonogo.cli import app
from tests.helpers import make_repo

FIXTURES = Path(__file__).parent / "fixtures" / "claims"
runner = CliRunner()


def invoke(*args: str | Path):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def test_an_inconsistent_document_fails_and_writes_every_format(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GONOGO_VULNDB", str(tmp_path / "no-index.sqlite3"))  # advisories: unverifiable here
    result = invoke("verify", FIXTURES / "seed002.md", "--format", "md,json,sarif", "--output", tmp_path)
    assert result.exit_code == 1
    assert "49 claims: 6 verified, 0 contradicted, 6 inconsistent, 37 unverifiable" in result.output
    data = json.loads((tmp_path / "claims.json").read_text(encoding="utf-8"))
    first = data["claims"][0]
    assert {"line", "text", "kind", "status", "claimed", "measured", "evidence"} <= set(first)
    assert data["summary"]["inconsistent"] == 6
    sarif = json.loads((tmp_path / "claims.sarif").read_text(encoding="utf-8"))
    errors = [r for r in sarif["runs"][0]["results"] if r["level"] == "error"]
    assert sorted(r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in errors) == [
        14, 16, 22, 61, 253, 366]
    assert "| 253 | inconsistent | CLM004 |" in (tmp_path / "claims.md").read_text(encoding="utf-8")


def test_a_consistent_document_passes(tmp_path: Path) -> None:
    doc = tmp_path / "READY.md"
    doc.write_text("# Ready\n\n- 19/47 checks passed (40.4%)\n- Throughput: 900 RPS\n", encoding="utf-8")
    result = invoke("verify", doc)
    assert result.exit_code == 0
    assert "2 claims: 1 verified, 0 contradicted, 0 inconsistent, 1 unverifiable" in result.output


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [("empty.md", b"", "the document is empty"), ("image.md", b"\x89PNG\x00\x00", "binary data"),
     ("absent.md", None, "cannot be read")],
    ids=["empty", "binary", "missing"],
)
def test_an_unreadable_document_exits_2_naming_it(tmp_path: Path, name: str, data: bytes | None, message: str) -> None:
    path = tmp_path / name
    if data is not None:
        path.write_bytes(data)
    result = invoke("verify", path)
    assert result.exit_code == 2
    text = " ".join(result.output.split())  # the console wraps long lines
    assert name in text and message in text


def test_a_bad_report_or_format_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "report.json"
    bad.write_text("{not json", encoding="utf-8")
    result = invoke("verify", FIXTURES / "seed004.md", "--against", bad)
    assert result.exit_code == 2 and "report.json" in result.output
    assert invoke("verify", FIXTURES / "seed004.md", "--format", "pdf").exit_code == 2


def test_against_an_earlier_report(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", {"tests/test_a.py": "import pytest\n\ndef test_a():\n    pytest.skip('later')\n"})
    out = tmp_path / "out"
    invoke("check", root, "--format", "json", "--output", out, "--no-cache", "--quiet")
    doc = tmp_path / "READY.md"
    doc.write_text("# Status\n\n- 3 skipped tests remain\n- 1 pytest.skip() call\n", encoding="utf-8")
    result = invoke("verify", doc, "--against", out / "report.json", "--format", "json", "--output", out)
    assert result.exit_code == 1
    claims = json.loads((out / "claims.json").read_text(encoding="utf-8"))["claims"]
    assert [(c["line"], c["status"], c["measured"]) for c in claims] == [(3, "contradicted", "1"), (4, "verified", "1")]


@pytest.mark.parametrize(("check_id", "words"), [("CLM004", "overall score"), ("CLM100", "--claims")],
                         ids=["a verify check", "the check --claims result"])
def test_claim_checks_are_explained(check_id: str, words: str) -> None:
    result = invoke("explain", check_id)
    assert result.exit_code == 0
    assert words in result.output.lower() and "Fix:" in result.output


def test_check_with_claims_adds_the_claims_table_and_a_finding_for_a_gated_metric(tmp_path: Path) -> None:
    compose = "services:\n  web:\n    image: nginx:latest\n  db:\n    image: postgres:latest\n"
    root = make_repo(tmp_path / "repo", {"docker-compose.yml": compose})
    doc = tmp_path / "READY.md"
    doc.write_text("# Status\n\n- Unpinned images found: 1\n- 19/47 checks passed (40.4%)\n", encoding="utf-8")
    out = tmp_path / "out"
    invoke("check", root, "--claims", doc, "--format", "json", "--output", out, "--no-cache", "--quiet")
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    (result,) = [c for c in report["checks"] if c["id"] == "CLM100"]
    assert [row[:2] for row in result["tables"][0]["rows"]] == [["3", "contradicted"], ["4", "verified"]]
    (finding,) = [f for f in report["findings"] if f["check_id"] == "CLM100"]
    assert (finding["path"], finding["line"]) == (str(doc), 3)
    assert "measured 2" in finding["message"]


def test_check_with_an_unreadable_claims_document_exits_2(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", {"app.py": "x = 1\n"})
    result = invoke("check", root, "--claims", tmp_path / "absent.md", "--no-cache", "--quiet")
    assert result.exit_code == 2
    assert "absent.md" in " ".join(result.output.split())
