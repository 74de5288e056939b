"""A bounded load probe: requests per second, latency percentiles, error rate, k6-style thresholds.

Bounded three ways (duration, request count, concurrency: each capped in ``settings``) and only
against loopback or hosts the config lists, so a probe can never become a flood.

The load comes from client processes (``load_worker``, half the usable cores by default), each
driving its share of the keep-alive connections from parser callbacks; their latencies are merged
here, so percentiles are exact, not averaged. Each process also measures itself: its CPU time and,
on Linux, the time it waited for a CPU. A process that was running or waiting to run most of the
time was the ceiling of what it measured, and the result says plainly that the rate is then the
client's, not the server's.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import math
import os
import subprocess
import sys
from array import array
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from gonogo.service_settings import LoadSetting, Threshold, redact

CLIENT_BOUND_BUSY = 0.85
"""Share of its wall time a client process may spend on or waiting for a CPU before it, not the
server, is what limits the rate it measures."""

MAX_DRAIN_BYTES = 16 * 1024 * 1024

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})

USER_AGENT = "gonogo-load"

_SOURCE_ROOT = str(Path(__file__).resolve().parents[2])
"""Where ``gonogo`` was imported from, so the client processes import the same code."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ThresholdResult:
    threshold: Threshold
    measured: float | None
    ok: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class LoadResult:
    service: str
    urls: tuple[str, ...]
    requests: int = 0
    errors: int = 0
    duration_s: float = 0.0
    rps: float | None = None
    latency_ms: dict[str, float] = field(default_factory=dict)
    """``min``, ``avg``, ``p50``, ``p95``, ``p99``, ``max`` in milliseconds."""
    error_rate: float | None = None
    cpu_fraction: float | None = None
    """The generator's CPU time (all its processes) over wall time: 1.0 is one core fully busy."""
    busy_fraction: float | None = None
    """The busiest client process's CPU time, plus its time waiting for a CPU, over its wall time."""
    busy_counts_waiting: bool = False
    """Whether ``busy_fraction`` includes waiting for a CPU (the OS told), or is CPU time alone."""
    processes: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    concurrency: int = 0
    thresholds: tuple[ThresholdResult, ...] = ()
    refused: str | None = None

    @property
    def client_bound(self) -> bool:
        return self.busy_fraction is not None and self.busy_fraction >= CLIENT_BOUND_BUSY

    @property
    def bottleneck(self) -> str:
        """Why the generator was (or was not) the bottleneck, in figures."""
        on_cpu = "on or waiting for a CPU" if self.busy_counts_waiting else "on a CPU"
        return (
            f"the busiest of the load generator's {self.processes} processes was {on_cpu} "
            f"{(self.busy_fraction or 0) * 100:.0f}% of the time (all of them used "
            f"{(self.cpu_fraction or 0) * 100:.0f}% of a core)"
        )

    @property
    def evidence(self) -> str:
        if self.refused:
            return f"load on {', '.join(self.urls)} not started: {self.refused}"
        lat = self.latency_ms
        return (
            f"{self.requests} requests to {', '.join(self.urls)} with concurrency "
            f"{self.concurrency} in {self.duration_s:.2f} s: {self.rps or 0:.1f} req/s, "
            f"p50 {lat.get('p50', 0):.1f} ms, p95 {lat.get('p95', 0):.1f} ms, "
            f"p99 {lat.get('p99', 0):.1f} ms, errors {self.errors} "
            f"({(self.error_rate or 0) * 100:.2f}%), client CPU {(self.cpu_fraction or 0) * 100:.0f}% "
            f"over {self.processes} processes"
        )


