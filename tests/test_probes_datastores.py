"""Redis PING and PostgreSQL SELECT 1 against REAL servers.

The URLs come from GONOGO_TEST_REDIS_URL and GONOGO_TEST_POSTGRES_URL, or from servers the session
starts (tests/servers.py); a server that cannot start fails these tests: they never skip.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from gonogo.probes.facts import probe_one
from gonogo.service_settings import ServiceSetting
from tests.helpers import server_url
from tests.probe_server import closed_port


def probe(url: str, **settings: object):
    return probe_one("store", ServiceSetting(url=url, **settings))


def test_redis_answers_ping_with_its_version():
    result = probe(server_url("GONOGO_TEST_REDIS_URL"))
    assert result.ok, result.evidence
    assert "PONG" in result.evidence and "(redis " in result.evidence


def test_redis_nobody_listening_is_down():
    result = probe(f"redis://127.0.0.1:{closed_port()}/0", timeout_s=2)
    assert not result.ok
    assert "ConnectionError" in (result.error or "")


def test_redis_speaking_to_postgres_port_is_down_not_a_crash():
    pg = urlsplit(server_url("GONOGO_TEST_POSTGRES_URL"))
    result = probe(f"redis://127.0.0.1:{pg.port}/0", timeout_s=2)
    assert not result.ok


def test_postgres_answers_select_1_with_its_version():
    url = server_url("GONOGO_TEST_POSTGRES_URL")
    result = probe(url)
    assert result.ok, result.evidence
    assert "(1,)" in result.evidence and "PostgreSQL " in result.evidence
    assert f":{urlsplit(url).password}@" not in result.evidence
    assert ":***@" in result.evidence


def test_postgres_wrong_database_is_down_with_the_servers_reason():
    parts = urlsplit(server_url("GONOGO_TEST_POSTGRES_URL"))
    result = probe(parts._replace(path="/no_such_database_here").geturl())
    assert not result.ok
    assert "no_such_database_here" in (result.error or "")


def test_postgres_nobody_listening_is_down():
    result = probe(f"postgresql://u:p@127.0.0.1:{closed_port()}/db", timeout_s=2)
    assert not result.ok
    assert "OperationalError" in (result.error or "")
    assert ":p@" not in result.evidence
