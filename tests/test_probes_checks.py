"""SVC checks and the service gates, end to end through api.scan against a local server."""

from __future__ import annotations

from pathlib import Path

from gonogo.config import find_config_file, load_config
from gonogo.model import GateStatus, Outcome
from gonogo.probes.command import EXIT_NOTHING, EXIT_UNHEALTHY, format_probe, probe_exit_code, run_probe
from tests.helpers import make_repo, result_of, scan_repo
from tests.probe_server import answer, closed_port, serve

DOC = {
    "openapi": "3.1.0",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/health": {"get": {"responses": {"200": {"description": ""}}}},
        "/stats": {"get": {"responses": {"200": {"description": ""}}}},
        "/items": {"get": {"responses": {"200": {"description": "", "content": {
            "application/json": {"schema": {"type": "array", "items": {"type": "integer"}}}}}}}},
    },
}
ROUTES = {
    "/health": answer(200, {"status": "ok"}),
    "/openapi.json": answer(200, DOC),
    "/stats": answer(500, "Internal Server Error", "text/plain"),
    "/items": answer(200, ["one"]),
}


def config_text(base: str, down_port: int) -> str:
    return f"""
        [services.api]
        url = "{base}/health"
        expect_body = "ok"
        max_latency_ms = 5000
        openapi = "/openapi.json"

        [services.api.load]
        paths = ["/health"]
        requests = 60
        concurrency = 2
        thresholds = ["p(95)<5000", "rate<0.005", "rps>1000000"]

        [services.cache]
        url = "tcp://127.0.0.1:{down_port}"
        """


def scan_services(root: Path, **options: object):
    return scan_repo(root, "SVC", options=options)


def test_probe_reports_down_service_500_schema_break_and_load(tmp_path: Path):
    with serve(ROUTES) as (base, _):
        root = make_repo(tmp_path, {"gonogo.toml": config_text(base, closed_port())})
        report = scan_services(root, probe=True)
    down = result_of(report, "SVC001")
    assert [f.get("service") for f in down.findings] == ["cache"]
    assert "refused" in (down.findings[0].evidence or "").lower()
    [server_error] = result_of(report, "SVC003").findings
    assert server_error.message.startswith("api: GET /stats -> 500")
    assert server_error.evidence == f"curl -sS -i {base}/stats"
    [violation] = result_of(report, "SVC004").findings
    assert "GET /items" in violation.message and "'one' is not of type 'integer'" in violation.message
    thresholds = result_of(report, "SVC006")
    assert [f.message for f in thresholds.findings] == [
        f"api: threshold rps>1000000 failed: {report.metrics['load.rps']:.4g}"
    ]
    assert report.metrics["services.total"] == 2 and report.metrics["services.down"] == 1
    assert report.metrics["api.operations"] == 3
    assert report.metrics["api.server_errors"] == 1 and report.metrics["api.schema_violations"] == 1
    assert report.metrics["latency.p95_ms"] is not None and report.metrics["load.error_rate"] == 0
    gates = {g.gate.name: g.status for g in report.gates}
    assert gates["Services healthy"] is GateStatus.FAIL
    assert gates["Performance SLO"] is GateStatus.PASS


def test_not_probed_means_unknown_never_passing(tmp_path: Path):
    root = make_repo(tmp_path, {"gonogo.toml": config_text("http://127.0.0.1:1", 1)})
    report = scan_services(root)
    for check_id in ("SVC001", "SVC003", "SVC006"):
        result = result_of(report, check_id)
        assert result.outcome is Outcome.UNKNOWN
        assert "run with --probe" in (result.reason or "")
    gates = {g.gate.name: g.status for g in report.gates}
    assert gates["Services healthy"] is GateStatus.UNKNOWN
    assert gates["Performance SLO"] is GateStatus.UNKNOWN


def test_no_services_declared_is_not_applicable_and_healthy_gate_passes(tmp_path: Path):
    report = scan_services(make_repo(tmp_path, {"README.md": "x\n"}), probe=True)
    assert result_of(report, "SVC001").outcome is Outcome.NOT_APPLICABLE
    assert report.metrics["services.total"] == 0 and report.metrics["services.down"] == 0
    gates = {g.gate.name: g.status for g in report.gates}
    assert gates["Services healthy"] is GateStatus.PASS
    assert gates["Performance SLO"] is GateStatus.UNKNOWN, "no load measured: no claim"


def test_service_from_the_command_line(tmp_path: Path):
    with serve(ROUTES) as (base, _):
        root = make_repo(tmp_path, {"README.md": "x\n"})
        report = scan_services(root, probe=True, services=(f"web={base}/health",))
    assert report.metrics["services.total"] == 1 and report.metrics["services.down"] == 0


def test_down_service_skips_its_smoke_and_load_with_the_reason(tmp_path: Path):
    port = closed_port()
    root = make_repo(tmp_path, {"gonogo.toml": f"""
        [services.api]
        url = "http://127.0.0.1:{port}/health"
        openapi = "/openapi.json"
        [services.api.load]
        requests = 5
        """})
    facts = run_probe(load_config(find_config_file(root)))
    assert facts.skipped and "OpenAPI smoke and load not run: the service is down" in facts.skipped[0]
    assert probe_exit_code(facts) == EXIT_UNHEALTHY
    text = format_probe(facts)
    assert "DOWN  api (http)" in text and "not run: api" in text


def test_probe_command_text_shows_curl_for_failures(tmp_path: Path):
    with serve(ROUTES) as (base, _):
        root = make_repo(tmp_path, {"gonogo.toml": config_text(base, closed_port())})
        facts = run_probe(load_config(find_config_file(root)))
    text = format_probe(facts)
    assert "GET /stats -> 500: server_error" in text
    assert f"      curl -sS -i {base}/stats" in text
    assert "FAIL rps>1000000" in text
    assert probe_exit_code(facts) == EXIT_UNHEALTHY
    assert probe_exit_code(run_probe(load_config(None))) == EXIT_NOTHING
