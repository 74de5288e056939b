"""Runs keep a summary of their report (decision, overall score, active findings, area scores).

The trend of "Since the last run" reads up to thirty earlier runs on every ``gonogo check``; with
the summary it no longer parses each run's whole JSON report for four numbers. Runs recorded
before this revision have none, and their report is read instead.

Revision ID: 0004_run_summary
Revises: 0003_server
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_run_summary"
down_revision = "0003_server"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # batch mode: SQLite cannot alter a table in place; on PostgreSQL this is a plain ADD COLUMN
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("summary", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("summary")
