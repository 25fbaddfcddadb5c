"""Helpdesk staff can't start a sync as someone else; they can send that person the one-click link.

Audited, at most once an hour per person (a database claim shared by replicas), and once per photo version
(the outbox key): a helpdesk clicking twice, or two staff at once, sends one card.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from bot.clock import Clock
from bot.store import AuditRecord, ConversationRecord, Store
from bot.store.outbox import Outbox

SEND_LINK = "send_sync_link"  # the audit action and the cooldown's name
LINK_COOLDOWN = timedelta(hours=1)


class LinkOutcome(StrEnum):
    SENT = "sent"
    ALREADY_SENT = "already_sent"  # within the hour, or for this photo version before
    NO_CHAT = "no_chat"  # the person never chatted with PhotoSync: no way to reach them
    NOT_NEEDED = "not_needed"  # starting the sync would not help (in sync, on-premises, ...)


@dataclass(frozen=True, slots=True)
class LinkResult:
    outcome: LinkOutcome
    at: datetime  # for ALREADY_SENT within the hour: when it was sent


class SyncLinkSender:
    def __init__(
        self,
        store: Store,
        outbox: Outbox,
        clock: Clock,
        message: Callable[[ConversationRecord, str | None], dict[str, Any]],
    ) -> None:
        self.store = store
        self.outbox = outbox
        self.clock = clock
        self.message = message  # (the person's 1:1 conversation, who asked) -> the card message with the link

    async def send(
        self,
        *,
        actor_id: str,
        target_id: str,
        needed: bool,
        requested_by: str | None,
        correlation_id: str | None,
    ) -> LinkResult:
        """Send `target_id` (a canonical object id; the caller checked helpdesk rights) the sync link."""
        now = self.clock()
        result = await self._send(target_id, needed, requested_by, now)
        detail = result.at.isoformat() if result.outcome is LinkOutcome.ALREADY_SENT else None
        await self.store.audit(
            AuditRecord(now, actor_id, target_id, SEND_LINK, result.outcome.value, detail, correlation_id)
        )
        return result

    async def _send(
        self, target_id: str, needed: bool, requested_by: str | None, now: datetime
    ) -> LinkResult:
        if not needed:
            return LinkResult(LinkOutcome.NOT_NEEDED, now)
        conversation = await self.store.personal_conversation(target_id)
        if conversation is None:
            return LinkResult(LinkOutcome.NO_CHAT, now)
        earlier = await self.store.claim_cooldown(target_id, SEND_LINK, now, LINK_COOLDOWN)
        if earlier is not None:
            return LinkResult(LinkOutcome.ALREADY_SENT, earlier)
        entry = await self.store.ledger_entry(target_id)
        version = entry.etag if entry is not None else "unknown"
        queued = await self.outbox.enqueue(
            f"synclink:{target_id}:{version}",
            target_id,
            conversation.conversation_id,
            conversation.service_url,
            self.message(conversation, requested_by),
            now,
        )
        return LinkResult(LinkOutcome.SENT if queued else LinkOutcome.ALREADY_SENT, now)
