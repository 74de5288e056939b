"""Service evidence: health probes, the OpenAPI smoke, and the bounded load (``--probe``). SVC checks.

Without ``--probe`` the ``service_probes`` fact cannot be built, so every check here is *unknown*
("services not probed; run with --probe"), and so are the "Services healthy" and "Performance SLO"
gates. A service's status, a 500, a latency: each finding carries the request that showed it, and
each API failure a ``curl`` line that reproduces it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from gonogo.model import Category, Severity, Table
from gonogo.probes.facts import ServiceFacts
from gonogo.registry import CannotTell, CheckOutput, Metric, NotApplicable, check, fail

if TYPE_CHECKING:  # annotations only: the load client is imported by --probe (probes.facts)
    from gonogo.probes.load import LoadResult

NO_SERVICES = "no services declared ([tool.gonogo.services.NAME] or --service NAME=URL)"


@check("SVC001", "Every declared service answers its health probe", category=Category.SERVICES,
       severity=Severity.CRITICAL, counts="services.down")
def services_up(service_probes: ServiceFacts) -> Iterator[CheckOutput]:
    """Why: a service that does not answer its health probe (or answers the wrong status or body)
    is down, whatever a status document says about it.
    Fix: start the service or fix what its health endpoint reports, then `gonogo probe`."""
    yield Metric(name="services.total", value=float(service_probes.declared))
    if not service_probes.declared:
        raise NotApplicable(NO_SERVICES)
    for result in service_probes.health:
        if not result.ok:
            yield fail(f"{result.name} ({result.kind}) is down: {result.error}",
                       evidence=result.evidence, key=result.name, service=result.name)
    rows = tuple(
        (r.name, r.kind, r.target, "up" if r.ok else "down",
         "-" if r.latency_ms is None else f"{r.latency_ms:.1f}")
        for r in service_probes.health
    )
    yield Table(title="Services", columns=("Service", "Kind", "Target", "Status", "ms"), rows=rows)


@check("SVC002", "Services answer within their latency limit", category=Category.SERVICES,
       severity=Severity.MEDIUM, counts="services.slow")
def services_fast(service_probes: ServiceFacts) -> Iterator[CheckOutput]:
    """Why: a health check (or an API operation) that answers after its limit is as good as down
    for a load balancer or a client that gives up at that limit.
    Fix: find what the endpoint waits on (a cold connection pool, a slow dependency check), or set
    `max_latency_ms` to the limit your platform really uses."""
    limited = [r for r in service_probes.health if r.max_latency_ms is not None]
    if not limited:
        raise NotApplicable("no service declares max_latency_ms")
    for result in limited:
        if result.slow:
            yield fail(f"{result.name} answered in {result.latency_ms:.1f} ms, limit "
                       f"{result.max_latency_ms:g} ms", evidence=result.evidence, key=result.name)
    for smoke in service_probes.openapi:
        for outcome, problem in smoke.slow:
            yield fail(f"{smoke.service}: {outcome.method} {outcome.path} is slow: {problem.message}",
                       evidence=outcome.curl, key=f"{smoke.service}:{outcome.method} {outcome.path}")


def _smokes(service_probes: ServiceFacts) -> None:
    if not service_probes.openapi:
        raise NotApplicable("no service declares an OpenAPI document (openapi = ...)")


@check("SVC003", "No API operation answers with a server error", category=Category.SERVICES,
       severity=Severity.CRITICAL, counts="api.server_errors")
def api_server_errors(service_probes: ServiceFacts) -> Iterator[CheckOutput]:
    """Why: a 5xx on a documented operation is a defect a user will hit (seed 004's queue-stats 500
    was found only by calling it); a static scan cannot see it.
    Fix: run the `curl` line in the evidence, read the service's log for the traceback, fix it."""
    yield Metric(name="api.operations", value=float(sum(len(s.outcomes) for s in service_probes.openapi)))
    _smokes(service_probes)
    for result in service_probes.openapi:
        for outcome, problem in result.server_errors:
            status = outcome.status if outcome.status is not None else "no answer"
            yield fail(f"{result.service}: {outcome.method} {outcome.path} -> {status}: {problem.message}",
                       evidence=outcome.curl, key=f"{result.service}:{outcome.method} {outcome.path}",
                       service=result.service, operation=f"{outcome.method} {outcome.path}")


@check("SVC004", "API responses match their declared schema and content type",
       category=Category.SERVICES, severity=Severity.HIGH, counts="api.schema_violations")
