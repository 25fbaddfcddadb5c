"""Cooldowns shared by replicas: an action on a key claimed at most once a period, enforced by the database.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "cooldowns",
        sa.Column("key", sa.String(128), primary_key=True),
        sa.Column("action", sa.String(32), primary_key=True),
        sa.Column("until", UTC_DATETIME, nullable=False),
        sa.Column("claimed_at", UTC_DATETIME, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("cooldowns")
