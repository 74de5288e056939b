"""The history database: open (creating or upgrading its schema with Alembic), record a run,
read runs back.

Every failure (a corrupt SQLite file, a locked one, a PostgreSQL server that refuses) becomes a
``HistoryError`` naming the database with any password masked, so ``gonogo check`` can say the
run was not remembered and still write its report. Schema upgrades take a lock (a lock file
beside a SQLite database, an advisory lock on PostgreSQL), so two scans that open a new history
at the same moment do not both create its tables.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, defer

from gonogo.history import runs as run_records
from gonogo.history.provenance import Provenance
from gonogo.history.runs import SCHEMA_HEAD, HistoryError, StoredRun, reason, run_columns
from gonogo.history.schema import Repository, Run
from gonogo.redaction import redact_url

MIGRATIONS = Path(__file__).parent / "migrations"
_PG_MIGRATION_LOCK = 0x676F6E6F  # "gono": one advisory lock id for gonogo's schema upgrades


class History:
    """One history database. Use ``History.open(url)``; close it when done."""

    def __init__(self, engine: Engine, shown: str) -> None:
        self._engine = engine
        self.shown = shown
        """The database as messages name it (password masked)."""

    @classmethod
    def open(cls, url: str) -> History:
        shown = redact_url(url)
        try:
            engine = _engine_for(url)
            history = cls(engine, shown)
            history._upgrade(url)
        except HistoryError:
            raise
        except (SQLAlchemyError, OSError, ValueError) as exc:
            raise HistoryError(f"history {shown}: {reason(exc)}") from exc
        return history

    def close(self) -> None:
        self._engine.dispose()

    def record(
        self,
        report: dict[str, Any],
        provenance: Provenance,
        scanned_at: datetime,
        valid_until: datetime,
        config_digest: str | None = None,
    ) -> int:
        """Store one run; returns its id. One transaction: a run is stored whole or not at all."""
        with self._session("write to") as session, session.begin():
            repository = session.scalar(select(Repository).where(Repository.identity == provenance.identity))
            if repository is None:
                repository = Repository(identity=provenance.identity, name=provenance.name)
                session.add(repository)
                session.flush()
            run = Run(
                repository_id=repository.id,
                **run_columns(report, provenance, scanned_at, valid_until, config_digest),
            )
            session.add(run)
            session.flush()
            return run.id

    def runs(self, identity: str, limit: int | None = None, reports: bool = True) -> list[StoredRun]:
        """The repository's runs, newest first. ``reports=False`` leaves out the report of each run
        recorded with a summary (a trend reads thirty runs, each report may be megabytes); such a
        run's ``report`` is then ``HistoryError``, and ``run(id)`` reads it whole."""
        with self._session("read") as session:
            query = (
                select(Run, Repository)
                .join(Repository)
                .where(Repository.identity == identity)
                .order_by(Run.scanned_at.desc(), Run.id.desc())
            )
            if not reports:
                query = query.options(defer(Run.report))
            if limit is not None:
                query = query.limit(limit)
            # a deferred report is read here, inside the session, for the runs that have no summary
            rows = session.execute(query)
            return [_stored(run, repository, reports or run.summary is None) for run, repository in rows]

    def run(self, run_id: int) -> StoredRun | None:
        with self._session("read") as session:
            row = session.execute(select(Run, Repository).join(Repository).where(Run.id == run_id)).first()
            return _stored(*row) if row else None

    def scanned(self) -> set[tuple[str, str, str]]:
        """(identity, commit, config digest) of every run recorded with a digest (``fleet --resume``)."""
        with self._session("read") as session:
            query = (
                select(Repository.identity, Run.commit, Run.config_digest)
                .join(Repository)
                .where(Run.config_digest.is_not(None), Run.commit.is_not(None), Run.dirty.is_(False))
            )
            return {
                (identity, commit, digest)
                for identity, commit, digest in session.execute(query)
                if commit is not None and digest is not None  # the query keeps only these
            }

    def run_for(self, identity: str, commit: str, config_digest: str) -> StoredRun | None:
        """The newest run of that commit with that configuration."""
        with self._session("read") as session:
            row = session.execute(
                select(Run, Repository)
                .join(Repository)
                .where(Repository.identity == identity, Run.commit == commit, Run.config_digest == config_digest)
                .order_by(Run.scanned_at.desc(), Run.id.desc())
                .limit(1)
            ).first()
            return _stored(*row) if row else None

    def identities(self) -> list[tuple[str, str]]:
        """(identity, name) of every repository with a run."""
        with self._session("read") as session:
            return [(r.identity, r.name) for r in session.scalars(select(Repository).order_by(Repository.name))]

    @contextmanager
    def _session(self, doing: str) -> Iterator[Session]:
        try:
            with Session(self._engine, expire_on_commit=False) as session:
                yield session
        except SQLAlchemyError as exc:
            raise HistoryError(f"cannot {doing} history {self.shown}: {reason(exc)}") from exc

    def _upgrade(self, url: str) -> None:
        """Create or upgrade the schema to the newest revision, under a lock. A database already
        at :data:`SCHEMA_HEAD` is not given to alembic, whose import alone costs a third of a
        second on every ``gonogo check`` that records its run."""
        if self._revision() == SCHEMA_HEAD:
            return
        from alembic import command
        from alembic.config import Config as AlembicConfig
        from alembic.runtime.migration import MigrationContext
        from alembic.script import ScriptDirectory

        config = AlembicConfig()
        config.set_main_option("script_location", str(MIGRATIONS))
        head = ScriptDirectory.from_config(config).get_current_head()
        with self._engine.connect() as connection:
            if MigrationContext.configure(connection).get_current_revision() == head:
                return
        with _migration_lock(url, self._engine) as connection:
            if MigrationContext.configure(connection).get_current_revision() == head:
                return
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            connection.commit()


    def _revision(self) -> str | None:
        """The schema revision alembic recorded, ``None`` when there is none (a new database)."""
        try:
            with self._engine.connect() as connection:
                return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except SQLAlchemyError:
            return None


