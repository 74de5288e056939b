"""Opt-in live sources: the OSV API (batch queries) and the PyPI JSON API.

Used only when a scan asks for the freshest data (``ScanOptions.online_vulns``) or for outdated
packages (``ScanOptions.outdated``). Every failure is a ``FetchError`` whose message names the URL,
so the scan can say plainly what it could not learn and carry on with the gate ``unknown``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from packaging.version import InvalidVersion, Version

from gonogo.vulndb.errors import FetchError, OsvFormatError
from gonogo.vulndb.osv import Advisory, parse_advisory

if TYPE_CHECKING:
    import httpx  # imported where a request is made: every scan loads this module, few go online

OSV_API = "https://api.osv.dev"
PYPI = "https://pypi.org"
BATCH = 1000
TIMEOUT_SECONDS = 20.0
USER_AGENT = "gonogo (production-readiness gate)"


def client() -> httpx.Client:
    import httpx

    return httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=True, headers={"User-Agent": USER_AGENT})


def _json(response: httpx.Response) -> Any:
    if response.status_code != 200:
        raise FetchError(
            f"{response.request.method} {response.request.url}: HTTP {response.status_code}"
        )
    try:
        return response.json()
    except ValueError as exc:
        raise FetchError(f"{response.request.method} {response.request.url}: not JSON") from exc


def osv_query(
    queries: Sequence[tuple[str, str, str]], http: httpx.Client, base: str = OSV_API
) -> dict[tuple[str, str, str], list[Advisory]]:
    """Advisories affecting each (ecosystem, name, version): querybatch, then /v1/vulns/ID."""
    import httpx

    ids: dict[tuple[str, str, str], list[str]] = {}
    try:
        for start in range(0, len(queries), BATCH):
            chunk = queries[start : start + BATCH]
            body = {
                "queries": [
                    {"package": {"ecosystem": e, "name": n}, "version": v} for e, n, v in chunk
                ]
            }
            data = _json(http.post(f"{base.rstrip('/')}/v1/querybatch", json=body))
            results = data.get("results") if isinstance(data, Mapping) else None
            if not isinstance(results, list) or len(results) != len(chunk):
                raise FetchError(f"POST {base}/v1/querybatch: answer does not match the queries")
            for query, result in zip(chunk, results, strict=True):
                vulns = result.get("vulns", []) if isinstance(result, Mapping) else []
                ids[query] = [
                    v["id"]
                    for v in vulns
                    if isinstance(v, Mapping) and isinstance(v.get("id"), str)
                ]
        details: dict[str, Advisory] = {}
        for ident in sorted({i for found in ids.values() for i in found}):
            try:
                details[ident] = parse_advisory(
                    _json(http.get(f"{base.rstrip('/')}/v1/vulns/{ident}"))
                )
            except OsvFormatError as exc:
                raise FetchError(f"GET {base}/v1/vulns/{ident}: {exc}") from exc
    except httpx.HTTPError as exc:
        raise FetchError(f"OSV API at {base}: {type(exc).__name__}: {exc}") from exc
    return {q: [details[i] for i in found if not details[i].withdrawn] for q, found in ids.items()}


@dataclass(frozen=True, slots=True, kw_only=True)
class Project:
    """What the PyPI JSON API says of a project: its releases and the latest stable one."""

    name: str
    versions: tuple[str, ...]
    latest: str | None
    latest_date: date | None


def pypi_project(name: str, http: httpx.Client, base: str = PYPI) -> Project:
    import httpx

    url = f"{base.rstrip('/')}/pypi/{name}/json"
    try:
        data = _json(http.get(url))
    except httpx.HTTPError as exc:
        raise FetchError(f"GET {url}: {type(exc).__name__}: {exc}") from exc
    return parse_project(name, data)


def parse_project(name: str, data: Any) -> Project:
    """The releases of a ``/pypi/<name>/json`` answer, and the newest stable, unyanked one."""
    releases = data.get("releases") if isinstance(data, Mapping) else None
    if not isinstance(releases, Mapping):
        raise FetchError(f"PyPI answer for {name} has no releases")
    stable: list[tuple[Version, str, date | None]] = []
    for text, files in releases.items():
        files = [f for f in files if isinstance(f, Mapping)] if isinstance(files, list) else []
        live = [f for f in files if not f.get("yanked")]
        try:
            version = Version(text)
        except InvalidVersion:
            continue
        if live and not (version.is_prerelease or version.is_devrelease):
            stable.append((version, text, _first_upload(live)))
    latest = max(stable, default=None, key=lambda item: item[0])
    return Project(
        name=name,
        versions=tuple(releases),
        latest=latest[1] if latest else None,
        latest_date=latest[2] if latest else None,
    )


def _first_upload(files: Sequence[Mapping[str, Any]]) -> date | None:
    times = sorted(str(f.get("upload_time_iso_8601") or f.get("upload_time") or "") for f in files)
    times = [t for t in times if t]
    try:
        return date.fromisoformat(times[0][:10]) if times else None
    except ValueError:
        return None
