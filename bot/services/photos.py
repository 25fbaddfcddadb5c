"""Diagnose and re-sync: the two things a user can ask of PhotoSync about a photo."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import sqlalchemy as sa

from bot.domain.diagnosis import diagnose
from bot.domain.model import Diagnosis, DiagnosisCase
from bot.graph import GraphClient, GraphError, PhotoUpdateBlocked
from bot.store import AuditRecord, Store
from bot.store import tables as store_tables

from .profiles import ProfileReader

log = logging.getLogger(__name__)


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
    """Diagnoses a user's photo and re-syncs it, auditing every re-sync attempt."""

    def __init__(
        self,
        profiles: ProfileReader,
        graph: GraphClient,
        store: Store,
        clock: Callable[[], datetime],
        cooldown: timedelta,
        on_outcome: Callable[[str], None] | None = None,
    ) -> None:
        self.on_outcome = on_outcome
        self.profiles = profiles
        self.graph = graph
        self.store = store
        self.clock = clock
        self.cooldown = cooldown
        self._locks: dict[str, asyncio.Lock] = {}

    async def diagnose(self, user_id: str) -> Diagnosis:
        state = await self.profiles.read(user_id)
        return diagnose(state, self.clock())

    async def resync(
        self, *, actor_id: str, target_id: str, may_act_for_others: bool, correlation_id: str | None = None
    ) -> ResyncResult:
        """Re-submit the target's current photo through Graph so SharePoint picks it up on its next sync.

        Why this mechanism (DOMAIN.md): SharePoint only refreshes its copy when a sync is initiated; a PUT of
        the same photo through Graph is the documented, least-privileged remedy that works app-only for
        cloud-sourced photos (ProfilePhoto.ReadWrite.All). It is impossible when photos come from on-premises.
        """
        now = self.clock()

        async def audit(outcome: ResyncStatus, detail: str | None = None, action: str = "resync") -> None:
            if self.on_outcome is not None:
                self.on_outcome(outcome.value)
            await self.store.audit(
                AuditRecord(now, actor_id, target_id, action, outcome.value, detail, correlation_id)
            )

        if actor_id != target_id and not may_act_for_others:
            await audit(ResyncStatus.REFUSED, "not the caller's own photo", action="resync_refused")
            log.warning("resync refused", extra={"actor": actor_id, "target": target_id})
            return ResyncResult(ResyncStatus.REFUSED, now)

        lock = self._locks.setdefault(target_id, asyncio.Lock())
        async with lock:
            earlier = await self.store.last_audit(
                target_id, "resync", ResyncStatus.REQUESTED.value, now - self.cooldown
            )
            if earlier is not None:
                await audit(ResyncStatus.COOLDOWN, f"already requested at {earlier.at.isoformat()}")
                return ResyncResult(ResyncStatus.COOLDOWN, earlier.at)

            diagnosis = await self.diagnose(target_id)
            if diagnosis.case is DiagnosisCase.UNAVAILABLE:
                await audit(ResyncStatus.FAILED, diagnosis.detail)
                return ResyncResult(ResyncStatus.FAILED, now, diagnosis)
            if diagnosis.case in (DiagnosisCase.ON_PREMISES, DiagnosisCase.NO_PHOTO):
                await audit(ResyncStatus.NOT_POSSIBLE, diagnosis.case.value)
                return ResyncResult(ResyncStatus.NOT_POSSIBLE, now, diagnosis)
            # Write-ahead: the attempt is on record *before* the Graph PUT, so a process killed mid-PUT still
            # leaves a trace (outcome "started"); the same row then gets the outcome.
            journal = await self._begin(
                AuditRecord(now, actor_id, target_id, "resync", "started", None, correlation_id)
            )

            async def finish(outcome: ResyncStatus, detail: str | None = None) -> None:
                if self.on_outcome is not None:
                    self.on_outcome(outcome.value)
                await self._finish(journal, outcome.value, detail)

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
                    await asyncio.shield(self._finish(journal, "interrupted", "attempt did not complete"))
                raise
            self.profiles.forget(target_id)
            await finish(ResyncStatus.REQUESTED)
            log.info("resync requested", extra={"actor": actor_id, "target": target_id})
            return ResyncResult(ResyncStatus.REQUESTED, now, diagnosis)

    async def _begin(self, record: AuditRecord) -> int:
        """Insert an audit row now and return its id (the outcome follows with `_finish`)."""
        async with self.store.engine.begin() as conn:
            result = await conn.execute(
                sa.insert(store_tables.audit).values(
                    **{name: getattr(record, name) for name in AuditRecord.__slots__}
                )
            )
            return int(result.inserted_primary_key[0])

    async def _finish(self, row_id: int, outcome: str, detail: str | None) -> None:
        t = store_tables.audit
        async with self.store.engine.begin() as conn:
            await conn.execute(sa.update(t).where(t.c.id == row_id).values(outcome=outcome, detail=detail))
