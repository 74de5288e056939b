"""HTTP and TCP health probes against a real local server, hostile answers included."""

from __future__ import annotations

import socket

import pytest

from gonogo.probes.facts import probe_one
from gonogo.probes.http import MAX_BODY_BYTES, curl_line
from gonogo.service_settings import ServiceSetting
from tests.probe_server import answer, closed_port, garbage, huge, serve, slow


def probe(url: str, **settings: object):
    return probe_one("svc", ServiceSetting(url=url, **settings))


def test_healthy_endpoint_is_up_with_its_latency():
    with serve({"/health": answer(200, {"status": "ok"})}) as (base, _):
        result = probe(f"{base}/health", expect_body='"status": "ok"')
    assert result.ok
    assert result.status == 200
    assert result.latency_ms is not None and result.latency_ms >= 0
    assert result.evidence.startswith(f"GET {base}/health -> 200 in ")


@pytest.mark.parametrize(
    ("routes", "settings", "expected"),
    [
        ({"/h": answer(500, "boom")}, {}, "status 500, expected 200"),
        ({"/h": answer(200, "degraded")}, {"expect_body": "ok"}, "body does not contain 'ok'"),
        ({"/h": answer(302, "")}, {}, "status 302, expected 200"),
    ],
    ids=["server error", "wrong body", "redirect is not followed"],
)
def test_wrong_answers_are_down(routes, settings, expected):
    with serve(routes) as (base, _):
        result = probe(f"{base}/h", **settings)
    assert not result.ok
    assert expected in (result.error or "")


def test_expected_status_other_than_200():
    with serve({"/h": answer(204, "")}) as (base, _):
        assert probe(f"{base}/h", expect_status=204).ok


def test_slow_answer_is_up_but_slow():
    with serve({"/h": slow(0.3)}) as (base, _):
        result = probe(f"{base}/h", max_latency_ms=100)
    assert result.ok and result.slow
    assert result.latency_ms is not None and result.latency_ms >= 300


def test_answer_after_timeout_is_down():
    with serve({"/h": slow(3)}) as (base, _):
        result = probe(f"{base}/h", timeout_s=0.5)
    # the answer comes after 3 s: had the probe waited for it, it would be up
    assert not result.ok
    assert "no answer within 0.5 s" in (result.error or "")


def test_endless_body_is_read_only_up_to_the_limit():
    with serve({"/h": huge(8)}) as (base, _):
        result = probe(f"{base}/h", expect_body="never there")
    assert not result.ok
    assert "body does not contain" in (result.error or "")
    assert MAX_BODY_BYTES < 8 * 1024 * 1024


def test_garbage_instead_of_http_is_down_not_a_crash():
    with serve({"/h": garbage}) as (base, _):
        result = probe(f"{base}/h")
    assert not result.ok
    assert result.error


def test_nobody_listening_is_down():
    result = probe(f"http://127.0.0.1:{closed_port()}/health")
    assert not result.ok
    assert "ConnectError" in (result.error or "")


def test_password_never_shown_in_evidence():
    result = probe(f"http://user:s3cret@127.0.0.1:{closed_port()}/")
    assert "s3cret" not in result.evidence and "s3cret" not in result.target


def test_tcp_open_and_closed():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        assert probe(f"tcp://127.0.0.1:{port}").ok
    closed = probe(f"tcp://127.0.0.1:{closed_port()}")
    assert not closed.ok
    assert "refused" in closed.evidence.lower()


@pytest.mark.parametrize("url", ["tcp://127.0.0.1", "tcp://:80", "tcp://127.0.0.1:99999"],
                         ids=["no port", "no host", "port out of range"])
def test_tcp_bad_addresses_are_down(url):
    result = probe(url)
    assert not result.ok
    assert result.error


def test_curl_line_reproduces_the_request():
    line = curl_line("POST", "http://127.0.0.1:1/jobs", params={"q": "a b"}, json_body={"name": "x"})
    assert line.startswith("curl -sS -i -X POST -H 'content-type: application/json'")
    assert "'http://127.0.0.1:1/jobs?q=a+b'" in line
    assert "'{\"name\": \"x\"}'" in line
