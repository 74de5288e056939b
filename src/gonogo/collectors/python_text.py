"""Line scans of one Python file's text, run in the one per-file pass with its parse.

The observability signals, the environment settings a file reads, and its ``# gonogo: ignore``
comments depend only on the file's text, so they run in the worker that parses the file and are
cached with its facts by content hash: a second scan reads none of them again. Here they carry
lines, not files; the collectors that own them attach the file. Nothing is imported or run.
"""

from __future__ import annotations

import ast
import bisect
import io
import re
import tokenize
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from gonogo.collectors.secret_defaults import secret_defaults
from gonogo.collectors.settings_classes import env_prefix, is_settings_class
from gonogo.collectors.syntax_nodes import SyntaxNodes, last_name
from gonogo.regex_literals import Prefilter, literals_of
from gonogo.source_lines import python_line_starts, python_lines
from gonogo.suppressions import Suppression, parse_suppression, suppression_comments
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
            r"|\bprometheus_client\b(?:(?!\bprometheus_client\b).)*\b(Counter|Histogram|Gauge|Summary)\b"
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
    env_names: frozenset[str] = frozenset()
    """Every setting-shaped name the file mentions, and every ``BaseSettings`` field as the
    environment name pydantic reads it from: what could read a setting (OPS022)."""
    secret_defaults: tuple[EnvRead, ...] = ()
    """Secret-named settings read with a literal default (OPS021; the value is never kept)."""


