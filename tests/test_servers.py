"""The test servers: given ones are used as they are, missing ones are started once and stopped, and
a server that cannot start fails the tests that need it with its reason (tests/servers.py)."""

from __future__ import annotations

import os
from pathlib import Path

import psycopg
import pytest
import redis

from tests import servers

VARIABLE = "GONOGO_TEST_EXAMPLE_URL"
OTHER = "GONOGO_TEST_OTHER_URL"


class Recorder:
    """A starter that hands out a URL per start and records starts and stops."""

    def __init__(self, name: str, fail_stop: bool = False) -> None:
        self.name = name
        self.fail_stop = fail_stop
        self.starts: list[Path] = []
        self.stops = 0

    def __call__(self, folder: Path) -> servers.RunningServer:
        self.starts.append(folder)
        return servers.RunningServer(url=f"{self.name}://started/{len(self.starts)}", stop=self.stop, data=folder)

    def stop(self) -> None:
        self.stops += 1
        if self.fail_stop:
            raise RuntimeError(f"{self.name} would not stop")


def refuse(folder: Path) -> servers.RunningServer:
    raise servers.ServerError(f"no binary in {folder.name}")


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(VARIABLE, raising=False)
    monkeypatch.delenv(OTHER, raising=False)


def test_a_given_url_is_used_and_nothing_is_started(tmp_path, clean_env, monkeypatch):
    monkeypatch.setenv(VARIABLE, "redis://given:1/0")
    starter = Recorder("redis")
    with servers.on_demand(tmp_path, {VARIABLE: starter}) as running:
        assert running.url(VARIABLE) == "redis://given:1/0"
    assert starter.starts == [] and starter.stops == 0
    assert os.environ[VARIABLE] == "redis://given:1/0"


def test_a_missing_server_is_started_once_exported_then_stopped(tmp_path, clean_env):
    starter = Recorder("redis")
    with servers.on_demand(tmp_path, {VARIABLE: starter}) as running:
        first, second = running.url(VARIABLE), running.url(VARIABLE)
        assert first == second == "redis://started/1"
        assert os.environ[VARIABLE] == first
        assert starter.starts == [tmp_path / "example"]
    assert starter.stops == 1
    assert VARIABLE not in os.environ


def test_a_server_nobody_asks_for_is_never_started(tmp_path, clean_env):
    starter = Recorder("redis")
    with servers.on_demand(tmp_path, {VARIABLE: starter}):
        pass
    assert starter.starts == []


def test_a_server_that_cannot_start_fails_every_test_that_needs_it_with_the_reason(tmp_path, clean_env):
    attempts: list[Path] = []

    def counted_refuse(folder: Path) -> servers.RunningServer:
        attempts.append(folder)
        return refuse(folder)

    with servers.on_demand(tmp_path, {VARIABLE: counted_refuse}) as running:
        for _ in range(2):
            with pytest.raises(pytest.fail.Exception) as failure:
                running.url(VARIABLE)
            message = str(failure.value)
            assert "could not start a example server" in message
            assert "no binary in example" in message
            assert f"set {VARIABLE} to the URL of a running server" in message
    assert len(attempts) == 1, "a failed start is not retried by every test"
    assert VARIABLE not in os.environ


def test_one_server_failing_to_stop_does_not_leave_the_other_running(tmp_path, clean_env):
    stubborn, other = Recorder("redis", fail_stop=True), Recorder("postgresql")
    with (
        pytest.raises(servers.ServerError, match="redis would not stop"),
        servers.on_demand(tmp_path, {VARIABLE: stubborn, OTHER: other}) as running,
    ):
        running.url(VARIABLE)
        running.url(OTHER)
    assert stubborn.stops == 1 and other.stops == 1
    assert VARIABLE not in os.environ and OTHER not in os.environ


def test_an_unknown_variable_is_an_error_naming_the_known_ones(tmp_path, clean_env):
    with (
        servers.on_demand(tmp_path, {VARIABLE: Recorder("redis")}) as running,
        pytest.raises(KeyError, match=VARIABLE),
    ):
        running.url("GONOGO_TEST_TYPO_URL")


def test_the_shipped_redis_server_answers_and_is_gone_after_stop(tmp_path):
    server = servers.start_redis(tmp_path / "redis")
    try:
        with redis.Redis.from_url(server.url, socket_timeout=5) as client:
            assert client.ping() is True
    finally:
        server.stop()
    with pytest.raises(redis.ConnectionError), redis.Redis.from_url(server.url, socket_timeout=2) as client:
        client.ping()


def test_the_shipped_postgres_checks_the_password_and_is_gone_after_stop(tmp_path):
    """Started here even when GONOGO_TEST_POSTGRES_URL is set, so this path is tested on every run
    (as root it runs as an unprivileged user from a copy of the binaries)."""
    server = servers.start_postgres(tmp_path / "postgres")
    try:
        with psycopg.connect(server.url, connect_timeout=10) as connection:
            row = connection.execute("select current_user, current_database()").fetchone()
        assert row == (servers.POSTGRES_USER, servers.POSTGRES_DATABASE)
        with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
            psycopg.connect(server.url.replace(f":{servers.POSTGRES_PASSWORD}@", ":wrong@"), connect_timeout=10)
    finally:
        server.stop()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(server.url, connect_timeout=2)
    assert server.data.name == "data" and not server.data.exists(), "the data is thrown away"
