"""gonogo serve: uploads stored in the run history (SQLite and a real PostgreSQL), bad uploads
refused with the right 4xx and nothing stored, hostile text escaped on every page, reads public
or behind a read token, the JSON API, its OpenAPI schema and the badge."""

from __future__ import annotations

import base64
import contextlib
import json
import re
import socket
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from benchmarks.server_load import commit_for, serve_process, serving_in_thread, stored_commits, upload_all
from gonogo.cli import app as cli_app
from gonogo.history.provenance import Provenance
from gonogo.history.runs import HistoryError
from gonogo.history.schema import Token
from gonogo.server.app import Settings, create_app
from gonogo.server.auth import hash_secret, split_token
from gonogo.server.storage import Store, project_identity
from tests import server_fixtures
from tests.helpers import make_repo
from tests.server_fixtures import HOSTILE, client_for, hostile, store_of, upload, with_decision

database = server_fixtures.database
sqlite_database = server_fixtures.sqlite_database
real_report = server_fixtures.real_report

runner = CliRunner()
FIFTY_MB = 50 * 1024 * 1024


def test_an_upload_is_stored_as_a_run_and_answered_with_its_page(database: str, real_report: dict[str, Any]) -> None:
    with client_for(database) as client:
        _, token = store_of(client).create_project("web")
        answer = upload(client, "web", token, real_report, branch="main", dirty="false")
        assert answer.status_code == 201, answer.text
        run_id = answer.json()["run_id"]
        assert answer.json()["url"] == f"http://testserver/runs/{run_id}"
        assert answer.json()["decision"] == real_report["decision"] == "NO_GO"
        stored = store_of(client).runs(project_identity("web"))
        assert [(r.id, r.branch, r.dirty, r.decision) for r in stored] == [(run_id, "main", False, "NO_GO")]
        assert stored[0].report["findings"] == real_report["findings"]
        page = client.get(f"/runs/{run_id}").text
        assert "Tests not skipped" in page or "skip" in page.lower()
        assert re.search(r'class="gate fail"', page)


def test_the_run_page_and_the_api_show_the_same_gates(sqlite_database: str, real_report: dict[str, Any]) -> None:
    with client_for(sqlite_database) as client:
        _, token = store_of(client).create_project("web")
        run_id = upload(client, "web", token, real_report).json()["run_id"]
        page = client.get(f"/runs/{run_id}").text
        api = client.get(f"/api/v1/runs/{run_id}").json()
    names = {g["name"] for g in real_report["gates"]}
    assert {g["name"] for g in api["report"]["gates"]} == names
    shown = set(re.findall(r'<strong class="gate-name">([^<]+)</strong>', page))
    assert shown == names


def _bad_uploads(report: dict[str, Any], other_token: str, read_token: str, token: str) -> dict[str, tuple]:
    broken = dict(report, decision="SHIP_IT")
    return {
        "no token": (None, report, 401),
        "a made-up token": ("gng_0123456789abcdef_notarealsecretatall", report, 401),
        "a token of the right shape with a wrong secret": (token[:-4] + "AAAA", report, 401),
        "another project's token": (other_token, report, 403),
        "a read token": (read_token, report, 403),
        "malformed JSON": (token, b'{"decision": "GO",', 400),
        "not UTF-8": (token, b"\xff\xfe{}", 400),
        "JSON nested too deep": (token, b"[" * 100_000 + b"]" * 100_000, 400),
        "a schema violation": (token, broken, 422),
        "a JSON list, not a report": (token, [report], 422),
        "a 50 MB body": (token, b" " * FIFTY_MB, 413),
    }


BAD = [
    "no token", "a made-up token", "a token of the right shape with a wrong secret", "another project's token",
    "a read token", "malformed JSON", "not UTF-8", "JSON nested too deep", "a schema violation",
    "a JSON list, not a report", "a 50 MB body",
]


@pytest.mark.parametrize("case", BAD, ids=BAD)
def test_a_bad_upload_gets_its_4xx_and_leaves_nothing_behind(
    case: str, sqlite_database: str, real_report: dict[str, Any]
) -> None:
    with client_for(sqlite_database) as client:
        store = store_of(client)
        _, token = store.create_project("web")
        _, other = store.create_project("other")
        read = store.create_read_token()
        presented, body, status = _bad_uploads(real_report, other, read, token)[case]
        answer = upload(client, "web", presented, body)
        assert answer.status_code == status, answer.text
        assert answer.json()["detail"]
        assert store.count_runs() == 0
        if status == 401:
            assert answer.headers["www-authenticate"] == "Bearer"


