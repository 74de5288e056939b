"""Alembic's environment for gonogo's run history. The migrations run only through
``gonogo.history.store``, which passes the open connection in ``config.attributes``, so the same
revisions upgrade a SQLite file and a team's PostgreSQL database."""

from __future__ import annotations

from alembic import context

from gonogo.history.schema import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("gonogo's history migrations run through gonogo.history.store, with a connection")
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
