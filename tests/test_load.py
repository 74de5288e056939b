"""The bounded load probe: thresholds, percentiles, host rules, caps, and a real local server."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from gonogo.config import ConfigError, load_config
from gonogo.probes.load import host_allowed, percentile, run_load
from gonogo.service_settings import LoadSetting, Threshold
from tests.probe_server import answer, serve, slow


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
    from tests.probe_server import closed_port

    result = run_load("api", f"http://127.0.0.1:{closed_port()}", LoadSetting(requests=10, concurrency=2))
    assert result.requests == 10 and result.errors == 10
    [(status, count)] = result.statuses.items()
    assert "Connect" in status and count == 10
