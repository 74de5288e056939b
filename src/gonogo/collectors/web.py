"""The ``web`` fact: every product Python file's routes, routers, view classes, rate limits and
outbound requests fed by request input (``web_code``), and rate limits declared at a proxy
(nginx ``limit_req``, Traefik's ``rateLimit`` middleware, Caddy's ``rate_limit``, ingress-nginx's
``limit-rps`` annotations).

Each file's facts are worked out in the one per-file pass (the ``python`` fact), on its one parse,
and cached with its other facts by content; test code is left out, since a test's fake app says
nothing about the product's routes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gonogo.bounded_match import PER_FILE, SECONDS
from gonogo.collectors.python import PythonFacts
from gonogo.collectors.testpaths import is_test_path
from gonogo.collectors.web_code import WebModule
from gonogo.notes import Notes
from gonogo.registry import collector
from gonogo.workspace import FileReadError, SourceFile, Workspace, decode_text

_PROXY_FILE = re.compile(
    r"(^|/)(nginx[^/]*\.conf|[^/]*\.conf\.template|[^/]*\.conf|Caddyfile|[^/]*traefik[^/]*\.(ya?ml|toml)|"
    r"[^/]*ingress[^/]*\.ya?ml|values[^/]*\.ya?ml)$",
    re.IGNORECASE,
)
_PROXY_LIMIT = re.compile(
    r"^\s*(limit_req(_zone)?\b|rate_limit\b|rateLimit\s*:|ratelimit\s*:|\[http\.middlewares\.[^\]]*\.rateLimit\]|"
    r"nginx\.ingress\.kubernetes\.io/limit-(rps|rpm|connections)\s*:)",
    re.IGNORECASE,
)
"""A rate limit stated by a reverse proxy's own directive, not a word in a comment."""
_PROXY_BYTES = 512 * 1024


@dataclass(frozen=True, slots=True, kw_only=True)
class WebFile:
    file: SourceFile
    facts: WebModule


@dataclass(frozen=True, slots=True, kw_only=True)
class ProxyLimit:
    path: str
    line: int
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class WebFacts:
    files: tuple[WebFile, ...]
    """Product files with a web fact (a route, a router, a class, a limit, a flow)."""
    proxy_limits: tuple[ProxyLimit, ...] = ()


@collector("web")
def web(workspace: Workspace, python: PythonFacts, notes: Notes) -> WebFacts:
    _note_unread(workspace, {item.file for item in python.files}, notes)
    files = tuple(
        WebFile(file=item.file, facts=item.facts.web)
        for item in python.files
        if not is_test_path(item.file.relpath) and item.facts.web != _EMPTY
    )
    for item in files:
        for line in item.facts.unjudged_origins:
            notes.add(
                f"CORS origin pattern at line {line} not judged (SEC036): it could backtrack exponentially, and "
                f"such a pattern is run for {SECONDS:g} s at most, {PER_FILE} a file; read by hand which origins it "
                "admits (with credentials allowed, one that admits any origin lets any web page act as the user)",
                path=item.file.display, source="web",
            )
    return WebFacts(files=files, proxy_limits=tuple(_proxy_limits(workspace)))


def _note_unread(workspace: Workspace, analysed: set[SourceFile], notes: Notes) -> None:
    """A product file the per-file pass could not read has no web facts: say so, and why."""
    for source in workspace.by_suffix(".py"):
        if source in analysed or is_test_path(source.relpath):
            continue
        try:
            workspace.read_bytes(source)
        except FileReadError as exc:
            notes.add(f"web routes not read: {exc}", path=source.display, source="web")


_EMPTY = WebModule()


def _proxy_limits(workspace: Workspace) -> list[ProxyLimit]:
    found = []
    for source in workspace.files:
        if not _PROXY_FILE.search(source.relpath) or source.size > _PROXY_BYTES:
            continue
        try:
            text = decode_text(workspace.read_bytes(source))
        except FileReadError:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if _PROXY_LIMIT.match(line):
                found.append(ProxyLimit(path=source.display, line=number, text=line.strip()[:120]))
                break
    return found
