"""Durable outbox for proactive notices: one row per (user, photo version), leased to one sender at a time.

Life of a row: `pending` → claimed (`sending`, lease_owner/lease_until set, attempts + 1) → `sent` (with the
connector's activity id) | back to `pending` with a later next_attempt_at (retryable failure) | `dead`
(permanent failure or out of attempts) | `blocked` (403 MessageWritesBlocked: the user blocked the bot; all
their other pending notices are blocked too).

Delivery guarantee: at-least-once with a minimal duplicate window. A sender that crashes leaves its claimed
rows `sending`; once the lease expires another sender reclaims them. Rows it already marked `sent` are never
sent again, and every row is marked `sent` in its own commit right after the connector's 201. Teams has no
idempotency header and assigns the activity id itself (a client-chosen `id` on POST is not honoured), so the
one residual window is a crash *after* the connector accepted an activity and *before* the `sent` commit
(one HTTP answer + one single-row UPDATE); that notice is sent again after the lease expires. A sender whose
lease ran out before it sent must not send (NoticeSender checks), and `mark_*` only apply for the lease owner.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from .tables import notice_outbox, photo_ledger

PENDING, SENDING, SENT, DEAD, BLOCKED = "pending", "sending", "sent", "dead", "blocked"
STATUSES = (PENDING, SENDING, SENT, DEAD, BLOCKED)

__all__ = [
    "BLOCKED",
    "DEAD",
    "PENDING",
    "SENDING",
    "SENT",
    "STATUSES",
    "Outbox",
    "OutboxItem",
    "notice_outbox",
]


@dataclass(frozen=True, slots=True)
class OutboxItem:
    id: int
    idempotency_key: str
    user_id: str
    conversation_id: str
    service_url: str
    payload: dict[str, Any]
    photo_etag: str | None
    status: str
    attempts: int  # including the current one, for a claimed item
    next_attempt_at: datetime
    lease_owner: str | None
    lease_until: datetime | None
    sent_activity_id: str | None
    last_error: str | None
    created_at: datetime
    updated_at: datetime


def _item(row: Any) -> OutboxItem:
    return OutboxItem(**{k: row[k] for k in OutboxItem.__slots__})


class Outbox:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def enqueue(
        self,
        key: str,
        user_id: str,
        conversation_id: str,
        service_url: str,
        payload: dict[str, Any],
        now: datetime,
        *,
        etag: str | None = None,
    ) -> bool:
        """Add a notice; False (and nothing changes) when the key was ever enqueued before. With `etag`, the
        user's ledger row records it as `notified_etag` (and `notified_at`) once the notice is delivered."""
        t = notice_outbox
        async with self.engine.connect() as conn:
            if (await conn.execute(select(t.c.id).where(t.c.idempotency_key == key))).first():
                return False
        try:
            async with self.engine.begin() as conn:
                await conn.execute(
                    insert(t).values(
                        idempotency_key=key,
                        user_id=user_id,
                        conversation_id=conversation_id,
                        service_url=service_url,
                        payload=payload,
                        photo_etag=etag,
                        status=PENDING,
                        attempts=0,
                        next_attempt_at=now,
                        created_at=now,
                        updated_at=now,
                    )
                )
        except IntegrityError:  # a concurrent enqueue of the same key won
            return False
        return True

    async def claim(self, owner: str, now: datetime, lease: timedelta, limit: int) -> list[OutboxItem]:
        """Lease up to `limit` due rows (pending, or `sending` with an expired lease) to `owner`."""
        t = notice_outbox
        due = and_(
            t.c.next_attempt_at <= now,
            or_(t.c.status == PENDING, and_(t.c.status == SENDING, t.c.lease_until < now)),
        )
        ids = select(t.c.id).where(due).order_by(t.c.next_attempt_at, t.c.id).limit(limit)
        values = {
            "status": SENDING,
            "lease_owner": owner,
            "lease_until": now + lease,
            "attempts": t.c.attempts + 1,
            "updated_at": now,
        }
        async with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                # Lock the chosen rows first (skipping rows another claimer holds), then lease exactly those.
                # (An `IN (SELECT … LIMIT … FOR UPDATE SKIP LOCKED)` sub-select may be re-run by the planner
                # and lease more than `limit` rows.)
                chosen = (await conn.execute(ids.with_for_update(skip_locked=True))).scalars().all()
                if not chosen:
                    return []
                statement = update(t).where(t.c.id.in_(chosen)).values(**values).returning(*t.c)
            else:
                # SQLite: one UPDATE takes the database write lock: sub-select and update are atomic.
                statement = (
                    update(t)
                    .where(and_(t.c.id.in_(ids.scalar_subquery()), due))
                    .values(**values)
                    .returning(*t.c)
                )
            rows = (await conn.execute(statement)).mappings().all()
        return sorted((_item(r) for r in rows), key=lambda i: (i.next_attempt_at, i.id))

    async def _finish(self, id: int, owner: str | None, values: dict[str, Any]) -> bool:
        t = notice_outbox
        where = and_(t.c.id == id, t.c.status == SENDING)
        if owner is not None:
            where = and_(where, t.c.lease_owner == owner)
        async with self.engine.begin() as conn:
            result = await conn.execute(
                update(t).where(where).values(lease_owner=None, lease_until=None, **values)
            )
        return result.rowcount == 1

    async def mark_sent(self, id: int, owner: str, activity_id: str | None, now: datetime) -> bool:
        """False when `owner` no longer holds the row (its lease expired and someone reclaimed it). In the same
        commit, the user's photo ledger row records which photo version they were told about, and when."""
        t = notice_outbox
        where = and_(t.c.id == id, t.c.status == SENDING, t.c.lease_owner == owner)
        values = {"status": SENT, "sent_activity_id": activity_id or None, "updated_at": now}
        async with self.engine.begin() as conn:
            result = await conn.execute(
                update(t).where(where).values(lease_owner=None, lease_until=None, **values)
            )
            if result.rowcount != 1:
                return False
            row = (await conn.execute(select(t.c.user_id, t.c.photo_etag).where(t.c.id == id))).first()
            if row is not None and row.photo_etag:
                ledger = photo_ledger
                await conn.execute(
                    update(ledger)
                    .where(ledger.c.user_id == row.user_id)
                    .values(notified_etag=row.photo_etag, notified_at=now)
                )
        return True

    async def extend(self, owner: str, now: datetime, until: datetime) -> list[int]:
        """Heartbeat: move the lease of every row `owner` still holds (claimed, not yet expired) to `until`;
        returns the ids extended. Expired rows are left alone: another sender may already have them."""
        t = notice_outbox
        async with self.engine.begin() as conn:
            rows = await conn.execute(
                update(t)
                .where(and_(t.c.lease_owner == owner, t.c.status == SENDING, t.c.lease_until >= now))
                .values(lease_until=until)
                .returning(t.c.id)
            )
            return [int(i) for i in rows.scalars().all()]

    async def mark_retry(self, id: int, owner: str, error: str, next_at: datetime, now: datetime) -> bool:
        return await self._finish(
            id,
            owner,
            {
                "status": PENDING,
                "last_error": error[:2000],
                "next_attempt_at": next_at,
                "updated_at": now,
            },
        )

    async def release(self, id: int, owner: str, now: datetime) -> bool:
        """Give back a claimed row that was not sent (lease about to run out): pending, attempt not counted."""
        return await self._finish(
            id, owner, {"status": PENDING, "attempts": notice_outbox.c.attempts - 1, "updated_at": now}
        )

    async def mark_dead(self, id: int, error: str, now: datetime) -> bool:
        return await self._finish(id, None, {"status": DEAD, "last_error": error[:2000], "updated_at": now})

    async def mark_blocked(self, id: int, now: datetime) -> int:
        """Block this row and every other unsent notice for the same user; returns how many rows changed."""
        t = notice_outbox
        async with self.engine.begin() as conn:
            user_id = (await conn.execute(select(t.c.user_id).where(t.c.id == id))).scalar_one_or_none()
            if user_id is None:
                return 0
            result = await conn.execute(
                update(t)
                .where(
                    and_(
                        t.c.user_id == user_id,
                        or_(t.c.id == id, t.c.status == PENDING),
                        t.c.status.in_((PENDING, SENDING)),
                    )
                )
                .values(
                    status=BLOCKED,
                    lease_owner=None,
                    lease_until=None,
                    last_error="403 MessageWritesBlocked",
                    updated_at=now,
                )
            )
        return result.rowcount

    async def is_blocked(self, user_id: str) -> bool:
        """Whether a notice to this user was ever refused with MessageWritesBlocked."""
        t = notice_outbox
        query = select(t.c.id).where(and_(t.c.user_id == user_id, t.c.status == BLOCKED)).limit(1)
        async with self.engine.connect() as conn:
            return (await conn.execute(query)).first() is not None

    async def get(self, key: str) -> OutboxItem | None:
        t = notice_outbox
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(t).where(t.c.idempotency_key == key))).mappings().first()
        return None if row is None else _item(row)

    async def counts(self) -> dict[str, int]:
        """Rows per status, every status present (0 when none)."""
        t = notice_outbox
        async with self.engine.connect() as conn:
            rows = (await conn.execute(select(t.c.status, func.count()).group_by(t.c.status))).all()
        found = {status: int(n) for status, n in rows}
        return {status: found.get(status, 0) for status in STATUSES}
