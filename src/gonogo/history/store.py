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
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, defer

from gonogo.history.provenance import Provenance
from gonogo.history.schema import Repository, Run
from gonogo.redaction import redact_url

MIGRATIONS = Path(__file__).parent / "migrations"
SCHEMA_HEAD = "0005_summary_backfill"
"""The newest migration's revision; a test holds it equal to alembic's head of ``MIGRATIONS``."""
SQLITE_BUSY_TIMEOUT_S = 30
_PG_MIGRATION_LOCK = 0x676F6E6F  # "gono": one advisory lock id for gonogo's schema upgrades


class HistoryError(Exception):
    """The history could not be opened, read or written; the message names the database."""


@dataclass(frozen=True, kw_only=True)
class StoredRun:
    """One recorded run. Its JSON report is parsed when first read: listing the last runs for a
    trend or the previous run for "Since the last run" reads many rows of a large report each, and
    most callers read one report or none (not slotted, so ``report`` can be cached on it)."""

    id: int
    identity: str
    name: str
    scanned_at: datetime
    valid_until: datetime
    commit: str | None
    branch: str | None
    dirty: bool | None
    decision: str
    profile: str
    tool_version: str
    report_json: str | None
    """``None`` when the run was listed without its report (``History.runs(reports=False)``)."""
    summary_json: str | None = None

    @cached_property
    def report(self) -> dict[str, Any]:
        """The run's JSON report; ``HistoryError`` when what is stored is not a JSON object, or
        when the run was listed without it."""
        if self.report_json is None:
            raise HistoryError(f"run #{self.id} was listed without its report: read it with History.run")
        try:
            parsed = json.loads(self.report_json)
        except (ValueError, RecursionError) as exc:
            raise HistoryError(f"run #{self.id}: its stored report is not JSON ({type(exc).__name__})") from exc
        if not isinstance(parsed, dict):
            raise HistoryError(f"run #{self.id}: its stored report is not a JSON object")
        return parsed

    @cached_property
    def summary(self) -> dict[str, Any]:
        """What a trend reads of the run (:func:`summary_of`), without parsing its whole report
        when the run was recorded with a summary. A summary that is not a JSON object (a shared
        history written by something else) is worked out from the report instead, or, when the run
        was listed without it, is the decision alone."""
        if self.summary_json is not None:
            try:
                parsed = json.loads(self.summary_json)
            except ValueError:
                parsed = None
            if isinstance(parsed, dict):
                return parsed
            if self.report_json is None:
                return {"decision": self.decision}
        return summary_of(self.report)


def summary_of(report: dict[str, Any]) -> dict[str, Any]:
    """The parts of a JSON report a trend reads: the decision, the overall score, the active
    findings and the score of each area."""
    certification = report.get("certification")
    summary = report.get("summary")
    return {
        "decision": report.get("decision"),
        "overall": certification.get("overall") if isinstance(certification, dict) else None,
        "active_findings": summary.get("active_findings") if isinstance(summary, dict) else None,
        "scores": report.get("scores") if isinstance(report.get("scores"), dict) else {},
    }


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
            raise HistoryError(f"history {shown}: {_reason(exc)}") from exc
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
                scanned_at=scanned_at,
                valid_until=valid_until,
                commit=provenance.commit,
                branch=provenance.branch,
                dirty=provenance.dirty,
                decision=str(report.get("decision", "")),
                profile=str(report.get("profile", "")),
                tool_version=str(report.get("evidence", {}).get("tool_version", "")),
                report=json.dumps(report, sort_keys=True),
                config_digest=config_digest,
                summary=json.dumps(summary_of(report), sort_keys=True),
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
            raise HistoryError(f"cannot {doing} history {self.shown}: {_reason(exc)}") from exc

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
        return create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})
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


def _reason(exc: BaseException) -> str:
    original = getattr(exc, "orig", None) or exc
    return " ".join(f"{type(original).__name__}: {original}".split())[:300]
