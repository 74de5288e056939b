"""``gonogo serve``: start the server, or manage its tokens (create a project or a read token and
print its token once, list tokens by their public key, revoke one, rotate a project's). Like
``gonogo.cli``, the only place here that prints or exits. FastAPI and uvicorn are imported only
when a server starts, so managing tokens stays quick."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from gonogo.history.location import history_url
from gonogo.history.runs import HistoryError
from gonogo.reporters.terminal import plain

if TYPE_CHECKING:
    from gonogo.server.storage import Store

err = Console(stderr=True)
MIB = 1024 * 1024


def serve_command(
    database: Annotated[str | None, typer.Option(
        "--database", help="A history database: a SQLite path or a URL (postgresql://...); default: gonogo check's"
    )] = None,
    host: Annotated[str, typer.Option(help="Address to listen on (default: this machine only)")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535)] = 8000,
    private: Annotated[bool, typer.Option(
        "--private", help="Reads (pages, API, badges) need a read token; default: public"
    )] = False,
    max_upload_mb: Annotated[int, typer.Option(min=1, max=1024, help="Largest report accepted, in MiB")] = 16,
    create_project: Annotated[str | None, typer.Option(
        "--create-project", help="Create a project, print its upload token once, and exit"
    )] = None,
    create_read_token: Annotated[bool, typer.Option(
        "--create-read-token", help="Create a read token (for --private), print it once, and exit"
    )] = False,
    list_tokens: Annotated[bool, typer.Option(
        "--list-tokens", help="List every token by its public key (never its secret), and exit"
    )] = False,
    revoke_token: Annotated[str | None, typer.Option(
        "--revoke-token", metavar="KEY", help="Revoke the token with this public key (see --list-tokens), and exit"
    )] = None,
    rotate_token: Annotated[str | None, typer.Option(
        "--rotate-token", metavar="PROJECT",
        help="Replace PROJECT's upload tokens with a new one, print it once, and exit",
    )] = None,
) -> None:
    """Serve every project's readiness: uploads from CI (gonogo check --upload URL), pages, a JSON
    API (OpenAPI at /api/openapi.json) and README badges, over the run history."""
    url = history_url(database)
    if url is None:
        raise _fail("--database off: the server needs a database")
    if create_project is not None or create_read_token:
        _create(url, create_project, create_read_token)
        return
    if list_tokens or revoke_token is not None or rotate_token is not None:
        _manage(url, list_tokens, revoke_token, rotate_token)
        return
    import uvicorn

    from gonogo.server.app import Settings, create_app

    try:
        app = create_app(Settings(database=url, public_reads=not private, max_upload_bytes=max_upload_mb * MIB))
    except HistoryError as exc:
        raise _fail(str(exc)) from exc
    err.print(plain(f"serving {app.state.store.shown} on http://{host}:{port}/"), highlight=False, soft_wrap=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)


@contextmanager
def _opened_store(url: str) -> Iterator[Store]:
    """The server's store for one housekeeping command; its errors become a clear exit 2."""
    from gonogo.server.storage import ProjectError, Store

    try:
        store = Store.open(url)
    except HistoryError as exc:
        raise _fail(str(exc)) from exc
    try:
        yield store
    except (ProjectError, HistoryError) as exc:
        raise _fail(str(exc)) from exc
    finally:
        store.close()


def _create(url: str, project: str | None, read_token: bool) -> None:
    with _opened_store(url) as store:
        if project is not None:
            _, token = store.create_project(project)
            for line in (
                f"created project {project} in {store.shown}; its upload token, shown this once, is on standard output",
                f"upload with: GONOGO_TOKEN=<token> gonogo check . --upload http://HOST:PORT/api/v1/projects/{project}/runs",
            ):
                err.print(plain(line), highlight=False, soft_wrap=True)
            typer.echo(token)
        if read_token:
            shown = "a read token, shown this once (send it as Authorization: Bearer, or a browser's password):"
            err.print(plain(shown), highlight=False)
            typer.echo(store.create_read_token())


def _manage(url: str, list_tokens: bool, revoke_key: str | None, rotate_project: str | None) -> None:
    """Token housekeeping. A key that matches nothing is an error (exit 2): a revocation that did
    nothing must not look like one that worked."""
    with _opened_store(url) as store:
        if revoke_key is not None:
            if not store.revoke(revoke_key):
                raise _fail(f"no token with key {revoke_key!r} in {store.shown} (see --list-tokens)")
            err.print(plain(f"revoked token {revoke_key}; a running server refuses it from its next request"),
                      highlight=False, soft_wrap=True)
        if rotate_project is not None:
            token = store.rotate(rotate_project)
            err.print(plain(f"{rotate_project}'s old upload tokens are revoked; the new one, shown this once, "
                            "is on standard output"), highlight=False, soft_wrap=True)
            typer.echo(token)
        if list_tokens:
            for info in store.tokens():
                owner = info.project if info.project is not None else "(every project)"
                typer.echo(f"{info.key}  {info.scope:<6}  {owner}  created {info.created_at:%Y-%m-%d %H:%M}")


def _fail(message: str) -> typer.Exit:
    err.print(plain(f"error: {message}"), highlight=False, soft_wrap=True)
    return typer.Exit(2)
