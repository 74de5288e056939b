"""The ``vulnerabilities`` fact: which pinned or locked dependencies known advisories affect.

Reads the local OSV index (``gonogo db update``) or, when asked, the OSV API; judges nothing. Every
scan records the age of the data it used in the ``osv`` data version of its notes. A dependency that is
not pinned (and not pinned by a lock file in the same root) is not guessed at: it is listed as
unauditable. A missing index or a failed query is carried as ``problem`` so the checks can say
"could not tell" instead of passing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from gonogo.collectors.manifests import Dependency, Manifest, ManifestFacts, UnreadLock
from gonogo.notes import Notes
from gonogo.options import ScanOptions
from gonogo.registry import collector
from gonogo.vulndb import online
from gonogo.vulndb.errors import IndexMissing, VulnDbError
from gonogo.vulndb.index import AdvisoryInfo, VulnIndex
from gonogo.vulndb.location import default_path
from gonogo.vulndb.matching import fixing_version, is_affected, key_for
from gonogo.vulndb.osv import Advisory, Affected, normalise
from gonogo.vulndb.severity import Rating, worst

AUDITED_ECOSYSTEMS = ("PyPI", "npm")
NO_DATABASE = "no vulnerability database; run gonogo db update"


@dataclass(frozen=True, slots=True, kw_only=True)
class Vulnerability:
    """One vulnerability: advisories that are aliases of one another, as one."""

    ids: tuple[str, ...]
    """The matched advisories' ids first (sorted), then their other aliases."""
    summary: str
    rating: Rating
    fixed: str | None
    """The smallest release above the pin that this vulnerability does not affect."""

    @property
    def id(self) -> str:
        return self.ids[0]


