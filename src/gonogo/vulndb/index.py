"""The local vulnerability index: SQLite, keyed by (ecosystem, normalised package name).

Built from OSV documents into a temporary file next to the target and renamed over it only when
complete, so an interrupted or failed import leaves the previous index untouched. Withdrawn
advisories are dropped at import. The data's date is the newest ``modified`` time it holds: the
age every report states.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from gonogo.vulndb.errors import ImportRefused, IndexMissing, IndexUnusable, OsvFormatError, VulnDbError
from gonogo.vulndb.osv import Advisory, Affected, Document, Event, Range, load_document, normalise
from gonogo.vulndb.severity import Rating

FORMAT = "gonogo-vulndb-1"

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE advisories (
    id TEXT PRIMARY KEY, aliases TEXT NOT NULL, summary TEXT NOT NULL, level TEXT NOT NULL,
    score REAL, vector TEXT, published TEXT, modified TEXT);
CREATE TABLE affected (ecosystem TEXT NOT NULL, name TEXT NOT NULL, advisory TEXT NOT NULL,
    data TEXT NOT NULL);
"""


@dataclass(frozen=True, slots=True, kw_only=True)
class AdvisoryInfo:
    """What a report needs of an advisory besides its affected ranges."""

    id: str
    aliases: tuple[str, ...]
    summary: str
    rating: Rating


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportStats:
    imported: int
    withdrawn: int
    errors: tuple[tuple[str, str], ...]
    data_date: date | None


@dataclass(frozen=True, slots=True, kw_only=True)
class IndexStatus:
    path: str
    source: str
    advisories: int
    packages: int
    data_date: date | None
    imported_at: str

    def age_days(self, today: date) -> int | None:
        return None if self.data_date is None else max(0, (today - self.data_date).days)


SHRINK_LIMIT = 0.5
"""An import holding fewer than this share of the current index's advisories is refused (unless
forced): a truncated download or the wrong archive must not silently empty the database."""
TEMP_PREFIX = ".vulndb-"
STALE_AFTER_SECONDS = 3600.0
"""A temporary file whose owner cannot be told (no process id in its name) is stale after this."""


