"""One load-generating process: HTTP/1.1 keep-alive connections driven by parser callbacks.

Why a process of its own: an asyncio client runs on one core, so ``load.py`` can start several of
these and merge what they measured. Why callbacks and not a client library: aiohttp
spent about 140 us of CPU per request on the benchmark endpoint, enough that on a loaded 2-core
machine the probe waited for its own CPU and reached 0.4x of wrk's rate; here each connection writes
its next request from the parser's message-complete callback (no coroutine, future or response
object per request), and llhttp, through httptools (the parser uvicorn uses), does the HTTP:
chunked bodies, HTTP/1.0, keep-alive rules.

Run as ``python -m gonogo.probes.load_worker``. Conversation on the pipes: one JSON spec line in;
``ready`` out once imported and the host resolved, so start-up is not measured; ``go`` in; then one
JSON summary line out followed by the latencies in milliseconds as native doubles. Every request
claimed is recorded exactly once, as a status code or as an error name.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import ssl
import sys
import time
from array import array
from collections import Counter
from collections.abc import Callable, Coroutine
from typing import Any

import httptools

CONNECT_REFUSED = "ConnectError"
CONNECT_TIMEOUT = "ConnectTimeout"
READ_TIMEOUT = "ReadTimeout"
DISCONNECTED = "ServerDisconnected"
BAD_RESPONSE = "BadResponse"


class Run:
    """What the connections of one process share: their slice of the request budget, the clock,
    the tallies. Slots and plain attributes: this is touched twice per request."""

    __slots__ = ("deadline", "end", "errors", "latencies", "live", "max_body", "next", "requests",
                 "statuses", "timeout")

    def __init__(self, spec: dict[str, Any]) -> None:
        self.requests: list[bytes] = [r.encode("latin-1") for r in spec["requests"]]
        self.next: int = spec["first"]
        self.end: int = spec["first"] + spec["count"]
        self.timeout: float = spec["timeout_s"]
        self.max_body: int = spec["max_body"]
        self.deadline = 0.0
        self.latencies = array("d")
        self.statuses: Counter[int | str] = Counter()
        self.errors = 0
        self.live: set[Connection] = set()

    def claim(self) -> int | None:
        """The global index of the next request to send, or ``None`` when the budget or time is spent."""
        if self.next >= self.end or time.perf_counter() >= self.deadline:
            return None
        index = self.next
        self.next += 1
        return index

    def record(self, started: float, status: int | str, failed: bool) -> None:
        self.latencies.append((time.perf_counter() - started) * 1000)
        self.statuses[status] += 1
        self.errors += failed


class Connection(asyncio.Protocol):
    """One keep-alive connection; ``index`` is the request in flight on it, ``None`` between requests."""

    def __init__(self, run: Run, index: int, started: float, closed: asyncio.Future[None]) -> None:
        self.run = run
        self.index: int | None = index
        self.started = started
        self.closed = closed
        self.parser = httptools.HttpResponseParser(self)
        self.transport: asyncio.Transport | None = None
        self._reset()

    def _reset(self) -> None:
        self.body_bytes = 0  # what this answer has sent so far, headers included
        self.length_known = False  # Content-Length or chunked; otherwise the body ends at EOF
        self.headers_done = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self._send()

    def _send(self) -> None:
        assert self.transport is not None and self.index is not None
        self.transport.write(self.run.requests[self.index % len(self.run.requests)])

    def data_received(self, data: bytes) -> None:
        # counted here, not in an on_body callback: one Python call fewer per request
        self.body_bytes += len(data)
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            self._fail(BAD_RESPONSE)
            return
        if self.body_bytes > self.run.max_body and self.index is not None and self.headers_done:
            # read as a real client would, but never more than the cap: the status stands
            status = self.parser.get_status_code()
            self.run.record(self.started, status, status >= 400)
            self.index = None
            self._close()

    def on_header(self, name: bytes, value: bytes) -> None:
        if name.lower() in (b"content-length", b"transfer-encoding"):
            self.length_known = True

    def on_headers_complete(self) -> None:
        self.headers_done = True

    def on_message_complete(self) -> None:
        if self.index is None:
            return
        run = self.run
        status = self.parser.get_status_code()
        run.record(self.started, status, status >= 400)
        self._reset()
        self.index = None
        if not self.parser.should_keep_alive():
            self._close()
            return
        index = run.claim()
        if index is None:
            self._close()
            return
        self.index = index
        self.started = time.perf_counter()
        self._send()

    def connection_lost(self, exc: Exception | None) -> None:
        if self.index is not None:
            ended_by_eof = self.headers_done and not self.length_known
            status = self.parser.get_status_code() if ended_by_eof else DISCONNECTED
            self.run.record(self.started, status, not ended_by_eof or self.parser.get_status_code() >= 400)
            self.index = None
        if not self.closed.done():
            self.closed.set_result(None)

    def expire(self, now: float) -> None:
        """Called by the sweeper: a request older than the timeout is an error, and its connection goes."""
        if self.index is not None and now - self.started > self.run.timeout:
            self._fail(READ_TIMEOUT)

    def _fail(self, why: str) -> None:
        if self.index is not None:
            self.run.record(self.started, why, True)
            self.index = None
        if self.transport is not None:
            self.transport.abort()

    def _close(self) -> None:
        if self.transport is not None:
            self.transport.close()


Connect = Callable[[Callable[[], Connection]], Any]


async def _slot(run: Run, connect: Connect) -> None:
    """One of the process's connections over its lifetime: reconnects after every close."""
    while (index := run.claim()) is not None:
        connection = await _open(run, connect, index)
        if connection is not None:
            run.live.add(connection)
            await connection.closed
            run.live.discard(connection)


