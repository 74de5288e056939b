"""Runs recorded before revision 0004 get their summary, worked out once from their report.

Without it, "Since the last run" parsed the whole JSON report of every such run in its trend on
every ``gonogo check`` until thirty newer runs pushed them out (0.3 s a scan on a history of large
reports). One run's report is read at a time, so a history of any size fits in memory. A report
that is not a JSON object keeps no summary: reading the run says why, as before.

Revision ID: 0005_summary_backfill
Revises: 0004_run_summary
Create Date: 2026-11-30
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

from gonogo.history.runs import summary_of

revision = "0005_summary_backfill"
down_revision = "0004_run_summary"
branch_labels = None
depends_on = None

_runs = sa.table("runs", sa.column("id", sa.Integer), sa.column("report", sa.Text), sa.column("summary", sa.Text))


def upgrade() -> None:
    bind = op.get_bind()
    missing: list[int] = list(bind.execute(sa.select(_runs.c.id).where(_runs.c.summary.is_(None))).scalars())
    for run_id in missing:
        text = bind.execute(sa.select(_runs.c.report).where(_runs.c.id == run_id)).scalar()
        try:
            report = json.loads(text) if isinstance(text, str) else None
        except (ValueError, RecursionError):
            report = None
        if isinstance(report, dict):
            summary = json.dumps(summary_of(report), sort_keys=True)
            bind.execute(sa.update(_runs).where(_runs.c.id == run_id).values(summary=summary))


def downgrade() -> None:
    """Nothing to undo: revision 0004's runs may hold a summary or not."""
