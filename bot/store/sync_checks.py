"""Sync checks: one schedule per user who started SharePoint's sync, kept in the database (it survives restarts
and is shared by replicas; the checker that works through it runs under a lease)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from .sql import upsert
from .tables import sync_checks

CHECKING, FIXED, EXPIRED = "checking", "fixed", "expired"


@dataclass(frozen=True, slots=True)
class SyncCheck:
    user_id: str
    started_at: datetime
    next_check_at: datetime
    checks: int
    status: str
    finished_at: datetime | None = None


class SyncChecks:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        # user -> (read until, what was read): `recent` serves cards; this process's own writes refresh it
        self._seen: dict[str, tuple[datetime, SyncCheck | None]] = {}

    async def start(self, user_id: str, now: datetime, first_check_at: datetime) -> None:
        """(Re)start the user's schedule: a user who starts again has one schedule, counted from now."""
        values = {
            "started_at": now,
            "next_check_at": first_check_at,
            "checks": 0,
            "status": CHECKING,
            "finished_at": None,
        }
        async with self.engine.begin() as conn:
            await upsert(conn, sync_checks, {"user_id": user_id}, values, ("user_id",))
        self._seen.pop(user_id, None)

    async def due(self, now: datetime, limit: int) -> list[SyncCheck]:
        """The schedules to look at now, earliest first, at most `limit` (bounded work per pass)."""
        t = sync_checks
        query = (
            select(t)
            .where(and_(t.c.status == CHECKING, t.c.next_check_at <= now))
            .order_by(t.c.next_check_at)
            .limit(limit)
        )
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).mappings().all()
        return [SyncCheck(**dict(row)) for row in rows]

    async def get(self, user_id: str) -> SyncCheck | None:
        async with self.engine.connect() as conn:
            row = (
                (await conn.execute(select(sync_checks).where(sync_checks.c.user_id == user_id)))
                .mappings()
                .first()
            )
        return SyncCheck(**dict(row)) if row is not None else None

    async def recent(self, user_id: str, now: datetime, ttl: timedelta) -> SyncCheck | None:
        """The user's schedule as read at most `ttl` ago (for the cards of every turn: hot path, see
        docs/BENCHMARKS.md). Changes made by this process show at once, other replicas' within `ttl`."""
        cached = self._seen.get(user_id)
        if cached is not None and now < cached[0]:
            return cached[1]
        check = await self.get(user_id)
        if len(self._seen) >= 10_000:
            self._seen.clear()
        self._seen[user_id] = (now + ttl, check)
        return check

    async def checked(self, check: SyncCheck, next_at: datetime) -> None:
        await self._update(check, next_check_at=next_at, checks=check.checks + 1)

    async def finish(self, check: SyncCheck, status: str, now: datetime) -> None:
        await self._update(check, status=status, finished_at=now, checks=check.checks + 1)

    async def _update(self, check: SyncCheck, **values: object) -> None:
        """Only the schedule that was looked at: a restart in the meantime (a new started_at) is left alone."""
        t = sync_checks
        async with self.engine.begin() as conn:
            await conn.execute(
                update(t)
                .where(and_(t.c.user_id == check.user_id, t.c.started_at == check.started_at))
                .values(**values)
            )
        self._seen.pop(check.user_id, None)
