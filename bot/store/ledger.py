"""The photo ledger: per user, the photo version last seen, the one before it, and the drift scan's verdict.

Two write paths give the same rows: `observe_photo` (one sighting, its own transaction) and `observe_photos`
(the drift scan's batches, one transaction); both apply `_sighting`, the one definition of what a sighting changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.domain.versions import same_version

from .records import LedgerEntry
from .sql import chunks, dialect_insert, upsert, write_lock
from .tables import photo_ledger


class PhotoLedger:
    """Reads and writes `photo_ledger`, returning `LedgerEntry` records."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def observe_photo(
        self, user_id: str, etag: str, now: datetime, picture: str | None = None
    ) -> LedgerEntry:
        """Record that `etag` is the user's current photo at `now`; return what we know of it. Two replicas
        seeing a new user at once: the loser of the insert race reads the winner's row and goes on."""
        try:
            return await self._observe_photo(user_id, etag, now, picture)
        except IntegrityError:
            return await self._observe_photo(user_id, etag, now, picture)

    async def _observe_photo(
        self, user_id: str, etag: str, now: datetime, picture: str | None
    ) -> LedgerEntry:
        t = photo_ledger
        async with self.engine.begin() as conn:
            row = (await conn.execute(select(t).where(t.c.user_id == user_id))).mappings().first()
            values, entry = _sighting(row, user_id, etag, now, picture)
            if row is None:
                await conn.execute(insert(t).values(user_id=user_id, **values))
            else:
                await conn.execute(update(t).where(t.c.user_id == user_id).values(**values))
            return entry

    async def observe_photos(
        self, sightings: Sequence[tuple[str, str, datetime]], *, conn: AsyncConnection | None = None
    ) -> list[LedgerEntry]:
        """`observe_photo(user_id, etag, now)` for each `(user_id, etag, now)` in order, in ONE transaction
        (the drift scan's write-behind batches): the same rows and the same returned entries (one per sighting,
        in order; a user sighted twice sees their first sighting) as the calls one by one, in a few statements.
        With `conn`, inside the caller's transaction (call it first there: on SQLite it takes the write lock);
        without, in its own.

        Concurrent writers: the rows are read under the write lock (SQLite: BEGIN IMMEDIATE; PostgreSQL: new
        users inserted first, then the others read FOR UPDATE, both in user-id order, see `_observe_photos`), so a
        concurrent `observe_photo` waits instead of being overwritten by a stale read, and a new user another
        replica inserts at the same moment gets this batch's sighting applied to its row, as `observe_photo`'s
        retry does."""
        if not sightings:
            return []
        if conn is not None:
            return await self._observe_photos(conn, sightings)
        async with self.engine.begin() as own:
            return await self._observe_photos(own, sightings)

    async def _observe_photos(
        self, conn: AsyncConnection, sightings: Sequence[tuple[str, str, datetime]]
    ) -> list[LedgerEntry]:
        """Insert first, then lock, both in user-id order, so concurrent batches can never wait on each other in a
        cycle (PostgreSQL). Locking rows FOR UPDATE before inserting can deadlock: one batch would hold row a
        FOR UPDATE and wait for the other's uncommitted insert of b, which then waits to lock a.

        1. INSERT … ON CONFLICT DO NOTHING every user, valued as if new, in id order: a user another writer is
           inserting makes this wait until that writer commits (then it is an existing user) or aborts;
        2. SELECT … FOR UPDATE, in id order, the users not inserted here: existing rows, now locked;
        3. fold the sightings over those rows (the inserted users count as new, as inserted) and UPDATE the
           existing ones. SQLite holds its write lock throughout (BEGIN IMMEDIATE)."""
        t = photo_ledger
        await write_lock(conn)
        ids = sorted({user_id for user_id, _, _ in sightings})  # one lock order for every writer
        _, as_new = _fold(sightings, {})
        statement = dialect_insert(conn)(t).on_conflict_do_nothing(index_elements=["user_id"])
        result = await conn.execute(
            statement.returning(t.c.user_id),
            [{"user_id": u, **{c: as_new[u][c] for c in _OBSERVED}} for u in ids],
        )
        inserted = set(result.scalars())
        current = await _ledger_rows_for_update(conn, [u for u in ids if u not in inserted])
        entries, final = _fold(sightings, current)
        changed = [
            {"b_user_id": user_id, **{c: final[user_id][c] for c in _OBSERVED}}
            for user_id in ids
            if user_id in current
        ]
        if changed:
            await conn.execute(update(t).where(t.c.user_id == bindparam("b_user_id")), changed)
        return entries

    async def seed_photo(self, user_id: str, etag: str, changed_at: datetime, now: datetime) -> None:
        """Record a photo version whose change time is known (demo tenant, migration import)."""
        t = photo_ledger
        values = {
            "etag": etag,
            "first_seen_at": changed_at,
            "last_seen_at": now,
            "previous_etag": None,
            "previous_seen_at": changed_at,
            "known_change": True,
        }
        async with self.engine.begin() as conn:
            await upsert(conn, t, {"user_id": user_id}, values, ("user_id",))

    async def record_drift(
        self, user_id: str, state: str, sharepoint_refreshed: datetime | None, checked_at: datetime
    ) -> None:
        """Keep the last drift verdict for a user who has a ledger row (the scan observed their photo first)."""
        await self.record_drifts([(user_id, state, sharepoint_refreshed, checked_at)])

    async def record_drifts(
        self,
        verdicts: Sequence[tuple[str, str, datetime | None, datetime]],
        *,
        conn: AsyncConnection | None = None,
    ) -> None:
        """`record_drift(user_id, state, sharepoint_refreshed, checked_at)` for each tuple, in order, as one
        statement (executemany); with `conn`, inside the caller's transaction."""
        if not verdicts:
            return
        t = photo_ledger
        statement = update(t).where(t.c.user_id == bindparam("b_user_id"))
        params = [
            {"b_user_id": u, "drift_state": s, "sharepoint_refreshed_at": r, "checked_at": c}
            for u, s, r, c in verdicts
        ]
        if conn is not None:
            await conn.execute(statement, params)
            return
        async with self.engine.begin() as own:
            await own.execute(statement, params)

    async def entries(self, user_ids: Sequence[str]) -> dict[str, LedgerEntry]:
        """Ledger rows for many users at once (chunked to stay under bind-parameter limits)."""
        t = photo_ledger
        out: dict[str, LedgerEntry] = {}
        ids = list(dict.fromkeys(user_ids))
        async with self.engine.connect() as conn:
            for chunk in chunks(ids):
                rows = (await conn.execute(select(t).where(t.c.user_id.in_(chunk)))).mappings().all()
                out.update({row["user_id"]: LedgerEntry(**dict(row)) for row in rows})
        return out

    async def entry(self, user_id: str) -> LedgerEntry | None:
        t = photo_ledger
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(t).where(t.c.user_id == user_id))).mappings().first()
        return LedgerEntry(**dict(row)) if row else None


