"""TCP probe: can a connection be opened to host:port within the timeout."""

from __future__ import annotations

import socket
import time
from urllib.parse import urlsplit

from gonogo.probes.result import ProbeResult, ms
from gonogo.service_settings import ServiceSetting


def probe_tcp(name: str, setting: ServiceSetting) -> ProbeResult:
    parts = urlsplit(setting.url if "//" in setting.url else f"tcp://{setting.url}")
    try:
        host, port = parts.hostname, parts.port
    except ValueError as exc:
        host, port = None, None
        bad = str(exc)
    else:
        bad = "a tcp URL needs a host and a port (tcp://host:port)"
    target = f"{host}:{port}"
    if not host or port is None:
        return ProbeResult(
            name=name, kind="tcp", target=setting.url, ok=False, latency_ms=None,
            evidence=f"connect {setting.url}: {bad}", error=bad,
        )
    started = time.perf_counter()
    try:
        with socket.create_connection((host, port), timeout=setting.timeout_s):
            elapsed = ms(time.perf_counter() - started)
    except OSError as exc:
        elapsed = ms(time.perf_counter() - started)
        why = exc.strerror or type(exc).__name__
        if isinstance(exc, TimeoutError | socket.timeout):
            why = f"timed out after {setting.timeout_s:g} s"
        return ProbeResult(
            name=name, kind="tcp", target=target, ok=False, latency_ms=elapsed,
            evidence=f"connect {target} -> {why} after {elapsed} ms", error=why,
        )
    return ProbeResult(
        name=name, kind="tcp", target=target, ok=True, latency_ms=elapsed,
        evidence=f"connect {target} -> open in {elapsed} ms", max_latency_ms=setting.max_latency_ms,
    )