def api_schema(service_probes: ServiceFacts) -> Iterator[CheckOutput]:
    """Why: a response that breaks its own OpenAPI document breaks every client generated from it,
    and the document stops being a contract.
    Fix: make the response match the schema, or correct the schema, then re-run the probe."""
    _smokes(service_probes)
    for result in service_probes.openapi:
        for outcome, problem in result.violations:
            yield fail(f"{result.service}: {outcome.method} {outcome.path} -> {outcome.status}: "
                       f"{problem.message}", evidence=outcome.curl,
                       key=f"{result.service}:{outcome.method} {outcome.path}:{problem.kind}")
    rows = tuple(
        (r.service, f"{o.method} {o.path}", "-" if o.status is None else str(o.status),
         "-" if o.elapsed_ms is None else f"{o.elapsed_ms:.1f}",
         "; ".join(p.kind for p in o.problems) or "ok")
        for r in service_probes.openapi for o in r.outcomes
    )
    if rows:
        yield Table(title="Operations called", columns=("Service", "Operation", "Status", "ms", "Result"),
                    rows=rows)


@check("SVC005", "The OpenAPI document can be read and its operations called",
       category=Category.SERVICES, severity=Severity.HIGH)
def api_document(service_probes: ServiceFacts) -> Iterator[CheckOutput]:
    """Why: an API document that cannot be read, or operations whose parameters cannot be filled
    from it, leave those operations untested: silence, not a pass.
    Fix: serve a valid OpenAPI 3 document, and give required parameters an `example` or `default`."""
    _smokes(service_probes)
    for result in service_probes.openapi:
        if result.error:
            yield fail(f"{result.service}: OpenAPI document unusable: {result.error}",
                       key=f"{result.service}:document")
        for skipped in result.not_called:
            if skipped.reason in ("method not allowed",):
                continue
            yield fail(f"{result.service}: {skipped.method} {skipped.path} not called: {skipped.reason}",
                       severity=Severity.LOW, key=f"{result.service}:{skipped.method} {skipped.path}")


def _loads(service_probes: ServiceFacts) -> list[LoadResult]:
    if not service_probes.load:
        raise NotApplicable("no service declares a load ([services.NAME.load])")
    ran = [r for r in service_probes.load if r.refused is None and r.requests]
    if not ran:
        raise CannotTell("; ".join(r.evidence for r in service_probes.load))
    return ran


@check("SVC006", "Load meets its thresholds", category=Category.SERVICES, severity=Severity.HIGH)
def load_thresholds(service_probes: ServiceFacts) -> Iterator[CheckOutput]:
    """Why: latency and error-rate claims ("p95 under 200 ms", "42M RPS") mean something only when
    measured; a threshold that fails under a bounded load will fail worse in production.
    Fix: profile the endpoint under the same load (`gonogo probe`), or state thresholds the service
    can be held to."""
    ran = _loads(service_probes)
    yield Metric(name="latency.p95_ms", value=max(r.latency_ms["p95"] for r in ran))
    yield Metric(name="latency.p99_ms", value=max(r.latency_ms["p99"] for r in ran))
    yield Metric(name="load.rps", value=min(r.rps or 0.0 for r in ran))
    yield Metric(name="load.error_rate", value=max(r.error_rate or 0.0 for r in ran))
    for refused in (r for r in service_probes.load if r.refused):
        yield fail(f"{refused.service}: {refused.evidence}", key=f"{refused.service}:refused")
    for result in ran:
        for outcome in result.thresholds:
            if not outcome.ok:
                value = "nothing measured" if outcome.measured is None else f"{outcome.measured:.4g}"
                yield fail(f"{result.service}: threshold {outcome.threshold.text} failed: {value}",
                           evidence=result.evidence, key=f"{result.service}:{outcome.threshold.text}")
    yield Table(
        title="Load",
        columns=("Service", "Requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "Errors", "Client CPU"),
        rows=tuple(
            (r.service, str(r.requests), f"{r.rps or 0:.1f}", f"{r.latency_ms['p50']:.1f}",
             f"{r.latency_ms['p95']:.1f}", f"{r.latency_ms['p99']:.1f}",
             f"{(r.error_rate or 0) * 100:.2f}%", f"{(r.cpu_fraction or 0) * 100:.0f}%")
            for r in ran
        ),
    )


@check("SVC007", "The load generator was not the bottleneck", category=Category.SERVICES,
       severity=Severity.INFO)
def load_not_client_bound(service_probes: ServiceFacts) -> Iterator[CheckOutput]:
    """Why: when the client's own CPU is saturated, the requests per second it reports are the
    client's ceiling, not the server's capacity, and must not be quoted as such.
    Fix: lower the concurrency, or measure capacity with a dedicated tool (wrk, k6) on another
    core or machine; the latencies under the probe's load still hold."""
    for result in _loads(service_probes):
        if result.client_bound:
            yield fail(f"{result.service}: {result.bottleneck}; {result.rps or 0:.0f} req/s is a lower bound "
                       "of the server's rate",
                       evidence=result.evidence, key=result.service)
