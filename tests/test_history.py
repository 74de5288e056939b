"""The run history: every check remembered (SQLite and a real PostgreSQL, one Alembic schema),
listed, compared by fingerprint, and judged still valid or not; a broken history never costs the
scan its report."""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
import subprocess
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from typer.testing import CliRunner

from gonogo.cli import app
from gonogo.history import runs as runs_module
from gonogo.history import store as store_module
from gonogo.history.location import history_url
from gonogo.history.provenance import Provenance, normalise_remote, provenance_of
from gonogo.history.runs import HistoryError, summary_of
from gonogo.history.schema import Base
from gonogo.history.sqlite_runs import SqliteRuns
from gonogo.history.store import History
from tests.helpers import make_repo, server_url

runner = CliRunner()
SERVICE = {
    "app/core.py": "def run():\n    return 1\n",
    "app/jobs.py": "def stub():\n    pass\n",
    "tests/test_core.py": "from app.core import run\n\n\ndef test_run():\n    assert run() == 1\n",
}


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        check=True, capture_output=True, text=True,
    )
    return done.stdout.strip()


def commit_all(root: Path, message: str) -> str:
    git(root, "add", "-A")
    git(root, "commit", "-qm", message)
    return git(root, "rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = make_repo(tmp_path / "service", SERVICE, git=True)
    git(root, "remote", "add", "origin", "https://ci-bot:s3cret-token@github.com/acme/service.git")
    return root


def check(root: Path, database: Path | str, *extra: str) -> str:
    """Scan with the history at ``database``; the decision line."""
    result = invoke("check", str(root), "--history", str(database), "-q", *extra)
    assert result.exit_code in (0, 1), result.output
    return result.output.splitlines()[0]


# --- recording and listing ---------------------------------------------------------------------


def test_each_check_is_remembered_with_its_commit_branch_and_decision(repo: Path, tmp_path: Path) -> None:
    database = tmp_path / "history.sqlite"
    first = git(repo, "rev-parse", "HEAD")
    assert check(repo, database) == "CONDITIONAL GO"
    (repo / "app" / "more.py").write_text("def another():\n    pass\n", encoding="utf-8")
    commit = commit_all(repo, "another stub")
    assert check(repo, database) == "CONDITIONAL GO"
    listed = json.loads(invoke("history", str(repo), "--history", str(database), "--format", "json").output)
    assert [run["commit"] for run in listed] == [commit, first]
    assert {run["identity"] for run in listed} == {"git:github.com/acme/service"}
    assert all(run["branch"] in ("main", "master") and run["dirty"] is False for run in listed)
    assert listed[0]["decision"] == "CONDITIONAL_GO" and "Code health" in listed[0]["failing_gates"]
    text = invoke("history", str(repo), "--history", str(database)).output
    assert "2 run(s) of service" in text and "code_health" in text
    assert "s3cret-token" not in database.read_bytes().decode("latin-1"), "a remote's credentials are never stored"


def test_no_history_and_history_off_remember_nothing(repo: Path, tmp_path: Path, monkeypatch) -> None:
    database = tmp_path / "history.sqlite"
    assert invoke("check", str(repo), "--history", str(database), "--no-history", "-q").exit_code == 0
    assert not database.exists()
    monkeypatch.delenv("GONOGO_HISTORY")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    (repo / "gonogo.toml").write_text('history = "off"\n', encoding="utf-8")
    assert invoke("check", str(repo), "-q").exit_code == 0
    assert not (tmp_path / "data").exists()
    (repo / "gonogo.toml").write_text('history = "runs.sqlite"\n', encoding="utf-8")
    assert invoke("check", str(repo), "-q").exit_code == 0
    assert (repo / "runs.sqlite").is_file(), "a relative history path in the config is beside the config"


@pytest.mark.parametrize(
    ("given", "configured", "expected"),
    [
        ("off", "x.sqlite", None),
        (None, "postgresql://u:p@h/db", "postgresql://u:p@h/db"),
        ("/tmp/h.sqlite", "off", "sqlite:////tmp/h.sqlite"),
    ],
    ids=["the command line turns it off", "a URL from the config", "the command line wins over the config"],
)
def test_where_the_history_is(given: str | None, configured: str | None, expected: str | None, monkeypatch) -> None:
    monkeypatch.delenv("GONOGO_HISTORY")
    assert history_url(given, configured) == expected


def test_by_default_the_history_is_in_the_users_data_folder_not_the_tree(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.delenv("GONOGO_HISTORY")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert history_url() == f"sqlite:///{tmp_path / 'data' / 'gonogo' / 'history.sqlite'}"


@pytest.mark.parametrize(
    ("remote", "expected"),
    [
        ("https://user:token@github.com/Acme/Service.git", "github.com/Acme/Service"),
        ("git@github.com:Acme/Service.git", "github.com/Acme/Service"),
        ("ssh://git@gitlab.example.com:2222/group/sub/proj.git", "gitlab.example.com/group/sub/proj"),
        ("/srv/git/service.git", "srv/git/service"),
    ],
    ids=["https with credentials", "scp-like ssh", "ssh url with a port", "a local path"],
)
def test_one_identity_per_repository_whatever_the_remote_spelling(remote: str, expected: str) -> None:
    assert normalise_remote(remote) == expected


def test_a_folder_outside_git_is_identified_by_its_path(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "plain", {"a.py": "x = 1\n"})
    found = provenance_of(root)
    assert found.identity == f"path:{root.resolve()}" and found.commit is None and found.dirty is None


# --- a history that cannot be written never costs the report ----------------------------------


def test_a_corrupt_history_is_reported_and_the_report_still_written(repo: Path, tmp_path: Path) -> None:
    database = tmp_path / "history.sqlite"
    database.write_bytes(b"this is not a database\x00" * 100)
    result = invoke("check", str(repo), "--history", str(database), "-f", "json", "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, "the decision's exit code, not an error"
    assert "this run was not remembered" in result.output and str(database) in result.output
    assert json.loads((tmp_path / "out" / "report.json").read_text())["decision"] == "CONDITIONAL_GO"
    assert database.read_bytes() == b"this is not a database\x00" * 100, "the user's file is left as it was"


def test_a_locked_history_is_reported_after_its_timeout(repo: Path, tmp_path: Path, monkeypatch) -> None:
    database = tmp_path / "history.sqlite"
    check(repo, database)
    monkeypatch.setattr(runs_module, "SQLITE_BUSY_TIMEOUT_S", 0.2)
    holder = sqlite3.connect(database)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        result = invoke("check", str(repo), "--history", str(database))
    finally:
        holder.rollback()
        holder.close()
    assert result.exit_code == 0
    assert "this run was not remembered" in result.output and "locked" in result.output


def test_an_unreachable_team_database_never_shows_its_password(repo: Path, tmp_path: Path) -> None:
    result = invoke("check", str(repo), "--history", "postgresql://gonogo:hunter2@127.0.0.1:1/history")
    assert result.exit_code == 0
    assert "this run was not remembered" in result.output and "hunter2" not in result.output


# --- SQLite and PostgreSQL, one schema, many writers ------------------------------------------


def _record_many(url: str, identity: str, count: int) -> list[int]:
    history = History.open(url)
    try:
        now = datetime.now(UTC)
        provenance = Provenance(identity=identity, name=identity)
        return [history.record({"decision": "GO", "findings": []}, provenance, now, now) for _ in range(count)]
    finally:
        history.close()


@pytest.fixture
def postgres_history() -> str:
    """A schema of its own in the real test PostgreSQL, named in the URL's search_path."""
    url = server_url("GONOGO_TEST_POSTGRES_URL")
    schema = f"history_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in url else "?"
    yield f"{url}{separator}options=-csearch_path%3D{schema}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_concurrent_scans_of_different_repositories_lose_no_run(backend: str, tmp_path: Path, request) -> None:
    url = f"sqlite:///{tmp_path / 'shared.sqlite'}" if backend == "sqlite" else request.getfixturevalue("postgres_history")
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        ids = pool.starmap(_record_many, [(url, f"path:/repo/{n}", 5) for n in range(4)])
    flat = [run_id for batch in ids for run_id in batch]
    assert len(flat) == len(set(flat)) == 20
    history = History.open(url)
    try:
        assert sorted(len(history.runs(f"path:/repo/{n}")) for n in range(4)) == [5, 5, 5, 5]
    finally:
        history.close()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_migrations_build_exactly_the_models_schema(backend: str, tmp_path: Path, request) -> None:
    url = f"sqlite:///{tmp_path / 'h.sqlite'}" if backend == "sqlite" else request.getfixturevalue("postgres_history")
    history = History.open(url)
    try:
        with history._engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    finally:
        history.close()


def test_the_schema_head_named_in_the_store_is_the_newest_migration() -> None:
    """The store skips alembic for a database already at SCHEMA_HEAD: a new migration must move it."""
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory

    config = AlembicConfig()
    config.set_main_option("script_location", str(store_module.MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_current_head() == runs_module.SCHEMA_HEAD


def test_the_postgresql_history_serves_the_same_commands(repo: Path, postgres_history: str) -> None:
    check(repo, postgres_history)
    check(repo, postgres_history)
    listed = json.loads(invoke("history", str(repo), "--history", postgres_history, "--format", "json").output)
    assert len(listed) == 2
    assert invoke("diff", "--root", str(repo), "--history", postgres_history).exit_code == 0


def test_a_file_that_is_not_a_database_url_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(HistoryError, match="nosuchdriver"):
        History.open("nosuchdriver://x/y")


# --- diff ---------------------------------------------------------------------------------------


def test_diff_matches_findings_by_fingerprint_not_line(repo: Path, tmp_path: Path) -> None:
    database = tmp_path / "history.sqlite"
    check(repo, database)
    jobs = repo / "app" / "jobs.py"
    jobs.write_text("# moved down two lines\n\n" + jobs.read_text() + "\n\ndef broken():\n    pass\n")
    commit_all(repo, "move a stub, add one")
    check(repo, database)
    result = invoke("diff", "--root", str(repo), "--history", str(database), "--format", "json")
    assert result.exit_code == 1, "a new finding is a regression"
    diff = json.loads(result.output)
    assert [(f["check_id"], f["path"], f["line"]) for f in diff["new"]] == [("CODE001", "app/jobs.py", 7)]
    assert diff["fixed"] == [], "the stub that only moved is the same finding"
    assert diff["regressed"] is True
    [score] = [s for s in diff["scores"] if s["area"] == "code_health"]
    assert any(reason.startswith("CODE001 fail -> fail (1 -> 2 active)") for reason in score["moved_by"])


def test_diff_of_a_fix_is_not_a_regression_and_names_the_flipped_gate(repo: Path, tmp_path: Path) -> None:
    database = tmp_path / "history.sqlite"
    check(repo, database)
    (repo / "app" / "jobs.py").write_text("def stub():\n    return 0\n", encoding="utf-8")
    commit_all(repo, "implement the stub")
    check(repo, database)
    result = invoke("diff", "--root", str(repo), "--history", str(database), "--format", "md")
    assert result.exit_code == 0
    assert "## Fixed findings" in result.output and "CODE001 `app/jobs.py:1` stub is a stub (pass)" in result.output
    assert "## Gates that flipped" in result.output and "Code health: fail -> pass" in result.output


def test_diff_of_two_report_files_and_bad_report_files(repo: Path, tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    invoke("check", str(repo), "-f", "json", "-o", str(a), "--no-history", "-q")
    (repo / "app" / "extra.py").write_text("def f():\n    pass\n", encoding="utf-8")
    invoke("check", str(repo), "-f", "json", "-o", str(b), "--no-history", "-q")
    result = invoke("diff", str(a / "report.json"), str(b / "report.json"))
    assert result.exit_code == 1 and "1 new, 0 fixed" in result.output
    bad = {
        "not json": b"{ nope",
        "binary": b"\x00\xff\xfe" * 100,
        "a list": b"[1, 2, 3]",
        "empty": b"",
    }
    for name, content in bad.items():
        path = tmp_path / f"{name.replace(' ', '-')}.json"
        path.write_bytes(content)
        result = invoke("diff", str(path), str(b / "report.json"))
        assert result.exit_code == 2 and path.name in result.output, name
    huge = tmp_path / "huge.json"
    with huge.open("wb") as handle:
        handle.truncate(65 * 1024 * 1024)
    result = invoke("diff", str(huge), str(b / "report.json"))
    assert result.exit_code == 2 and "larger than 64 MiB" in result.output


def test_diff_with_one_run_says_there_is_nothing_to_compare(repo: Path, tmp_path: Path) -> None:
    database = tmp_path / "history.sqlite"
    check(repo, database)
    result = invoke("diff", "--root", str(repo), "--history", str(database))
    assert result.exit_code == 2 and "nothing to compare" in result.output


def test_hostile_text_from_the_repository_is_escaped_in_history_and_diff(repo: Path, tmp_path: Path) -> None:
    database = tmp_path / "history.sqlite"
    git(repo, "checkout", "-qb", "evil`<img/src=x/onerror=alert(1)>")
    check(repo, database)
    (repo / "app" / "x_`y`_[z](http:evil).py").write_text("def f():\n    pass\n", encoding="utf-8")
    commit_all(repo, "hostile name")
    check(repo, database)
    md = invoke("diff", "--root", str(repo), "--history", str(database), "--format", "md").output
    [line] = [line for line in md.splitlines() if "CODE001" in line and "x_" in line]
    assert "``app/x_`y`_[z](http:evil).py:1``" in line, "the path is a code span a backtick cannot close"
    listed = invoke("history", str(repo), "--history", str(database)).output
    assert "evil`<img/src=x/" in listed, "shown as text (cut to its column), never interpreted"
    as_json = json.loads(invoke("history", str(repo), "--history", str(database), "--format", "json").output)
    assert as_json[0]["branch"] == "evil`<img/src=x/onerror=alert(1)>"


# --- status: does the decision still hold? ----------------------------------------------------


def test_status_holds_then_not_when_head_moves_or_the_tree_changes(repo: Path, tmp_path: Path) -> None:
    database = tmp_path / "history.sqlite"
    check(repo, database)
    held = invoke("status", str(repo), "--history", str(database))
    assert held.exit_code == 0 and "it still holds" in held.output
    (repo / "app" / "core.py").write_text("def run():\n    return 2\n", encoding="utf-8")
    dirty = invoke("status", str(repo), "--history", str(database))
    assert dirty.exit_code == 1 and "uncommitted changes now" in dirty.output
    commit_all(repo, "change")
    moved = invoke("status", str(repo), "--history", str(database))
    assert moved.exit_code == 1 and "HEAD moved" in moved.output


def test_status_expires_with_the_profile_and_with_old_advisory_data(repo: Path, tmp_path: Path) -> None:
    database = tmp_path / "history.sqlite"
    url = f"sqlite:///{database}"
    history = History.open(url)
    scanned = datetime.now(UTC) - timedelta(days=40)
    report = {"decision": "GO", "profile": "standard", "findings": [],
              "evidence": {"data": {"osv": "PyPA export; data as of 2024-09-01 (780 days old)"}}}
    history.record(report, provenance_of(repo), scanned, scanned + timedelta(days=30))
    history.close()
    result = invoke("status", str(repo), "--history", str(database))
    assert result.exit_code == 1
    assert "expired on" in result.output
    assert "advisory data was 780 days old, more than the 30 the standard profile allows" in result.output


def test_status_without_a_run_says_so(repo: Path, tmp_path: Path) -> None:
    result = invoke("status", str(repo), "--history", str(tmp_path / "empty.sqlite"))
    assert result.exit_code == 2 and "no run of git:github.com/acme/service is recorded" in result.output


@pytest.mark.parametrize(
    "stored", ['{"truncated', "[1, 2]", ""], ids=["truncated JSON", "not an object", "empty"]
)
@pytest.mark.parametrize("command", ["history", "status", "diff"])
def test_a_stored_report_that_is_not_a_json_object_is_a_clear_error_naming_the_run(
    repo: Path, tmp_path: Path, stored: str, command: str
) -> None:
    database = tmp_path / "history.sqlite"
    check(repo, database)
    with sqlite3.connect(database) as db:
        db.execute("UPDATE runs SET report = ?", (stored,))
    args = ["diff", "1", "1", "--root", str(repo)] if command == "diff" else [command, str(repo)]
    result = runner.invoke(app, [*args, "--history", str(database)])
    assert result.exit_code == 2, result.output
    assert "run #1: its stored report is not" in result.output
    assert "internal error" not in result.output


def test_runs_listed_without_reports_read_only_the_reports_a_summary_cannot_stand_for(
    repo: Path, tmp_path: Path
) -> None:
    """The trend lists thirty runs: their reports (megabytes each) are left out, except where a
    run recorded before summaries were kept has nothing else to be read from."""
    database = tmp_path / "history.sqlite"
    check(repo, database)
    check(repo, database)
    with sqlite3.connect(database) as db:
        db.execute("UPDATE runs SET summary = NULL WHERE id = 1")
    history = History.open(f"sqlite:///{database}")
    try:
        identity = provenance_of(repo).identity
        newer, older = history.runs(identity, reports=False)
        whole = history.run(newer.id)
    finally:
        history.close()
    assert newer.report_json is None and older.report_json is not None
    with pytest.raises(HistoryError, match="listed without its report"):
        _ = newer.report
    assert whole is not None and whole.report["decision"] == older.report["decision"]
    assert newer.summary["decision"] == whole.summary["decision"] == summary_of(whole.report)["decision"]


def test_runs_recorded_before_summaries_get_one_when_the_history_is_next_opened(repo: Path, tmp_path: Path) -> None:
    """Revision 0005 works out each old run's summary once, from its report; a report that is not
    JSON keeps none, and reading that run still says why."""
    database = tmp_path / "history.sqlite"
    for _ in range(3):
        check(repo, database)
    with sqlite3.connect(database) as db:
        expected = summary_of(json.loads(db.execute("SELECT report FROM runs WHERE id = 1").fetchone()[0]))
        db.execute("UPDATE runs SET summary = NULL WHERE id IN (1, 2)")
        db.execute("UPDATE runs SET report = 'not json' WHERE id = 2")
        db.execute("UPDATE alembic_version SET version_num = '0004_run_summary'")
    History.open(f"sqlite:///{database}").close()
    with sqlite3.connect(database) as db:
        summaries = dict(db.execute("SELECT id, summary FROM runs").fetchall())
        revision = db.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    assert revision == runs_module.SCHEMA_HEAD
    assert json.loads(summaries[1]) == expected and summaries[2] is None and summaries[3] is not None
    result = runner.invoke(app, ["history", str(repo), "--history", str(database)])
    assert result.exit_code == 2 and "run #2: its stored report is not JSON" in result.output


def test_check_records_and_reads_runs_without_sqlalchemy_in_the_rows_sqlalchemy_writes(
    repo: Path, tmp_path: Path
) -> None:
    """``gonogo check`` reads and records a SQLite history at the newest schema through sqlite3;
    each way reads back what the other wrote, field for field, in the same order."""
    database = tmp_path / "history.sqlite"
    check(repo, database)  # creates the schema through SQLAlchemy and Alembic
    url = f"sqlite:///{database}"
    direct, store = SqliteRuns.open_at_head(url), History.open(url)
    assert direct is not None
    try:
        report = json.loads(store.runs(provenance_of(repo).identity)[0].report_json or "{}")
        moment = datetime(2026, 11, 30, 9, 30, 15, 123456, tzinfo=UTC)
        other = Provenance(identity="example.org/team/other", name="other", commit="c0ffee", branch="main", dirty=True)
        ids = [
            direct.record(report, other, moment, moment + timedelta(days=30), "digest"),
            store.record(report, other, moment + timedelta(seconds=1), moment + timedelta(days=30)),
        ]
        by_store, by_direct = store.runs(other.identity), direct.runs(other.identity)
        assert [run.id for run in by_direct] == [run.id for run in by_store] == ids[::-1]
        assert by_direct == by_store
        assert by_direct[1].scanned_at == moment and by_direct[1].dirty is True and by_direct[1].summary == summary_of(report)
        assert direct.run(ids[0]) == store.run(ids[0]) and direct.run(10_000) is None
        listed = direct.runs(other.identity, limit=1, reports=False)
        assert len(listed) == 1 and listed[0].report_json is None and listed[0].summary == summary_of(report)
    finally:
        direct.close()
        store.close()


@pytest.mark.parametrize(
    "state", ["missing", "not a database", "older schema", "memory", "with a query"]
)
def test_the_direct_sqlite_path_leaves_every_other_history_to_sqlalchemy(
    repo: Path, tmp_path: Path, state: str
) -> None:
    """It opens only an existing SQLite database at the newest schema, and never changes a file."""
    database = tmp_path / "history.sqlite"
    url = f"sqlite:///{database}"
    if state == "not a database":
        database.write_bytes(b"\x00not sqlite" * 50)
    elif state == "older schema":
        check(repo, database)
        with sqlite3.connect(database) as db:
            db.execute("UPDATE alembic_version SET version_num = '0004_run_summary'")
    elif state == "memory":
        url = "sqlite:///:memory:"
    elif state == "with a query":
        check(repo, database)
        url += "?timeout=5"
    before = database.read_bytes() if database.exists() else None
    assert SqliteRuns.open_at_head(url) is None
    assert (database.read_bytes() if database.exists() else None) == before
