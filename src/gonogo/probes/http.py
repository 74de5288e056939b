"""HTTP health probe: one request, the expected status and body, and how long it took.

Reads at most ``MAX_BODY_BYTES`` of the answer (a hostile or broken service may stream forever),
never follows redirects (a redirect is an answer, and it may point anywhere), and turns every
transport error into evidence.

httpx is imported when a request is made, not with this module: the default scan probes nothing
and would otherwise pay for its import (about 50 ms, with its command-line extras) every time.
"""

from __future__ import annotations

import shlex
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gonogo.probes.result import ProbeResult, ms
from gonogo.service_settings import ServiceSetting, redact

if TYPE_CHECKING:
    import httpx

MAX_BODY_BYTES = 1024 * 1024
USER_AGENT = "gonogo-probe"


@dataclass(frozen=True, slots=True, kw_only=True)
class Answer:
    """What one request got back: status, headers, the first bytes of the body, time to read."""

    status: int
    content_type: str
    body: bytes
    truncated: bool
    elapsed_ms: float


def fetch(
    client: httpx.Client,
    method: str,
    url: str,
    *,
    params: dict[str, str] | None = None,
    json_body: object = None,
    headers: dict[str, str] | None = None,
    max_body: int = MAX_BODY_BYTES,
) -> Answer:
    """One request, body read up to ``max_body`` bytes; raises ``httpx.HTTPError`` on transport
    failure (the callers turn it into evidence)."""
    started = time.perf_counter()
    with client.stream(method, url, params=params, headers=headers, json=json_body) as response:
        chunks: list[bytes] = []
        size = 0
        truncated = False
        for chunk in response.iter_bytes():
            chunks.append(chunk)
            size += len(chunk)
            if size > max_body:
                truncated = True
                break
        body = b"".join(chunks)[:max_body]
        return Answer(
            status=response.status_code,
            content_type=response.headers.get("content-type", ""),
            body=body,
            truncated=truncated,
            elapsed_ms=ms(time.perf_counter() - started),
        )


def transport_errors(*others: type[Exception]) -> tuple[type[Exception], ...]:
    """What httpx raises when a request fails on the way, and ``others``: for an ``except``,
    which evaluates it only once something was raised."""
    import httpx

    return (httpx.HTTPError, httpx.InvalidURL, *others)


def client_for(timeout_s: float) -> httpx.Client:
    import httpx

    return httpx.Client(
        timeout=httpx.Timeout(timeout_s),
        follow_redirects=False,
        headers={"user-agent": USER_AGENT},
        trust_env=False,
    )


def describe_error(exc: Exception, timeout_s: float) -> str:
    import httpx

    if isinstance(exc, httpx.TimeoutException):
        return f"no answer within {timeout_s:g} s ({type(exc).__name__})"
    text = " ".join(str(exc).split()) or "no detail"
    return f"{type(exc).__name__}: {text}"[:300]


def probe_http(name: str, setting: ServiceSetting) -> ProbeResult:
    target = redact(setting.url)
    try:
        with client_for(setting.timeout_s) as client:
            answer = fetch(client, "GET", setting.url)
    except transport_errors(ValueError, OSError) as exc:
        why = describe_error(exc, setting.timeout_s)
        return ProbeResult(
            name=name, kind="http", target=target, ok=False, latency_ms=None,
            evidence=f"GET {target} -> {why}", error=why,
        )
    problems = []
    if answer.status != setting.expect_status:
        problems.append(f"status {answer.status}, expected {setting.expect_status}")
    if setting.expect_body is not None:
        text = answer.body.decode("utf-8", errors="replace")
        if setting.expect_body not in text:
            problems.append(f"body does not contain {setting.expect_body!r}: {excerpt(text)!r}")
    evidence = f"GET {target} -> {answer.status} in {answer.elapsed_ms} ms"
    return ProbeResult(
        name=name, kind="http", target=target, ok=not problems, latency_ms=answer.elapsed_ms,
        evidence=evidence + (f"; {'; '.join(problems)}" if problems else ""),
        error="; ".join(problems) or None, status=answer.status,
        max_latency_ms=setting.max_latency_ms,
    )


def excerpt(text: str, limit: int = 160) -> str:
    """The start of a body on one line, for a message."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def curl_line(
    method: str,
    url: str,
    *,
    params: dict[str, str] | None = None,
    json_body: object = None,
) -> str:
    """A ``curl`` command that sends the same request, to reproduce a failure by hand."""
    import httpx

    full = str(httpx.URL(url, params=params)) if params else url
    parts = ["curl", "-sS", "-i"]
    if method != "GET":
        parts += ["-X", method]
    if json_body is not None:
        import json

        parts += ["-H", "content-type: application/json", "--data", json.dumps(json_body)]
    parts.append(redact(full))
    return " ".join(shlex.quote(p) for p in parts)
