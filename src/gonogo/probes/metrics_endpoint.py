"""Prometheus metrics probe: GET the service's metrics URL and parse what comes back.

The text is parsed with ``prometheus_client``'s own parser (the format's reference
implementation), so "answers" means "a Prometheus server could scrape it", not "returned 200".
The body is read up to ``MAX_METRICS_BYTES`` (a hostile or broken service may stream forever) and
redirects are not followed, as for the health probe.
"""

from __future__ import annotations

from dataclasses import dataclass

from gonogo.probes.http import client_for, describe_error, excerpt, fetch, transport_errors
from gonogo.service_settings import redact

MAX_METRICS_BYTES = 8 * 1024 * 1024
SHOWN_FAMILIES = 5


@dataclass(frozen=True, slots=True, kw_only=True)
class MetricsScrape:
    """One scrape of one service's metrics URL."""

    name: str
    target: str
    """The URL scraped, with any password redacted."""
    ok: bool
    families: int = 0
    samples: int = 0
    examples: tuple[str, ...] = ()
    """The first metric family names, as evidence that real metrics were exported."""
    evidence: str
    error: str | None = None


def scrape_metrics(name: str, url: str, timeout_s: float) -> MetricsScrape:
    """Scrape ``url`` once. Not ok when it does not answer 200, is cut at the size limit, is not
    in the Prometheus text format, or exports no metric family at all."""
    target = redact(url)
    try:
        with client_for(timeout_s) as client:
            answer = fetch(client, "GET", url, max_body=MAX_METRICS_BYTES)
    except transport_errors(ValueError, OSError) as exc:
        why = describe_error(exc, timeout_s)
        return _failed(name, target, f"GET {target} -> {why}", why)
    if answer.status != 200:
        why = f"answered {answer.status}, not 200"
        return _failed(name, target, f"GET {target} -> {answer.status}", why)
    if answer.truncated:
        why = f"the body is larger than {MAX_METRICS_BYTES // (1024 * 1024)} MiB"
        return _failed(name, target, f"GET {target} -> 200, {why}", why)
    text = answer.body.decode("utf-8", errors="replace")
    from prometheus_client.parser import text_string_to_metric_families  # imported when a service is scraped

    try:
        families = list(text_string_to_metric_families(text))
    except (ValueError, TypeError, IndexError, KeyError) as exc:
        why = f"not in the Prometheus text format ({type(exc).__name__}: {excerpt(str(exc), 120)})"
        return _failed(name, target, f"GET {target} -> 200, {why}", why)
    if not families:
        why = "exports no metric family"
        return _failed(name, target, f"GET {target} -> 200, {why}", why)
    samples = sum(len(family.samples) for family in families)
    examples = tuple(family.name for family in families[:SHOWN_FAMILIES])
    return MetricsScrape(
        name=name,
        target=target,
        ok=True,
        families=len(families),
        samples=samples,
        examples=examples,
        evidence=(
            f"GET {target} -> 200 in {answer.elapsed_ms} ms: {len(families)} metric families, "
            f"{samples} samples ({', '.join(examples)}"
            f"{', ...' if len(families) > len(examples) else ''})"
        ),
    )


def _failed(name: str, target: str, evidence: str, why: str) -> MetricsScrape:
    return MetricsScrape(name=name, target=target, ok=False, evidence=evidence, error=why)

