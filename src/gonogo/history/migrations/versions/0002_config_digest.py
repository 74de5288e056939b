"""Runs remember the digest of their configuration (gonogo fleet scan --resume).

Revision ID: 0002_config_digest
Revises: 0001_runs
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_config_digest"
down_revision = "0001_runs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # batch mode: SQLite cannot alter a table in place; on PostgreSQL this is a plain ADD COLUMN
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("config_digest", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("config_digest")