async def _open(run: Run, connect: Connect, index: int) -> Connection | None:
    """A connection carrying request ``index``, or ``None`` with that request recorded as failed."""
    started = time.perf_counter()
    closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    made: list[Connection] = []

    def factory() -> Connection:
        made.append(Connection(run, index, started, closed))
        return made[-1]

    try:
        await asyncio.wait_for(connect(factory), run.timeout)
    except TimeoutError:
        for late in made:  # connected just as the timeout fired: the timeout is its one record
            late.index = None
            late._close()
        run.record(started, CONNECT_TIMEOUT, True)
        return None
    except OSError:  # refused, reset, unreachable, TLS handshake (ssl.SSLError is an OSError)
        run.record(started, CONNECT_REFUSED, True)
        return None
    return made[0]


async def _sweep(run: Run) -> None:
    """Times requests out from one periodic task, not from a timer per request."""
    tick = min(0.05, run.timeout / 5)
    while True:
        await asyncio.sleep(tick)
        now = time.perf_counter()
        for connection in tuple(run.live):
            connection.expire(now)


async def drive(run: Run, spec: dict[str, Any], address: tuple[Any, ...] | None) -> None:
    loop = asyncio.get_running_loop()
    context = ssl.create_default_context() if spec["tls"] else None

    def connect(factory: Callable[[], Connection]) -> Any:
        if address is None:
            raise OSError(f"cannot resolve {spec['host']}")
        return loop.create_connection(factory, address[0], address[1], ssl=context,
                                      server_hostname=spec["host"] if context else None)

    run.deadline = time.perf_counter() + spec["duration_s"]
    sweeper = asyncio.create_task(_sweep(run))
    try:
        await asyncio.gather(*(_slot(run, connect) for _ in range(spec["connections"])))
    finally:
        sweeper.cancel()


def _resolve(host: str, port: int) -> tuple[Any, ...] | None:
    """Once, before the clock starts: asyncio would otherwise resolve in a thread on every connect."""
    try:
        return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][4]
    except OSError:
        return None


def _scheduler_wait() -> float | None:
    """Seconds this process has spent runnable but waiting for a CPU (Linux), else ``None``.

    A generator starved of CPU is as much the bottleneck as one that burns a core."""
    try:
        with open("/proc/self/schedstat", encoding="ascii") as handle:
            return int(handle.read().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return None


def main() -> None:
    spec = json.loads(sys.stdin.readline())
    address = _resolve(spec["host"], spec["port"])
    run = Run(spec)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    if sys.stdin.readline().strip() != "go":
        return
    wait_before, cpu_before, started = _scheduler_wait(), time.process_time(), time.monotonic()
    _run_loop(drive(run, spec, address))
    finished, cpu, wait_after = time.monotonic(), time.process_time() - cpu_before, _scheduler_wait()
    summary = {
        "started": started,
        "finished": finished,
        "cpu_s": cpu,
        "wait_s": None if wait_before is None or wait_after is None else wait_after - wait_before,
        "statuses": {str(k): v for k, v in run.statuses.items()},
        "errors": run.errors,
        "count": len(run.latencies),
    }
    _write_all(json.dumps(summary).encode() + b"\n" + run.latencies.tobytes())


def _run_loop(main: Coroutine[Any, Any, None]) -> None:
    """uvloop where it exists (not on Windows): it halves the CPU each request costs the client."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(main)
    else:
        uvloop.run(main)


def _write_all(data: bytes) -> None:
    """All of ``data`` to stdout, which an event loop may have left non-blocking: a pipe holds
    64 KiB, and a buffered write to a full non-blocking pipe silently keeps only part."""
    fd = sys.stdout.fileno()
    os.set_blocking(fd, True)
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


if __name__ == "__main__":
    main()
