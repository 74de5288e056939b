"""The example for real: examples/jobs-service on loopback against REAL Redis and PostgreSQL.

Needs real servers: GONOGO_TEST_REDIS_URL / GONOGO_TEST_POSTGRES_URL, or those the session starts
(tests/servers.py); without them these tests fail, never skip. The service runs under uvicorn in a
subprocess on a free port; gonogo runs its test suite and probes it, and must find the deliberate
defect (GET /queue/stats answers 500), the coverage, and the latencies.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from gonogo.model import Decision, GateStatus, Outcome
from tests.helpers import result_of, scan_repo, server_url
from tests.probe_server import closed_port

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "jobs-service"


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str, dict[str, str]]]:
    root = tmp_path_factory.mktemp("jobs") / "jobs-service"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache", ".coverage"))
    redis_url, postgres_url = server_url("GONOGO_TEST_REDIS_URL"), server_url("GONOGO_TEST_POSTGRES_URL")
    env = {"JOBS_DATABASE_URL": postgres_url, "JOBS_REDIS_URL": redis_url,
           "JOBS_QUEUE_KEY": f"jobs:test:{uuid.uuid4().hex}"}
    port = closed_port()
    base = f"http://127.0.0.1:{port}"
    config = (EXAMPLE / "gonogo.toml").read_text(encoding="utf-8")
    config = (config.replace("http://127.0.0.1:8000", base)
              .replace("redis://127.0.0.1:6390/0", redis_url)
              .replace("postgresql://gonogo:gonogo@127.0.0.1:5440/gonogo_test", postgres_url))
    (root / "gonogo.toml").write_text(config, encoding="utf-8")
    log = open(root.parent / "uvicorn.log", "wb")  # noqa: SIM115 - outlives this block: the server's log
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "jobs_service.app:app", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning"],
        cwd=root, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None, (root.parent / "uvicorn.log").read_text()
            assert time.monotonic() < deadline, "the example service did not start in 30 s"
            time.sleep(0.2)
        yield root, base, env
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture(scope="module")
def report(service, tmp_path_factory):
    root, _, env = service
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)  # the suite under test reads them, like a developer's shell would
    try:
        return scan_repo(root, "RUN,SVC", options={"run_tests": True, "probe": True, "python": sys.executable,
                                                   "test_timeout": 300})
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def test_the_runtime_defect_is_found_with_a_curl_line(report, service):
    _, base, _ = service
    [finding] = result_of(report, "SVC003").findings
    assert finding.message.startswith("api: GET /queue/stats -> 500")
    assert finding.evidence == f"curl -sS -i {base}/queue/stats"
    assert report.metrics["api.server_errors"] == 1
    assert report.metrics["api.operations"] == 4
    assert report.metrics["api.schema_violations"] == 0


def test_the_suite_passes_and_coverage_is_measured(report):
    assert result_of(report, "RUN001").outcome is Outcome.PASS
    assert report.metrics["tests.run.passed"] == 6
    assert report.metrics["tests.run.failed"] == 0 and report.metrics["tests.run.errors"] == 0
    coverage = report.metrics["coverage.percent"]
    assert coverage is not None and 60 <= coverage < 100, "queue_stats is never run by the suite"
    table = next(t for t in result_of(report, "RUN003").tables if t.title == "Coverage per package")
    assert "jobs_service" in {row[0] for row in table.rows}


def test_services_and_latencies_are_measured(report):
    assert report.metrics["services.total"] == 3 and report.metrics["services.down"] == 0
    p95, p99 = report.metrics["latency.p95_ms"], report.metrics["latency.p99_ms"]
    assert p95 is not None and p99 is not None and 0 < p95 <= p99
    assert (report.metrics["load.rps"] or 0) > 0
    assert report.metrics["load.error_rate"] == 0
    [load] = [t for t in result_of(report, "SVC006").tables if t.title == "Load"]
    assert load.rows[0][0] == "api" and int(load.rows[0][1]) > 0


def test_the_decision_is_no_go_because_of_the_500(report):
    gates = {g.gate.name: g for g in report.gates}
    assert gates["Tests pass"].status is GateStatus.PASS
    healthy = gates["Services healthy"]
    assert healthy.status is GateStatus.FAIL
    assert [c.condition.metric for c in healthy.conditions if c.status is GateStatus.FAIL] == [
        "api.server_errors"
    ]
    assert report.decision is Decision.NO_GO


def test_the_command_line_finds_the_same_defect(service, tmp_path, monkeypatch):
    import json

    from typer.testing import CliRunner

    from gonogo.cli import app

    root, _, env = service
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    result = CliRunner().invoke(app, [
        "check", str(root), "--run-tests", "--python", sys.executable, "--probe", "--select", "RUN,SVC",
        "--format", "json", "--output", str(tmp_path), "--quiet",
    ])
    assert result.exit_code == 1, result.output
    written = json.loads((tmp_path / "report.json").read_text())
    assert written["decision"] == "NO_GO"
    assert written["metrics"]["api.server_errors"] == 1
    assert written["metrics"]["tests.run.failed"] == 0