def comment_suppressions(text: str, lines: list[str]) -> tuple[tuple[int, Suppression], ...]:
    """(line, comment) of each suppression in a Python file's comments: a docstring that shows the
    syntax (``# gonogo: ignore[...]``) suppresses nothing and lacks no reason. A file tokenize
    cannot read is read line by line, as any other text file."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text, newline=None).readline))
    except (tokenize.TokenError, SyntaxError):
        return suppression_comments(lines)
    comments = ((t.start[0], t.string) for t in tokens if t.type == tokenize.COMMENT)
    return tuple((line, found) for line, comment in comments if (found := parse_suppression(comment)) is not None)


def text_facts(
    data: bytes, tree: ast.Module | None, nodes: SyntaxNodes | None = None, read: tuple[str, list[str]] | None = None
) -> TextFacts | None:
    """The line scans of one file; ``None`` when its bytes are not UTF-8 text (the scans skip
    such files, as reading them as text fails). ``tree`` is the file's parse, when it parsed;
    ``nodes`` its nodes by kind, when the per-file pass has them for other rules too; ``read``
    the text the pass decoded and its lines, used when this decoding gives the same text (a
    large file's split cost a tenth of its parse, three times over)."""
    try:
        text = decode_text(data)
    except FileReadError:
        return None
    # as the tree numbers them: a form feed ends no line
    lines = read[1] if read is not None and read[0] == text else python_lines(text)
    if tree is not None and nodes is None:
        nodes = SyntaxNodes(tree)
    search = TextSearch(text, lines)
    return TextFacts(
        signals=tuple(line_signals(lines, PYTHON_SIGNALS, search)),
        env_reads=tuple(env_reads(search, lines, tree, nodes)),
        env_assigned=frozenset(search.findall(ENV_ASSIGNED)) | frozenset(search.findall(_ENV_SETDEFAULT)),
        suppressions=comment_suppressions(text, lines) if SUPPRESSION_MARKER in text.lower() else (),
        env_names=frozenset(ENV_WORD.findall(text)) | _settings_names(text, nodes),
        secret_defaults=tuple(
            EnvRead(name=d.name, line=d.line, how=d.how)
            for d in (secret_defaults(text, tree, nodes) if tree else ())
        ),
    )


@cache
def _prefilter() -> Prefilter[re.Pattern[str]]:
    """Every pattern ``text_facts`` tries, with the strings it requires: built once per process."""
    patterns = (*(p for _, p in PYTHON_SIGNALS), *ENV_READERS, ENV_ASSIGNED, _ENV_SETDEFAULT, _ENV_OPTIONAL)
    return Prefilter({pattern: literals_of(pattern) for pattern in patterns})


class TextSearch:
    """One file's text, with the strings ``text_facts``' patterns require that it holds
    (``Prefilter``: one pass over the text for all of them). A pattern that cannot match is not
    run, and one that can is tried only on the lines that hold a string it requires."""

    __slots__ = ("_found", "_lines", "_possible", "_starts", "text")

    def __init__(self, text: str, lines: list[str] | None = None) -> None:
        """``lines``: ``text``'s :func:`python_lines`, when the caller has them."""
        self.text = text
        self._lines = lines
        self._found = _prefilter().found(text)
        self._possible = _prefilter().holding(self._found)
        self._starts: list[int] | None = None

    def may_match(self, pattern: re.Pattern[str]) -> bool:
        return pattern in self._possible

    def findall(self, pattern: re.Pattern[str]) -> list[Any]:
        return pattern.findall(self.text) if pattern in self._possible else []

    def lines_holding(self, pattern: re.Pattern[str]) -> list[int]:
        """Indexes of the lines that hold one of the pattern's required strings, in order; every
        line when the pattern requires none; none when it cannot match."""
        if pattern not in self._possible:
            return []
        if self._starts is None:
            self._starts = python_line_starts(self.text, self._lines)
        text, starts, literals = self.text, self._starts, literals_of(pattern)
        if "" in literals:
            return list(range(len(starts)))
        holding: set[int] = set()
        for literal in literals & self._found:  # the others are in no line
            position = text.find(literal)
            while position != -1:
                line = bisect.bisect_right(starts, position) - 1
                holding.add(line)
                # on to the next line: another place on this one adds nothing
                position = text.find(literal, starts[line + 1]) if line + 1 < len(starts) else -1
        return sorted(holding)


ENV_WORD = re.compile(ENV_NAME)
"""A setting-shaped name anywhere in a text: what could read (or provide) a setting."""


def _settings_names(text: str, nodes: SyntaxNodes | None) -> frozenset[str]:
    """Every field of a ``BaseSettings`` class, with or without a default, as pydantic's
    environment name (prefix applied, upper case)."""
    # a settings class names a base ``...Settings``: an ASCII text without the word has none
    # (identifiers are NFKC-normalised, so a text with other characters is read in full)
    if nodes is None or ("Settings" not in text and text.isascii()):
        return frozenset()
    names = set()
    for node in nodes.of(ast.ClassDef):
        if is_settings_class(node):
            prefix = env_prefix(node)
            for item in node.body:
                if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                    names.add(f"{prefix}{item.target.id}".upper())
    return frozenset(names)


def line_signals(
    lines: list[str], patterns: tuple[tuple[str, re.Pattern[str]], ...], search: TextSearch | None = None
) -> list[LineSignal]:
    """The first line per kind that matches, skipping blank and comment lines, in line order.
    Given the whole text's ``search`` (of the text split into ``lines``), a pattern is tried only
    on the lines that hold one of the strings it requires (``required_literals``)."""
    found: list[tuple[int, int, LineSignal]] = []
    for order, (kind, pattern) in enumerate(patterns):
        candidates: Iterable[int] = range(len(lines)) if search is None else search.lines_holding(pattern)
        for index in candidates:
            line = lines[index]
            stripped = line.strip()
            if not stripped or stripped.startswith("#"):
                continue
            match = pattern.search(line)
            if match:  # the first place per file is evidence enough
                what = match.group(0).strip()[:80]
                found.append((index, order, LineSignal(kind=kind, line=index + 1, what=what)))
                break
    return [signal for _, _, signal in sorted(found, key=lambda item: item[:2])]


_READER_MODULES = {"env(...)": "environ", "config(...)": "decouple"}
"""``env("X")`` is read as django-environ's and ``config("X")`` as python-decouple's only in a file
that names that module: in any other, none of the reader's matches counts, so its lines are not
scanned at all (``env`` is in most files)."""


def env_reads(
    search: TextSearch, lines: list[str], tree: ast.Module | None, nodes: SyntaxNodes | None = None
) -> list[EnvRead]:
    """Settings read without a default; a guarded read (``"X" in os.environ``) is optional."""
    found: list[EnvRead] = []
    text = search.text
    readers = [
        (pattern, how)
        for pattern, how in zip(ENV_READERS, ("os.environ[...]", "env(...)", "config(...)"), strict=True)
        if search.may_match(pattern) and _READER_MODULES.get(how, "") in text
    ]
    optional: set[str] | None = None  # the names read guarded, found once a read needs them
    # only the lines that hold a string some reader requires (``required_literals``) can match:
    # the others are not scanned, and the lines that are keep their order
    holding = sorted(set().union(*(search.lines_holding(pattern) for pattern, _ in readers)))
    for index in holding:
        number, line = index + 1, lines[index]
        stripped = line.lstrip()
        if stripped.startswith("#"):
            continue
        for pattern, how in readers:
            for match in pattern.finditer(line):
                if how == "os.environ[...]":
                    if ENV_ASSIGNED.match(line, match.start()):
                        continue  # an assignment provides the setting
                    if optional is None:
                        optional = {a or b for a, b in search.findall(_ENV_OPTIONAL)}
                    if match.group(1) in optional:
                        continue  # a guarded read is optional
                found.append(EnvRead(name=match.group(1), line=number, how=how))
    if "BaseSettings" in text and tree is not None:
        found.extend(_settings_fields(nodes or SyntaxNodes(tree)))
    return found


def _settings_fields(nodes: SyntaxNodes) -> list[EnvRead]:
    """Fields of a pydantic ``BaseSettings`` class with no default: pydantic refuses to start
    without them. ``env_prefix`` is applied; names compare case-insensitively, as pydantic does."""
    found: list[EnvRead] = []
    for node in nodes.of(ast.ClassDef):
        if not any(last_name(b) == "BaseSettings" for b in node.bases):
            continue
        prefix = env_prefix(node)
        for item in node.body:
            if isinstance(item, ast.AnnAssign) and item.value is None and isinstance(item.target, ast.Name):
                name = item.target.id
                if name.startswith("_") or name == "model_config":
                    continue
                found.append(EnvRead(name=f"{prefix}{name}".upper(), line=item.lineno, how="BaseSettings field"))
    return found
