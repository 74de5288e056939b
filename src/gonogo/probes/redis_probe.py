"""Redis probe: PING with the real client (redis-py), and the server's version as evidence."""

from __future__ import annotations

import time

from gonogo.probes.result import ProbeResult, ms
from gonogo.service_settings import ServiceSetting, redact


def probe_redis(name: str, setting: ServiceSetting) -> ProbeResult:
    import redis  # here, not at the top: only --probe needs it, and every scan loads this module

    target = redact(setting.url)
    started = time.perf_counter()
    try:
        client = redis.Redis.from_url(
            setting.url,
            socket_timeout=setting.timeout_s,
            socket_connect_timeout=setting.timeout_s,
        )
        try:
            answer = client.ping()
            elapsed = ms(time.perf_counter() - started)
            version = str(client.info("server").get("redis_version", "?"))
        finally:
            client.close()
    except (redis.RedisError, OSError, ValueError) as exc:
        elapsed = ms(time.perf_counter() - started)
        why = f"{type(exc).__name__}: {exc}".strip()
        return ProbeResult(
            name=name, kind="redis", target=target, ok=False, latency_ms=elapsed,
            evidence=f"PING {target} -> {why}", error=why,
        )
    ok = answer is True
    return ProbeResult(
        name=name, kind="redis", target=target, ok=ok, latency_ms=elapsed,
        evidence=f"PING {target} -> {'PONG' if ok else repr(answer)} in {elapsed} ms "
        f"(redis {version})",
        error=None if ok else f"unexpected PING answer {answer!r}",
        max_latency_ms=setting.max_latency_ms,
    )
