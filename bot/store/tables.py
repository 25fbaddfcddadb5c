"""Every table of the store (SQLAlchemy Core), on one `metadata`. Times are stored as timezone-aware UTC.

The migrations in `migrations/versions` build exactly this schema (tests/integration/test_migrations.py).
"""

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
    Column("timezone", String(64)),  # the user's IANA time zone from their last activity
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
    # drift scan state: SharePoint's copy as last read, the verdict, and the last notice delivered
    Column("sharepoint_refreshed_at", UTCDateTime()),  # SPS-PictureTimestamp at the last scan
    Column("drift_state", String(16)),  # bot.domain.drift.DriftState value; None: never scanned
    Column("checked_at", UTCDateTime()),  # when the drift state was last assessed
    Column("notified_etag", String(256)),  # the photo version the user was last told about
    Column("notified_at", UTCDateTime()),  # when that notice was delivered (connector accepted it)
    Column("picture", String(32)),  # perceptual signature of the current version (bot.domain.versions)
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

notice_outbox = Table(
    "notice_outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("idempotency_key", String(512), nullable=False, unique=True),  # e.g. f"{user_id}:{etag}"
    Column("user_id", String(64), nullable=False),
    Column("conversation_id", String(512), nullable=False),
    Column("service_url", String(512), nullable=False),
    Column("payload", JSON, nullable=False),  # the activity body to POST
    Column("photo_etag", String(256)),  # the photo version the notice is about (ledger `notified_etag`)
    Column("status", String(16), nullable=False),  # bot.store.outbox.STATUSES
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTCDateTime(), nullable=False),
    Column("lease_owner", String(128)),
    Column("lease_until", UTCDateTime()),
    Column("sent_activity_id", String(256)),
    Column("last_error", Text),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)
Index("ix_notice_outbox_due", notice_outbox.c.status, notice_outbox.c.next_attempt_at)
Index("ix_notice_outbox_user", notice_outbox.c.user_id, notice_outbox.c.status)

# One row per user who ever changed the setting; a user without a row gets notices (opted in by default).
notice_optouts = Table(
    "notice_optouts",
    metadata,
    Column("user_id", String(64), primary_key=True),
    Column("opted_out", Boolean, nullable=False),
    Column("changed_at", UTCDateTime(), nullable=False),
)

# Scan checkpoints: one run per watch list (hash of its ids) and the users it has finished.
scan_runs = Table(
    "scan_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("watch_hash", String(64), nullable=False, index=True),
    Column("started_at", UTCDateTime(), nullable=False),
    Column("finished", Boolean, nullable=False, default=False),
)

scan_results = Table(
    "scan_results",
    metadata,
    Column("run_id", Integer, primary_key=True),
    Column("user_id", String(256), primary_key=True),
    Column("row", JSON, nullable=False),
)

# Named leases shared by replicas: who holds one and until when, and when the leased job is next due.
leases = Table(
    "leases",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("owner", String(128)),
    Column("lease_until", UTCDateTime()),
    Column("next_due_at", UTCDateTime()),
    Column("updated_at", UTCDateTime(), nullable=False),
)

# Cooldowns shared by replicas: `action` on `key` may not be claimed again before `until`.
cooldowns = Table(
    "cooldowns",
    metadata,
    Column("key", String(128), primary_key=True),  # what is cooling down, e.g. a user id
    Column("action", String(32), primary_key=True),
    Column("until", UTCDateTime(), nullable=False),  # the claim holds while now < until
    Column("claimed_at", UTCDateTime(), nullable=False),
)

sync_checks = Table(
    "sync_checks",
    metadata,
    Column("user_id", String(64), primary_key=True),
    Column("started_at", UTCDateTime(), nullable=False),  # when the user last started SharePoint's sync
    Column("next_check_at", UTCDateTime(), nullable=False),
    Column("checks", Integer, nullable=False),
    Column("status", String(16), nullable=False),  # checking | fixed | expired
    Column("finished_at", UTCDateTime()),
)
Index("ix_sync_checks_due", sync_checks.c.status, sync_checks.c.next_check_at)

# The latest card that offered each user the sync link: the sync's progress and outcome replace it in place.
sync_cards = Table(
    "sync_cards",
    metadata,
    Column("user_id", String(64), primary_key=True),
    Column("conversation_id", String(512), nullable=False),
    Column("service_url", String(512), nullable=False),
    Column("activity_id", String(256), nullable=False),
    Column("sent_at", UTCDateTime(), nullable=False),
)