async def _ledger_rows_for_update(conn: AsyncConnection, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    t = photo_ledger
    rows: dict[str, dict[str, Any]] = {}
    for chunk in chunks(ids):
        query = select(t).where(t.c.user_id.in_(chunk)).order_by(t.c.user_id).with_for_update()
        rows.update({row["user_id"]: dict(row) for row in (await conn.execute(query)).mappings()})
    return rows


def _fold(
    sightings: Sequence[tuple[str, str, datetime]], rows: dict[str, dict[str, Any]]
) -> tuple[list[LedgerEntry], dict[str, dict[str, Any]]]:
    """Apply `sightings` in order to the ledger `rows` (user id -> row; absent: new user): the entry each
    sighting returns and each user's row after the last one. `rows` is not changed."""
    state: dict[str, dict[str, Any]] = {}
    entries: list[LedgerEntry] = []
    for user_id, etag, now in sightings:
        row = state.get(user_id, rows.get(user_id))
        values, entry = _sighting(row, user_id, etag, now)
        state[user_id] = {**(row or _NEW_ROW), "user_id": user_id, **values}
        entries.append(entry)
    return entries, state


# Ledger columns a sighting may change (written whole by the batched path; see `_sighting`).
_OBSERVED = (
    "etag",
    "first_seen_at",
    "last_seen_at",
    "previous_etag",
    "previous_seen_at",
    "known_change",
    "drift_state",
    "checked_at",
)
_NEW_ROW: dict[str, Any] = {c.name: None for c in photo_ledger.columns}


def _sighting(
    row: Any, user_id: str, etag: str, now: datetime, picture: str | None = None
) -> tuple[dict[str, Any], LedgerEntry]:
    """What sighting `etag` (and, when known, its picture's signature) at `now` changes in a user's ledger row
    (`row`: the current row, None for a new user), and the entry `observe_photo` returns. A new etag with the
    same picture is the same photo version (its first-seen time stands). Pure: the one definition both write
    paths use."""
    if row is None:
        values: dict[str, Any] = {
            "etag": etag,
            "first_seen_at": now,
            "last_seen_at": now,
            "known_change": False,
            "picture": picture,
        }
        return values, LedgerEntry(user_id=user_id, **values)
    if row["etag"] == etag or same_version(row["picture"], picture):
        values = {"etag": etag, "last_seen_at": now}
        if picture is not None:
            values["picture"] = picture
        return values, LedgerEntry(**{**dict(row), **values})
    values = {
        "etag": etag,
        "first_seen_at": now,
        "last_seen_at": now,
        "previous_etag": row["etag"],
        "previous_seen_at": row["last_seen_at"],
        "known_change": True,
        "drift_state": None,  # a new version: the old verdict no longer applies
        "checked_at": None,
        "picture": picture,
    }
    return values, LedgerEntry(**{**dict(row), **values})
