"""Per-file facts cached by content hash, in SQLite in the user's cache directory.

Two tables. ``facts`` maps a content key (a namespace naming the extractor and its version, plus
the hash of the file's bytes) to the extractor's result. ``stats`` is the stat index: for each file
of a scanned root, the status it had when it was last hashed (size, mtime, ctime, inode, device)
and the hash, so a warm scan of an unchanged tree neither reads nor hashes a file. An entry is
trusted only when every field still matches, and is written only for a file whose mtime is older
than the write by :data:`RACY_MARGIN_NS`: a file edited again within the same timestamp tick
(git's "racily clean" entry) has no entry, so the next scan hashes it.

The cache is an optimisation only: if it cannot be opened or written (read-only home, a corrupt
file, another scan holding the lock past the timeout), the scan carries on without it and says so
once. Several scans may share it (the fleet does): the database is in WAL mode, so readers never
wait for a writer, and writers wait for each other up to :data:`BUSY_TIMEOUT_SECONDS`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import json
import pickle
import sqlite3
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import platformdirs

if TYPE_CHECKING:
    from gonogo.options import ScanOptions

CACHE_FILE = "facts.v3.sqlite"
"""Version 3: keys are ``namespace:hash`` of the bytes, the stat index, dataclasses pickled by
field. Every value is redacted before it is stored (:func:`gonogo.redaction.scrub`)."""
FORMAT = 3
"""Kept in the file's ``user_version``: a file of another format is emptied, never misread."""
STALE_CACHE_FILES = ("facts.sqlite", "facts.v2.sqlite")
"""Earlier versions' files may hold credentials quoted by facts: removed when the cache opens."""
BUSY_TIMEOUT_SECONDS = 30.0
"""How long a write waits for another scan's write; writes are one short transaction each."""
RACY_MARGIN_NS = 2_000_000_000
"""A file modified less than this before its entry would be written gets no entry: coarse
timestamps (FAT's 2 s, a kernel's tick) could hide a second edit of the same size."""

MEMO_DAYS = 30
"""A scan's stored answer not replaced for this long is dropped."""

Signature = tuple[int, int, int, int, int]
"""A file's (size, mtime_ns, ctime_ns, inode, device): any edit, replacement or move changes one."""


def default_cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir("gonogo"))


def cache_folder(options: ScanOptions) -> Path | None:
    """Where a scan with these options keeps its cache: ``None`` when it keeps none."""
    if not options.use_cache:
        return None
    return Path(options.cache_dir) if options.cache_dir else default_cache_dir()


def content_digest(data: bytes) -> str:
    """The hash of a file's bytes, shared by every extractor: each prefixes its own namespace."""
    return hashlib.blake2b(data, digest_size=20).hexdigest()


def signature_of(info: Any) -> Signature:
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev)


