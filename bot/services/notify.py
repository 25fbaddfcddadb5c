"""Turn a drift scan into notices: one per user and photo version, never to opted-out or blocked users."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import cards
from bot.domain.drift import DriftState
from bot.services.scan import ScanReport
from bot.store import Store
from bot.store.optouts import OptOuts
from bot.store.outbox import Outbox

log = logging.getLogger(__name__)


@dataclass(slots=True)
class NotifyResult:
    queued: int = 0
    already_notified: int = 0
    opted_out: int = 0
    blocked: int = 0
    unreachable: list[str] = field(default_factory=list)  # no stored 1:1 conversation with the user


class DriftNotifier:
    """Writes a notice to the durable outbox for every drifted user (the sender delivers it)."""

    def __init__(
        self,
        store: Store,
        outbox: Outbox,
        optouts: OptOuts,
        clock: Callable[[], datetime],
        *,
        demo: bool,
        profile_edit_url: str,
        default_locale: str = "en-US",
        default_timezone: str = "UTC",
    ) -> None:
        self.store = store
        self.outbox = outbox
        self.optouts = optouts
        self.clock = clock
        self.demo = demo
        self.profile_edit_url = profile_edit_url
        self.default_locale = default_locale
        self.tz = ZoneInfo(default_timezone)

    async def enqueue(self, report: ScanReport) -> NotifyResult:
        result = NotifyResult()
        drifted = [r for r in report.rows if r.state is DriftState.DRIFT and r.etag and r.photo_first_seen]
        opted_out = await self.optouts.opted_out_among([r.user_id for r in drifted])
        for row in drifted:
            assert row.etag is not None and row.photo_first_seen is not None
            if row.user_id in opted_out:
                result.opted_out += 1
                continue
            if await self.outbox.is_blocked(row.user_id):
                result.blocked += 1
                continue
            conversation = await self.store.personal_conversation(row.user_id)
            if conversation is None:
                result.unreachable.append(row.user_id)
                continue
            now = self.clock()
            ctx = cards.CardContext(
                locale=conversation.locale or self.default_locale,
                tz=self.tz,
                now=now,
                demo=self.demo,
                profile_edit_url=self.profile_edit_url.format(
                    object_id=row.user_id, upn=row.upn or "", tenant=""
                ),
            )
            card = cards.notice_card(
                ctx,
                user_id=row.user_id,
                photo_first_seen=row.photo_first_seen,
                sharepoint_refreshed=row.sharepoint_refreshed,
            )
            payload = _message(conversation.reference, card)
            queued = await self.outbox.enqueue(
                f"{row.user_id}:{row.etag}",
                row.user_id,
                conversation.conversation_id,
                conversation.service_url,
                payload,
                now,
            )
            if queued:
                result.queued += 1
            else:
                result.already_notified += 1
        log.info(
            "drift notices queued",
            extra={
                "queued": result.queued,
                "already_notified": result.already_notified,
                "opted_out": result.opted_out,
                "blocked": result.blocked,
                "unreachable": len(result.unreachable),
            },
        )
        return result


def _message(reference: dict[str, Any], card: dict[str, Any]) -> dict[str, Any]:
    """A proactive message activity for the stored conversation reference (plain JSON, ready to POST)."""
    body: dict[str, Any] = {
        "type": "message",
        "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "content": card}],
        "summary": card.get("fallbackText", ""),
    }
    for key in ("bot", "conversation", "channelId", "serviceUrl"):
        if key in reference:
            body["from" if key == "bot" else key] = reference[key]
    if isinstance(reference.get("user"), dict):
        body["recipient"] = reference["user"]
    return body
