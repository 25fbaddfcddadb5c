"""Sync checks: after a user starts SharePoint's sync, when to look at SharePoint's picture again.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "sync_checks",
        sa.Column("user_id", sa.String(64), primary_key=True),
        sa.Column("started_at", UTC_DATETIME, nullable=False),
        sa.Column("next_check_at", UTC_DATETIME, nullable=False),
        sa.Column("checks", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("finished_at", UTC_DATETIME),
    )
    op.create_index("ix_sync_checks_due", "sync_checks", ["status", "next_check_at"])


def downgrade() -> None:
    op.drop_index("ix_sync_checks_due", table_name="sync_checks")
    op.drop_table("sync_checks")
