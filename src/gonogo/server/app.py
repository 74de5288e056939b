"""The FastAPI application: ``create_app(settings)`` opens the history (creating or upgrading its
tables), mounts the pages, the API and the badge, and sets the headers every answer carries.

No interactive API docs: FastAPI's Swagger and ReDoc pages load their scripts from a CDN, which
this server never does; the OpenAPI schema itself is served at ``/api/openapi.json``.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from fastapi import FastAPI, HTTPException, Request, Response
from fastapi.responses import JSONResponse

from gonogo import __version__
from gonogo.history.runs import DamagedRunError, HistoryError
from gonogo.server.auth import Grant, ProvenTokens, Scope, split_token
from gonogo.server.storage import Store

DEFAULT_MAX_UPLOAD_BYTES = 16 * 1024 * 1024
"""Reports of thousands of findings are a few MiB; a body past this is not a report."""
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    database: str
    public_reads: bool = True
    """Pages, API reads and badges without a token; off: a read token (Bearer, or Basic's password)."""
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES


def create_app(settings: Settings) -> FastAPI:
    # imported here: the routers import this module for its dependencies
    from gonogo.server import api, pages

    store = Store.open(settings.database)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        store.close()

    app = FastAPI(
        title="gonogo server",
        version=__version__,
        description="Readiness decisions of every project: upload from CI, read as pages, JSON and badges.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
    )
    app.state.store = store
    app.state.settings = settings
    app.state.proven = ProvenTokens()
    app.middleware("http")(_security_headers)
    app.exception_handler(HistoryError)(_unavailable)
    app.exception_handler(DamagedRunError)(_damaged)
    app.include_router(api.router)
    app.include_router(pages.router)
    return app


async def _unavailable(request: Request, exc: Exception) -> Response:
    """A database that fails mid-request (down, locked past its timeout) is the server's trouble,
    said plainly, not a stack trace; nothing was stored."""
    return JSONResponse({"detail": f"the database is unavailable: {exc}"}, status_code=503)


async def _damaged(request: Request, exc: Exception) -> Response:
    """A run whose stored report cannot be read: the server's data is damaged there, which waiting
    will not mend (a 500, not the 503 of an unavailable database), and the message says which."""
    return JSONResponse({"detail": f"a stored run is damaged: {exc}; the other runs are unaffected"}, status_code=500)


async def _security_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    response = await call_next(request)
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def store_of(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def presented_token(authorization: str | None) -> str | None:
    """The token in ``Authorization: Bearer T`` or in Basic's password (what a browser can send
    for a page: it asks for it when the server answers 401 with a Basic challenge)."""
    if not authorization:
        return None
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() == "bearer":
        return value.strip() or None
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return decoded.partition(":")[2] or None
    return None


def grant_for(request: Request, text: str | None) -> Grant | None:
    """What a token allows, remembering proven tokens so scrypt runs once per token, not per request."""
    if text is None:
        return None
    proven: ProvenTokens = request.app.state.proven
    known = proven.get(text)
    parts = split_token(text)
    # a remembered token is still looked up by its key, so a revoked one stops working at once
    if known is not None and parts is not None and store_of(request).has_token(parts[0]):
        return known
    grant = store_of(request).grant(text)
    if grant is not None:
        proven.put(text, grant)
    return grant


def require_reader(request: Request) -> None:
    """A dependency of every read: passes when reads are public or a read token is presented."""
    if settings_of(request).public_reads:
        return
    grant = grant_for(request, presented_token(request.headers.get("authorization")))
    if grant is None or grant.scope != Scope.READ:
        raise HTTPException(
            status_code=401,
            detail="reading this server needs a read token (gonogo serve --create-read-token)",
            headers={"WWW-Authenticate": 'Basic realm="gonogo", charset="UTF-8"'},
        )
