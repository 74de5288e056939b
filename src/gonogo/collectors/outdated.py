"""The ``outdated`` fact: each pinned PyPI dependency against the latest stable release on PyPI.

Opt-in (``ScanOptions.outdated``) because it needs the network: one request per distinct package
to the PyPI JSON API. A package PyPI cannot tell us about is a note, never a silent pass; when no
package could be looked up at all, ``problem`` says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from gonogo.collectors.manifests import Dependency, ManifestFacts
from gonogo.notes import Notes
from gonogo.options import ScanOptions
from gonogo.registry import collector
from gonogo.vulndb import online
from gonogo.vulndb.errors import FetchError


@dataclass(frozen=True, slots=True, kw_only=True)
class Release:
    name: str
    latest: str | None
    released: date | None


@dataclass(frozen=True, slots=True, kw_only=True)
class OutdatedFacts:
    enabled: bool
    pinned: tuple[Dependency, ...]
    latest: dict[str, Release]
    """By normalised name; a package missing here could not be looked up (see ``failures``)."""
    failures: tuple[tuple[str, str], ...] = ()
    problem: str | None = None


@collector("outdated")
def outdated(manifests: ManifestFacts, options: ScanOptions, notes: Notes) -> OutdatedFacts:
    pinned = tuple(
        d for d in manifests.dependencies if d.ecosystem == "PyPI" and d.pinned and not d.url
    )
    if not options.outdated:
        return OutdatedFacts(enabled=False, pinned=pinned, latest={})
    latest: dict[str, Release] = {}
    failures: list[tuple[str, str]] = []
    with online.client() as http:
        for name in sorted({d.name for d in pinned}):
            try:
                project = online.pypi_project(name, http, base=options.pypi_url)
            except FetchError as exc:
                failures.append((name, str(exc)))
                notes.add(f"latest release of {name} unknown: {exc}", source="outdated")
                continue
            latest[name] = Release(name=name, latest=project.latest, released=project.latest_date)
    problem = None
    if failures and not latest:
        problem = f"PyPI could not be asked about any package ({failures[0][1]})"
    return OutdatedFacts(
        enabled=True, pinned=pinned, latest=latest, failures=tuple(failures), problem=problem
    )
