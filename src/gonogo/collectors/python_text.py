"""Line scans of one Python file's text, run in the one per-file pass with its parse.

The observability signals, the environment settings a file reads, and its ``# gonogo: ignore``
comments depend only on the file's text, so they run in the worker that parses the file and are
cached with its facts by content hash: a second scan reads none of them again. Here they carry
lines, not files; the collectors that own them attach the file. Nothing is imported or run.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from gonogo.suppressions import Suppression, parse_suppression
from gonogo.workspace import FileReadError, decode_text

SUPPRESSION_MARKER = "gonogo:"

_CALL = r"\w\s*\([^()]*?"
_HEALTH_PATH = (
    r"""["'](?:[\w{}./-]*/)?\^?(health|healthz|health[-_]?check|ready|readyz|readiness|livez|liveness|ping)/?\$?["']"""
)
PYTHON_SIGNALS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "metrics",
        re.compile(
            r"^\s*(from|import)\s+(django_prometheus|prometheus_fastapi_instrumentator|starlette_exporter|"
            r"prometheus_flask_exporter|aioprometheus|statsd|datadog|opentelemetry\.sdk\.metrics)\b"
            r"|\b(start_http_server|make_asgi_app|make_wsgi_app|generate_latest)\s*\("
            r"|\bprometheus_client\b.*\b(Counter|Histogram|Gauge|Summary)\b"
            r"|\b(Counter|Histogram|Gauge|Summary)\s*\(\s*[\"'][a-z_:]+[\"']\s*,\s*[\"']"
            r"|[\"']django_prometheus[\"']|\bInstrumentator\s*\(|\bMeterProvider\s*\(|\bget_meter\s*\("
            r"|\.create_(counter|histogram|up_down_counter|gauge)\s*\("
            r"|[\"']/metrics/?[\"']"
        ),
    ),
    (
        "structured_logging",
        re.compile(
            r"^\s*(from|import)\s+(structlog|pythonjsonlogger|json_log_formatter|ecs_logging)\b"
            r"|\bJson(Formatter|Renderer)\b|\bJSONRenderer\s*\(|\bserialize\s*=\s*True"
            r"|[\"'](pythonjsonlogger|json_log_formatter)\.",
        ),
    ),
    (
        "tracing",
        re.compile(
            r"\bTracerProvider\s*\(|\bset_tracer_provider\s*\(|\bconfigure_azure_monitor\s*\("
            r"|\b\w+Instrumentor\s*\(\s*\)\s*\.instrument|\bddtrace\.patch(_all)?\s*\(|\bconfigure_opentelemetry\s*\("
            r"|\btraces_sample_rate\s*=|\benable_tracing\s*=\s*True|\bget_tracer\s*\(|\bstart_as_current_span\s*\("
        ),
    ),
    (
        "error_tracking",
        re.compile(
            r"\bsentry_sdk\.init\s*\(|^\s*init\s*\(\s*dsn\s*=|\brollbar\.init\s*\(|\bbugsnag\.configure\s*\("
            r"|\bhoneybadger\.configure\s*\(|[\"']raven\.contrib\.|\bRAVEN_CONFIG\b"
        ),
    ),
    (
        "health_endpoint",
        re.compile(rf"{_CALL}{_HEALTH_PATH}|[\"']health_check(\.\w+)*[\"']|[\"']watchman[\"']"),
    ),
)
"""What sets up metrics, structured logs, tracing, error tracking or a health route in Python."""

ENV_NAME = r"([A-Z][A-Z0-9_]{2,})"
ENV_READERS = (
    re.compile(rf"""\benviron\[\s*["']{ENV_NAME}["']\s*\]"""),
    re.compile(rf"""\benv(?:\.(?:str|int|bool|float|list|url|db|db_url|json|path))?\(\s*["']{ENV_NAME}["']\s*\)"""),
    re.compile(rf"""\bconfig\(\s*["']{ENV_NAME}["']\s*(?:,\s*cast\s*=\s*[\w.]+\s*)?\)"""),
)
ENV_ASSIGNED = re.compile(rf"""\benviron\[\s*["']{ENV_NAME}["']\s*\]\s*=[^=]""")
_ENV_SETDEFAULT = re.compile(rf"""setdefault\(\s*["']{ENV_NAME}["']""")
_ENV_OPTIONAL = re.compile(
    rf"""["']{ENV_NAME}["']\s+(?:not\s+)?in\s+(?:os\.)?environ\b|\b(?:getenv|environ\.get)\(\s*["']{ENV_NAME}["']"""
)


@dataclass(frozen=True, slots=True, kw_only=True)
class LineSignal:
    """An observability signal at a line: ``kind`` is one of the observability kinds."""

    kind: str
    line: int
    what: str