class FactCache:
    """A key -> picklable value store, and the stat index. ``problem`` says why it is off, when it is."""

    def __init__(self, folder: Path | None) -> None:
        self.problem: str | None = None
        self._db: sqlite3.Connection | None = None
        if folder is None:
            return
        try:
            folder.mkdir(parents=True, exist_ok=True)
            _remove_stale(folder)
            self._db = sqlite3.connect(folder / CACHE_FILE, timeout=BUSY_TIMEOUT_SECONDS)
            _prepare(self._db)
        except (OSError, sqlite3.Error) as exc:
            self._off(f"fact cache unavailable ({exc}); every file is parsed")

    def get_many(self, keys: Iterable[str]) -> dict[str, object]:
        if self._db is None:
            return {}
        found: dict[str, object] = {}
        wanted = list(keys)
        try:
            for start in range(0, len(wanted), 2000):
                # the keys travel as one JSON parameter: one query per chunk, and constant SQL
                rows = self._db.execute(
                    "SELECT key, value FROM facts WHERE key IN (SELECT value FROM json_each(?))",
                    (json.dumps(wanted[start : start + 2000]),),
                )
                for key, blob in rows:
                    try:
                        found[key] = loads(blob)
                    except Exception:  # a stale or damaged entry is a miss, not an error
                        continue
        except sqlite3.Error as exc:
            self._off(f"fact cache unreadable ({exc}); every file is parsed")
            return {}
        return found

    def put_many(self, items: Mapping[str, object]) -> None:
        if self._db is None or not items:
            return
        self.put_stored({key: dumps(value) for key, value in items.items()})

    def put_stored(self, blobs: Mapping[str, bytes]) -> None:
        """Values already made by :func:`dumps` (in a worker process), kept as they are."""
        if self._db is None or not blobs:
            return
        self._write("INSERT OR REPLACE INTO facts (key, value) VALUES (?, ?)", list(blobs.items()))

    def stats_of(self, root: str) -> dict[str, tuple[Signature, str]]:
        """The stat index of one root: relative path -> (signature, content hash)."""
        if self._db is None:
            return {}
        try:
            rows = self._db.execute(
                "SELECT relpath, size, mtime_ns, ctime_ns, ino, dev, digest FROM stats WHERE root = ?", (root,)
            ).fetchall()
        except sqlite3.Error as exc:
            self._off(f"fact cache unreadable ({exc}); every file is read")
            return {}
        return {rel: ((size, mtime, ctime, ino, dev), digest) for rel, size, mtime, ctime, ino, dev, digest in rows}

    def put_stats(self, root: str, entries: Mapping[str, tuple[Signature, str]], now_ns: int | None = None) -> None:
        """Record entries, leaving out the racily clean ones (see the module's docstring)."""
        if self._db is None or not entries:
            return
        cutoff = (time.time_ns() if now_ns is None else now_ns) - RACY_MARGIN_NS
        rows = [(root, rel, *sig, digest) for rel, (sig, digest) in entries.items() if sig[1] < cutoff]
        self._write("INSERT OR REPLACE INTO stats VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)

    def forget_stats(self, root: str, relpaths: Iterable[str]) -> None:
        """Drop the entries of files a scan of ``root`` no longer found."""
        self._write("DELETE FROM stats WHERE root = ? AND relpath = ?", [(root, rel) for rel in relpaths])

    def memo_of(self, ask: str) -> object | None:
        """The stored answer to a scan's question (``gonogo.scan_memo``), or ``None``."""
        if self._db is None:
            return None
        try:
            row = self._db.execute("SELECT value FROM scans WHERE ask = ?", (ask,)).fetchone()
            return loads(row[0]) if row else None
        except Exception:  # a damaged entry, or a read-only cache made before the table: a miss
            return None

    def keep_memo(self, ask: str, value: object) -> None:
        """Store a scan's answer in place of the last one to the same question, and forget the
        answers nobody asked for in :data:`MEMO_DAYS` days (a deleted checkout's, say)."""
        if self._db is None:
            return
        now = time.time_ns()
        try:
            with self._db:
                self._db.execute("INSERT OR REPLACE INTO scans VALUES (?, ?, ?)", (ask, dumps(value), now))
                self._db.execute("DELETE FROM scans WHERE made_ns < ?", (now - MEMO_DAYS * 86_400 * 10**9,))
        except sqlite3.Error:  # the next scan runs in full; the facts it needs are cached all the same
            return

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def _write(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        if self._db is None or not rows:
            return
        try:
            with self._db:
                self._db.executemany(sql, rows)
        except sqlite3.Error as exc:
            self._off(f"fact cache not written ({exc})")

    def _off(self, problem: str) -> None:
        self.problem = problem
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
        self._db = None


def _prepare(db: sqlite3.Connection) -> None:
    """WAL where the file system allows it (a network share may not: the default journal then).
    A file of another format is emptied and set up in one transaction under the write lock, so a
    scan opening it at the same moment waits, and never meets a table half made."""
    with contextlib.suppress(sqlite3.OperationalError):
        db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")  # a lost last transaction costs a re-parse, nothing more
    if _format_of(db) == FORMAT:
        # the tables are made in the transaction that records the format; ``scans`` came later
        # in the same format, so a cache made before it gains the table here (a read-only one
        # does not, and no scan is reused from it)
        with contextlib.suppress(sqlite3.OperationalError):
            db.execute(_SCANS_TABLE)
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        if _format_of(db) != FORMAT:
            db.execute("DROP TABLE IF EXISTS facts")
            db.execute("DROP TABLE IF EXISTS stats")
            db.execute("CREATE TABLE facts (key TEXT PRIMARY KEY, value BLOB)")
            db.execute(
                "CREATE TABLE stats (root TEXT, relpath TEXT, size INTEGER, mtime_ns INTEGER, ctime_ns INTEGER,"
                " ino INTEGER, dev INTEGER, digest TEXT, PRIMARY KEY (root, relpath))"
            )
            db.execute(_SCANS_TABLE)
            db.execute(f"PRAGMA user_version = {FORMAT}")
        db.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            db.execute("ROLLBACK")
        raise


_SCANS_TABLE = "CREATE TABLE IF NOT EXISTS scans (ask TEXT PRIMARY KEY, value BLOB, made_ns INTEGER)"


def _format_of(db: sqlite3.Connection) -> int:
    (version,) = db.execute("PRAGMA user_version").fetchone()
    return int(version)


def _remove_stale(folder: Path) -> None:
    """Delete cache files of earlier formats; one another process still uses is left to it."""
    for name in STALE_CACHE_FILES:
        for suffix in ("", "-journal", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                (folder / f"{name}{suffix}").unlink(missing_ok=True)


def loads(blob: bytes) -> Any:
    """What :func:`dumps` stored: our own cache's bytes, never a scanned file's."""
    return pickle.loads(blob)  # gonogo: ignore[SEC005] our own bytes, made by dumps in this scan or an earlier one


def dumps(value: object) -> bytes:
    """``pickle.dumps``, with slotted dataclasses stored as their class and field values: loading
    one is then a call to a builder made once for the class, which costs about a third less than
    the ``__setstate__`` dataclasses give slotted classes; a warm scan pays it for every fact."""
    buffer = io.BytesIO()
    _FieldPickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return buffer.getvalue()


class _FieldPickler(pickle.Pickler):
    def reducer_override(self, obj: Any) -> Any:
        names = _slotted_fields(type(obj))
        if names is None:
            return NotImplemented
        return (rebuild, (type(obj), *[getattr(obj, name) for name in names]))


_FIELDS: dict[type, tuple[str, ...] | None] = {}
_BUILDERS: dict[type, Callable[..., Any]] = {}


def _slotted_fields(cls: type) -> tuple[str, ...] | None:
    if cls not in _FIELDS:
        plain = dataclasses.is_dataclass(cls) and "__slots__" in cls.__dict__ and cls.__dictoffset__ == 0
        _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls)) if plain else None
    return _FIELDS[cls]


def rebuild(cls: type, *values: Any) -> Any:
    """A slotted dataclass from its field values, as pickled by :func:`dumps` (no ``__init__``:
    the values were validated when first built, as unpickling by ``__setstate__`` assumes too)."""
    build = _BUILDERS.get(cls)
    if build is None:
        build = _BUILDERS[cls] = _builder(cls)
    return build(*values)


def _builder(cls: type) -> Callable[..., Any]:
    names = _slotted_fields(cls)
    if names is None:
        raise pickle.UnpicklingError(f"{cls.__qualname__} is not a slotted dataclass")
    # each slot's descriptor sets its value in C, past a frozen class's __setattr__: the
    # fields() call and the name lookups dataclasses' __setstate__ makes per object are most of
    # the cost of loading a warm scan's facts. The builder is written out for the class, one
    # line per field (as dataclasses writes __init__), rather than looping over the setters:
    # a warm scan of a large tree builds tens of thousands of facts this way
    arguments = [f"value{index}" for index in range(len(names))]
    lines = [f"def build({', '.join(arguments)}):", "    obj = new(cls)"]
    lines += [f"    set{index}(obj, value{index})" for index in range(len(names))]
    lines.append("    return obj")
    scope: dict[str, Any] = {"new": object.__new__, "cls": cls}
    scope.update({f"set{index}": getattr(cls, name).__set__ for index, name in enumerate(names)})
    exec("\n".join(lines), scope)  # gonogo: ignore[SEC006] our own generated code, as dataclasses writes __init__
    build: Callable[..., Any] = scope["build"]
    return build
