"""Plain records the store reads and writes (no ORM objects leave the store)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class ConversationRecord:
    """A conversation reference kept for proactive messages, as plain values plus the raw reference."""

    user_id: str  # Entra object id of the user (aadObjectId)
    conversation_id: str
    conversation_type: str  # personal | groupChat | channel
    service_url: str
    channel_id: str
    tenant_id: str | None
    bot_id: str
    locale: str | None
    updated_at: datetime
    reference: dict[str, Any] = field(default_factory=dict)  # ConversationReference.serialize()
    timezone: str | None = None  # IANA name from the user's last activity (`localTimezone`)


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """What PhotoSync knows about one user's photo versions."""

    user_id: str
    etag: str
    first_seen_at: datetime  # when this etag was first seen
    last_seen_at: datetime
    previous_etag: str | None = None
    previous_seen_at: datetime | None = None  # last time the previous etag was seen
    known_change: bool = False  # first_seen_at is a real change moment (we saw the version before it)
    sharepoint_refreshed_at: datetime | None = None  # SharePoint's picture timestamp at the last scan
    drift_state: str | None = None  # DriftState value from the last scan; None: never scanned
    checked_at: datetime | None = None
    notified_etag: str | None = None  # photo version the user was last notified about
    notified_at: datetime | None = None
    picture: str | None = None  # the current version's picture signature (bot.domain.versions)


@dataclass(frozen=True, slots=True)
class AuditRecord:
    at: datetime
    actor_id: str
    target_id: str
    action: str  # diagnose | resync | resync_refused | helpdesk_lookup ...
    outcome: str
    detail: str | None = None
    correlation_id: str | None = None
