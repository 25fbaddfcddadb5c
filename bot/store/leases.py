"""Named leases in the database: how replicas share work without a lock server.

A lease is one row: who holds it and until when, plus when the leased job is next due (so N replicas scanning
"every hour" scan once an hour between them, not N times). Taking a lease is one conditional UPDATE — free,
expired or already ours, and due — so on PostgreSQL the row lock and on SQLite the database write lock make it
atomic; exactly one claimant sees `rowcount == 1`. A holder renews before `lease_until`; a replica that dies
simply stops renewing, and the next replica to ask after `lease_until` takes over (and, for scans, resumes from
the checkpoint). A holder that failed to renew in time must stop: `renew()` tells it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from .tables import leases

DRIFT_SCAN = "drift-scan"  # one scan at a time across replicas: Graph's 4-photo-requests limit is per app
RETENTION = "retention"  # the daily purge of rows past their retention
SYNC_CHECKS = "sync-checks"  # one replica works through the sync-check schedule at a time
NOTICE_SENDER = "notice-sender"  # one sender at a time: Teams' 50 messages/s limit is per app and tenant

__all__ = ["DRIFT_SCAN", "NOTICE_SENDER", "RETENTION", "Leases", "leases"]


class Leases:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def acquire(
        self, name: str, owner: str, now: datetime, ttl: timedelta, *, when_due: bool = False
    ) -> bool:
        """Take (or keep) the lease until now + ttl; False when another live holder has it, or with `when_due`,
        when the job is not due yet."""
        t = leases
        try:
            async with self.engine.begin() as conn:
                await conn.execute(insert(t).values(name=name, updated_at=now))
        except IntegrityError:
            pass  # the row exists (the usual case)
        free = or_(t.c.owner.is_(None), t.c.lease_until < now, t.c.owner == owner)
        condition = and_(t.c.name == name, free)
        if when_due:
            condition = and_(condition, or_(t.c.next_due_at.is_(None), t.c.next_due_at <= now))
        async with self.engine.begin() as conn:
            result = await conn.execute(
                update(t).where(condition).values(owner=owner, lease_until=now + ttl, updated_at=now)
            )
        return result.rowcount == 1

    async def renew(self, name: str, owner: str, now: datetime, ttl: timedelta) -> bool:
        """Extend a lease we still hold; False when it ran out or someone else took it (then stop working)."""
        t = leases
        async with self.engine.begin() as conn:
            result = await conn.execute(
                update(t)
                .where(and_(t.c.name == name, t.c.owner == owner, t.c.lease_until >= now))
                .values(lease_until=now + ttl, updated_at=now)
            )
        return result.rowcount == 1

    async def release(
        self, name: str, owner: str, now: datetime, *, next_due_at: datetime | None = None
    ) -> bool:
        """Give the lease up (and, for scheduled jobs, set when the job is next due)."""
        t = leases
        values: dict[str, object] = {"owner": None, "lease_until": None, "updated_at": now}
        if next_due_at is not None:
            values["next_due_at"] = next_due_at
        async with self.engine.begin() as conn:
            result = await conn.execute(
                update(t).where(and_(t.c.name == name, t.c.owner == owner)).values(**values)
            )
        return result.rowcount == 1

    async def holder(self, name: str, now: datetime) -> str | None:
        """Who holds the lease right now (None: nobody, or it expired)."""
        t = leases
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(t.c.owner, t.c.lease_until).where(t.c.name == name))).first()
        if row is None or row.owner is None or row.lease_until is None or row.lease_until < now:
            return None
        return str(row.owner)
