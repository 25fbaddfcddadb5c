"""Sync cards: the card that offered a user the sync, so its outcome can replace it in place.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "sync_cards",
        sa.Column("user_id", sa.String(64), primary_key=True),
        sa.Column("conversation_id", sa.String(512), nullable=False),
        sa.Column("service_url", sa.String(512), nullable=False),
        sa.Column("activity_id", sa.String(256), nullable=False),
        sa.Column("sent_at", UTC_DATETIME, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("sync_cards")
