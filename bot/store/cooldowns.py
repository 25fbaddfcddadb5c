"""Cooldowns shared by replicas: an action on a key (e.g. a re-sync of one user's photo) at most once a period.

A claim is one statement, so the database decides who wins, however many replicas claim at the same instant:

    INSERT INTO cooldowns (key, action, until, claimed_at) VALUES (:key, :action, :now + :period, :now)
    ON CONFLICT (key, action) DO UPDATE SET until = excluded.until, claimed_at = excluded.claimed_at
        WHERE cooldowns.until <= :now
    RETURNING claimed_at

A row comes back only for the one claimant that inserted the row or replaced an expired claim. On PostgreSQL a
concurrent claimant waits on the winner's row (inserted or locked) and then finds the new `until`; on SQLite the
statement runs under the database write lock. A losing claimant's statement also locks the row (PostgreSQL) or
holds the write lock (SQLite), so the earlier claim it reads back in the same transaction is the one that beat it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from .sql import dialect_insert
from .tables import cooldowns


class Cooldowns:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def claim(self, key: str, action: str, now: datetime, period: timedelta) -> datetime | None:
        """Claim `action` on `key` from `now` for `period`. None: claimed now (no earlier claim is still in
        force); otherwise when the earlier claim that still holds was made (nothing changes then)."""
        if period < timedelta(0):
            raise ValueError("a cooldown period cannot be negative")
        t = cooldowns
        values = {"key": key, "action": action, "until": now + period, "claimed_at": now}
        async with self.engine.begin() as conn:
            insert = dialect_insert(conn)(t).values(**values)
            statement = insert.on_conflict_do_update(
                index_elements=[t.c.key, t.c.action],
                set_={"until": insert.excluded.until, "claimed_at": insert.excluded.claimed_at},
                where=t.c.until <= now,
            ).returning(t.c.claimed_at)
            if (await conn.execute(statement)).first() is not None:
                return None
            earlier = select(t.c.claimed_at).where(and_(t.c.key == key, t.c.action == action))
            return (await conn.execute(earlier)).scalar_one()

    async def settle(self, key: str, action: str, claimed_at: datetime, until: datetime) -> None:
        """Move the end of the claim made at `claimed_at` (a later claim is left alone): extend a claim once
        its action succeeded, or end it (`until` = now) when the action did not happen."""
        t = cooldowns
        async with self.engine.begin() as conn:
            await conn.execute(
                update(t)
                .where(and_(t.c.key == key, t.c.action == action, t.c.claimed_at == claimed_at))
                .values(until=until)
            )