def _engine_for(url: str) -> Engine:
    if url.startswith("sqlite"):
        database = url.split("///", 1)[-1]
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        return create_engine(url, connect_args={"timeout": run_records.SQLITE_BUSY_TIMEOUT_S})
    return create_engine(_with_driver(url), pool_pre_ping=True)


def _with_driver(url: str) -> str:
    """``postgresql://`` means psycopg 3 here (the driver gonogo already ships), not SQLAlchemy's
    default psycopg2."""
    for scheme in ("postgresql://", "postgres://"):
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url.removeprefix(scheme)
    return url


@contextmanager
def _migration_lock(url: str, engine: Engine) -> Iterator[Connection]:
    """A connection that alone may upgrade the schema until the block ends."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _PG_MIGRATION_LOCK})
            try:
                yield connection
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _PG_MIGRATION_LOCK})
                connection.commit()
        return
    database = url.split("///", 1)[-1]
    if not database or database == ":memory:":
        with engine.connect() as connection:
            yield connection
        return
    with open(f"{database}.lock", "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            with engine.connect() as connection:
                yield connection
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _stored(run: Run, repository: Repository, report: bool = True) -> StoredRun:
    return StoredRun(
        id=run.id,
        identity=repository.identity,
        name=repository.name,
        scanned_at=_aware(run.scanned_at),
        valid_until=_aware(run.valid_until),
        commit=run.commit,
        branch=run.branch,
        dirty=run.dirty,
        decision=run.decision,
        profile=run.profile,
        tool_version=run.tool_version,
        report_json=run.report if report else None,
        summary_json=run.summary,
    )


def _aware(moment: datetime) -> datetime:
    """SQLite gives datetimes back without their zone; they were stored in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
