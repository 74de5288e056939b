"""OSV JSON documents into typed advisories: the parsing edge of the vulnerability database.

Only what matching and reporting need is kept: ids and aliases, a one-line summary, the rating,
and per affected package its ranges and explicit version list. ``GIT`` ranges name commits, not
releases, so they are kept out of the matching data.
"""

from __future__ import annotations

import json
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from gonogo.vulndb.errors import OsvFormatError
from gonogo.vulndb.severity import Rating, rate

EVENT_KINDS = ("introduced", "fixed", "last_affected", "limit")
VERSION_RANGES = ("ECOSYSTEM", "SEMVER")
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    kind: str
    version: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Range:
    type: str
    events: tuple[Event, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Affected:
    ecosystem: str
    name: str
    """Normalised: PEP 503 for PyPI, as written for npm (npm names are case-sensitive)."""
    ranges: tuple[Range, ...]
    versions: tuple[str, ...]
    memo: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)
    """Derived data matching computes once per entry (the parsed version list)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Advisory:
    id: str
    aliases: tuple[str, ...]
    summary: str
    rating: Rating
    published: str | None
    modified: str | None
    withdrawn: str | None
    affected: tuple[Affected, ...]


def normalise(ecosystem: str, name: str) -> str:
    """The index key for a package name in its ecosystem."""
    return str(canonicalize_name(name)) if ecosystem == "PyPI" else name.strip()


def base_ecosystem(value: str) -> str:
    """``Debian:11`` -> ``Debian``; OSV suffixes some ecosystems with a release."""
    return value.split(":", 1)[0]


def parse_advisory(data: Any) -> Advisory:
    """One OSV document as an ``Advisory``; ``OsvFormatError`` says what is wrong with it."""
    if not isinstance(data, Mapping):
        raise OsvFormatError("not a JSON object")
    ident = data.get("id")
    if not isinstance(ident, str) or not ident.strip():
        raise OsvFormatError("no 'id'")
    aliases = tuple(a for a in _list(data.get("aliases")) if isinstance(a, str) and a != ident)
    affected = tuple(_affected(item, ident) for item in _list(data.get("affected")))
    withdrawn = data.get("withdrawn")
    return Advisory(
        id=ident,
        aliases=tuple(sorted(set(aliases))),
        summary=_summary(data),
        rating=rate(_list(data.get("severity")), _mapping(data.get("database_specific"))),
        published=_str(data.get("published")),
        modified=_str(data.get("modified")),
        withdrawn=withdrawn if isinstance(withdrawn, str) and withdrawn else None,
        affected=tuple(a for a in affected if a is not None),
    )


def _affected(item: Any, ident: str) -> Affected | None:
    if not isinstance(item, Mapping):
        raise OsvFormatError(f"{ident}: an 'affected' entry is not an object")
    package = _mapping(item.get("package"))
    name, ecosystem = package.get("name"), package.get("ecosystem")
    if not isinstance(name, str) or not isinstance(ecosystem, str) or not name.strip():
        return None  # OSV allows affected entries with no package (e.g. a git-only range)
    ecosystem = base_ecosystem(ecosystem)
    ranges = []
    for raw in _list(item.get("ranges")):
        raw = _mapping(raw)
        kind = raw.get("type")
        if kind not in VERSION_RANGES:
            continue
        events = []
        for event in _list(raw.get("events")):
            event = _mapping(event)
            found = [(k, v) for k, v in event.items() if k in EVENT_KINDS and isinstance(v, str)]
            if len(found) != 1:
                raise OsvFormatError(
                    f"{ident}: a range event must have exactly one of {EVENT_KINDS}"
                )
            events.append(Event(kind=found[0][0], version=found[0][1]))
        ranges.append(Range(type=str(kind), events=tuple(events)))
    versions = tuple(v for v in _list(item.get("versions")) if isinstance(v, str))
    return Affected(
        ecosystem=ecosystem,
        name=normalise(ecosystem, name),
        ranges=tuple(ranges),
        versions=versions,
    )


def _summary(data: Mapping[str, Any]) -> str:
    """The advisory's summary, or the start of its details, on one line of at most 160 characters."""
    text = " ".join((_str(data.get("summary")) or _str(data.get("details")) or "").split())
    if len(text) <= 160:
        return text
    return text[:157].rsplit(" ", 1)[0] + "..."


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


Document = tuple[str, bytes | OsvFormatError]
"""(name, content) of one document, or (name, why it could not be read): one damaged member of an
archive is counted and skipped like a document that does not parse, never the end of the import."""


def read_documents(source: Path) -> Iterator[Document]:
    """Every ``*.json`` in a zip file or (recursively) a folder, by name."""
    if source.is_dir():
        for path in sorted(source.rglob("*.json")):
            if path.is_file() and path.stat().st_size <= MAX_DOCUMENT_BYTES:
                yield str(path.relative_to(source)), _read_file(path)
        return
    with zipfile.ZipFile(source) as archive:
        for info in archive.infolist():
            if info.filename.endswith(".json") and info.file_size <= MAX_DOCUMENT_BYTES:
                yield info.filename, _read_member(archive, info)


def _read_file(path: Path) -> bytes | OsvFormatError:
    try:
        return path.read_bytes()
    except OSError as exc:
        return OsvFormatError(f"cannot read: {exc.strerror or exc}")


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes | OsvFormatError:
    """A member's bytes; corrupt deflate data, a bad CRC, a truncated or encrypted member, or a
    member that inflates past the size limit is an error for this member only."""
    try:
        with archive.open(info) as member:
            data = member.read(MAX_DOCUMENT_BYTES + 1)
    except (zlib.error, zipfile.BadZipFile, EOFError, OSError, RuntimeError, NotImplementedError) as exc:
        return OsvFormatError(f"damaged archive member ({type(exc).__name__}: {exc})")
    if len(data) > MAX_DOCUMENT_BYTES:
        return OsvFormatError(f"inflates past {MAX_DOCUMENT_BYTES:,} bytes")
    return data


def load_document(raw: bytes) -> Advisory:
    """Decode and parse one document; ``OsvFormatError`` for bad JSON too, and for JSON nested
    deeper than the parser's recursion limit (a hostile archive, not an advisory)."""
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise OsvFormatError(f"not JSON: {exc}") from exc
    except RecursionError as exc:
        raise OsvFormatError("not an advisory: JSON nested too deeply to read") from exc
    return parse_advisory(data)