def test_bad_uploads_leave_nothing_behind_in_postgresql(database: str, real_report: dict[str, Any]) -> None:
    with client_for(database) as client:
        store = store_of(client)
        _, token = store.create_project("web")
        _, other = store.create_project("other")
        statuses = [
            upload(client, "web", other, real_report).status_code,
            upload(client, "web", token, dict(real_report, profile="yolo")).status_code,
            upload(client, "web", token, b"{").status_code,
        ]
        assert statuses == [403, 422, 400]
        assert store.count_runs() == 0


def test_an_unknown_project_is_refused_even_with_a_valid_token(sqlite_database: str, real_report: dict) -> None:
    with client_for(sqlite_database) as client:
        _, token = store_of(client).create_project("web")
        assert upload(client, "nope", token, real_report).status_code == 403
        assert store_of(client).count_runs() == 0


def test_a_database_that_fails_mid_request_is_a_503_not_a_stack_trace(sqlite_database: str, real_report: dict,
                                                                       monkeypatch) -> None:
    with client_for(sqlite_database) as client:
        _, token = store_of(client).create_project("web")

        def broken(*args: object) -> int:
            raise HistoryError("cannot write to history sqlite:///x: OperationalError: database is locked")

        monkeypatch.setattr(store_of(client), "record", broken)
        answer = upload(client, "web", token, real_report)
    assert answer.status_code == 503
    assert "database is locked" in answer.json()["detail"]


def _damage(stored: str) -> str:
    return "its stored report is not JSON (JSONDecodeError)" if stored.startswith("{") else (
        "its stored report is not a JSON object"
    )


@pytest.mark.parametrize("stored", ['{"truncated', "[1, 2]"], ids=["not JSON", "not an object"])
def test_a_damaged_stored_run_is_a_500_naming_it_and_the_other_runs_still_answer(
    sqlite_database: str, real_report: dict, stored: str
) -> None:
    """A run whose stored report cannot be read is the server's data damaged there: a 500 that
    says which run (not the 503 of a database that is unavailable), never a stack trace."""
    with client_for(sqlite_database) as client:
        _, token = store_of(client).create_project("web")
        damaged, sound = (upload(client, "web", token, real_report).json()["run_id"] for _ in range(2))
        with sqlite3.connect(sqlite_database.removeprefix("sqlite:///")) as db:
            db.execute("UPDATE runs SET report = ? WHERE id = ?", (stored, damaged))
        answers = [client.get(f"/api/v1/runs/{damaged}"), client.get(f"/runs/{damaged}")]
        assert client.get(f"/api/v1/runs/{sound}").status_code == 200
        # the views over many runs show the damaged one as unknown, and the rest as they are
        project = client.get("/api/v1/projects").json()[0]["id"]
        assert client.get("/").status_code == 200
        page = client.get(f"/projects/{project}")
        assert page.status_code == 200 and f"/runs/{sound}" in page.text
        assert "unknown: its stored report is damaged" in page.text
        with sqlite3.connect(sqlite_database.removeprefix("sqlite:///")) as db:  # the latest run too
            db.execute("UPDATE runs SET report = ? WHERE id = ?", (stored, sound))
        front, listed = client.get("/"), client.get("/api/v1/projects")
        assert front.status_code == 200 and listed.status_code == 200
        assert listed.json()[0]["stale"] == [f"its stored report is damaged (run #{sound}: {_damage(stored)})"]
    for answer in answers:
        assert answer.status_code == 500
        detail = answer.json()["detail"]
        assert f"a stored run is damaged: run #{damaged}: its stored report is not" in detail
        assert "Traceback" not in answer.text


def test_a_schema_violation_names_where(sqlite_database: str, real_report: dict[str, Any]) -> None:
    with client_for(sqlite_database) as client:
        _, token = store_of(client).create_project("web")
        answer = upload(client, "web", token, dict(real_report, decision="SHIP_IT"))
    assert answer.status_code == 422
    assert "/decision: 'SHIP_IT' is not one of" in answer.json()["detail"]


