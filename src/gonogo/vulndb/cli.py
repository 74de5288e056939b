"""``gonogo db``: build and inspect the local vulnerability index.

Mount on the main CLI with ``app.add_typer(db_app, name="db")``. This module is the only place
that reads ``GONOGO_VULNDB`` (the index path); scans receive the path through ``ScanOptions``.

- ``gonogo db update``: download ``<url>/<Ecosystem>/all.zip`` for each ecosystem and rebuild.
- ``gonogo db update --from FILE_OR_DIR``: import a zip or a folder of OSV JSON files (air-gapped).
- ``gonogo db status``: the source, the number of advisories and the age of the data.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections.abc import Iterator
from datetime import date
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from gonogo.reporters.text import terminal_text
from gonogo.vulndb.errors import VulnDbError
from gonogo.vulndb.fetch import DEFAULT_BASE_URL, download_export
from gonogo.vulndb.location import default_path

if TYPE_CHECKING:  # the index and the OSV parser are imported by the commands: see update
    from gonogo.vulndb.index import ImportStats
    from gonogo.vulndb.osv import Document

ENV_VAR = "GONOGO_VULNDB"

db_app = typer.Typer(
    help="Build and inspect the local vulnerability database (OSV).", no_args_is_help=True
)


def index_path() -> Path:
    """The index the CLI uses: ``$GONOGO_VULNDB`` or the user cache's."""
    configured = os.environ.get(ENV_VAR)
    return Path(configured).expanduser() if configured else default_path()


@db_app.command("update")
def update(
    source: Annotated[
        Path | None, typer.Option("--from", help="A zip or folder of OSV JSON files.")
    ] = None,
    url: Annotated[
        str, typer.Option("--url", help="Base URL of the OSV export.")
    ] = DEFAULT_BASE_URL,
    ecosystem: Annotated[
        list[str] | None,
        typer.Option(
            "--ecosystem", "-e", help="Ecosystems to download (repeatable); default PyPI."
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Replace the index even with one under half its size or mostly unreadable.",
        ),
    ] = False,
) -> None:
    """Rebuild the index; the previous one stays in place unless the new one is complete, and
    (unless --force) at least half as large and more readable than not."""
    # deferred, as in the other commands: every gonogo command loads this sub-app, and a scan
    # reads the index without the OSV parser and CVSS scoring (13 ms of a reused scan)
    from gonogo.vulndb.index import build_index
    from gonogo.vulndb.osv import read_documents

    target = index_path()
    try:
        if source is not None:
            if not source.exists():
                raise VulnDbError(f"{source} does not exist")
            stats = build_index(
                read_documents(source), target, source=f"file {source.resolve()}", force=force
            )
        else:
            stats = _download_and_build(url, ecosystem or ["PyPI"], target, force)
    except (VulnDbError, OSError, ValueError, zipfile.BadZipFile) as exc:
        _say(f"gonogo db update: {exc}; the existing index was left unchanged")
        raise typer.Exit(2) from exc
    for name, reason in stats.errors[:10]:
        _say(f"skipped {name}: {reason}")
    if len(stats.errors) > 10:
        _say(f"... and {len(stats.errors) - 10} more documents skipped")
    when = stats.data_date.isoformat() if stats.data_date else "unknown"
    typer.echo(
        terminal_text(
            f"{stats.imported} advisories imported ({stats.withdrawn} withdrawn dropped, "
            f"{len(stats.errors)} unreadable), data as of {when}, into {target}"
        )
    )


def _say(message: str) -> None:
    """To stderr, with archive member names and reasons shown safely (no escape sequences)."""
    typer.echo(terminal_text(message), err=True)


def _download_and_build(base: str, ecosystems: list[str], target: Path, force: bool) -> ImportStats:
    from gonogo.vulndb.index import DOWNLOAD_PREFIX, build_index, remove_stale_temporaries
    from gonogo.vulndb.osv import read_documents

    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(target.parent)
    # the process id in the name lets the next update remove this folder if we are killed
    prefix = f"{DOWNLOAD_PREFIX}{os.getpid()}-"
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=prefix) as folder:
        zips = [download_export(base, eco, Path(folder)) for eco in ecosystems]
        documents: Iterator[Document] = chain.from_iterable(read_documents(z) for z in zips)
        return build_index(
            documents, target, source=f"{base} ({', '.join(ecosystems)})", force=force
        )


@db_app.command("status")
def status() -> None:
    """Where the index is, what it was built from, how many advisories, how old the data is.
    Also removes what a killed update left beside the index: any db command tidies up."""
    from gonogo.vulndb.index import VulnIndex, remove_stale_temporaries

    if index_path().parent.is_dir():
        remove_stale_temporaries(index_path().parent)
    try:
        with VulnIndex(index_path()) as index:
            info = index.status()
    except VulnDbError as exc:
        _say(str(exc))
        raise typer.Exit(2) from exc
    age = info.age_days(date.today())
    typer.echo(
        f"index:      {info.path}\nsource:     {info.source}\n"
        f"advisories: {info.advisories} ({info.packages} packages)\n"
        f"data as of: {info.data_date or 'unknown'} ({age if age is not None else '?'} days old)\n"
        f"imported:   {info.imported_at}"
    )
