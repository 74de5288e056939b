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
from typing import Annotated

import typer

from gonogo.vulndb.errors import VulnDbError
from gonogo.vulndb.fetch import DEFAULT_BASE_URL, download_export
from gonogo.vulndb.index import ImportStats, VulnIndex, build_index, default_path
from gonogo.vulndb.osv import read_documents

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
) -> None:
    """Rebuild the index; the previous one stays in place unless the new one is complete."""
    target = index_path()
    try:
        if source is not None:
            if not source.exists():
                raise VulnDbError(f"{source} does not exist")
            stats = build_index(read_documents(source), target, source=f"file {source.resolve()}")
        else:
            stats = _download_and_build(url, ecosystem or ["PyPI"], target)
    except (VulnDbError, OSError, ValueError, zipfile.BadZipFile) as exc:
        typer.echo(f"gonogo db update: {exc}; the existing index was left unchanged", err=True)
        raise typer.Exit(2) from exc
    for name, reason in stats.errors[:10]:
        typer.echo(f"skipped {name}: {reason}", err=True)
    if len(stats.errors) > 10:
        typer.echo(f"... and {len(stats.errors) - 10} more documents skipped", err=True)
    when = stats.data_date.isoformat() if stats.data_date else "unknown"
    typer.echo(
        f"{stats.imported} advisories imported ({stats.withdrawn} withdrawn dropped, "
        f"{len(stats.errors)} unreadable), data as of {when}, into {target}"
    )


def _download_and_build(base: str, ecosystems: list[str], target: Path) -> ImportStats:
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".osv-download-") as folder:
        zips = [download_export(base, eco, Path(folder)) for eco in ecosystems]
        documents: Iterator[tuple[str, bytes]] = chain.from_iterable(
            read_documents(z) for z in zips
        )
        return build_index(documents, target, source=f"{base} ({', '.join(ecosystems)})")


@db_app.command("status")
def status() -> None:
    """Where the index is, what it was built from, how many advisories, how old the data is."""
    try:
        with VulnIndex(index_path()) as index:
            info = index.status()
    except VulnDbError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    age = info.age_days(date.today())
    typer.echo(
        f"index:      {info.path}\nsource:     {info.source}\n"
        f"advisories: {info.advisories} ({info.packages} packages)\n"
        f"data as of: {info.data_date or 'unknown'} ({age if age is not None else '?'} days old)\n"
        f"imported:   {info.imported_at}"
    )
