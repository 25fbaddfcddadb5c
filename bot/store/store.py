"""The store: one object over an async SQLAlchemy engine, returning plain records."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, and_, bindparam, delete, desc, event, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from . import migrate as migrations
from . import tables
from .records import AuditRecord, ConversationRecord, LedgerEntry


class Store:
    """Conversation references, the photo ledger and the audit trail."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    @classmethod
    def from_url(
        cls, url: str, *, schema: str | None = None, pool_size: int = 10, max_overflow: int = 5
    ) -> Store:
        """`schema` (PostgreSQL only): the schema every table lives in (the connection's search_path);
        `pool_size` + `max_overflow`: connections this process may hold (see README, pool sizing)."""
        kwargs: dict[str, Any] = {}
        if url.startswith("postgresql"):
            kwargs.update(pool_size=pool_size, max_overflow=max_overflow, pool_pre_ping=True)
            if schema:
                kwargs["connect_args"] = {"server_settings": {"search_path": schema}}
        elif schema:
            raise ValueError("a database schema can only be set for PostgreSQL")
        elif url.startswith("sqlite"):
            # SQLite has one writer at a time. One pooled connection queues the statements in the pool instead
            # of letting several connections spin on the file lock (busy-waiting made concurrent commits slow:
            # notice fan-out 13/s with 15 connections, 37/s with one, docs/BENCHMARKS.md); the lock timeout
            # stays as a guard for other processes on the same file (`python -m bot scan`).
            kwargs.update(connect_args={"timeout": 30})
            if ":memory:" not in url:
                kwargs.update(pool_size=1, max_overflow=0, pool_timeout=120)
        engine = create_async_engine(url, **kwargs)
        if url.startswith("sqlite") and ":memory:" not in url:

            @event.listens_for(engine.sync_engine, "connect")
            def _wal(dbapi_connection: Any, _record: Any) -> None:
                cursor = dbapi_connection.cursor()
                cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
                cursor.execute("PRAGMA synchronous=NORMAL")
                cursor.close()

        return cls(engine)

    async def open(self, *, migrate: bool = True) -> None:
        """Bring the schema to the code's revision (Alembic; see `bot.store.migrate`), or with
        `migrate=False` check that it is there already (SchemaOutOfDate otherwise)."""
        if migrate:
            await migrations.ensure(self.engine)
        else:
            await migrations.check(self.engine)

    async def close(self) -> None:
        await self.engine.dispose()

    async def ping(self) -> bool:
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception:
            return False
        return True

    # --- conversation references ---
    async def save_conversation(self, record: ConversationRecord) -> None:
        t = tables.conversations
        values = {
            "conversation_type": record.conversation_type,
            "service_url": record.service_url,
            "channel_id": record.channel_id,
            "tenant_id": record.tenant_id,
            "bot_id": record.bot_id,
            "locale": record.locale,
            "updated_at": record.updated_at,
            "reference": record.reference,
        }
        async with self.engine.begin() as conn:
            await upsert(
                conn,
                t,
                {"user_id": record.user_id, "conversation_id": record.conversation_id},
                values,
                ("user_id", "conversation_id"),
            )

    async def personal_conversation(self, user_id: str) -> ConversationRecord | None:
        t = tables.conversations
        query = (
            select(t)
            .where(and_(t.c.user_id == user_id, t.c.conversation_type == "personal"))
            .order_by(desc(t.c.updated_at))
            .limit(1)
        )
        async with self.engine.connect() as conn:
            row = (await conn.execute(query)).mappings().first()
        if row is None:
            return None
        return ConversationRecord(**{k: row[k] for k in ConversationRecord.__slots__})

    # --- photo ledger ---
    async def observe_photo(self, user_id: str, etag: str, now: datetime) -> LedgerEntry:
        """Record that `etag` is the user's current photo at `now`; return what we know of it. Two replicas
        seeing a new user at once: the loser of the insert race reads the winner's row and goes on."""
        try:
            return await self._observe_photo(user_id, etag, now)
        except IntegrityError:
            return await self._observe_photo(user_id, etag, now)

    async def _observe_photo(self, user_id: str, etag: str, now: datetime) -> LedgerEntry:
        t = tables.photo_ledger
        async with self.engine.begin() as conn:
            row = (await conn.execute(select(t).where(t.c.user_id == user_id))).mappings().first()
            values, entry = _sighting(row, user_id, etag, now)
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
        cycle (PostgreSQL). Reading back, under FOR UPDATE, rows another replica inserted *after* the inserts is
        what deadlocked before (found by test_replicas_observing_at_once_never_fail): one batch held row a FOR
        UPDATE and waited for the other's uncommitted insert of b, which then waited to lock a.

        1. INSERT … ON CONFLICT DO NOTHING every user, valued as if new, in id order: a user another writer is
           inserting makes this wait until that writer commits (then it is an existing user) or aborts;
        2. SELECT … FOR UPDATE, in id order, the users not inserted here: existing rows, now locked;
        3. fold the sightings over those rows (the inserted users count as new, as inserted) and UPDATE the
           existing ones. SQLite holds its write lock throughout (BEGIN IMMEDIATE)."""
        t = tables.photo_ledger
        await _write_lock(conn)
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
        t = tables.photo_ledger
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
        t = tables.photo_ledger
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

    async def ledger_entries(self, user_ids: Sequence[str]) -> dict[str, LedgerEntry]:
        """Ledger rows for many users at once (chunked to stay under bind-parameter limits)."""
        t = tables.photo_ledger
        out: dict[str, LedgerEntry] = {}
        ids = list(dict.fromkeys(user_ids))
        async with self.engine.connect() as conn:
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                rows = (await conn.execute(select(t).where(t.c.user_id.in_(chunk)))).mappings().all()
                out.update({row["user_id"]: LedgerEntry(**dict(row)) for row in rows})
        return out

    async def ledger_entry(self, user_id: str) -> LedgerEntry | None:
        t = tables.photo_ledger
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(t).where(t.c.user_id == user_id))).mappings().first()
        return LedgerEntry(**dict(row)) if row else None

    # --- audit ---
    async def audit(self, record: AuditRecord) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(insert(tables.audit).values(**_fields(record)))

    async def last_audit(
        self, target_id: str, action: str, outcome: str, since: datetime
    ) -> AuditRecord | None:
        t = tables.audit
        query = (
            select(t)
            .where(
                and_(
                    t.c.target_id == target_id, t.c.action == action, t.c.outcome == outcome, t.c.at >= since
                )
            )
            .order_by(desc(t.c.at))
            .limit(1)
        )
        async with self.engine.connect() as conn:
            row = (await conn.execute(query)).mappings().first()
        return _audit(row) if row else None

    async def audit_trail(self, *, target_id: str | None = None, limit: int = 100) -> Sequence[AuditRecord]:
        t = tables.audit
        query = select(t).order_by(t.c.id).limit(limit)
        if target_id is not None:
            query = query.where(t.c.target_id == target_id)
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).mappings().all()
        return [_audit(row) for row in rows]

    # --- retention ---
    async def purge(
        self,
        now: datetime,
        *,
        audit_days: int,
        ledger_days: int,
        outbox_days: int,
        scan_days: int = 7,
    ) -> dict[str, int]:
        """Delete what is past its retention (0 days = keep forever); returns rows deleted per table.

        - audit: rows older than `audit_days`;
        - photo_ledger: users not seen by any scan or question for `ledger_days` (left the organisation);
        - notice_outbox: `sent` and `dead` notices older than `outbox_days` (the ledger keeps "last notified",
          so a purged notice is never sent again); `blocked` rows are kept: they are the record that a user
          blocked the bot; pending/sending rows are never purged;
        - scan checkpoints of runs that never finished, older than `scan_days`."""
        from .outbox import DEAD, SENT, notice_outbox
        from .scan_checkpoint import scan_results, scan_runs

        deleted: dict[str, int] = {}
        async with self.engine.begin() as conn:
            if audit_days:
                t = tables.audit
                result = await conn.execute(delete(t).where(t.c.at < now - timedelta(days=audit_days)))
                deleted["audit"] = result.rowcount
            if ledger_days:
                t = tables.photo_ledger
                cutoff = now - timedelta(days=ledger_days)
                result = await conn.execute(delete(t).where(t.c.last_seen_at < cutoff))
                deleted["photo_ledger"] = result.rowcount
            if outbox_days:
                o = notice_outbox
                cutoff = now - timedelta(days=outbox_days)
                result = await conn.execute(
                    delete(o).where(and_(o.c.status.in_((SENT, DEAD)), o.c.updated_at < cutoff))
                )
                deleted["notice_outbox"] = result.rowcount
            if scan_days:
                stale = select(scan_runs.c.id).where(
                    and_(
                        scan_runs.c.finished.is_(False),
                        scan_runs.c.started_at < now - timedelta(days=scan_days),
                    )
                )
                await conn.execute(delete(scan_results).where(scan_results.c.run_id.in_(stale)))
                result = await conn.execute(delete(scan_runs).where(scan_runs.c.id.in_(stale)))
                deleted["scan_runs"] = result.rowcount
        return deleted


async def upsert(
    conn: AsyncConnection,
    table: Table,
    key: dict[str, Any],
    values: dict[str, Any],
    conflict: tuple[str, ...],
) -> None:
    """INSERT … ON CONFLICT (key) DO UPDATE: one atomic statement on SQLite and PostgreSQL (an UPDATE-then-INSERT
    races when two replicas write the same new row)."""
    statement = dialect_insert(conn)(table).values(**key, **values)
    await conn.execute(statement.on_conflict_do_update(index_elements=list(conflict), set_=values))


def dialect_insert(conn: AsyncConnection) -> Any:
    """The `insert` construct of `conn`'s database (both have ON CONFLICT: PostgreSQL and SQLite)."""
    return pg_insert if conn.dialect.name == "postgresql" else sqlite_insert