def test_a_declared_50_mb_body_is_refused_before_it_is_read(sqlite_database: str) -> None:
    """The server answers 413 after 64 KiB of a declared 50 MB: it never waited for the rest."""
    app = create_app(Settings(database=sqlite_database))
    _, token = app.state.store.create_project("web")
    with serving_in_thread(app) as base:
        port = int(base.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
            sock.sendall(
                f"POST /api/v1/projects/web/runs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {FIFTY_MB}\r\n\r\n".encode() + b" " * 65536
            )
            answer = sock.recv(4096).decode("latin-1")
        assert answer.startswith("HTTP/1.1 413 "), answer
    assert app.state.store.count_runs() == 0
    app.state.store.close()


def test_a_chunked_body_past_the_limit_is_refused_while_it_streams(sqlite_database: str) -> None:
    """No Content-Length to judge by: the server counts while reading and stops at the limit."""
    app = create_app(Settings(database=sqlite_database, max_upload_bytes=1024 * 1024))
    _, token = app.state.store.create_project("web")
    with serving_in_thread(app) as base:
        port = int(base.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
            sock.sendall(
                f"POST /api/v1/projects/web/runs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
                "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".encode()
            )
            chunk = b"%x\r\n%s\r\n" % (256 * 1024, b" " * 256 * 1024)
            sent = 0
            sock.settimeout(0.05)
            answer = b""
            while sent < FIFTY_MB and not answer:
                with contextlib.suppress(TimeoutError):
                    answer = sock.recv(4096)
                if not answer:
                    sock.sendall(chunk)
                    sent += 256 * 1024
            sock.settimeout(20)
        assert answer.startswith(b"HTTP/1.1 413 "), answer
        assert sent < FIFTY_MB // 4
    assert app.state.store.count_runs() == 0
    app.state.store.close()


PAGES = ["dashboard", "project", "run", "diff"]


@pytest.mark.parametrize("page", PAGES, ids=PAGES)
def test_html_in_every_string_field_is_escaped_on_every_page(
    page: str, sqlite_database: str, real_report: dict[str, Any]
) -> None:
    evil, replaced = hostile(real_report)
    assert replaced > 20  # gate names, messages, paths, titles, plan, evidence, notes, roots...
    with client_for(sqlite_database) as client:
        store = store_of(client)
        _, token = store.create_project("web")
        clean = upload(client, "web", token, real_report, branch=HOSTILE).json()["run_id"]
        evil_run = upload(client, "web", token, evil, branch=HOSTILE, commit="abcdef1").json()["run_id"]
        repository_id = store.repository_of_run(evil_run)
        address = {
            "dashboard": "/", "project": f"/projects/{repository_id}", "run": f"/runs/{evil_run}",
            "diff": f"/diff?before={clean}&after={evil_run}",
        }[page]
        answer = client.get(address)
    assert answer.status_code == 200
    html = answer.text
    assert "<script" not in html and "<img" not in html and "onerror=" not in html.replace("onerror=&#34;", "")
    assert "&lt;img src=x onerror=" in html


def test_every_page_forbids_scripts_and_loads_nothing_from_elsewhere(sqlite_database: str, real_report: dict) -> None:
    with client_for(sqlite_database) as client:
        _, token = store_of(client).create_project("web")
        run_id = upload(client, "web", token, real_report).json()["run_id"]
        for address in ("/", f"/runs/{run_id}", "/projects/1", f"/diff?before={run_id}&after={run_id}"):
            answer = client.get(address)
            csp = answer.headers["content-security-policy"]
            assert "script-src" not in csp and "default-src 'none'" in csp and "unsafe-inline" not in csp
            assert answer.headers["x-content-type-options"] == "nosniff"
            assert not re.search(r'(src|href)="(https?:)?//', answer.text), address
        assert client.get("/docs").status_code == 404  # Swagger UI would load from a CDN


def _seed(store: Store, report: dict[str, Any]) -> dict[str, int]:
    """Three projects: GO, CONDITIONAL GO and NO GO; the NO GO one long expired."""
    ids = {}
    now = datetime.now(UTC)
    for name, decision, age in (("api", "GO", 0), ("web", "CONDITIONAL_GO", 0), ("legacy", "NO_GO", 400)):
        store.create_project(name)
        at = now - timedelta(days=age)
        store.record(with_decision(report, decision), Provenance(identity=project_identity(name), name=name),
                     at, at + timedelta(days=30))
        ids[name] = store.repository_of_run(store.runs(project_identity(name))[0].id) or 0
    return ids


def test_the_dashboard_filters_sorts_and_marks_stale_decisions(database: str, real_report: dict[str, Any]) -> None:
    with client_for(database) as client:
        _seed(store_of(client), real_report)
        everything = client.get("/").text
        assert _names(everything) == ["api", "legacy", "web"]
        assert _names(client.get("/?q=leg").text) == ["legacy"]
        assert _names(client.get("/?decision=GO").text) == ["api"]
        assert _names(client.get("/?sort=decision").text) == ["api", "web", "legacy"]
        assert _names(client.get("/?sort=name&order=desc").text) == ["web", "legacy", "api"]
        assert re.search(r'<tr class="project nogo stale"', everything)
        assert everything.count("stale</span>") == 1
        listed = {p["name"]: p for p in client.get("/api/v1/projects").json()}
    assert listed["legacy"]["stale"] and listed["api"]["stale"] == []
    assert listed["api"]["scores"]["security"] == real_report["scores"]["security"]


def _names(html: str) -> list[str]:
    return re.findall(r'<td class="name"><a href="/projects/\d+">([^<]+)</a>', html)


def test_the_project_page_charts_decisions_and_gates_over_time(sqlite_database: str, real_report: dict) -> None:
    with client_for(sqlite_database) as client:
        _, token = store_of(client).create_project("web")
        for decision in ("NO_GO", "CONDITIONAL_GO", "GO"):
            upload(client, "web", token, with_decision(real_report, decision))
        page = client.get("/projects/1").text
    timeline = page[page.index('<svg class="timeline"'):page.index("</svg>", page.index('<svg class="timeline"'))]
    decisions = re.findall(r'y="0" width="14" height="16" class="cell (\w+)"', timeline)
    assert decisions == ["nogo", "conditional", "go"]  # oldest left
    gate_rows = len(real_report["gates"])
    assert len(re.findall(r'class="cell ', timeline)) == 3 * (1 + gate_rows)
    assert page.count('<svg class="spark"') == 8


def test_the_diff_page_and_api_compare_two_runs(database: str, real_report: dict[str, Any]) -> None:
    fixed = dict(real_report, findings=[], decision="GO")
    with client_for(database) as client:
        _, token = store_of(client).create_project("web")
        before = upload(client, "web", token, real_report).json()["run_id"]
        after = upload(client, "web", token, fixed).json()["run_id"]
        page = client.get(f"/diff?before={before}&after={after}").text
        api = client.get(f"/api/v1/diff?before={before}&after={after}").json()
        assert client.get(f"/api/v1/diff?before={before}&after=999").status_code == 404
    assert len(api["fixed"]) == len(real_report["findings"]) > 0
    assert f"Fixed findings <small>{len(real_report['findings'])}</small>" in page
    assert "NOT WORSE" in page


def test_the_badge_shows_the_latest_decision_and_staleness(sqlite_database: str, real_report: dict) -> None:
    with client_for(sqlite_database) as client:
        ids = _seed(store_of(client), real_report)
        go = client.get(f"/badge/{ids['api']}.svg")
        old = client.get(f"/badge/{ids['legacy']}.svg").text
        assert client.get("/badge/999.svg").status_code == 404
    assert go.headers["content-type"] == "image/svg+xml"
    assert ">GO</text>" in go.text and "#1a7f37" in go.text
    assert "NO GO (stale)" in old


def test_the_openapi_schema_documents_the_api(sqlite_database: str) -> None:
    with client_for(sqlite_database) as client:
        schema = client.get("/api/openapi.json").json()
    paths = schema["paths"]
    assert {"/api/v1/projects", "/api/v1/projects/{repository_id}/runs", "/api/v1/runs/{run_id}",
            "/api/v1/projects/{name}/runs", "/api/v1/diff", "/badge/{repository_id}.svg"} <= set(paths)
    assert {"201", "401", "403", "413", "422"} <= set(paths["/api/v1/projects/{name}/runs"]["post"]["responses"])
    assert "/" not in paths  # pages are not API


def test_private_reads_need_a_read_token(sqlite_database: str, real_report: dict[str, Any]) -> None:
    with client_for(sqlite_database, public_reads=False) as client:
        store = store_of(client)
        _, token = store.create_project("web")
        read = store.create_read_token()
        assert upload(client, "web", token, real_report).status_code == 201  # uploads need no read token
        for address in ("/", "/api/v1/projects", "/runs/1", "/badge/1.svg"):
            refused = client.get(address)
            assert refused.status_code == 401
            assert refused.headers["www-authenticate"].startswith("Basic")
            assert client.get(address, headers={"Authorization": f"Bearer {token}"}).status_code == 401
            assert client.get(address, headers={"Authorization": f"Bearer {read}"}).status_code == 200
            basic = base64.b64encode(f"anyone:{read}".encode()).decode()
            assert client.get(address, headers={"Authorization": f"Basic {basic}"}).status_code == 200


def test_tokens_are_stored_as_salted_scrypt_hashes(sqlite_database: str) -> None:
    store = Store.open(sqlite_database)
    try:
        _, first = store.create_project("a")
        _, second = store.create_project("b")
        with store._session("read") as session:
            rows = list(session.query(Token).order_by(Token.id))
    finally:
        store.close()
    raw = Path(sqlite_database.removeprefix("sqlite:///")).read_bytes()
    for text, row in zip((first, second), rows, strict=True):
        key, secret = split_token(text) or ("", "")
        assert row.key == key and secret.encode() not in raw
        assert row.digest == hash_secret(secret, row.salt)
    assert rows[0].salt != rows[1].salt


def test_project_names_are_checked_and_unique(sqlite_database: str) -> None:
    for args, message in (
        (["--create-project", "web"], None),
        (["--create-project", "web"], "exists already"),
        (["--create-project", "<b>x</b>"], "a project name is"),
    ):
        result = runner.invoke(cli_app, ["serve", "--database", sqlite_database, *args])
        if message is None:
            assert result.exit_code == 0 and split_token(result.stdout.strip()) is not None
        else:
            assert result.exit_code == 2 and message in result.stderr


def test_check_upload_posts_the_report_and_a_failed_upload_is_only_a_warning(sqlite_database: str, tmp_path: Path,
                                                                              monkeypatch) -> None:
    repo = make_repo(tmp_path / "repo", {"app.py": "def f():\n    return 1\n"}, git=True)
    app = create_app(Settings(database=sqlite_database))
    _, token = app.state.store.create_project("web")
    with serving_in_thread(app) as base:
        address = f"{base}/api/v1/projects/web/runs"
        arguments = ["check", str(repo), "--no-history", "-o", str(tmp_path / "out"), "--upload", address]
        monkeypatch.setenv("GONOGO_TOKEN", token)
        done = runner.invoke(cli_app, arguments)
        monkeypatch.setenv("GONOGO_TOKEN", "gng_0123456789abcdef_wrong")
        refused = runner.invoke(cli_app, arguments)
        monkeypatch.delenv("GONOGO_TOKEN")
        unset = runner.invoke(cli_app, arguments)
    runs = app.state.store.runs(project_identity("web"))
    app.state.store.close()
    assert re.search(r"uploaded as http://127\.0\.0\.1:\d+/runs/1", done.stderr)
    assert "warning: the report was not uploaded" in refused.stderr and "HTTP 401" in refused.stderr
    assert "set GONOGO_TOKEN" in unset.stderr
    assert done.exit_code == refused.exit_code == unset.exit_code
    assert len(runs) == 1 and runs[0].commit is not None and runs[0].branch in ("master", "main")


def test_concurrent_uploaders_store_every_upload_exactly_once(database: str, real_report: dict[str, Any]) -> None:
    """A bounded load on loopback; wall-clock figures are benchmarks/server_load.py's job."""
    url = database
    app = create_app(Settings(database=url))
    _, token = app.state.store.create_project("load")
    with serving_in_thread(app) as base:
        outcomes = upload_all(base, "load", token, real_report, uploaders=4, each=5)
    app.state.store.close()
    assert [o.status for o in outcomes] == [201] * 20
    assert len({o.run_id for o in outcomes}) == 20
    commits = stored_commits(url, project_identity("load"))
    assert sorted(commits) == sorted(commit_for(u, i) for u in range(4) for i in range(5))


def test_a_new_project_shows_before_its_first_upload(sqlite_database: str) -> None:
    with client_for(sqlite_database) as client:
        store_of(client).create_project("fresh")
        page = client.get("/").text
        listed = client.get("/api/v1/projects").json()
        project = client.get("/projects/1").text
    assert 'Waiting for a first upload: <a href="/projects/1">fresh</a>' in page
    assert [(p["name"], p["decision"], p["run_id"]) for p in listed] == [("fresh", None, None)]
    assert "No run was uploaded yet." in project


def test_gonogo_serve_starts_a_server_that_takes_uploads(tmp_path: Path, real_report: dict[str, Any]) -> None:
    """The command itself, as a process: create a project, serve, upload, read the dashboard."""
    database = f"sqlite:///{tmp_path / 'served.sqlite'}"
    with serve_process(database, "web") as (base, token):
        answer = httpx.post(f"{base}/api/v1/projects/web/runs", content=json.dumps(real_report),
                            headers={"Authorization": f"Bearer {token}"}, timeout=60)
        dashboard = httpx.get(f"{base}/", timeout=60).text
    assert answer.status_code == 201 and answer.json()["url"] == f"{base}/runs/1"
    assert _names(dashboard) == ["web"]


def test_the_json_api_lists_runs_newest_first(sqlite_database: str, real_report: dict[str, Any]) -> None:
    with client_for(sqlite_database) as client:
        _, token = store_of(client).create_project("web")
        ids = [upload(client, "web", token, real_report, commit=f"{n:07x}abc").json()["run_id"] for n in range(3)]
        listed = client.get("/api/v1/projects/1/runs").json()
        assert client.get("/api/v1/projects/99/runs").status_code == 404
        assert client.get("/api/v1/runs/99").status_code == 404
    assert [r["id"] for r in listed] == list(reversed(ids))
    assert [r["commit"] for r in listed] == [f"{n:07x}abc" for n in (2, 1, 0)]
    assert json.dumps(listed)  # plain JSON


def test_a_revoked_or_rotated_token_is_refused_at_once_though_the_server_remembers_it(
    sqlite_database: str, real_report: dict[str, Any]
) -> None:
    """Proven tokens are remembered to spare scrypt, which must not let a revoked one live on."""
    with client_for(sqlite_database, public_reads=False) as client:
        store = store_of(client)
        _, old = store.create_project("web")
        read = store.create_read_token()
        assert upload(client, "web", old, real_report).status_code == 201  # proven, so remembered
        assert client.get("/", headers={"Authorization": f"Bearer {read}"}).status_code == 200
        new = store.rotate("web")
        assert upload(client, "web", old, real_report).status_code == 401
        assert upload(client, "web", new, real_report).status_code == 201
        assert store.revoke((split_token(read) or ("", ""))[0]) is True
        assert client.get("/", headers={"Authorization": f"Bearer {read}"}).status_code == 401


def test_serve_lists_revokes_and_rotates_tokens_without_ever_printing_a_secret(sqlite_database: str) -> None:
    store = Store.open(sqlite_database)
    try:
        _, upload_token = store.create_project("web")
        read = store.create_read_token()
    finally:
        store.close()
    (upload_key, upload_secret), (read_key, read_secret) = split_token(upload_token), split_token(read)  # type: ignore[misc]

    def serve(*args: str) -> Any:
        return runner.invoke(cli_app, ["serve", "--database", sqlite_database, *args])

    listed = serve("--list-tokens")
    assert listed.exit_code == 0
    assert [line.split()[:3] for line in listed.stdout.splitlines()] == [
        [upload_key, "upload", "web"], [read_key, "read", "(every"]]
    assert upload_secret not in listed.output and read_secret not in listed.output
    unknown = serve("--revoke-token", "0123456789abcdef")
    assert unknown.exit_code == 2 and "no token with key '0123456789abcdef'" in unknown.output
    assert serve("--revoke-token", read_key).exit_code == 0
    rotated = serve("--rotate-token", "web")
    new_key = (split_token(rotated.stdout.strip()) or ("", ""))[0]
    assert rotated.exit_code == 0 and new_key not in ("", upload_key)
    assert [line.split()[0] for line in serve("--list-tokens").stdout.splitlines()] == [new_key]
    missing = serve("--rotate-token", "nope")
    assert missing.exit_code == 2 and "no project 'nope'" in missing.output
