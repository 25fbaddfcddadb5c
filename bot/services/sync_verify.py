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
from bot.store import AuditRecord, Store
from bot.store.outbox import Outbox
from bot.store.sync_checks import EXPIRED, FIXED, SyncCheck, SyncChecks

from .evidence import GRAPH_THUMBNAIL, m365_picture, picture_evidence

log = logging.getLogger(__name__)

WINDOW = timedelta(hours=72)  # field reports: SharePoint can take up to 72 h after the user's own request
# When to look after a start: often at first (most syncs are quick), then more and more rarely.
SCHEDULE = tuple(
    timedelta(minutes=m)
    for m in (2, 5, 10, 20, 40, 60, 120, 240, 480, 720, 1080, 1440, 2160, 2880, 3600, 4320)
)
PASS_LIMIT = 50  # users looked at per pass: a backlog is worked through over several passes
SYNC_CHECK = "sync_check"  # the audit action

# (the user's stored 1:1 conversation, both pictures if seen, fixed?) -> the proactive message to send
OutcomeMessage = Callable[..., dict[str, Any]]


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
    ) -> None:
        self.checks = checks
        self.graph = graph
        self.sharepoint = sharepoint
        self.store = store
        self.outbox = outbox
        self.clock = clock
        self.outcome_message = outcome_message
        self.first_check = first_check

    async def started(self, user_id: str) -> None:
        """The user started SharePoint's sync now: (re)start their schedule."""
        now = self.clock()
        await self.checks.start(user_id, now, now + self.first_check)

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
        outcomes = await asyncio.gather(*(self._look(check) for check in due))
        for check, evidence in zip(due, outcomes, strict=True):
            result.looked += 1
            await self._settle(check, evidence, result)
        return result

    async def _look(self, check: SyncCheck) -> PictureEvidence | None:
        try:
            user = await self.graph.get_user(check.user_id)
            if user is None or not user.upn:
                return None
            thumbnail, shown = await asyncio.gather(
                self.graph.photo_thumbnail(check.user_id, GRAPH_THUMBNAIL),
                self.sharepoint.shown_picture(user.upn),
            )
        except GraphError as exc:
            log.warning(
                "sync check: not readable", extra={"user": check.user_id, "reason": type(exc).__name__}
            )
            return None
        photo = GraphPhoto(etag="", thumbnail=thumbnail)
        return picture_evidence(check.user_id, photo, m365_picture(photo), shown)

    async def _settle(self, check: SyncCheck, evidence: PictureEvidence | None, result: PassResult) -> None:
        now = self.clock()
        if evidence is not None and evidence.verdict is PictureVerdict.SAME:
            await self.checks.finish(check, FIXED, now)
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
        """One message per outcome of one start (the outbox's key), in the user's 1:1 chat."""
        conversation = await self.store.personal_conversation(check.user_id)
        if conversation is None:
            return
        payload = self.outcome_message(conversation, evidence, fixed=fixed)
        key = f"sync:{check.user_id}:{int(check.started_at.timestamp())}"
        await self.outbox.enqueue(
            key, check.user_id, conversation.conversation_id, conversation.service_url, payload, self.clock()
        )

    async def _audit(self, user_id: str, outcome: str, detail: str) -> None:
        await self.store.audit(AuditRecord(self.clock(), user_id, user_id, SYNC_CHECK, outcome, detail))
