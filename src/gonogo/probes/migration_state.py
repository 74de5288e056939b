"""Which Alembic revision a live database is at, read-only.

Opt-in per PostgreSQL service (``check_migrations = true``): gonogo connects in a read-only
session (``default_transaction_read_only``) with a statement timeout, reads
``alembic_version``, and never applies, stamps or creates anything. Comparing the answer with the
repository's head is the check's job (MIG005), not this probe's.
"""

from __future__ import annotations

from dataclasses import dataclass

from gonogo.probes.postgres_probe import session_options
from gonogo.service_settings import ServiceSetting, redact

VERSION_TABLE = "alembic_version"


@dataclass(frozen=True, slots=True, kw_only=True)
class DatabaseRevision:
    """What the database says it is at. ``revisions`` is empty when the table does not exist
    (never migrated); ``error`` is set when the database could not be asked at all."""

    name: str
    target: str
    revisions: tuple[str, ...] = ()
    table_exists: bool = False
    error: str | None = None

    @property
    def evidence(self) -> str:
        query = f"SELECT version_num FROM {VERSION_TABLE} on {self.target} (read-only)"
        if self.error is not None:
            return f"{query} -> {self.error}"
        if not self.table_exists:
            return f"{query} -> no {VERSION_TABLE} table"
        return f"{query} -> {', '.join(self.revisions) or 'no row'}"


def read_alembic_revision(name: str, setting: ServiceSetting) -> DatabaseRevision:
    import psycopg  # here, not at the top: only --probe needs it, and every scan loads this module
    from psycopg import errors as pg_errors

    target = redact(setting.url)
    timeout = max(1, round(setting.timeout_s))
    try:
        options = session_options(
            setting.url, default_transaction_read_only="on", statement_timeout=str(timeout * 1000)
        )
        with psycopg.connect(setting.url, connect_timeout=timeout, options=options) as conn:
            try:
                rows = conn.execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchall()
            except pg_errors.UndefinedTable:
                return DatabaseRevision(name=name, target=target, table_exists=False)
            finally:
                conn.rollback()
    except (psycopg.Error, OSError, ValueError) as exc:
        why = " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
        return DatabaseRevision(name=name, target=target, error=why)
    return DatabaseRevision(
        name=name,
        target=target,
        table_exists=True,
        revisions=tuple(sorted(str(row[0]) for row in rows)),
    )
