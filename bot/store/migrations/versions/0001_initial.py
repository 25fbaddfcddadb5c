"""The schema as the bot created it before migrations existed: conversation references, photo ledger, audit,
scan checkpoints, the notice outbox and notice opt-outs.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

UTC_DATETIME = sa.DateTime(timezone=True)  # bot.store.tables.UTCDateTime stores this


def upgrade() -> None:
    op.create_table(
        "conversation_refs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("conversation_id", sa.String(512), nullable=False),
        sa.Column("conversation_type", sa.String(32), nullable=False),
        sa.Column("service_url", sa.String(512), nullable=False),
        sa.Column("channel_id", sa.String(32), nullable=False),
        sa.Column("tenant_id", sa.String(64)),
        sa.Column("bot_id", sa.String(128), nullable=False),
        sa.Column("locale", sa.String(16)),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.Column("reference", sa.JSON, nullable=False),
        sa.UniqueConstraint("user_id", "conversation_id", name="uq_conversation_user"),
    )
    op.create_index("ix_conversation_refs_user_type", "conversation_refs", ["user_id", "conversation_type"])
    op.create_table(
        "photo_ledger",
        sa.Column("user_id", sa.String(64), primary_key=True),
        sa.Column("etag", sa.String(256), nullable=False),
        sa.Column("first_seen_at", UTC_DATETIME, nullable=False),
        sa.Column("last_seen_at", UTC_DATETIME, nullable=False),
        sa.Column("previous_etag", sa.String(256)),
        sa.Column("previous_seen_at", UTC_DATETIME),
        sa.Column("known_change", sa.Boolean, nullable=False),
    )
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", UTC_DATETIME, nullable=False),
        sa.Column("actor_id", sa.String(64), nullable=False),
        sa.Column("target_id", sa.String(64), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("outcome", sa.String(32), nullable=False),
        sa.Column("detail", sa.Text),
        sa.Column("correlation_id", sa.String(64)),
    )
    op.create_index("ix_audit_target_action_at", "audit", ["target_id", "action", "at"])
    op.create_table(
        "scan_runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("watch_hash", sa.String(64), nullable=False),
        sa.Column("started_at", UTC_DATETIME, nullable=False),
        sa.Column("finished", sa.Boolean, nullable=False),
    )
    op.create_index("ix_scan_runs_watch_hash", "scan_runs", ["watch_hash"])
    op.create_table(
        "scan_results",
        sa.Column("run_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("user_id", sa.String(256), primary_key=True),
        sa.Column("row", sa.JSON, nullable=False),
    )
    op.create_table(
        "notice_outbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("idempotency_key", sa.String(512), nullable=False, unique=True),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("conversation_id", sa.String(512), nullable=False),
        sa.Column("service_url", sa.String(512), nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", UTC_DATETIME, nullable=False),
        sa.Column("lease_owner", sa.String(128)),
        sa.Column("lease_until", UTC_DATETIME),
        sa.Column("sent_activity_id", sa.String(256)),
        sa.Column("last_error", sa.Text),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
    )
    op.create_index("ix_notice_outbox_due", "notice_outbox", ["status", "next_attempt_at"])
    op.create_index("ix_notice_outbox_user", "notice_outbox", ["user_id", "status"])
    op.create_table(
        "notice_optouts",
        sa.Column("user_id", sa.String(64), primary_key=True),
        sa.Column("opted_out", sa.Boolean, nullable=False),
        sa.Column("changed_at", UTC_DATETIME, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "notice_optouts",
        "notice_outbox",
        "scan_results",
        "scan_runs",
        "audit",
        "photo_ledger",
        "conversation_refs",
    ):
        op.drop_table(table)
