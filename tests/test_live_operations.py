"""The live operational probes (``--probe``): a real service's Prometheus metrics scraped and
parsed (OBS007), and a real PostgreSQL database's Alembic revision read, read-only, against the
repository's head (MIG005)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import psycopg
import pytest
from prometheus_client import CollectorRegistry, Counter, Histogram, make_wsgi_app
from pydantic import ValidationError

from gonogo.model import Outcome, Report
from gonogo.probes.metrics_endpoint import MAX_METRICS_BYTES, scrape_metrics
from gonogo.service_settings import ServiceSetting
from tests.helpers import make_repo, result_of, scan_repo, server_url
from tests.probe_server import answer, closed_port, huge, serve, slow


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def metrics_service() -> Iterator[str]:
    """A real service exporting Prometheus metrics with the client library, on loopback."""
    registry = CollectorRegistry()
    requests = Counter("app_requests", "Requests served", ["route"], registry=registry)
    latency = Histogram("app_request_seconds", "Request latency", registry=registry)
    requests.labels(route="/").inc(3)
    latency.observe(0.02)
    server: WSGIServer = make_server("127.0.0.1", 0, make_wsgi_app(registry), handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def scan_with(root: Path, select: str, **options: object) -> Report:
    return scan_repo(root, select, options=options)


def metrics_repo(tmp_path: Path, base: str, metrics: str = "/metrics") -> Path:
    config = f'[services.app]\nurl = "{base}/"\nmetrics = "{metrics}"\n'
    return make_repo(tmp_path, {"gonogo.toml": config})


def test_a_real_exporter_is_scraped_and_its_families_counted(tmp_path: Path) -> None:
    with metrics_service() as base:
        report = scan_with(metrics_repo(tmp_path, base), "OBS007", probe=True)
    result = result_of(report, "OBS007")
    assert result.outcome is Outcome.PASS, result.reason
    assert report.metrics["obs.metric_families"] >= 2
    [table] = result.tables
    [(service, url, families, samples, status)] = table.rows
    assert (service, url, status) == ("app", f"{base}/metrics", "ok")
    assert int(families) >= 2 and int(samples) >= 5
    with metrics_service() as base:
        scrape = scrape_metrics("app", f"{base}/metrics", 5)
    assert "app_requests" in scrape.examples and "app_request_seconds" in scrape.examples


@pytest.mark.parametrize(
    ("route", "expected"),
    [
        (answer(404, "not found", "text/plain"), "answered 404, not 200"),
        (answer(200, "<html><body>Welcome</body></html>", "text/html"), "not in the Prometheus text format"),
        (answer(200, 'app_requests{route="/} 3\n', "text/plain"), "not in the Prometheus text format"),
        (answer(200, b"\x00\xff\xfe binary", "application/octet-stream"), "not in the Prometheus text format"),
        (answer(200, "", "text/plain"), "exports no metric family"),
        (huge(MAX_METRICS_BYTES // (1024 * 1024) + 1), "larger than"),
        (slow(3), "no answer within 1 s"),
    ],
    ids=["not found", "an html page", "a broken label", "binary bytes", "empty", "endless body", "hangs"],
)
def test_a_metrics_url_that_cannot_be_scraped_fails_with_the_reason(route, expected: str) -> None:
    with serve({"/metrics": route}) as (base, _):
        scrape = scrape_metrics("app", f"{base}/metrics", 1)
    assert not scrape.ok
    assert expected in (scrape.error or ""), scrape.error
    assert scrape.families == 0


def test_an_unscrapable_metrics_url_is_a_finding_with_its_evidence(tmp_path: Path) -> None:
    with serve({"/": answer(200, "ok", "text/plain"), "/metrics": answer(404, "nope", "text/plain")}) as (base, _):
        report = scan_with(metrics_repo(tmp_path, base), "OBS007", probe=True)
    [finding] = result_of(report, "OBS007").findings
    assert finding.message == f"app: metrics at {base}/metrics cannot be scraped: answered 404, not 200"
    assert finding.evidence == f"GET {base}/metrics -> 404"
    assert report.metrics["obs.metrics_unscrapable"] == 1


def test_a_password_in_the_metrics_url_never_shows(tmp_path: Path) -> None:
    port = closed_port()
    root = metrics_repo(tmp_path, "http://127.0.0.1:1", f"http://scraper:hunter2@127.0.0.1:{port}/metrics")
    report = scan_with(root, "OBS007", probe=True)
    [finding] = result_of(report, "OBS007").findings
    assert "hunter2" not in finding.message and "hunter2" not in (finding.evidence or "")
    assert f"127.0.0.1:{port}/metrics" in finding.message


def test_without_probe_the_scrape_is_unknown_and_without_a_metrics_url_not_applicable(tmp_path: Path) -> None:
    declared = scan_with(metrics_repo(tmp_path / "declared", "http://127.0.0.1:1"), "OBS007")
    assert result_of(declared, "OBS007").outcome is Outcome.UNKNOWN
    assert "run with --probe" in (result_of(declared, "OBS007").reason or "")
    plain = make_repo(tmp_path / "plain", {"gonogo.toml": '[services.app]\nurl = "http://127.0.0.1:1/"\n'})
    assert result_of(scan_with(plain, "OBS007", probe=True), "OBS007").outcome is Outcome.NOT_APPLICABLE


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"url": "tcp://127.0.0.1:1", "metrics": "/metrics"}, "apply to http services only"),
        ({"url": "http://127.0.0.1:1/", "metrics": "metrics"}, "must be a path starting with '/'"),
        ({"url": "http://127.0.0.1:1/", "check_migrations": True}, "postgresql:// services only"),
    ],
    ids=["metrics on a tcp service", "metrics without a slash", "migrations on an http service"],
)
def test_misplaced_live_settings_are_config_errors(settings: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        ServiceSetting(**settings)


# --- MIG005 against a real PostgreSQL ---------------------------------------------------------


def _revision(revision: str, down: str | None) -> str:
    down_text = f'"{down}"' if down else "None"
    return f'revision = "{revision}"\ndown_revision = {down_text}\nbranch_labels = None\n\ndef upgrade():\n    pass\n'


HISTORY = {
    "alembic.ini": "[alembic]\nscript_location = alembic\n",
    "alembic/env.py": "# env\n",
    "alembic/versions/a1_create.py": _revision("a1", None),
    "alembic/versions/b2_add.py": _revision("b2", "a1"),
    "alembic/versions/c3_index.py": _revision("c3", "b2"),
}


@pytest.fixture
def database_schema() -> Iterator[str]:
    """A schema of its own in the real test database; its URL's search_path points there."""
    url = server_url("GONOGO_TEST_POSTGRES_URL")
    schema = f"mig_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in url else "?"
    try:
        yield f"{url}{separator}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def _set_version(url: str, *revisions: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY)")
        for revision in revisions:
            conn.execute("INSERT INTO alembic_version VALUES (%s)", (revision,))