def build_index(
    documents: Iterable[Document], target: Path, source: str, *, force: bool = False
) -> ImportStats:
    """Import OSV documents into a new index at ``target``, replacing it only on success.

    A document that is not a usable advisory is counted in ``errors`` and skipped; anything that
    stops the import (an unreadable archive, a full disk) propagates, leaving ``target`` as it was.
    Unless ``force``, an import with more unreadable documents than usable ones, or with under
    half the advisories of the index it would replace, is refused the same way. The temporary
    file carries this process's id, so the next import removes one a killed import left behind.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(target.parent)
    handle, temp_name = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-", suffix=".tmp", dir=target.parent)
    os.close(handle)
    temp = Path(temp_name)
    try:
        stats = _fill(temp, documents, source)
        if stats.imported == 0:
            raise VulnDbError(f"{source}: no usable advisory found; the index was not replaced")
        if not force:
            _refuse_if_worse(stats, current_advisories(target), source)
        os.replace(temp, target)
        return stats
    finally:
        temp.unlink(missing_ok=True)


def _refuse_if_worse(stats: ImportStats, current: int | None, source: str) -> None:
    broken = len(stats.errors)
    if broken > stats.imported:
        raise ImportRefused(
            f"{source}: {broken} unreadable document(s) against {stats.imported} usable advisories; "
            "the index was not replaced (use --force to import it anyway)"
        )
    if current and stats.imported < current * SHRINK_LIMIT:
        raise ImportRefused(
            f"{source}: {stats.imported} advisories would replace an index of {current}; "
            "the index was not replaced (use --force to import it anyway)"
        )


def current_advisories(target: Path) -> int | None:
    """How many advisories the index at ``target`` holds; ``None`` when there is none to compare."""
    try:
        with VulnIndex(target) as index:
            return index.status().advisories
    except (VulnDbError, sqlite3.Error, ValueError):
        return None


DOWNLOAD_PREFIX = ".osv-download-"


def remove_stale_temporaries(folder: Path) -> int:
    """Delete what killed imports and downloads left behind: temporary files and folders whose
    process is gone (or, with no process id in the name, older than an hour). Returns how many."""
    removed = 0
    for prefix, pattern in ((TEMP_PREFIX, f"{TEMP_PREFIX}*.tmp"), (DOWNLOAD_PREFIX, f"{DOWNLOAD_PREFIX}*")):
        for path in folder.glob(pattern):
            if _still_owned(path, prefix):
                continue
            try:
                shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
            except OSError:
                continue
            removed += 1
    return removed


def _still_owned(path: Path, prefix: str) -> bool:
    owner = path.name[len(prefix):].split("-", 1)[0]
    if owner.isdigit():
        return owner != "0" and _process_alive(int(owner))
    try:
        return time.time() - path.stat().st_mtime < STALE_AFTER_SECONDS
    except OSError:
        return True


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except OSError:  # it exists but belongs to someone else
        return True
    return True


def _fill(path: Path, documents: Iterable[Document], source: str) -> ImportStats:
    connection = sqlite3.connect(path)
    try:
        connection.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;")
        connection.executescript(_SCHEMA)
        imported = withdrawn = 0
        errors: list[tuple[str, str]] = []
        newest = ""
        seen: set[str] = set()
        for name, raw in documents:
            if isinstance(raw, OsvFormatError):  # a member that could not even be read
                errors.append((name, str(raw)))
                continue
            try:
                advisory = load_document(raw)
            except OsvFormatError as exc:
                errors.append((name, str(exc)))
                continue
            if advisory.withdrawn:
                withdrawn += 1
                continue
            if advisory.id in seen:
                continue
            seen.add(advisory.id)
            _insert(connection, advisory)
            imported += 1
            newest = max(newest, advisory.modified or "")
        data_date = _date_of(newest)
        meta = {
            "format": FORMAT,
            "source": source,
            "advisories": str(imported),
            "data_date": data_date.isoformat() if data_date else "",
            "imported_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        }
        connection.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
        connection.execute("CREATE INDEX affected_by_package ON affected (ecosystem, name)")
        connection.commit()
    finally:
        connection.close()
    return ImportStats(
        imported=imported, withdrawn=withdrawn, errors=tuple(errors), data_date=data_date
    )


def _insert(connection: sqlite3.Connection, advisory: Advisory) -> None:
    rating = advisory.rating
    connection.execute(
        "INSERT INTO advisories VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            advisory.id,
            json.dumps(advisory.aliases),
            advisory.summary,
            rating.level,
            rating.score,
            rating.vector,
            advisory.published,
            advisory.modified,
        ),
    )
    for entry in advisory.affected:
        data = {
            "r": [[r.type, [[e.kind, e.version] for e in r.events]] for r in entry.ranges],
            "v": list(entry.versions),
        }
        connection.execute(
            "INSERT INTO affected VALUES (?, ?, ?, ?)",
            (entry.ecosystem, entry.name, advisory.id, json.dumps(data, separators=(",", ":"))),
        )


def _date_of(timestamp: str) -> date | None:
    try:
        return date.fromisoformat(timestamp[:10]) if timestamp else None
    except ValueError:
        return None


class VulnIndex:
    """A read-only view of a built index."""

    def __init__(self, path: Path) -> None:
        if not path.is_file():
            raise IndexMissing(f"no vulnerability database at {path}; run gonogo db update")
        self.path = path
        try:
            self._db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
            meta = dict(self._db.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.DatabaseError as exc:
            raise IndexUnusable(f"{path} is not a usable vulnerability database: {exc}") from exc
        if meta.get("format") != FORMAT:
            raise IndexUnusable(f"{path} has format {meta.get('format')!r}, not {FORMAT}")
        self._meta = meta
        self._advisories: dict[str, AdvisoryInfo] = {}

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> VulnIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def status(self) -> IndexStatus:
        packages = self._db.execute("SELECT COUNT(DISTINCT ecosystem || ':' || name) FROM affected")
        return IndexStatus(
            path=str(self.path),
            source=self._meta.get("source", ""),
            advisories=int(self._meta.get("advisories", "0")),
            packages=int(packages.fetchone()[0]),
            data_date=_date_of(self._meta.get("data_date", "")),
            imported_at=self._meta.get("imported_at", ""),
        )

    def lookup(self, ecosystem: str, name: str) -> list[tuple[AdvisoryInfo, Affected]]:
        """Every advisory entry for the package (``name`` as written or normalised)."""
        key = normalise(ecosystem, name)
        rows = self._db.execute(
            "SELECT advisory, data FROM affected WHERE ecosystem = ? AND name = ?", (ecosystem, key)
        ).fetchall()
        return [(self.advisory(ident), _affected(ecosystem, key, data)) for ident, data in rows]

    def advisory(self, ident: str) -> AdvisoryInfo:
        cached = self._advisories.get(ident)
        if cached is None:
            row = self._db.execute(
                "SELECT id, aliases, summary, level, score, vector FROM advisories WHERE id = ?",
                (ident,),
            ).fetchone()
            cached = AdvisoryInfo(
                id=row[0],
                aliases=tuple(json.loads(row[1])),
                summary=row[2],
                rating=Rating(level=row[3], score=row[4], vector=row[5]),
            )
            self._advisories[ident] = cached
        return cached

    def names(self, ecosystem: str) -> list[str]:
        rows = self._db.execute(
            "SELECT DISTINCT name FROM affected WHERE ecosystem = ?", (ecosystem,)
        )
        return [r[0] for r in rows]


def _affected(ecosystem: str, name: str, data: str) -> Affected:
    parsed = json.loads(data)
    return Affected(
        ecosystem=ecosystem,
        name=name,
        ranges=tuple(
            Range(type=kind, events=tuple(Event(kind=k, version=v) for k, v in events))
            for kind, events in parsed["r"]
        ),
        versions=tuple(parsed["v"]),
    )
