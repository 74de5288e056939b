"""Per-file facts cached by content hash, in SQLite in the user's cache directory.

A second scan of an unchanged tree reads each file and hashes it, but parses nothing. The cache is an
optimisation only: if it cannot be opened or written (read-only home, a corrupt file, another scan
holding the lock), the scan carries on without it and says so once.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import pickle
import sqlite3
from collections.abc import Iterable, Mapping
from pathlib import Path

import platformdirs

CACHE_FILE = "facts.v2.sqlite"
"""Version 2: every value is redacted before it is stored (:func:`gonogo.redaction.scrub`)."""
STALE_CACHE_FILES = ("facts.sqlite",)
"""Earlier versions' files may hold credentials quoted by facts: removed when the cache opens."""


def default_cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir("gonogo"))


def content_key(data: bytes, namespace: str) -> str:
    return hashlib.blake2b(data, digest_size=20, person=namespace.encode()[:16]).hexdigest()


class FactCache:
    """A key -> picklable value store. ``problem`` says why it is off, when it is."""

    def __init__(self, folder: Path | None) -> None:
        self.problem: str | None = None
        self._db: sqlite3.Connection | None = None
        if folder is None:
            return
        try:
            folder.mkdir(parents=True, exist_ok=True)
            _remove_stale(folder)
            self._db = sqlite3.connect(folder / CACHE_FILE, timeout=5)
            self._db.execute("CREATE TABLE IF NOT EXISTS facts (key TEXT PRIMARY KEY, value BLOB)")
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
                        found[key] = pickle.loads(blob)  # gonogo: ignore[SEC005] our own cache, user's folder
                    except Exception:  # a stale or damaged entry is a miss, not an error
                        continue
        except sqlite3.Error as exc:
            self._off(f"fact cache unreadable ({exc}); every file is parsed")
            return {}
        return found

    def put_many(self, items: Mapping[str, object]) -> None:
        if self._db is None or not items:
            return
        rows = [(key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)) for key, value in items.items()]
        try:
            with self._db:
                self._db.executemany(
                    "INSERT OR REPLACE INTO facts (key, value) VALUES (?, ?)", rows
                )
        except sqlite3.Error as exc:
            self._off(f"fact cache not written ({exc})")

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def _off(self, problem: str) -> None:
        self.problem = problem
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
        self._db = None


def _remove_stale(folder: Path) -> None:
    """Delete cache files of earlier formats; one another process still uses is left to it."""
    for name in STALE_CACHE_FILES:
        for suffix in ("", "-journal", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                (folder / f"{name}{suffix}").unlink(missing_ok=True)
