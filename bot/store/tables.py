"""Table definitions (SQLAlchemy Core). Times are stored as timezone-aware UTC."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in and out, on SQLite (which drops the zone) and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = MetaData()

conversations = Table(
    "conversation_refs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", String(64), nullable=False),
    Column("conversation_id", String(512), nullable=False),
    Column("conversation_type", String(32), nullable=False),
    Column("service_url", String(512), nullable=False),
    Column("channel_id", String(32), nullable=False),
    Column("tenant_id", String(64)),
    Column("bot_id", String(128), nullable=False),
    Column("locale", String(16)),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("reference", JSON, nullable=False),
    UniqueConstraint("user_id", "conversation_id", name="uq_conversation_user"),
)
Index("ix_conversation_refs_user_type", conversations.c.user_id, conversations.c.conversation_type)

photo_ledger = Table(
    "photo_ledger",
    metadata,
    Column("user_id", String(64), primary_key=True),
    Column("etag", String(256), nullable=False),
    Column("first_seen_at", UTCDateTime(), nullable=False),
    Column("last_seen_at", UTCDateTime(), nullable=False),
    Column("previous_etag", String(256)),
    Column("previous_seen_at", UTCDateTime()),
    Column("known_change", Boolean, nullable=False, default=False),
    # drift scan state (issue 5): SharePoint's copy as last read, the verdict, and the last notice delivered
    Column("sharepoint_refreshed_at", UTCDateTime()),  # SPS-PictureTimestamp at the last scan
    Column("drift_state", String(16)),  # bot.domain.drift.DriftState value; None: never scanned
    Column("checked_at", UTCDateTime()),  # when the drift state was last assessed
    Column("notified_etag", String(256)),  # the photo version the user was last told about
    Column("notified_at", UTCDateTime()),  # when that notice was delivered (connector accepted it)
)
Index("ix_photo_ledger_drift", photo_ledger.c.drift_state)

audit = Table(
    "audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime(), nullable=False),
    Column("actor_id", String(64), nullable=False),
    Column("target_id", String(64), nullable=False),
    Column("action", String(32), nullable=False),
    Column("outcome", String(32), nullable=False),
    Column("detail", Text),
    Column("correlation_id", String(64)),
)
Index("ix_audit_target_action_at", audit.c.target_id, audit.c.action, audit.c.at)
