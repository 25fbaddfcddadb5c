"""Checking until SharePoint shows the new photo: after a user starts SharePoint's sync, look at the picture it
shows on a growing schedule (minutes, then hours) for up to 72 hours, and tell the user how it ended.

The schedule lives in the database (`SyncChecks`), so it survives restarts and is shared by replicas; one replica
at a time works through it (the `sync-checks` lease) and a pass looks at a bounded number of users. The outcome
reaches the user through the durable outbox, once: "SharePoint now shows your new photo" with both pictures, or,
after the window, what to ask IT. Every outcome is audited; a fixed one with the time it took.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.clock import Clock
from bot.domain.model import GraphPhoto, PictureEvidence, PictureVerdict
from bot.graph import GraphClient, GraphError, SharePointClient
from bot.store import AuditRecord, ConversationRecord, Store
from bot.store.outbox import Outbox
from bot.store.sync_checks import EXPIRED, FIXED, SyncCheck, SyncChecks

from .delivery import replacing
from .evidence import GRAPH_THUMBNAIL, m365_picture, picture_evidence
from .sync_cards import SyncCardBook

log = logging.getLogger(__name__)

WINDOW = timedelta(hours=72)  # field reports: SharePoint can take up to 72 h after the user's own request
# When to look after a start: often at first (most syncs are quick), then more and more rarely.
SCHEDULE = tuple(
    timedelta(minutes=m)
    for m in (2, 5, 10, 20, 40, 60, 120, 240, 480, 720, 1080, 1440, 2160, 2880, 3600, 4320)
)
PASS_LIMIT = 50  # users looked at per pass: a backlog is worked through over several passes
PHOTO_REQUESTS = 4  # photo requests in flight: Graph's per-app limit on photo calls (docs/DOMAIN.md)
SYNC_CHECK = "sync_check"  # the audit action

# (the user's stored 1:1 conversation, both pictures if seen, fixed?) -> the proactive message to send
OutcomeMessage = Callable[..., dict[str, Any]]
# (the user's stored 1:1 conversation, when the sync started, the first check) -> "SharePoint is fetching it"
CheckingMessage = Callable[[ConversationRecord, datetime, datetime], dict[str, Any]]


@dataclass(slots=True)
class PassResult:
    looked: int = 0
    fixed: int = 0
    expired: int = 0
    rescheduled: int = 0
    unreadable: int = 0


class SyncVerifier:
    def __init__(
        self,
        checks: SyncChecks,
        graph: GraphClient,
        sharepoint: SharePointClient,
        store: Store,
        outbox: Outbox,
        clock: Clock,
        outcome_message: OutcomeMessage,
        *,
        first_check: timedelta = SCHEDULE[0],
        cards: SyncCardBook | None = None,
        checking_message: CheckingMessage | None = None,
        on_fixed: Callable[[str], None] | None = None,
    ) -> None:
        self.on_fixed = on_fixed  # SharePoint now shows the photo: drop what this process cached about it
        self.cards = cards  # the card that offered each user the sync: progress and outcome replace it
        self.checking_message = checking_message
        self.checks = checks
        self.graph = graph
        self.sharepoint = sharepoint
        self.store = store
        self.outbox = outbox
        self.clock = clock
        self.outcome_message = outcome_message
        self.first_check = first_check

    async def started(self, user_id: str) -> None:
        """The user started SharePoint's sync now: (re)start their schedule, and turn the card that offered it
        into "SharePoint is fetching your photo" (in place; nothing new is posted for this)."""
        now = self.clock()
        first = now + self.first_check
        await self.checks.start(user_id, now, first)
        if self.checking_message is not None:
            message = self.checking_message
            key = f"sync:{user_id}:{int(now.timestamp())}:checking"
            await self._show(
                user_id, key, lambda conversation: message(conversation, now, first), in_place=True
            )

    def next_check(self, check: SyncCheck, now: datetime) -> datetime:
        """The next time on the schedule after `now` (the first step may be shorter, e.g. in the demo)."""
        steps = [self.first_check, *SCHEDULE[1:]]
        for step in steps:
            if check.started_at + step > now:
                return check.started_at + step
        return check.started_at + WINDOW

    async def run_pass(self) -> PassResult:
        """Look at every due schedule (at most PASS_LIMIT) once."""
        result = PassResult()
        due = await self.checks.due(self.clock(), PASS_LIMIT)
        gate = asyncio.Semaphore(PHOTO_REQUESTS)
        outcomes = await asyncio.gather(*(self._look(check, gate) for check in due))
        for check, evidence in zip(due, outcomes, strict=True):
            result.looked += 1
            await self._settle(check, evidence, result)
        return result

    async def _look(self, check: SyncCheck, gate: asyncio.Semaphore) -> PictureEvidence | None:
        """Both pictures of one user: the Microsoft 365 photo (one `$batch` with the user, holding a place in
        `gate` while in flight) and what SharePoint shows."""
        try:
            user, photo = await self.graph.get_user_and_photo(
                check.user_id, slot=gate, thumbnail=GRAPH_THUMBNAIL
            )
            if user is None or not user.upn:
                return None
            shown = await self.sharepoint.shown_picture(user.upn)
        except GraphError as exc:
            log.warning(
                "sync check: not readable", extra={"user": check.user_id, "reason": type(exc).__name__}
            )
            return None
        photo = photo or GraphPhoto(etag="", thumbnail=None)
        return picture_evidence(check.user_id, photo, m365_picture(photo), shown)

    async def _settle(self, check: SyncCheck, evidence: PictureEvidence | None, result: PassResult) -> None:
        now = self.clock()
        if evidence is not None and evidence.verdict is PictureVerdict.SAME:
            await self.checks.finish(check, FIXED, now)
            if self.on_fixed is not None:
                self.on_fixed(check.user_id)
            took = now - check.started_at
            await self._audit(check.user_id, FIXED, f"fixed after {int(took.total_seconds())} s")
            await self._tell(check, evidence, fixed=True)
            result.fixed += 1
            return
        if evidence is None:
            result.unreadable += 1
        if now >= check.started_at + WINDOW:
            await self.checks.finish(check, EXPIRED, now)
            await self._audit(check.user_id, EXPIRED, f"after {check.checks + 1} checks")
            await self._tell(check, evidence, fixed=False)
            result.expired += 1
            return
        await self.checks.checked(check, self.next_check(check, now))
        result.rescheduled += 1

    async def _tell(self, check: SyncCheck, evidence: PictureEvidence | None, *, fixed: bool) -> None:
        """One message per outcome of one start (the outbox's key): it replaces the card that offered the sync,
        else it is posted in the user's 1:1 chat."""
        key = f"sync:{check.user_id}:{int(check.started_at.timestamp())}"
        await self._show(check.user_id, key, lambda c: self.outcome_message(c, evidence, fixed=fixed))

    async def _show(
        self,
        user_id: str,
        key: str,
        message: Callable[[ConversationRecord], dict[str, Any]],
        *,
        in_place: bool = False,
    ) -> None:
        """Queue `message` (written for the user's 1:1 chat: their language and time zone) to replace their
        latest sync card, or, unless `in_place`, as a new message in that chat."""
        card = await self.cards.get(user_id) if self.cards is not None else None
        if card is None and in_place:
            return
        conversation = await self.store.personal_conversation(user_id)
        if conversation is None:
            return
        payload = message(conversation)
        if card is not None:
            payload = replacing({**payload, "conversation": {"id": card.conversation_id}}, card.activity_id)
            where = (card.conversation_id, card.service_url)
        else:
            where = (conversation.conversation_id, conversation.service_url)
        await self.outbox.enqueue(key, user_id, where[0], where[1], payload, self.clock())

    async def _audit(self, user_id: str, outcome: str, detail: str) -> None:
        await self.store.audit(AuditRecord(self.clock(), user_id, user_id, SYNC_CHECK, outcome, detail))
