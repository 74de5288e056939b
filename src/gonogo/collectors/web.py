"""The ``web`` fact: every product Python file's routes, routers, view classes, rate limits and
outbound requests fed by request input (``web_code``), and rate limits declared at a proxy
(nginx ``limit_req``, Traefik's ``rateLimit`` middleware, Caddy's ``rate_limit``, ingress-nginx's
``limit-rps`` annotations).

Files are read through the workspace and parsed in the pool, cached by content; test code is left
out, since a test's fake app says nothing about the product's routes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gonogo.collectors.testpaths import is_test_path
from gonogo.collectors.web_code import WEB_CODE_VERSION, WebModule, web_module
from gonogo.notes import Notes
from gonogo.options import ScanOptions
from gonogo.parallel import FileJob, map_files_cached
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
def web(workspace: Workspace, options: ScanOptions, notes: Notes) -> WebFacts:
    sources = [s for s in workspace.by_suffix(".py") if not is_test_path(s.relpath)]
    jobs = [FileJob(file=source, namespace=f"web{WEB_CODE_VERSION}") for source in sources]
    facts = map_files_cached(web_module, jobs, options, workspace, stage="web")
    for source, found in zip(sources, facts, strict=True):
        if isinstance(found, FileReadError):
            notes.add(f"web routes not read: {found}", path=source.display, source="web")
    found_in = zip(sources, facts, strict=True)
    files = tuple(WebFile(file=s, facts=f) for s, f in found_in if isinstance(f, WebModule) and f != _EMPTY)
    return WebFacts(files=files, proxy_limits=tuple(_proxy_limits(workspace)))


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
