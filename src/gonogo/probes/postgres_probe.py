"""PostgreSQL probe: ``SELECT 1`` with the real driver (psycopg 3), and the server's version."""

from __future__ import annotations

import time

from gonogo.probes.result import ProbeResult, ms
from gonogo.service_settings import ServiceSetting, redact


def probe_postgres(name: str, setting: ServiceSetting) -> ProbeResult:
    import psycopg  # here, not at the top: only --probe needs it, and every scan loads this module

    target = redact(setting.url)
    timeout = max(1, round(setting.timeout_s))
    started = time.perf_counter()
    try:
        with psycopg.connect(
            setting.url,
            connect_timeout=timeout,
            options=session_options(setting.url, statement_timeout=str(timeout * 1000)),
        ) as conn:
            row = conn.execute("SELECT 1").fetchone()
            elapsed = ms(time.perf_counter() - started)
            version = conn.info.server_version
    except (psycopg.Error, OSError, ValueError) as exc:
        elapsed = ms(time.perf_counter() - started)
        why = " ".join(f"{type(exc).__name__}: {exc}".split())
        return ProbeResult(
            name=name, kind="postgres", target=target, ok=False, latency_ms=elapsed,
            evidence=f"SELECT 1 on {target} -> {why}", error=why,
        )
    ok = row is not None and row[0] == 1
    major, minor = divmod(version, 10000)
    return ProbeResult(
        name=name, kind="postgres", target=target, ok=ok, latency_ms=elapsed,
        evidence=f"SELECT 1 on {target} -> {row!r} in {elapsed} ms (PostgreSQL {major}.{minor})",
        error=None if ok else f"unexpected answer {row!r}",
        max_latency_ms=setting.max_latency_ms,
    )


def session_options(url: str, **settings: str) -> str:
    """The ``options`` connection parameter: the URL's own (a ``search_path``, say) followed by
    ``settings``. Passing ``options=`` to ``connect`` replaces the URL's, so they are joined here.
    Raises ``psycopg.ProgrammingError`` for a URL psycopg cannot read."""
    from psycopg.conninfo import conninfo_to_dict

    own = str(conninfo_to_dict(url).get("options") or "")
    added = " ".join(f"-c {name}={value}" for name, value in settings.items())
    return f"{own} {added}".strip()
