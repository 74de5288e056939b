"""Is a version affected by an advisory? The OSV schema's evaluation algorithm, exactly.

A version is affected when it is listed in ``versions`` or falls in an ``ECOSYSTEM``/``SEMVER``
range. A range's events are sorted by version (``introduced: "0"`` first) and walked: an
``introduced`` at or below the version opens it, a ``fixed`` at or below closes it, a
``last_affected`` below it closes it; ``limit`` events bound the whole range from above. Versions
compare by the ecosystem's own ordering (PEP 440 for PyPI: epochs, pre-, post- and local releases;
SemVer 2.0 precedence for npm), never as strings. A range with an event version that does not parse
cannot be evaluated and is left to the ``versions`` list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from packaging.version import InvalidVersion, Version

from gonogo.vulndb.osv import Affected, Event, Range

if TYPE_CHECKING:
    import semver

VersionKey = Callable[[str], Any]


@lru_cache(maxsize=65536)
def pep440(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


@lru_cache(maxsize=65536)
def semver_key(text: str) -> semver.Version | None:
    import semver  # deferred: only npm advisories are ordered by SemVer (semver brings argparse: 4 ms a scan)

    try:
        return semver.Version.parse(text.strip().removeprefix("v"))
    except (ValueError, TypeError):
        return None


def key_for(ecosystem: str) -> VersionKey:
    """How versions of ``ecosystem`` are parsed for ordering (``None`` when one does not parse)."""
    return semver_key if ecosystem == "npm" else pep440


def in_range(version: Any, rng: Range, key: VersionKey) -> bool | None:
    """Whether a parsed ``version`` is in ``rng``; ``None`` when the range cannot be evaluated."""
    events: list[tuple[tuple[int, Any], str]] = []
    for event in rng.events:
        if event.kind == "introduced" and event.version == "0":
            events.append(((0, None), event.kind))
            continue
        parsed = key(event.version)
        if parsed is None:
            return None
        events.append(((1, parsed), event.kind))
    limits = [v for (_, v), kind in events if kind == "limit"]
    if limits and not any(version < limit for limit in limits):
        return False
    vulnerable = False
    for (rank, bound), kind in sorted(events, key=_event_order):
        if kind == "introduced" and (rank == 0 or version >= bound):
            vulnerable = True
        elif kind == "fixed" and version >= bound:  # noqa: SIM114 - the schema's steps, one each
            vulnerable = False
        elif kind == "last_affected" and version > bound:
            vulnerable = False
    return vulnerable


def _event_order(item: tuple[tuple[int, Any], str]) -> tuple[int, Any]:
    return item[0] if item[0][0] else (0, 0)


def _listed(affected: Affected) -> tuple[frozenset[str], frozenset[Any]]:
    """The explicit version list, as strings and as parsed versions (``2.0`` equals ``2.0.0``)."""
    listed = affected.memo.get("listed")
    if listed is None:
        key = key_for(affected.ecosystem)
        parsed = {p for v in affected.versions if (p := key(v)) is not None}
        listed = affected.memo["listed"] = (frozenset(affected.versions), frozenset(parsed))
    return listed


def is_affected(version: str, affected: Affected) -> bool:
    """The OSV evaluation of one affected entry for one version string."""
    key = key_for(affected.ecosystem)
    parsed = key(version)
    if parsed is not None:
        for rng in affected.ranges:
            if in_range(parsed, rng, key):
                return True
    strings, versions = _listed(affected)
    return version in strings or (parsed is not None and parsed in versions)


def unevaluable_ranges(affected: Affected) -> int:
    """How many ranges of the entry hold a version that does not parse (left to the list)."""
    key = key_for(affected.ecosystem)
    return sum(
        any(
            key(e.version) is None
            for e in r.events
            if not (e.kind == "introduced" and e.version == "0")
        )
        for r in affected.ranges
    )


def fixing_version(version: str, entries: Sequence[Affected]) -> str | None:
    """The smallest released fix above ``version`` that none of ``entries`` affects, or ``None``.

    Candidates are the ``fixed`` versions the advisories name; the first one (in version order)
    that no entry affects fixes them all at once. A stable release is preferred to a pre-release
    (ansible 2.7.3 -> 2.8.13 rather than 2.8.0a1), unless only pre-releases fix it.
    """
    if not entries:
        return None
    key = key_for(entries[0].ecosystem)
    current = key(version)
    if current is None:
        return None
    candidates = sorted(
        {(parsed, e.version) for parsed, e in _fixed_events(entries, key) if parsed > current},
        key=lambda item: item[0],
    )
    first_prerelease = None
    for parsed, text in candidates:
        if any(is_affected(text, entry) for entry in entries):
            continue
        if not _is_prerelease(parsed):
            return text
        first_prerelease = first_prerelease or text
    return first_prerelease


def _is_prerelease(parsed: Any) -> bool:
    if isinstance(parsed, Version):
        return parsed.is_prerelease
    return bool(getattr(parsed, "prerelease", None))


def _fixed_events(entries: Iterable[Affected], key: VersionKey) -> Iterable[tuple[Any, Event]]:
    for entry in entries:
        for rng in entry.ranges:
            for event in rng.events:
                if event.kind == "fixed" and (parsed := key(event.version)) is not None:
                    yield parsed, event