@dataclass(frozen=True, slots=True, kw_only=True)
class EnvRead:
    """A setting the file requires from the environment, and how it reads it."""

    name: str
    line: int
    how: str


@dataclass(frozen=True, slots=True, kw_only=True)
class TextFacts:
    """What the line scans found in one file's text."""

    signals: tuple[LineSignal, ...] = ()
    env_reads: tuple[EnvRead, ...] = ()
    env_assigned: frozenset[str] = frozenset()
    """Names the file assigns (``os.environ["X"] = ...``, ``setdefault("X", ...)``)."""
    suppressions: tuple[tuple[int, Suppression], ...] = ()
    """(line, comment) of every ``# gonogo: ignore`` comment."""


def text_facts(data: bytes, tree: ast.Module | None) -> TextFacts | None:
    """The line scans of one file; ``None`` when its bytes are not UTF-8 text (the scans skip
    such files, as reading them as text fails). ``tree`` is the file's parse, when it parsed."""
    try:
        text = decode_text(data)
    except FileReadError:
        return None
    lines = text.splitlines()
    return TextFacts(
        signals=tuple(line_signals(lines, PYTHON_SIGNALS)),
        env_reads=tuple(env_reads(text, lines, tree)),
        env_assigned=frozenset(ENV_ASSIGNED.findall(text)) | frozenset(_ENV_SETDEFAULT.findall(text)),
        suppressions=tuple(_suppressions(text, lines)) if SUPPRESSION_MARKER in text.lower() else (),
    )


def line_signals(lines: list[str], patterns: tuple[tuple[str, re.Pattern[str]], ...]) -> list[LineSignal]:
    """The first line per kind that matches, skipping blank and comment lines."""
    found: list[LineSignal] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        for kind, pattern in patterns:
            if kind in seen:
                continue  # the first place per file is evidence enough
            match = pattern.search(line)
            if match:
                seen.add(kind)
                found.append(LineSignal(kind=kind, line=number, what=match.group(0).strip()[:80]))
    return found


def env_reads(text: str, lines: list[str], tree: ast.Module | None) -> list[EnvRead]:
    """Settings read without a default; a guarded read (``"X" in os.environ``) is optional."""
    found: list[EnvRead] = []
    optional = {a or b for a, b in _ENV_OPTIONAL.findall(text)}
    for number, line in enumerate(lines, 1):
        stripped = line.lstrip()
        if stripped.startswith("#"):
            continue
        for pattern, how in zip(ENV_READERS, ("os.environ[...]", "env(...)", "config(...)"), strict=True):
            for match in pattern.finditer(line):
                if how == "os.environ[...]" and (ENV_ASSIGNED.match(line, match.start()) or match.group(1) in optional):
                    continue  # an assignment provides the setting; a guarded read is optional
                if how == "config(...)" and "decouple" not in text:
                    continue
                if how == "env(...)" and "environ" not in text:
                    continue
                found.append(EnvRead(name=match.group(1), line=number, how=how))
    if "BaseSettings" in text and tree is not None:
        found.extend(_settings_fields(tree))
    return found


def _settings_fields(tree: ast.Module) -> list[EnvRead]:
    """Fields of a pydantic ``BaseSettings`` class with no default: pydantic refuses to start
    without them. ``env_prefix`` is applied; names compare case-insensitively, as pydantic does."""
    found: list[EnvRead] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ClassDef) or not any(_base_name(b) == "BaseSettings" for b in node.bases):
            continue
        prefix = _env_prefix(node)
        for item in node.body:
            if isinstance(item, ast.AnnAssign) and item.value is None and isinstance(item.target, ast.Name):
                name = item.target.id
                if name.startswith("_") or name == "model_config":
                    continue
                found.append(EnvRead(name=f"{prefix}{name}".upper(), line=item.lineno, how="BaseSettings field"))
    return found


def _base_name(node: ast.expr) -> str:
    match node:
        case ast.Name(id=name):
            return name
        case ast.Attribute(attr=name):
            return name
    return ""


def _env_prefix(node: ast.ClassDef) -> str:
    for item in ast.walk(node):
        if isinstance(item, ast.keyword) and item.arg == "env_prefix" and isinstance(item.value, ast.Constant):
            return str(item.value.value)
        if (
            isinstance(item, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "env_prefix" for t in item.targets)
            and isinstance(item.value, ast.Constant)
        ):
            return str(item.value.value)
    return ""


def _suppressions(text: str, lines: list[str]) -> list[tuple[int, Suppression]]:
    found: list[tuple[int, Suppression]] = []
    for number, line in enumerate(lines, 1):
        parsed = parse_suppression(line) if SUPPRESSION_MARKER in line.lower() else None
        if parsed is not None:
            found.append((number, parsed))
    return found
