"""The ``observability`` fact: where a service exports metrics, writes structured logs, sets up
tracing and error tracking, answers health checks, and declares its monitoring stack and alert
rules, each signal with its file and line.

A text scan, line by line, of product Python files (tests and conftest are left out; done in the
per-file pass, ``python_text``), Django settings and logging configuration, and the deployment
files' images. It asks for set-up, not
imports: ``sentry_sdk.init(`` counts, ``import sentry_sdk`` does not; a ``TracerProvider(`` counts,
an ``opentelemetry`` import does not. A cheap scan, not an AST pass: a commented-out line is
skipped, a string that merely mentions ``/health`` outside a route is not taken as one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gonogo.collectors.containers import ContainerFacts
from gonogo.collectors.deployment import production_compose
from gonogo.collectors.python import PythonFacts, PythonFile
from gonogo.collectors.python_text import LineSignal, line_signals
from gonogo.collectors.testpaths import is_test_path
from gonogo.options import ScanOptions
from gonogo.parallel import FileJob, map_files_cached, paired_with
from gonogo.registry import collector
from gonogo.timings import OTHER_FACTS
from gonogo.workspace import FileReadError, SourceFile, Workspace, decode_text

TEXT_VERSION = 1
"""Bump when the text scan of configuration files, Dockerfiles or scripts changes: it is cached by content."""
MAX_CONFIG_BYTES = 2_000_000
"""Larger configuration files are data (fixtures, dumps), not set-up: not scanned."""

KINDS = ("metrics", "structured_logging", "tracing", "error_tracking", "health_endpoint", "monitoring", "alerts")

_COMMAND_SIGNALS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("tracing", re.compile(r"\bopentelemetry-instrument\b|\bddtrace-run\b")),
    ("health_endpoint", re.compile(r"^\s*HEALTHCHECK\b(?!\s+NONE).*(health|status|ready|ping|live|\.py\b|\.sh\b)")),
)
_STACK_IMAGES = re.compile(
    r"(^|/)(prometheus|grafana|loki|promtail|alertmanager|opentelemetry-collector(-contrib)?|otel-collector|"
    r"jaeger|jaegertracing/all-in-one|tempo|victoria-metrics|datadog/agent|fluent-bit|timberio/vector|"
    r"node-exporter)$",
)
_ALERT_RULE = re.compile(r"^[ \t]*+-?[ \t]*alert[ \t]*:\s*\S|^[ \t]*kind[ \t]*:[ \t]*PrometheusRule\b", re.MULTILINE)
r"""Within one line, and blanks read once: ``^\s*-?\s*`` tried every way to split each run of
blank lines between its two ``\s*`` (400 s on 12 KB of them)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Signal:
    kind: str
    """One of ``KINDS``."""
    file: SourceFile
    line: int | None
    what: str
    """The matched text, shortened, for the evidence."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ObservabilityFacts:
    signals: tuple[Signal, ...] = ()
    deployable: tuple[SourceFile, ...] = ()
    """Dockerfiles, compose files and Kubernetes manifests: the repository runs as a service."""
    python_files: int = 0

    def of(self, kind: str) -> tuple[Signal, ...]:
        return tuple(s for s in self.signals if s.kind == kind)


@collector("observability")
def observability(
    workspace: Workspace, containers: ContainerFacts, python: PythonFacts, options: ScanOptions
) -> ObservabilityFacts:
    signals: list[Signal] = []
    python_files = 0
    parsed = python.by_file()
    scanned: list[FileJob] = []  # configuration, Dockerfiles and scripts: scanned as text, cached
    for file in workspace.files:
        if is_test_path(file.relpath):
            continue
        if file.suffix == ".py":
            python_files += 1
            signals.extend(_python_signals(file, parsed.get(file)))
        elif file.suffix in (".yml", ".yaml", ".json", ".ini", ".cfg", ".conf", ".toml"):
            if file.size <= MAX_CONFIG_BYTES:
                scanned.append(FileJob(file=file, namespace=f"obs{TEXT_VERSION}:config", payload=paired_with("config")))
        elif file.name.startswith(("Dockerfile", "Procfile", "entrypoint")) or file.suffix == ".sh":
            scanned.append(FileJob(file=file, namespace=f"obs{TEXT_VERSION}:command", payload=paired_with("command")))
    found = map_files_cached(text_signals, scanned, options, workspace, OTHER_FACTS)
    for job, hits in zip(scanned, found, strict=True):
        if isinstance(hits, tuple):  # an unreadable or binary file has none
            signals.extend(Signal(kind=s.kind, file=job.file, line=s.line, what=s.what) for s in hits)
    for image in containers.images:
        if _STACK_IMAGES.search(image.repository.lower()):
            signals.append(Signal(kind="monitoring", file=image.file, line=image.line, what=image.written))
    # a dev container or a test compose file does not make a library a service
    deployable = {f for f in {d.file for d in containers.dockerfiles} | {i.file for i in containers.images}
                  if production_compose(f)}
    return ObservabilityFacts(
        signals=tuple(signals),
        deployable=tuple(sorted(deployable, key=_deployment_first)),
        python_files=python_files,
    )


def _deployment_first(file: SourceFile) -> tuple[int, str]:
    """The shallowest deployment file first: a finding about the service is placed there."""
    return (file.relpath.count("/"), file.display)


def _python_signals(file: SourceFile, parsed: PythonFile | None) -> list[Signal]:
    """A Python file's signals, scanned in the per-file pass (``python_text``) and cached there."""
    if parsed is None or parsed.facts.text is None:
        return []  # unreadable, or not UTF-8 text
    return [Signal(kind=s.kind, file=file, line=s.line, what=s.what) for s in parsed.facts.text.signals]


_CONFIG_SIGNALS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("structured_logging", re.compile(r"pythonjsonlogger|json_log_formatter|JsonFormatter|structlog")),
    ("alerts", _ALERT_RULE),
)


def text_signals(payload: tuple[bytes, str]) -> tuple[LineSignal, ...] | None:
    """The signals of one configuration file (logging's JSON formatters, Prometheus alerting
    rules) or one Dockerfile or script (tracing wrappers, health checks); ``None`` for a file that
    is not UTF-8 text. Top-level, so the fact cache's process pool can run it."""
    data, kind = payload
    try:
        text = decode_text(data)
    except FileReadError:
        return None
    patterns = _CONFIG_SIGNALS if kind == "config" else _COMMAND_SIGNALS
    return tuple(line_signals(text.splitlines(), patterns))