def _tables(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        ).fetchall()
    return sorted(row[0] for row in rows)


def migration_repo(tmp_path: Path, url: str) -> Path:
    config = f'[services.db]\nurl = "{url}"\ncheck_migrations = true\n'
    return make_repo(tmp_path, {**HISTORY, "gonogo.toml": config})


@pytest.mark.parametrize(
    ("revisions", "expected"),
    [
        (("c3",), []),
        (("a1",), ["db is at a1; 2 migrations pending: b2, c3"]),
        (("zz9",), ["db is at revision zz9, which no migration file of this checkout declares (heads: c3): "
                    "it was migrated by another branch or release"]),
        ((), ["db has an empty alembic_version: it was never migrated; the repository's head is c3"]),
    ],
    ids=["at head", "two behind", "an unknown revision", "an empty version table"],
)
def test_the_database_revision_is_compared_with_the_head(
    tmp_path: Path, database_schema: str, revisions: tuple[str, ...], expected: list[str]
) -> None:
    _set_version(database_schema, *revisions)
    report = scan_with(migration_repo(tmp_path, database_schema), "MIG005", probe=True)
    result = result_of(report, "MIG005")
    assert [f.message for f in result.findings] == expected
    assert result.outcome is (Outcome.PASS if not expected else Outcome.FAIL)
    assert report.metrics["migrations.pending"] == len(expected)


def test_a_database_never_migrated_is_reported_and_left_untouched(tmp_path: Path, database_schema: str) -> None:
    report = scan_with(migration_repo(tmp_path, database_schema), "MIG005", probe=True)
    [finding] = result_of(report, "MIG005").findings
    assert finding.message == "db has no alembic_version table: it was never migrated; the repository's head is c3"
    assert "read-only" in (finding.evidence or "")
    assert _tables(database_schema) == [], "gonogo must never create or stamp anything"


def test_an_unreachable_database_is_unknown_never_passing(tmp_path: Path) -> None:
    url = f"postgresql://gonogo:secret-pw@127.0.0.1:{closed_port()}/nothing"
    report = scan_with(migration_repo(tmp_path, url), "MIG005", probe=True)
    result = result_of(report, "MIG005")
    assert result.outcome is Outcome.UNKNOWN
    assert "db:" in (result.reason or "") and "secret-pw" not in (result.reason or "")


def test_without_probe_the_database_is_not_read(tmp_path: Path, database_schema: str) -> None:
    _set_version(database_schema, "a1")
    result = result_of(scan_with(migration_repo(tmp_path, database_schema), "MIG005"), "MIG005")
    assert result.outcome is Outcome.UNKNOWN and "run with --probe" in (result.reason or "")
