"""Diagnose and re-sync: the two things a user can ask of PhotoSync about a photo."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.domain.diagnosis import diagnose
from bot.domain.identifiers import object_id
from bot.domain.model import Diagnosis, DiagnosisCase, ProfileState
from bot.graph import GraphClient, GraphError, PhotoUpdateBlocked
from bot.store import AuditRecord, Store

from .profiles import ProfileReader

log = logging.getLogger(__name__)

RESYNC = "resync"  # the cooldown's action name


class ResyncStatus(StrEnum):
    STARTED = (
        "started"  # written before the Graph PUT; replaced by the outcome (stays only if the process died)
    )
    REQUESTED = "requested"
    COOLDOWN = "cooldown"
    REFUSED = "refused"
    FAILED = "failed"
    NOT_POSSIBLE = "not_possible"


@dataclass(frozen=True, slots=True)
class ResyncResult:
    status: ResyncStatus
    at: datetime  # when it was requested (for COOLDOWN: the earlier request)
    diagnosis: Diagnosis | None = None


class PhotoService:
    """Diagnoses a user's photo and re-syncs it, auditing every re-sync attempt.

    Targets are canonical object ids (the caller resolves any other spelling first). The re-sync cooldown is a
    claim in the database, so it holds across replicas: a short in-flight claim before Graph is touched,
    extended to the full cooldown once the re-sync was requested, ended when it did not happen. A process that
    dies mid-attempt leaves only the in-flight claim, so the user can try again soon after."""

    def __init__(
        self,
        profiles: ProfileReader,
        graph: GraphClient,
        store: Store,
        clock: Callable[[], datetime],
        cooldown: timedelta,
        on_outcome: Callable[[str], None] | None = None,
        *,
        in_flight: timedelta = timedelta(seconds=60),
    ) -> None:
        self.on_outcome = on_outcome
        self.profiles = profiles
        self.graph = graph
        self.store = store
        self.clock = clock
        self.cooldown = cooldown
        self.in_flight = in_flight
        self._diagnoses: dict[str, tuple[ProfileState, datetime, Diagnosis]] = {}

    async def diagnose(self, user_id: str) -> Diagnosis:
        """The diagnosis of the user's current state. While the profile cache serves the same observed state,
        the same Diagnosis object is returned within a clock minute (the rules' windows are hours long), so
        a card built from it can be reused (hot path: docs/BENCHMARKS.md)."""
        state = await self.profiles.read(user_id)
        now = self.clock()
        minute = now.replace(second=0, microsecond=0)
        last = self._diagnoses.get(user_id)
        if last is not None and last[0] is state and last[1] == minute:
            return last[2]
        result = diagnose(state, now)
        if len(self._diagnoses) > 10_000:
            self._diagnoses.clear()
        self._diagnoses[user_id] = (state, minute, result)
        return result

    async def resync(
        self, *, actor_id: str, target_id: str, may_act_for_others: bool, correlation_id: str | None = None
    ) -> ResyncResult:
        """Re-submit the target's current photo through Graph (GET, then PUT of the same bytes).

        It works app-only for cloud-sourced photos (ProfilePhoto.ReadWrite.All) and is impossible when photos
        come from on-premises. It does not start SharePoint's sync by itself: SharePoint refreshes its copy
        only when the user requests their own photo there, and no Microsoft source says a Graph upload reaches
        it (docs/DOMAIN.md, "How SharePoint picks up a photo"); the result card tells the user how to start it.
        """
        now = self.clock()

        async def audit(outcome: ResyncStatus, detail: str | None = None, action: str = "resync") -> None:
            if self.on_outcome is not None:
                self.on_outcome(outcome.value)
            await self.store.audit(
                AuditRecord(now, actor_id, target_id, action, outcome.value, detail, correlation_id)
            )

        if object_id(target_id) != target_id or (actor_id != target_id and not may_act_for_others):
            await audit(ResyncStatus.REFUSED, "not the caller's own photo", action="resync_refused")
            log.warning("resync refused", extra={"actor": actor_id, "target": target_id})
            return ResyncResult(ResyncStatus.REFUSED, now)

        earlier = await self.store.claim_cooldown(target_id, RESYNC, now, self.in_flight)
        if earlier is not None:
            await audit(ResyncStatus.COOLDOWN, f"already requested at {earlier.isoformat()}")
            return ResyncResult(ResyncStatus.COOLDOWN, earlier)
        result = await self._resync_claimed(actor_id, target_id, now, correlation_id, audit)
        until = now + self.cooldown if result.status is ResyncStatus.REQUESTED else now
        await self.store.settle_cooldown(target_id, RESYNC, now, until)
        return result

    async def _resync_claimed(
        self,
        actor_id: str,
        target_id: str,
        now: datetime,
        correlation_id: str | None,
        audit: Callable[[ResyncStatus, str | None], Awaitable[None]],
    ) -> ResyncResult:
        """The re-sync itself, once this replica holds the cooldown claim."""
        diagnosis = await self.diagnose(target_id)
        if diagnosis.case is DiagnosisCase.UNAVAILABLE:
            await audit(ResyncStatus.FAILED, diagnosis.detail)
            return ResyncResult(ResyncStatus.FAILED, now, diagnosis)
        if diagnosis.case in (DiagnosisCase.ON_PREMISES, DiagnosisCase.NO_PHOTO):
            await audit(ResyncStatus.NOT_POSSIBLE, diagnosis.case.value)
            return ResyncResult(ResyncStatus.NOT_POSSIBLE, now, diagnosis)
        # Write-ahead: the attempt is on record *before* the Graph PUT, so a process killed mid-PUT still
        # leaves a trace (outcome "started"); the same row then gets the outcome.
        journal = await self.store.begin_audit(
            AuditRecord(now, actor_id, target_id, "resync", "started", None, correlation_id)
        )

        async def finish(outcome: ResyncStatus, detail: str | None = None) -> None:
            if self.on_outcome is not None:
                self.on_outcome(outcome.value)
            await self.store.finish_audit(journal, outcome.value, detail)

        try:
            data, content_type = await self.graph.get_photo(target_id)
            await self.graph.put_photo(target_id, data, content_type)
        except PhotoUpdateBlocked:
            await finish(ResyncStatus.NOT_POSSIBLE, "photo update blocked by tenant policy")
            return ResyncResult(ResyncStatus.NOT_POSSIBLE, now, diagnosis)
        except GraphError as exc:
            await finish(ResyncStatus.FAILED, type(exc).__name__)
            return ResyncResult(ResyncStatus.FAILED, now, diagnosis)
        except BaseException:  # cancelled (shutdown, client gone) or a bug: the outcome is unknown
            with contextlib.suppress(Exception):
                await asyncio.shield(
                    self.store.finish_audit(journal, "interrupted", "attempt did not complete")
                )
            raise
        self.profiles.forget(target_id)
        await finish(ResyncStatus.REQUESTED)
        log.info("resync requested", extra={"actor": actor_id, "target": target_id})
        return ResyncResult(ResyncStatus.REQUESTED, now, diagnosis)
