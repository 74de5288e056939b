"""The bounded load probe: thresholds, percentiles, host rules, caps, and a real local server."""

from __future__ import annotations

import base64
import socket
import threading
from array import array
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from pydantic import ValidationError

from gonogo.checks.services import load_not_client_bound
from gonogo.config import ConfigError, load_config
from gonogo.probes import load
from gonogo.probes.facts import ServiceFacts
from gonogo.probes.load import LoadResult, _merge, _Outcome, _request, _specs, host_allowed, percentile, run_load
from gonogo.service_settings import LoadSetting, Threshold
from tests.probe_server import answer, closed_port, garbage, huge, serve, slow


@pytest.mark.parametrize(
    ("text", "stat", "pct", "op", "value"),
    [
        ("p(95)<200", "p", 95.0, "<", 200.0),
        ("p(99.9) <= 1000", "p", 99.9, "<=", 1000.0),
        ("rate<0.005", "rate", None, "<", 0.005),
        ("avg<100", "avg", None, "<", 100.0),
        ("rps>=50", "rps", None, ">=", 50.0),
    ],
    ids=["p95", "p99.9 with spaces", "error rate", "average", "requests per second"],
)
def test_thresholds_parse_like_k6(text, stat, pct, op, value):
    parsed = Threshold.parse(text)
    assert (parsed.stat, parsed.percentile, parsed.operator, parsed.value) == (stat, pct, op, value)


@pytest.mark.parametrize("text", ["p95<200", "p(95)", "latency<3", "p(95)<fast", "", "p(101)<1"],
                         ids=["no parentheses", "no operator", "unknown stat", "not a number",
                              "empty", "percentile over 100"])
