"""The runs of a SQLite history, read and recorded with the standard library's ``sqlite3``.

``gonogo check`` reads the last runs (the trend and "Since the last run") and records its own on
every run. Through SQLAlchemy that costs its import first, 0.2 s: a quarter of a check whose report
the scan memo gives again. This is the same three statements the ORM issues, on the same tables
and in the same row format (``tests/test_history.py`` writes each way and reads the other), for a
database that already exists at :data:`SCHEMA_HEAD`. Creating or upgrading a schema, PostgreSQL,
and every other command go through ``store.History``; so does a database this module cannot open
or read, which ``History`` then reports in its own words.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from gonogo.history import runs as run_records
from gonogo.history.provenance import Provenance
from gonogo.history.runs import SCHEMA_HEAD, HistoryError, RunLog, StoredRun, reason, run_columns
from gonogo.redaction import redact_url

_SQLITE_PREFIX = "sqlite:///"
_STORED_AT = "%Y-%m-%d %H:%M:%S.%f"
"""How SQLAlchemy's ``DateTime`` stores a moment in SQLite (UTC here, without its zone)."""



def open_run_log(url: str) -> RunLog:
    """The history at ``url`` for ``gonogo check``: this module's for a SQLite database at the
    newest schema, else ``store.History`` (which creates or upgrades it, or says why it cannot)."""
    direct = SqliteRuns.open_at_head(url)
    if direct is not None:
        return direct
    from gonogo.history.store import History  # SQLAlchemy and, to upgrade, Alembic

    return History.open(url)


class SqliteRuns:
    """A SQLite history at the newest schema, open for one command."""

    def __init__(self, connection: sqlite3.Connection, shown: str) -> None:
        self._connection = connection
        self.shown = shown

    @classmethod
    def open_at_head(cls, url: str) -> SqliteRuns | None:
        """The history, when ``url`` names a SQLite file that exists, is a database, and is at
        :data:`SCHEMA_HEAD`; else ``None``. Opening it never creates or changes a file."""
        if not url.startswith(_SQLITE_PREFIX) or "?" in url:
            return None
        path = url.removeprefix(_SQLITE_PREFIX)
        if not path or path == ":memory:":
            return None
        try:
            connection = sqlite3.connect(
                f"file:{quote(path)}?mode=rw", uri=True, timeout=run_records.SQLITE_BUSY_TIMEOUT_S,
                isolation_level=None,  # transactions are begun and ended here, explicitly
            )
        except sqlite3.Error:
            return None
        try:
            revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.Error:
            revision = None
        if revision is None or revision[0] != SCHEMA_HEAD:
            connection.close()
            return None
        return cls(connection, redact_url(url))

    def close(self) -> None:
        self._connection.close()

    def runs(self, identity: str, limit: int | None = None, reports: bool = True) -> list[StoredRun]:
        """As ``History.runs``: newest first; without ``reports``, a run's report only where it has
        no summary to stand for it."""
        report = "runs.report" if reports else "CASE WHEN runs.summary IS NULL THEN runs.report END"
        rows = self._read(
            f"{_SELECT_RUNS.format(report=report)} WHERE repositories.identity = ?"
            " ORDER BY runs.scanned_at DESC, runs.id DESC LIMIT ?",
            (identity, -1 if limit is None else limit),
        )
        return [_stored(row) for row in rows]

    def run(self, run_id: int) -> StoredRun | None:
        rows = self._read(f"{_SELECT_RUNS.format(report='runs.report')} WHERE runs.id = ?", (run_id,))
        return _stored(rows[0]) if rows else None

    def record(
        self,
        report: dict[str, Any],
        provenance: Provenance,
        scanned_at: datetime,
        valid_until: datetime,
        config_digest: str | None = None,
    ) -> int:
        """Store one run; returns its id. One transaction, begun for writing (two checks recording
        at once wait for each other rather than fail)."""
        columns = run_columns(report, provenance, scanned_at, valid_until, config_digest)
        columns["scanned_at"] = _stored_at(scanned_at)
        columns["valid_until"] = _stored_at(valid_until)
        execute = self._connection.execute
        try:
            execute("BEGIN IMMEDIATE")
            try:
                found = execute("SELECT id FROM repositories WHERE identity = ?", (provenance.identity,)).fetchone()
                repository = found[0] if found else execute(
                    "INSERT INTO repositories (identity, name) VALUES (?, ?)", (provenance.identity, provenance.name)
                ).lastrowid
                names = ", ".join(f'"{name}"' for name in columns)
                run_id = execute(
                    f"INSERT INTO runs (repository_id, {names}) VALUES (?{', ?' * len(columns)})",
                    (repository, *columns.values()),
                ).lastrowid
                execute("COMMIT")
            except BaseException:
                execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise HistoryError(f"cannot write to history {self.shown}: {reason(exc)}") from exc
        if not isinstance(run_id, int):
            raise HistoryError(f"cannot write to history {self.shown}: no run id was given back")
        return run_id

    def _read(self, query: str, parameters: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        try:
            return self._connection.execute(query, parameters).fetchall()
        except sqlite3.Error as exc:
            raise HistoryError(f"cannot read history {self.shown}: {reason(exc)}") from exc


_SELECT_RUNS = (
    "SELECT runs.id, repositories.identity, repositories.name, runs.scanned_at, runs.valid_until, runs.\"commit\","
    " runs.branch, runs.dirty, runs.decision, runs.profile, runs.tool_version, {report}, runs.summary"
    " FROM runs JOIN repositories ON repositories.id = runs.repository_id"
)


def _stored(row: tuple[Any, ...]) -> StoredRun:
    run_id, identity, name, scanned_at, valid_until, commit, branch, dirty, decision, profile, version, *texts = row
    return StoredRun(
        id=run_id,
        identity=identity,
        name=name,
        scanned_at=_moment(scanned_at),
        valid_until=_moment(valid_until),
        commit=commit,
        branch=branch,
        dirty=None if dirty is None else bool(dirty),
        decision=decision,
        profile=profile,
        tool_version=version,
        report_json=texts[0],
        summary_json=texts[1],
    )


def _stored_at(moment: datetime) -> str:
    return f"{moment.astimezone(UTC) if moment.tzinfo else moment:{_STORED_AT}}"


def _moment(stored: str) -> datetime:
    return datetime.fromisoformat(stored).replace(tzinfo=UTC)
