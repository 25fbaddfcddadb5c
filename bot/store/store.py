"""The store: one object over an async SQLAlchemy engine, returning plain records.

Services talk to the database only through the store's methods (and the per-table objects beside it: `Outbox`,
`Leases`, `OptOuts`, `ScanCheckpoint`), never with SQL of their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, desc, event, insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from . import migrate as migrations
from . import retention
from .cooldowns import Cooldowns
from .ledger import PhotoLedger
from .records import AuditRecord, ConversationRecord, LedgerEntry
from .sql import upsert
from .tables import audit, conversations


class Store:
    """Conversation references, the photo ledger, the audit trail, cooldowns and retention."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.ledger = PhotoLedger(engine)
        self.cooldowns = Cooldowns(engine)

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
        t = conversations
        values = {
            "conversation_type": record.conversation_type,
            "service_url": record.service_url,
            "channel_id": record.channel_id,
            "tenant_id": record.tenant_id,
            "bot_id": record.bot_id,
            "locale": record.locale,
            "timezone": record.timezone,
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
        t = conversations
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

    # --- photo ledger (see `PhotoLedger`) ---
    async def observe_photo(
        self, user_id: str, etag: str, now: datetime, picture: str | None = None
    ) -> LedgerEntry:
        return await self.ledger.observe_photo(user_id, etag, now, picture)

    async def observe_photos(
        self, sightings: Sequence[tuple[str, str, datetime]], *, conn: AsyncConnection | None = None
    ) -> list[LedgerEntry]:
        return await self.ledger.observe_photos(sightings, conn=conn)

    async def seed_photo(self, user_id: str, etag: str, changed_at: datetime, now: datetime) -> None:
        await self.ledger.seed_photo(user_id, etag, changed_at, now)

    async def record_drift(
        self, user_id: str, state: str, sharepoint_refreshed: datetime | None, checked_at: datetime
    ) -> None:
        await self.ledger.record_drift(user_id, state, sharepoint_refreshed, checked_at)

    async def record_drifts(
        self,
        verdicts: Sequence[tuple[str, str, datetime | None, datetime]],
        *,
        conn: AsyncConnection | None = None,
    ) -> None:
        await self.ledger.record_drifts(verdicts, conn=conn)

    async def ledger_entries(self, user_ids: Sequence[str]) -> dict[str, LedgerEntry]:
        return await self.ledger.entries(user_ids)

    async def ledger_entry(self, user_id: str) -> LedgerEntry | None:
        return await self.ledger.entry(user_id)

    # --- audit ---
    async def audit(self, record: AuditRecord) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(insert(audit).values(**_fields(record)))

    async def last_audit(
        self, target_id: str, action: str, outcome: str, since: datetime
    ) -> AuditRecord | None:
        t = audit
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
        t = audit
        query = select(t).order_by(t.c.id).limit(limit)
        if target_id is not None:
            query = query.where(t.c.target_id == target_id)
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).mappings().all()
        return [_audit(row) for row in rows]

    # --- cooldowns (see `Cooldowns`) ---
    async def claim_cooldown(
        self, key: str, action: str, now: datetime, period: timedelta
    ) -> datetime | None:
        """Atomically claim `action` on `key` for `period` from `now`, across replicas. None: claimed now;
        otherwise when the earlier claim that still holds was made (and nothing changed)."""
        return await self.cooldowns.claim(key, action, now, period)

    async def settle_cooldown(self, key: str, action: str, claimed_at: datetime, until: datetime) -> None:
        await self.cooldowns.settle(key, action, claimed_at, until)

    # --- retention ---
    async def purge(
        self,
        now: datetime,
        *,
        audit_days: int,
        ledger_days: int,
        outbox_days: int,
        scan_days: int = 7,
        cooldown_days: int = 7,
    ) -> dict[str, int]:
        """Delete what is past its retention (0 days = keep forever); returns rows deleted per table. What each
        retention means: `bot.store.retention.purge`."""
        return await retention.purge(
            self.engine,
            now,
            audit_days=audit_days,
            ledger_days=ledger_days,
            outbox_days=outbox_days,
            scan_days=scan_days,
            cooldown_days=cooldown_days,
        )


def _fields(record: AuditRecord) -> dict[str, Any]:
    return {name: getattr(record, name) for name in AuditRecord.__slots__}


def _audit(row: Any) -> AuditRecord:
    return AuditRecord(**{name: row[name] for name in AuditRecord.__slots__})
