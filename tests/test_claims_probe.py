"""Services up, p95/p99 latency and error rate (CLM016) against a report's probe metrics."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gonogo.claims.extract import extract
from gonogo.claims.structure import parse_lines
from gonogo.claims.vocabulary import build
from gonogo.cli import app

DOC = "# Status\n\n- 7/10 services healthy\n- p95 120 ms\n- p99 latency: 0.2 s\n- error rate 0.3%\n"
PROBED = {"services.total": 10.0, "services.down": 3.0, "latency.p95_ms": 130.0, "latency.p99_ms": 900.0,
          "load.error_rate": 0.003}


def verify(tmp_path: Path, doc: str, metrics: dict[str, float]) -> dict[int, dict[str, object]]:
    (tmp_path / "READY.md").write_text(doc, encoding="utf-8")
    report = tmp_path / "report.json"
    report.write_text(json.dumps({"decision": "GO", "metrics": metrics, "findings": []}), encoding="utf-8")
    CliRunner().invoke(app, ["verify", str(tmp_path / "READY.md"), "--against", str(report), "--format", "json",
                             "--output", str(tmp_path / "out")], catch_exceptions=False)
    claims = json.loads((tmp_path / "out" / "claims.json").read_text(encoding="utf-8"))["claims"]
    return {c["line"]: c for c in claims}


def test_probe_figures_are_verified_contradicted_or_unverifiable_against_the_report(tmp_path: Path) -> None:
    claims = verify(tmp_path, DOC, PROBED)
    assert {line: c["status"] for line, c in claims.items()} == {
        3: "verified", 4: "verified", 5: "contradicted", 6: "verified"}
    assert claims[4]["measured"] == "130 ms"  # 120 vs 130: within 25%, a rerun's difference
    assert claims[5]["claimed"] == "latency.p99_ms = 200 ms" and claims[5]["measured"] == "900 ms"
    assert all(c["check_id"] == "CLM016" for c in claims.values())


def test_without_probe_metrics_each_says_how_to_measure_it(tmp_path: Path) -> None:
    claims = verify(tmp_path, DOC, {})
    assert {c["status"] for c in claims.values()} == {"unverifiable"}
    assert all("run gonogo check --probe with [services] configured" in str(c["evidence"]) for c in claims.values())


@pytest.mark.parametrize(("doc", "metrics", "status"), [
    ("- 9/10 services healthy\n", {"services.total": 10.0, "services.down": 3.0}, "contradicted"),
    ("- 7/12 services up\n", {"services.total": 10.0, "services.down": 3.0}, "unverifiable"),
    ("- p95 120 ms\n", {"latency.p95_ms": 200.0}, "unverifiable"),
    ("- p95 120 ms\n", {"latency.p95_ms": 250.0}, "contradicted"),
    ("- error rate 0.02%\n", {"load.error_rate": 0.0009}, "unverifiable"),
    ("- error rate 0%\n", {"load.error_rate": 0.003}, "contradicted"),
], ids=["fewer services up than claimed", "another count of services", "latency 1.7x apart",
        "latency over 2x apart", "error rates apart by under 0.1 point", "error rate 0 against 0.3%"])
def test_tolerances(tmp_path: Path, doc: str, metrics: dict[str, float], status: str) -> None:
    (claim,) = verify(tmp_path, doc, metrics).values()
    assert claim["status"] == status


def test_thresholds_are_not_claims() -> None:
    lines = parse_lines(("- p95 < 200 ms", "- target: p95 120 ms", "- error rate under 1%", "- p99 90 ms"))
    claims = [c for c in extract(lines, build()) if c.kind == "probe_figure"]
    assert [(c.line, c.metric, c.value) for c in claims] == [(4, "latency.p99_ms", 90.0)]