def test_bad_thresholds_are_config_errors(text, tmp_path):
    with pytest.raises(ValueError, match="threshold"):
        Threshold.parse(text)
    path = tmp_path / "gonogo.toml"
    path.write_text(f'[services.api]\nurl = "http://127.0.0.1:1/"\n[services.api.load]\n'
                    f'thresholds = ["{text}"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"services\.api\.load\.thresholds"):
        load_config(path)


@pytest.mark.parametrize(
    "settings",
    [{"concurrency": 1000}, {"duration_s": 3600}, {"requests": 10_000_000}, {"paths": ["health"]}],
    ids=["concurrency over the cap", "duration over the cap", "requests over the cap", "relative path"],
)
def test_load_bounds_are_capped(settings):
    with pytest.raises(ValidationError):
        LoadSetting(**settings)


def test_percentile_interpolates_like_numpy():
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == pytest.approx(50.5)
    assert percentile(values, 95) == pytest.approx(95.05)
    assert percentile(values, 100) == 100.0
    assert percentile([7.0], 99) == 7.0


@pytest.mark.parametrize(
    ("url", "allowed", "ok"),
    [
        ("http://127.0.0.1:8000/", [], True),
        ("http://localhost/", [], True),
        ("http://[::1]:80/", [], True),
        ("http://127.9.9.9/", [], True),
        ("http://10.0.0.5/", [], False),
        ("https://example.com/", [], False),
        ("https://example.com/", ["example.com"], True),
        ("ftp://127.0.0.1/", [], False),
    ],
    ids=["loopback v4", "localhost", "loopback v6", "loopback range", "private host",
         "public host", "listed host", "not http"],
)
def test_only_loopback_or_listed_hosts(url, allowed, ok):
    assert (host_allowed(url, allowed) is None) is ok


def test_load_on_a_public_host_is_refused_without_a_request():
    result = run_load("api", "http://203.0.113.10", LoadSetting(duration_s=1))
    assert result.refused and "not loopback" in result.refused
    assert result.requests == 0


def test_load_stops_at_the_request_budget_and_measures():
    with serve({"/ok": answer(200, "ok", "text/plain")}) as (base, seen):
        result = run_load("api", base, LoadSetting(paths=["/ok"], requests=120, concurrency=4,
                                                   duration_s=20,
                                                   thresholds=["p(95)<2000", "rate<0.01", "rps>1"]))
    assert result.requests == 120 == len(seen)
    assert result.errors == 0 and result.error_rate == 0
    assert 0 < result.latency_ms["p50"] <= result.latency_ms["p95"] <= result.latency_ms["p99"]
    assert result.rps is not None and result.rps > 0
    assert result.cpu_fraction is not None and 0 <= result.cpu_fraction < 4
    assert all(t.ok for t in result.thresholds)


def test_load_stops_at_the_time_limit():
    with serve({"/slow": slow(0.2)}) as (base, _):
        result = run_load("api", base, LoadSetting(paths=["/slow"], requests=100_000,
                                                   concurrency=2, duration_s=1))
    assert 2 <= result.requests <= 16
    assert result.duration_s < 2


def test_errors_and_failed_thresholds_are_counted():
    with serve({"/ok": answer(200, "ok"), "/boom": answer(500, "no")}) as (base, _):
        result = run_load("api", base, LoadSetting(paths=["/ok", "/boom"], requests=40,
                                                   concurrency=2,
                                                   thresholds=["rate<0.005", "p(99)<0.0001"]))
    assert result.errors == 20
    assert result.error_rate == pytest.approx(0.5)
    assert [t.ok for t in result.thresholds] == [False, False]
    assert result.statuses == {"200": 20, "500": 20}


def test_nobody_listening_is_all_errors_not_a_crash():
    result = run_load("api", f"http://127.0.0.1:{closed_port()}", LoadSetting(requests=10, concurrency=2))
    assert result.requests == 10 and result.errors == 10
    [(status, count)] = result.statuses.items()
    assert "Connect" in status and count == 10


# --- the client processes: exact counts, exact percentiles, hostile servers ---------------------


def cut_short(h: BaseHTTPRequestHandler) -> None:
    """Promises 100 bytes, sends 10, hangs up."""
    h.send_response(200)
    h.send_header("content-length", "100")
    h.end_headers()
    h.wfile.write(b"x" * 10)
    h.close_connection = True


def closes_after_answer(h: BaseHTTPRequestHandler) -> None:
    """Keep-alive server that says ``Connection: close`` on this answer."""
    h.send_response(200)
    h.send_header("content-length", "2")
    h.send_header("connection", "close")
    h.end_headers()
    h.wfile.write(b"ok")


@contextmanager
def silent_server() -> Iterator[str]:
    """Accepts connections and never reads or answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                held.append(listener.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        listener.close()
        for conn in held:
            conn.close()


@pytest.mark.parametrize("keep_alive", [False, True], ids=["connection per request", "keep-alive"])
@pytest.mark.parametrize("processes", [1, 3], ids=["one process", "three processes"])
def test_every_request_sent_is_received_and_counted(keep_alive, processes):
    with serve({"/ok": answer(200, "ok", "text/plain"), "/boom": answer(503, "no")}, keep_alive=keep_alive) as (
        base, seen):
        result = run_load("api", base, LoadSetting(paths=["/ok", "/boom"], requests=301, concurrency=7,
                                                   duration_s=30), processes=processes)
    assert result.refused is None
    assert result.requests == 301 == len(seen)
    assert result.processes == processes
    # the paths alternate over one global sequence, whatever the split over processes
    assert result.statuses == {"200": 151, "503": 150}
    assert [path for _, path, _ in seen].count("/boom") == 150
    assert result.errors == 150


def test_concurrency_64_on_a_keep_alive_server():
    with serve({"/ok": answer(200, "ok", "text/plain")}, keep_alive=True) as (base, seen):
        result = run_load("api", base, LoadSetting(paths=["/ok"], requests=1280, concurrency=64, duration_s=60))
    assert result.requests == 1280 == len(seen)
    assert result.errors == 0 and result.statuses == {"200": 1280}
    assert result.concurrency == 64
    assert result.processes == max(1, load.usable_cores() // 2)


def test_percentiles_follow_the_server_delays():
    routes = {"/a": slow(0.1), "/b": slow(0.3), "/c": slow(0.5)}
    with serve(routes, keep_alive=True) as (base, _):
        result = run_load("api", base, LoadSetting(paths=["/a", "/b", "/c"], requests=30, concurrency=3,
                                                   duration_s=60, thresholds=["p(30)>=100", "p(50)>=300"]),
                          processes=3)
    lat = result.latency_ms
    # ten answers took at least 100 ms, ten 300, ten 500: every rank sits in its own group
    assert lat["min"] >= 100
    assert lat["p50"] >= 300
    assert lat["p90"] >= 500 and lat["max"] >= 500
    assert lat["min"] <= lat["p50"] <= lat["p90"] <= lat["p95"] <= lat["p99"] <= lat["max"]
    assert all(t.ok for t in result.thresholds)


def _outcome(latencies: list[float], cpu_s: float = 0.1, wait_s: float | None = 0.0) -> _Outcome:
    return _Outcome(started=10.0, finished=11.0, cpu_s=cpu_s, wait_s=wait_s, statuses={"200": len(latencies)},
                    errors=0, latencies=array("d", latencies))


def test_percentiles_are_of_every_sample_not_an_average_of_processes():
    setting = LoadSetting(thresholds=["p(50)<10"])
    merged = _merge("api", ("u",), setting, [_outcome([1.0, 2.0, 3.0, 4.0]), _outcome([100.0, 200.0])])
    assert merged.latency_ms["p50"] == pytest.approx(percentile([1.0, 2.0, 3.0, 4.0, 100.0, 200.0], 50)) == 3.5
    assert merged.requests == 6 and merged.statuses == {"200": 6}
    assert merged.rps == 6.0
    assert [t.ok for t in merged.thresholds] == [True]


@pytest.mark.parametrize(
    ("cpu_s", "wait_s", "bound", "words"),
    [
        (0.2, 0.1, False, "on or waiting for a CPU 30%"),
        (0.95, 0.0, True, "on or waiting for a CPU 95%"),
        (0.3, 0.6, True, "on or waiting for a CPU 90%"),
        (0.9, None, True, "on a CPU 90%"),
    ],
    ids=["mostly waiting for the server", "burning its core", "starved of CPU", "no scheduler figures"],
)
def test_the_generator_says_when_it_was_the_bottleneck(cpu_s, wait_s, bound, words):
    result = _merge("api", ("u",), LoadSetting(), [_outcome([1.0], cpu_s, wait_s), _outcome([1.0])])
    assert result.client_bound is bound
    assert words in result.bottleneck and "2 processes" in result.bottleneck
    findings = list(load_not_client_bound(ServiceFacts(declared=1, load=(result,))))
    assert len(findings) == (1 if bound else 0)
    if bound:
        assert words in findings[0].message and "lower bound" in findings[0].message


def test_a_real_run_measures_its_own_cpu_and_waiting():
    with serve({"/ok": answer(200, "ok", "text/plain")}, keep_alive=True) as (base, _):
        result = run_load("api", base, LoadSetting(paths=["/ok"], requests=200, concurrency=4), processes=2)
    assert result.processes == 2
    assert result.cpu_fraction is not None and result.cpu_fraction > 0
    assert result.busy_fraction is not None and result.busy_fraction > 0
    # Linux says how long a process waited for a CPU; elsewhere the figure is CPU time alone
    assert result.busy_counts_waiting is Path("/proc/self/schedstat").exists()


def test_requests_past_the_timeout_are_errors_and_the_run_stays_bounded():
    with serve({"/slow": slow(2.0)}, keep_alive=True) as (base, _):
        result = run_load("api", base, LoadSetting(paths=["/slow"], requests=4, concurrency=2, timeout_s=0.3,
                                                   duration_s=30))
    # four timeouts of 0.3 s: an answer waited for (2 s) would be a 200
    assert result.requests == 4 == result.errors
    assert result.statuses == {"ReadTimeout": 4}


def test_a_server_that_never_answers_ends_at_duration_plus_timeout():
    with silent_server() as base:
        # 100,000 requests of 0.5 s each, four at a time, would outlast the suite's hang guard
        result = run_load("api", base, LoadSetting(requests=100_000, concurrency=4, timeout_s=0.5, duration_s=1))
    assert result.requests == result.errors > 0
    assert result.requests < 100  # a second of four clients timing out after 0.5 s each
    assert set(result.statuses) <= {"ReadTimeout", "ConnectTimeout"}


@pytest.mark.parametrize(
    ("route", "status", "failed"),
    [
        (closes_after_answer, "200", False),
        (cut_short, "ServerDisconnected", True),
        (garbage, "BadResponse", True),
    ],
    ids=["says connection close", "hangs up mid-body", "answers garbage"],
)
def test_servers_that_close_connections_are_counted_exactly(route, status, failed):
    with serve({"/x": route}, keep_alive=True) as (base, seen):
        result = run_load("api", base, LoadSetting(paths=["/x"], requests=24, concurrency=3, duration_s=30),
                          processes=2)
    assert result.requests == 24 == len(seen)
    assert result.statuses == {status: 24}
    assert result.errors == (24 if failed else 0)


def test_a_body_until_close_is_read_and_capped():
    with serve({"/big": huge(20), "/small": huge(1)}) as (base, seen):
        result = run_load("api", base, LoadSetting(paths=["/big", "/small"], requests=4, concurrency=2,
                                                   duration_s=60), processes=1)
    # no length, ended by the server's close: a whole answer; 20 MB stops at the 16 MiB cap
    assert result.requests == 4 == len(seen)
    assert result.statuses == {"200": 4} and result.errors == 0


def test_connections_and_budget_split_exactly_over_processes():
    specs = _specs(["http://127.0.0.1:9/a", "http://127.0.0.1:9/b"],
                   LoadSetting(paths=["/a", "/b"], requests=1001, concurrency=5), 2)
    assert [s["connections"] for s in specs] == [3, 2]
    assert sum(s["count"] for s in specs) == 1001
    assert specs[1]["first"] == specs[0]["first"] + specs[0]["count"]
    assert specs[0]["requests"][1].startswith("GET /b HTTP/1.1\r\nHost: 127.0.0.1:9\r\n")


def test_credentials_in_the_url_become_basic_auth():
    text = _request("http://user:p%40ss@127.0.0.1:8000/health?deep=1")
    assert text.startswith("GET /health?deep=1 HTTP/1.1\r\nHost: 127.0.0.1:8000\r\n")
    assert f"Authorization: Basic {base64.b64encode(b'user:p@ss').decode()}\r\n" in text
    assert text.endswith("\r\n\r\n") and "user" not in text.split("Authorization")[0]


def test_a_client_process_that_cannot_start_is_a_note_not_a_crash(monkeypatch):
    monkeypatch.setattr(load.sys, "executable", "/bin/false")
    with serve({"/ok": answer(200, "ok")}) as (base, seen):
        result = run_load("api", base, LoadSetting(paths=["/ok"], requests=5))
    assert result.refused and "load generator failed" in result.refused
    assert result.requests == 0 and seen == []
    assert isinstance(result, LoadResult)


def test_client_processes_never_import_from_the_working_directory(tmp_path, monkeypatch):
    # the probe often runs inside the scanned repository; a module there must not shadow ours
    (tmp_path / "httptools.py").write_text("raise SystemExit('imported from the scanned repository')\n")
    monkeypatch.chdir(tmp_path)
    with serve({"/ok": answer(200, "ok")}) as (base, seen):
        result = run_load("api", base, LoadSetting(paths=["/ok"], requests=6, concurrency=2))
    assert result.refused is None
    assert result.requests == 6 == len(seen)
