"""Observability (OBS): a service that runs in production can be watched: it exports metrics,
logs in a structured form, traces requests, reports errors, answers health checks, and its
repository declares how it is monitored and alerted on.

Only repositories that deploy something (a Dockerfile, a compose file, a Kubernetes manifest) are
judged: a library has no process to watch. Each check reports once per repository, with where it
looked; its evidence when it passes is the first place each signal was seen (``gonogo explain``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from gonogo.collectors.observability import ObservabilityFacts, Signal
from gonogo.grouping import Grouping
from gonogo.model import Category, Finding, Severity, Table
from gonogo.probes.facts import LiveOperations
from gonogo.registry import CheckOutput, Metric, NotApplicable, check, fail


def _service(observability: ObservabilityFacts) -> ObservabilityFacts:
    if not observability.deployable:
        raise NotApplicable("no Dockerfile, compose file or Kubernetes manifest: nothing is deployed")
    return observability


def _missing(observability: ObservabilityFacts, kind: str, looked_for: str) -> Iterator[CheckOutput]:
    found: tuple[Signal, ...] = _service(observability).of(kind)
    if found:
        return
    first = observability.deployable[0]
    yield fail(
        f"no {looked_for} found in {observability.python_files} Python files or the deployment files",
        at=first.at(),
        key=kind,
    )


def plan_observability(findings: Sequence[Finding]) -> Grouping:
    """One action per missing capability, named for what to add rather than where it was missed."""
    if findings:
        yield _ACTIONS[findings[0].check_id], findings


@check(
    "OBS001",
    "The service exports metrics",
    category=Category.OBSERVABILITY,
    severity=Severity.MEDIUM,
    counts="obs.metrics_missing",
    plan=plan_observability,
)
def metrics(observability: ObservabilityFacts) -> Iterator[CheckOutput]:
    """Why: without request rates, error rates and latencies nobody can tell that the service is
    degrading until users say so; metrics are what alerts and SLOs are computed from (the
    mercari checklist's "Metrics"). Counted: prometheus_client metrics or its exporters
    (``start_http_server``, ``make_asgi_app``), django-prometheus, the FastAPI/Starlette/Flask
    instrumentators, StatsD or Datadog clients, an OpenTelemetry ``MeterProvider`` or instruments
    (``get_meter``, ``create_counter``), a ``/metrics`` route.
    Fix: expose a ``/metrics`` endpoint (``prometheus_client.make_asgi_app()``,
    ``django-prometheus``) with request count, error count and latency histograms."""
    yield from _missing(
        observability, "metrics", "metrics exporter (Prometheus, StatsD, OpenTelemetry)"
    )


@check(
    "OBS002",
    "The service writes structured logs",
    category=Category.OBSERVABILITY,
    severity=Severity.LOW,
    counts="obs.structured_logging_missing",
    plan=plan_observability,
)
def structured_logging(observability: ObservabilityFacts) -> Iterator[CheckOutput]:
    """Why: plain-text log lines cannot be filtered by field (request id, user, status) in a log
    store, so an incident is read line by line. Counted: structlog, python-json-logger, ecs-logging,
    a JSON formatter in the logging configuration, loguru's ``serialize=True``. Many services ship
    text logs to a collector that parses them, hence the low severity.
    Fix: configure a JSON formatter (``pythonjsonlogger.jsonlogger.JsonFormatter``) or structlog's
    ``JSONRenderer`` for production."""
    yield from _missing(
        observability, "structured_logging", "structured (JSON) logging"
    )


@check(
    "OBS003",
    "The service sets up tracing",
    category=Category.OBSERVABILITY,
    severity=Severity.LOW,
    counts="obs.tracing_missing",
    plan=plan_observability,
)
def tracing(observability: ObservabilityFacts) -> Iterator[CheckOutput]:
    """Why: without traces a slow request through several services cannot be followed to the
    call that made it slow. Set-up counts, an import does not: an OpenTelemetry
    ``TracerProvider``, an instrumentor's ``.instrument()``, ``opentelemetry-instrument`` or
    ``ddtrace-run`` in the start command, Sentry's ``traces_sample_rate``/``enable_tracing``, and
    OpenTelemetry API spans (``get_tracer``), whose SDK ``opentelemetry-instrument`` may start at
    deploy time (so an API-only service can pass without exporting anything). A single service with
    good metrics may not need it, hence the low severity.
    Fix: set up the OpenTelemetry SDK (``TracerProvider`` with an OTLP exporter) and the
    framework's instrumentor, or start under ``opentelemetry-instrument``."""
    yield from _missing(
        observability, "tracing", "tracing set-up (OpenTelemetry, ddtrace, Sentry)"
    )


@check(
    "OBS004",
    "The service reports errors to a tracker",
    category=Category.OBSERVABILITY,
    severity=Severity.LOW,
    counts="obs.error_tracking_missing",
    plan=plan_observability,
)
def error_tracking(observability: ObservabilityFacts) -> Iterator[CheckOutput]:
    """Why: an exception that only goes to a log is seen when someone reads the log; an error
    tracker groups it, counts it and alerts. Counted: ``sentry_sdk.init(``, Rollbar, Bugsnag,
    Honeybadger, raven. Teams alerting on error logs or metrics do without, hence low severity.
    Fix: initialise an error tracker at start-up (``sentry_sdk.init(dsn=os.environ["SENTRY_DSN"])``)."""
    yield from _missing(
        observability, "error_tracking", "error tracker initialisation (Sentry, Rollbar)"
    )


@check(
    "OBS005",
    "The service has a health endpoint",
    category=Category.OBSERVABILITY,
    severity=Severity.MEDIUM,
    counts="obs.health_endpoint_missing",
    plan=plan_observability,
)
def health_endpoint(observability: ObservabilityFacts) -> Iterator[CheckOutput]:
    """Why: load balancers, Kubernetes probes and Compose healthchecks need a cheap URL that says
    whether the process can serve; without one a hung instance keeps receiving traffic. Counted:
    a route (FastAPI/Flask/Starlette decorators, Django ``path()``) whose path ends in
    ``health``, ``healthz``, ``health-check``, ``ready``, ``readyz``, ``livez`` or ``ping``;
    django-health-check or django-watchman installed; a Dockerfile HEALTHCHECK calling one.
    A function named ``health`` that no route serves does not count.
    Fix: add ``GET /healthz`` returning 200 when the process can serve (and ``/readyz`` checking
    its database), and point the probes at it."""
    yield from _missing(
        observability, "health_endpoint", "health route (/health, /healthz, /ready)"
    )


@check(
    "OBS006",
    "Monitoring and alert rules are declared",
    category=Category.OBSERVABILITY,
    severity=Severity.INFO,
    plan=plan_observability,
)
def monitoring(observability: ObservabilityFacts) -> Iterator[CheckOutput]:
    """Why: metrics nobody scrapes and conditions nobody alerts on do not wake anyone. This looks
    for a monitoring stack declared next to the service (Prometheus, Grafana, Loki, an
    OpenTelemetry collector, Jaeger, Datadog agent) and Prometheus alert rules (``alert:`` rules,
    ``PrometheusRule``). Most teams keep monitoring in another repository, so this is
    information, never a gate: it says what the repository shows.
    Fix: declare alert rules for the service's error rate and latency where its monitoring lives,
    or link them from the runbook."""
    service = _service(observability)
    stack, alerts = service.of("monitoring"), service.of("alerts")
    yield Metric(name="obs.alert_rules", value=float(len(alerts)))
    if not stack:
        message = "no monitoring stack (Prometheus, Grafana, Loki, OTel collector) declared"
        yield fail(message, key="stack", at=service.deployable[0].at())
    if not alerts:
        if stack:
            declared = stack[0]
            message = f"no alert rules, though {declared.what} is declared"
            yield fail(message, key="alerts", at=declared.file.at(declared.line))
        else:
            yield fail("no alert rules", key="alerts", at=service.deployable[0].at())


_ACTIONS = {
    "OBS001": "export metrics (request rate, errors, latency) on /metrics",
    "OBS002": "log in JSON (structlog or python-json-logger) in production",
    "OBS003": "set up tracing (OpenTelemetry SDK and the framework instrumentor)",
    "OBS004": "initialise an error tracker (Sentry) at start-up",
    "OBS005": "add a health endpoint (/healthz) and point the probes at it",
    "OBS006": "declare alert rules for the service's error rate and latency",
}


@check(
    "OBS007",
    "Declared metrics endpoints can be scraped",
    category=Category.OBSERVABILITY,
    severity=Severity.MEDIUM,
    counts="obs.metrics_unscrapable",
)
def metrics_scrapable(live_operations: LiveOperations) -> Iterator[CheckOutput]:
    """Why: OBS001 sees a metrics exporter in the code; only a scrape shows the running service
    really exports: a ``metrics`` URL that answers 404, an HTML error page, or text Prometheus
    cannot parse leaves every dashboard and alert built on it empty. Scraped only when a service
    declares ``metrics`` and the scan runs with ``--probe``; parsed with ``prometheus_client``'s
    parser, and an answer with no metric family fails.
    Fix: serve the Prometheus text format at the declared URL
    (``prometheus_client.make_asgi_app()``, ``django-prometheus``'s ``/metrics``), or correct the
    ``metrics`` setting."""
    if not live_operations.metrics:
        raise NotApplicable("no service declares a metrics URL ([tool.gonogo.services.NAME] metrics)")
    yield Metric(
        name="obs.metric_families",
        value=float(sum(scrape.families for scrape in live_operations.metrics)),
    )
    for scrape in live_operations.metrics:
        if not scrape.ok:
            yield fail(
                f"{scrape.name}: metrics at {scrape.target} cannot be scraped: {scrape.error}",
                evidence=scrape.evidence,
                key=scrape.name,
                service=scrape.name,
            )
    rows = tuple(
        (s.name, s.target, str(s.families), str(s.samples), "ok" if s.ok else (s.error or "failed"))
        for s in live_operations.metrics
    )
    yield Table(title="Metrics scraped", columns=("Service", "URL", "Families", "Samples", "Status"), rows=rows)
