""""Since the last run": the report compares itself with the previous recorded run of the same
repository, regressions first, through the CLI as a user runs it."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from typer.testing import CliRunner

from gonogo.cli import app
from gonogo.history.diff import Snapshot
from gonogo.history.since import since_last_run
from tests.helpers import make_repo

runner = CliRunner()
SKIP = "import pytest\n\n\n@pytest.mark.skip\ndef test_later():\n    assert 1 == 2\n"


def check(root: Path, database: Path, output: Path) -> dict:
    result = runner.invoke(app, ["check", str(root), "--history", str(database), "--select", "TEST",
                                 "--format", "json,md", "--output", str(output), "-q"], catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    return json.loads((output / "report.json").read_text())


def test_the_second_run_reports_its_regressions_first_and_the_first_run_has_no_section(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", {"tests/test_a.py": "def test_a():\n    assert 1 + 1 == 2\n"}, git=True)
    database = tmp_path / "history.sqlite"
    first = check(root, database, tmp_path / "one")
    assert "since_last_run" not in first
    (root / "tests" / "test_b.py").write_text(SKIP)
    second = check(root, database, tmp_path / "two")
    since = second["since_last_run"]
    assert since["decision_before"] == "CONDITIONAL_GO"  # only TEST ran: the other gates are unknown
    assert since["regressions"][0] == "decision CONDITIONAL_GO -> NO_GO"
    assert "gate Test integrity: pass -> fail" in since["regressions"]
    assert any(line.startswith("new high TEST001") for line in since["regressions"])
    [earlier] = since["trend"]  # the one run recorded before, for the trend charts
    assert earlier["decision"] == "CONDITIONAL_GO" and earlier["active_findings"] == first["summary"]["active_findings"]
    text = (tmp_path / "two" / "report.md").read_text()
    assert "## Since the last run" in text and "- worse: decision CONDITIONAL" in text


def test_a_fixed_finding_and_a_score_that_rose_are_improvements() -> None:
    finding = {"check_id": "TEST001", "severity": "high", "message": "skip", "path": "t.py", "line": 3}
    before = {"decision": "NO_GO", "findings": [finding], "gates": [{"name": "Test integrity", "status": "fail"}],
              "scores": {"tests": 60.0}, "checks": []}
    after = {"decision": "GO", "findings": [], "gates": [{"name": "Test integrity", "status": "pass"}],
             "scores": {"tests": 100.0}, "checks": []}
    since = since_last_run(Snapshot(label="run #1", report=before), after)
    assert since.regressions == ()
    assert since.improvements[:3] == (
        "decision NO_GO -> GO", "gate Test integrity: fail -> pass", "score tests: 60 -> 100",
    )
    assert since.improvements[3] == "fixed high TEST001: skip at t.py:3"


def test_a_run_recorded_before_summaries_were_kept_gives_the_same_trend_point(tmp_path: Path) -> None:
    """Runs of a history made before revision 0004 have no summary: the trend reads their report."""
    root = make_repo(tmp_path / "repo", {"tests/test_a.py": SKIP}, git=True)
    database = tmp_path / "history.sqlite"
    first = check(root, database, tmp_path / "one")
    with sqlite3.connect(database) as db:
        [(summary,)] = db.execute("SELECT summary FROM runs").fetchall()
        assert json.loads(summary)["active_findings"] == first["summary"]["active_findings"]
    with_summary = check(root, database, tmp_path / "two")["since_last_run"]["trend"][-1]
    with sqlite3.connect(database) as db:
        db.execute("UPDATE runs SET summary = NULL")
    without = check(root, database, tmp_path / "three")["since_last_run"]["trend"]
    assert len(without) == 2
    assert without[0] == with_summary  # the first run's point, read from its report this time
    assert with_summary["scores"] and with_summary["active_findings"] == first["summary"]["active_findings"]
    with sqlite3.connect(database) as db:  # a shared history written by something else
        db.execute("UPDATE runs SET summary = 'not json' WHERE id = 1")
        db.execute("UPDATE runs SET summary = '[1, 2]' WHERE id = 2")
    damaged = check(root, database, tmp_path / "four")["since_last_run"]["trend"]
    for point, whole in zip(damaged[:2], without, strict=True):  # the decision and date are columns of their own
        assert point == whole | {"overall": None, "active_findings": None, "scores": {}}
    assert damaged[2]["scores"] == without[1]["scores"]  # the third run's summary is whole


def test_a_stored_report_that_is_not_json_leaves_out_the_comparison_and_the_scan_goes_on(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", {"tests/test_a.py": SKIP}, git=True)
    database = tmp_path / "history.sqlite"
    check(root, database, tmp_path / "one")
    with sqlite3.connect(database) as db:
        db.execute("UPDATE runs SET report = '{\"truncated', summary = NULL")
    second = check(root, database, tmp_path / "two")
    assert "since_last_run" not in second
    assert second["decision"] == "NO_GO"
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*) FROM runs").fetchone() == (2,)  # and this run is remembered
