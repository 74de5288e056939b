"""A bounded load probe: requests per second, latency percentiles, error rate, k6-style thresholds.

Bounded three ways (duration, request count, concurrency: each capped in ``settings``) and only
against loopback or hosts the config lists, so a probe can never become a flood. It also measures
its own CPU use: an asyncio client runs on one core, and when that core is saturated the RPS it
reports is the client's ceiling, not the server's, which the result says plainly.

The client is aiohttp, not httpx (used by the other probes): httpx's asyncio client spends about
1.8 ms of CPU per request, which made the probe measure its own ceiling (7% of wrk's rate on the
same endpoint); aiohttp's C-accelerated HTTP parser costs a tenth of that.
"""

from __future__ import annotations

import asyncio
import ipaddress
import math
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import aiohttp

from gonogo.service_settings import LoadSetting, Threshold, redact

CLIENT_BOUND_CPU = 0.85
"""Share of one core above which the load generator itself is the bottleneck."""

MAX_DRAIN_BYTES = 16 * 1024 * 1024

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


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
    """The generator's CPU time over wall time: 1.0 is one core fully busy."""
    statuses: dict[str, int] = field(default_factory=dict)
    concurrency: int = 0
    thresholds: tuple[ThresholdResult, ...] = ()
    refused: str | None = None

    @property
    def client_bound(self) -> bool:
        return self.cpu_fraction is not None and self.cpu_fraction >= CLIENT_BOUND_CPU

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
            f"({(self.error_rate or 0) * 100:.2f}%), client CPU {(self.cpu_fraction or 0) * 100:.0f}%"
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


def run_load(service: str, origin: str, setting: LoadSetting) -> LoadResult:
    """Apply the bounded load and measure it. Never raises for what the server does."""
    urls = [origin.rstrip("/") + path for path in setting.paths]
    shown = tuple(redact(u) for u in urls)
    for url in urls:
        why = host_allowed(url, setting.allow_hosts)
        if why:
            return LoadResult(service=service, urls=shown, refused=why)
    return asyncio.run(_load(service, urls, shown, setting))


async def _load(service: str, urls: list[str], shown: tuple[str, ...], setting: LoadSetting) -> LoadResult:
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    errors = 0
    issued = 0
    connector = aiohttp.TCPConnector(limit=setting.concurrency, force_close=False)
    timeout = aiohttp.ClientTimeout(total=setting.timeout_s)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout, trust_env=False) as session:
        cpu_started, wall_started = time.process_time(), time.perf_counter()
        deadline = wall_started + setting.duration_s

        async def worker() -> None:
            nonlocal issued, errors
            while issued < setting.requests and time.perf_counter() < deadline:
                url = urls[issued % len(urls)]
                issued += 1
                started = time.perf_counter()
                try:
                    async with session.get(url, allow_redirects=False) as response:
                        await _drain(response)
                        status = str(response.status)
                        failed = response.status >= 400
                except (aiohttp.ClientError, TimeoutError) as exc:
                    status, failed = type(exc).__name__, True
                latencies.append((time.perf_counter() - started) * 1000)
                statuses[status] += 1
                errors += failed

        await asyncio.gather(*(worker() for _ in range(setting.concurrency)))
        wall = time.perf_counter() - wall_started
        cpu = time.process_time() - cpu_started
    return _summarise(service, shown, setting, latencies, errors, wall, cpu, statuses)


async def _drain(response: aiohttp.ClientResponse) -> None:
    """Read the body, as a real client would, but never more than ``MAX_DRAIN_BYTES``."""
    read = 0
    async for chunk in response.content.iter_chunked(65536):
        read += len(chunk)
        if read > MAX_DRAIN_BYTES:
            response.close()
            return


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
