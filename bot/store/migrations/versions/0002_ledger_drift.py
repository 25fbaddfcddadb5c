"""Per-user drift state in the photo ledger (SharePoint's last refresh, the verdict, the last notice) and the
photo version each outbox notice is about.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("photo_ledger") as batch:
        batch.add_column(sa.Column("sharepoint_refreshed_at", UTC_DATETIME))
        batch.add_column(sa.Column("drift_state", sa.String(16)))
        batch.add_column(sa.Column("checked_at", UTC_DATETIME))
        batch.add_column(sa.Column("notified_etag", sa.String(256)))
        batch.add_column(sa.Column("notified_at", UTC_DATETIME))
    op.create_index("ix_photo_ledger_drift", "photo_ledger", ["drift_state"])
    with op.batch_alter_table("notice_outbox") as batch:
        batch.add_column(sa.Column("photo_etag", sa.String(256)))
    # Notices delivered before this revision: their key is "<user id>:<etag>" (user ids hold no ':').
    outbox = sa.table(
        "notice_outbox",
        sa.column("idempotency_key", sa.String),
        sa.column("user_id", sa.String),
        sa.column("status", sa.String),
        sa.column("updated_at", UTC_DATETIME),
    )
    ledger = sa.table(
        "photo_ledger",
        sa.column("user_id", sa.String),
        sa.column("notified_etag", sa.String),
        sa.column("notified_at", UTC_DATETIME),
    )
    connection = op.get_bind()
    sent = connection.execute(
        sa.select(outbox.c.idempotency_key, outbox.c.user_id, outbox.c.updated_at)
        .where(outbox.c.status == "sent")
        .order_by(outbox.c.updated_at)
    ).all()
    for key, user_id, at in sent:  # later deliveries overwrite earlier ones
        prefix = f"{user_id}:"
        if key.startswith(prefix):
            connection.execute(
                sa.update(ledger)
                .where(ledger.c.user_id == user_id)
                .values(notified_etag=key[len(prefix) :], notified_at=at)
            )


def downgrade() -> None:
    with op.batch_alter_table("notice_outbox") as batch:
        batch.drop_column("photo_etag")
    op.drop_index("ix_photo_ledger_drift", table_name="photo_ledger")
    with op.batch_alter_table("photo_ledger") as batch:
        for column in (
            "notified_at",
            "notified_etag",
            "checked_at",
            "drift_state",
            "sharepoint_refreshed_at",
        ):
            batch.drop_column(column)