@dataclass(frozen=True, slots=True, kw_only=True)
class VulnerableDependency:
    dependency: Dependency
    version: str
    vulnerabilities: tuple[Vulnerability, ...]
    fix: str | None
    """The smallest release above the pin that none of the vulnerabilities affects."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Unauditable:
    dependency: Dependency
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class VulnerabilityFacts:
    source: str
    data_date: date | None
    age_days: int | None
    problem: str | None
    """Why no advisory data could be used (no index, network failure); ``None`` when it could."""
    audited: tuple[Dependency, ...]
    vulnerable: tuple[VulnerableDependency, ...]
    unauditable: tuple[Unauditable, ...]
    unread_locks: tuple[UnreadLock, ...] = ()
    """Lock files of formats gonogo does not read: what they pin is not audited."""


Match = tuple[AdvisoryInfo, Affected]
Query = tuple[str, str, str]
"""(ecosystem, normalised name, pinned version)."""


@collector("vulnerabilities")
def vulnerabilities(manifests: ManifestFacts, options: ScanOptions, notes: Notes) -> VulnerabilityFacts:
    audited, unauditable = split_auditable(manifests)
    data_date: date | None  # the index may not know how old its advisories are
    try:
        if options.online_vulns:
            source, data_date = f"OSV API {options.osv_api_url}", options.today
            matches = _online_matches(audited, options)
            known = {q[:2]: [a for _, a in m] for q, m in matches.items()}
        else:
            path = Path(options.vulndb_path) if options.vulndb_path else default_path()
            with VulnIndex(path) as index:
                status = index.status()
                source, data_date = f"{status.source} (index {status.path})", status.data_date
                matches, known = _index_matches(audited, index)
    except (IndexMissing, VulnDbError) as exc:
        problem = NO_DATABASE if isinstance(exc, IndexMissing) else str(exc)
        notes.record_version("osv", f"none: {problem}")
        notes.add(f"vulnerabilities not checked: {problem}", source="vulnerabilities")
        return VulnerabilityFacts(
            source="",
            data_date=None,
            age_days=None,
            problem=problem,
            audited=audited,
            vulnerable=(),
            unauditable=unauditable,
            unread_locks=manifests.unread_locks,
        )
    age = None if data_date is None else max(0, (options.today - data_date).days)
    when = data_date.isoformat() if data_date else "unknown date"
    notes.record_version("osv", f"{source}; data as of {when} ({age if age is not None else '?'} days old)")
    vulnerable = tuple(
        found
        for dep in audited
        if (found := _vulnerable(dep, matches.get(_query(dep), []), known.get(_query(dep)[:2], []))) is not None
    )
    return VulnerabilityFacts(
        source=source,
        data_date=data_date,
        age_days=age,
        problem=None,
        audited=audited,
        vulnerable=vulnerable,
        unauditable=unauditable,
        unread_locks=manifests.unread_locks,
    )


def split_auditable(facts: ManifestFacts) -> tuple[tuple[Dependency, ...], tuple[Unauditable, ...]]:
    """Pinned or locked dependencies to audit, and those that cannot be audited, with why.

    A range is auditable through a pin elsewhere in the same project: a lock file in the same root,
    or a requirements file that pins the name and sits beside it (``requirements.txt`` pinning what
    ``base_requirements.txt`` or ``pyproject.toml`` leaves open) or pulls its file in with ``-r``."""
    locked = {(str(lock.file.root), d.ecosystem, d.name) for lock in facts.locks for d in lock.dependencies if d.pinned}
    pinned_near = _pinned_by_requirements(facts)
    audited: list[Dependency] = []
    unauditable: list[Unauditable] = []
    for dep in facts.dependencies:
        if dep.ecosystem not in AUDITED_ECOSYSTEMS or dep.editable or _is_local(dep.url):
            continue
        if dep.pinned and not dep.url:
            audited.append(dep)
        elif (str(dep.file.root), dep.ecosystem, dep.name) in locked:
            continue  # a lock file in the same root pins it, and that pin is audited
        elif not dep.url and dep.name in pinned_near.get((str(dep.file.root), dep.file.relpath), ()):
            continue  # a requirements file of the same project pins it, and that pin is audited
        elif dep.url:
            unauditable.append(Unauditable(dependency=dep, reason=f"installed from a URL ({dep.url})"))
        else:
            how = f"constrained only by {dep.specifier}" if dep.specifier else "any version allowed"
            unauditable.append(Unauditable(dependency=dep, reason=f"not pinned ({how}) and no lock file pins it"))
    return tuple(audited), tuple(unauditable)


def _pinned_by_requirements(facts: ManifestFacts) -> dict[tuple[str, str], set[str]]:
    """(root, relpath of a declaring file) -> names a requirements file of the same project pins:
    one in the same folder (``requirements/`` counting as its parent's), one that includes it, or a
    constraints file it names with ``-c``."""
    by_folder: dict[tuple[str, str], set[str]] = {}
    by_include: dict[str, set[str]] = {}
    for manifest in facts.declaring:
        if manifest.kind != "requirements":
            continue
        names = {d.name for d in manifest.dependencies if d.pinned and not d.url}
        by_folder.setdefault((str(manifest.file.root), _project_folder(manifest)), set()).update(names)
        for included in manifest.includes:
            by_include.setdefault(included, set()).update(names)
    pins_of = {
        m.file.display: {d.name for d in m.dependencies if d.pinned and not d.url} for m in facts.declaring
    }
    found: dict[tuple[str, str], set[str]] = {}
    for manifest in facts.declaring:
        key = (str(manifest.file.root), manifest.file.relpath)
        found[key] = by_folder.get((key[0], _project_folder(manifest)), set()) | by_include.get(
            manifest.file.display, set()
        )
        for constraint in manifest.constraints:  # ``-c constraints.txt`` pins what the file leaves open
            found[key] |= pins_of.get(constraint, set())
    return found


def _project_folder(manifest: Manifest) -> str:
    folder = manifest.folder
    if folder.rpartition("/")[2].lower() in ("requirements", "reqs", "requirement"):
        return folder.rpartition("/")[0]
    return folder


def _is_local(url: str | None) -> bool:
    return bool(url and not url.startswith(("http://", "https://", "git+", "hg+", "svn+", "bzr+")))


def _query(dep: Dependency) -> tuple[str, str, str]:
    return (dep.ecosystem, normalise(dep.ecosystem, dep.name), dep.pinned or "")


def _index_matches(
    audited: Sequence[Dependency], index: VulnIndex
) -> tuple[dict[Query, list[Match]], dict[tuple[str, str], list[Affected]]]:
    """The advisories affecting each pin, and every advisory entry of each package."""
    entries: dict[tuple[str, str], list[Match]] = {}
    found: dict[Query, list[Match]] = {}
    for dep in audited:
        query = _query(dep)
        if query in found:
            continue
        package = query[:2]
        if package not in entries:
            entries[package] = index.lookup(*package)
        found[query] = [(info, a) for info, a in entries[package] if is_affected(query[2], a)]
    return found, {package: [a for _, a in matches] for package, matches in entries.items()}


def _online_matches(audited: Sequence[Dependency], options: ScanOptions) -> dict[tuple[str, str, str], list[Match]]:
    queries = sorted({_query(dep) for dep in audited})
    with online.client() as http:
        answers = online.osv_query(queries, http, base=options.osv_api_url)
    return {query: list(_as_matches(query, advisories)) for query, advisories in answers.items()}


def _as_matches(query: tuple[str, str, str], advisories: Iterable[Advisory]) -> Iterable[Match]:
    ecosystem, name, _ = query
    for advisory in advisories:
        info = AdvisoryInfo(
            id=advisory.id,
            aliases=advisory.aliases,
            summary=advisory.summary,
            rating=advisory.rating,
        )
        entries = [a for a in advisory.affected if a.ecosystem == ecosystem and a.name == name]
        for entry in entries or [Affected(ecosystem=ecosystem, name=name, ranges=(), versions=())]:
            yield info, entry


def _vulnerable(
    dep: Dependency, matches: Sequence[Match], package_entries: Sequence[Affected]
) -> VulnerableDependency | None:
    """The pin's vulnerabilities; its ``fix`` must escape every advisory of the package, not only
    those found (PyJWT 1.4.0: 1.5.1 fixes PYSEC-2017-24 but is hit by PYSEC-2022-202)."""
    if not matches:
        return None
    version = dep.pinned or ""
    groups = _alias_groups(matches)
    vulns = tuple(
        sorted(
            (
                Vulnerability(
                    ids=_ids(group),
                    summary=next((info.summary for info, _ in group if info.summary), ""),
                    rating=worst(info.rating for info, _ in group),
                    fixed=fixing_version(version, [a for _, a in group]),
                )
                for group in groups
            ),
            key=lambda v: (v.rating.rank, v.id),
        )
    )
    return VulnerableDependency(
        dependency=dep,
        version=version,
        vulnerabilities=vulns,
        fix=fixing_version(version, [*package_entries] or [a for _, a in matches]),
    )


def _alias_groups(matches: Sequence[Match]) -> list[list[Match]]:
    """Advisories that name one another (PYSEC, GHSA, CVE) are one vulnerability."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for info, _ in matches:
        for alias in info.aliases:
            parent[find(alias)] = find(info.id)
    groups: dict[str, list[Match]] = {}
    for match in matches:
        groups.setdefault(find(match[0].id), []).append(match)
    return list(groups.values())


def _ids(group: Sequence[Match]) -> tuple[str, ...]:
    own = sorted({info.id for info, _ in group})
    others = sorted({a for info, _ in group for a in info.aliases} - set(own))
    return (*own, *others)


def version_key(ecosystem: str, version: str | None) -> tuple[int, Any]:
    """A sort key for versions of ``ecosystem``; unparsable ones sort first."""
    parsed = key_for(ecosystem)(version or "")
    return (0, version or "") if parsed is None else (1, parsed)