async def _write_lock(conn: AsyncConnection) -> None:
    """SQLite: start the transaction with the write lock (BEGIN IMMEDIATE) so what it reads stays true until it
    commits; the driver would only begin at the first write, after the reads. PostgreSQL: nothing (rows are
    locked FOR UPDATE as they are read)."""
    if conn.dialect.name != "sqlite":
        return
    raw = await conn.get_raw_connection()
    if not raw.driver_connection.in_transaction:  # type: ignore[union-attr]
        await conn.exec_driver_sql("BEGIN IMMEDIATE")


async def _ledger_rows_for_update(conn: AsyncConnection, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    t = tables.photo_ledger
    rows: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
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
_NEW_ROW: dict[str, Any] = {c.name: None for c in tables.photo_ledger.columns}


def _sighting(row: Any, user_id: str, etag: str, now: datetime) -> tuple[dict[str, Any], LedgerEntry]:
    """What sighting `etag` at `now` changes in a user's ledger row (`row`: the current row, None for a new
    user), and the entry `observe_photo` returns. Pure: the one definition both write paths use."""
    if row is None:
        values = {"etag": etag, "first_seen_at": now, "last_seen_at": now, "known_change": False}
        return values, LedgerEntry(user_id=user_id, **values)
    if row["etag"] == etag:
        values = {"last_seen_at": now}
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
    }
    return values, LedgerEntry(**{**dict(row), **values})


def _fields(record: AuditRecord) -> dict[str, Any]:
    return {name: getattr(record, name) for name in AuditRecord.__slots__}


def _audit(row: Any) -> AuditRecord:
    return AuditRecord(**{name: row[name] for name in AuditRecord.__slots__})