def percentile(ordered: list[float], pct: float) -> float:
    """Linear interpolation between closest ranks (numpy's default) over sorted values."""
    if not ordered:
        return math.nan
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * pct / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def host_allowed(url: str, allow_hosts: list[str]) -> str | None:
    """``None`` when ``url`` may be loaded, else why not."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return f"only http(s) URLs can be loaded, not {parts.scheme or 'no scheme'!r}"
    host = (parts.hostname or "").lower()
    if not host:
        return "the URL has no host"
    if host in LOOPBACK_NAMES or host in {h.lower() for h in allow_hosts}:
        return None
    try:
        if ipaddress.ip_address(host).is_loopback:
            return None
    except ValueError:
        pass
    return f"{host} is not loopback; list it in load.allow_hosts to allow load on it"


def run_load(service: str, origin: str, setting: LoadSetting, *, processes: int | None = None) -> LoadResult:
    """Apply the bounded load and measure it. Never raises for what the server does.

    ``processes`` is how many client processes share the connections (never more than the
    concurrency); by default half the usable cores, since the server under load is on this machine
    or competes for it (loopback is the default target). On 2 cores shared with other work, one
    and two client processes were within noise of each other, both near wrk's rate
    (``benchmarks/load.py`` compares the choices)."""
    urls = [origin.rstrip("/") + path for path in setting.paths]
    shown = tuple(redact(u) for u in urls)
    for url in urls:
        why = host_allowed(url, setting.allow_hosts)
        if why:
            return LoadResult(service=service, urls=shown, refused=why)
    count = max(1, min(processes or usable_cores() // 2, setting.concurrency, setting.requests))
    try:
        outcomes = _run_workers(_specs(urls, setting, count), setting)
    except WorkerFailed as exc:
        return LoadResult(service=service, urls=shown, concurrency=setting.concurrency,
                          refused=f"the load generator failed: {exc}")
    return _merge(service, shown, setting, outcomes)


def usable_cores() -> int:
    """Cores this process may run on (its affinity mask where the OS has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def _request(url: str) -> str:
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    host = parts.netloc.rsplit("@", 1)[-1]
    auth = ""
    if parts.username is not None:  # credentials in the URL mean Basic auth, as in every client
        pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
        auth = f"Authorization: Basic {base64.b64encode(pair).decode()}\r\n"
    # no Accept or other courtesy headers: a server parses each one, on every request of the load
    return f"GET {target} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: {USER_AGENT}\r\n{auth}\r\n"


def _specs(urls: list[str], setting: LoadSetting, count: int) -> list[dict[str, Any]]:
    """Split connections evenly over ``count`` processes, and the request budget in proportion,
    as contiguous ranges of one global sequence, so the paths still alternate and the total is exact."""
    parts = urlsplit(urls[0])
    tls = parts.scheme == "https"
    common = {
        "host": parts.hostname or "",
        "port": parts.port or (443 if tls else 80),
        "tls": tls,
        "requests": [_request(u) for u in urls],
        "duration_s": setting.duration_s,
        "timeout_s": setting.timeout_s,
        "max_body": MAX_DRAIN_BYTES,
    }
    specs = []
    connections_before = first = 0
    for i in range(count):
        connections = setting.concurrency // count + (i < setting.concurrency % count)
        connections_before += connections
        end = setting.requests * connections_before // setting.concurrency
        specs.append({**common, "connections": connections, "first": first, "count": end - first})
        first = end
    return specs


class WorkerFailed(RuntimeError):
    """A client process died or broke the pipe protocol: a fault of the generator, not the server."""


@dataclass(frozen=True, slots=True, kw_only=True)
class _Outcome:
    started: float
    finished: float
    cpu_s: float
    wait_s: float | None
    statuses: dict[str, int]
    errors: int
    latencies: array[float]


def _run_workers(specs: list[dict[str, Any]], setting: LoadSetting) -> list[_Outcome]:
    """Start every process, wait until all are ready, then start them together and collect."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [_SOURCE_ROOT, os.environ.get("PYTHONPATH")]))}
    workers = [
        # -P: the working directory is often the scanned repository, whose modules must never load
        subprocess.Popen([sys.executable, "-P", "-m", "gonogo.probes.load_worker"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        for _ in specs
    ]
    try:
        for worker, spec in zip(workers, specs, strict=True):
            assert worker.stdin is not None and worker.stdout is not None
            worker.stdin.write(json.dumps(spec).encode() + b"\n")
            worker.stdin.flush()
        for worker in workers:
            assert worker.stdout is not None
            if worker.stdout.readline() != b"ready\n":
                raise WorkerFailed(_last_words(worker))
        for worker in workers:
            assert worker.stdin is not None
            worker.stdin.write(b"go\n")
            worker.stdin.flush()
        # connects and reads are each bounded by timeout_s; the grace covers a slow process start
        bound = setting.duration_s + 2 * setting.timeout_s + 10
        return [_collect(worker, bound) for worker in workers]
    except (OSError, ValueError, subprocess.TimeoutExpired) as exc:  # ValueError: a summary that is not JSON
        raise WorkerFailed(str(exc)) from exc
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()


def _collect(worker: subprocess.Popen[bytes], bound: float) -> _Outcome:
    out, err = worker.communicate(timeout=bound)
    head, _, tail = out.partition(b"\n")
    if worker.returncode != 0 or not head:
        raise WorkerFailed(_tail(err) or f"a client process exited with {worker.returncode}")
    summary = json.loads(head)
    latencies = array("d")
    latencies.frombytes(tail)
    if len(latencies) != summary["count"]:
        raise WorkerFailed(f"a client process sent {len(latencies)} latencies for {summary['count']} requests")
    return _Outcome(started=summary["started"], finished=summary["finished"], cpu_s=summary["cpu_s"],
                    wait_s=summary["wait_s"], statuses=summary["statuses"], errors=summary["errors"],
                    latencies=latencies)


def _last_words(worker: subprocess.Popen[bytes]) -> str:
    worker.kill()
    _, err = worker.communicate()
    return _tail(err) or f"a client process exited with {worker.returncode}"


def _tail(err: bytes) -> str:
    lines = err.decode(errors="replace").strip().splitlines()
    return lines[-1] if lines else ""


def _merge(service: str, shown: tuple[str, ...], setting: LoadSetting, outcomes: list[_Outcome]) -> LoadResult:
    """One result from every process: all latencies (so percentiles are exact), summed counts,
    wall time from the first start to the last finish, and the busiest process's share of its time."""
    latencies = [ms for outcome in outcomes for ms in outcome.latencies]
    statuses: Counter[str] = Counter()
    for outcome in outcomes:
        statuses.update(outcome.statuses)
    wall = max(o.finished for o in outcomes) - min(o.started for o in outcomes)
    cpu = sum(o.cpu_s for o in outcomes)
    busy = max(
        (o.cpu_s + (o.wait_s or 0.0)) / (o.finished - o.started) if o.finished > o.started else 0.0
        for o in outcomes
    )
    result = _summarise(service, shown, setting, latencies, sum(o.errors for o in outcomes), wall, cpu, statuses)
    waited = all(o.wait_s is not None for o in outcomes)
    return replace(result, processes=len(outcomes), busy_fraction=round(busy, 3), busy_counts_waiting=waited)


def _summarise(
    service: str,
    shown: tuple[str, ...],
    setting: LoadSetting,
    latencies: list[float],
    errors: int,
    wall: float,
    cpu: float,
    statuses: Counter[str],
) -> LoadResult:
    ordered = sorted(latencies)
    count = len(ordered)
    lat = (
        {
            "min": ordered[0],
            "avg": sum(ordered) / count,
            "p50": percentile(ordered, 50),
            "p90": percentile(ordered, 90),
            "p95": percentile(ordered, 95),
            "p99": percentile(ordered, 99),
            "max": ordered[-1],
        }
        if count
        else {}
    )
    # rounded once, here: thresholds are judged on the same figures the report publishes
    lat = {k: round(v, 2) for k, v in lat.items()}
    rps = round(count / wall, 1) if wall > 0 else None
    error_rate = round(errors / count, 5) if count else None
    measured = {
        "avg": lat.get("avg"),
        "min": lat.get("min"),
        "max": lat.get("max"),
        "med": lat.get("p50"),
        "rate": error_rate,
        "rps": rps,
    }
    results = []
    for threshold in setting.parsed_thresholds():
        value = (
            round(percentile(ordered, threshold.percentile), 2) if threshold.percentile is not None and count
            else measured.get(threshold.stat)
        )
        results.append(
            ThresholdResult(threshold=threshold, measured=value, ok=value is not None and threshold.holds(value))
        )
    return LoadResult(
        service=service,
        urls=shown,
        requests=count,
        errors=errors,
        duration_s=round(wall, 3),
        rps=rps,
        latency_ms=lat,
        error_rate=error_rate,
        cpu_fraction=round(cpu / wall, 3) if wall > 0 else None,
        statuses=dict(sorted(statuses.items())),
        concurrency=setting.concurrency,
        thresholds=tuple(results),
    )
