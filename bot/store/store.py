"""The store: one object over an async SQLAlchemy engine, returning plain records."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, desc, event, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from . import tables
from .records import AuditRecord, ConversationRecord, LedgerEntry


class Store:
    """Conversation references, the photo ledger and the audit trail."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    @classmethod
    def from_url(cls, url: str) -> Store:
        kwargs: dict[str, Any] = {}
        if url.startswith("postgresql"):
            kwargs.update(pool_size=10, max_overflow=5, pool_pre_ping=True)
        elif url.startswith("sqlite"):
            # One file, many writers: wait for the lock instead of failing with "database is locked".
            kwargs.update(connect_args={"timeout": 30})
        engine = create_async_engine(url, **kwargs)
        if url.startswith("sqlite") and ":memory:" not in url:

            @event.listens_for(engine.sync_engine, "connect")
            def _wal(dbapi_connection: Any, _record: Any) -> None:
                cursor = dbapi_connection.cursor()
                cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
                cursor.execute("PRAGMA synchronous=NORMAL")
                cursor.close()

        return cls(engine)

    async def open(self) -> None:
        """Create the schema where it is missing."""
        async with self.engine.begin() as conn:
            await conn.run_sync(tables.metadata.create_all)

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
        key = and_(t.c.user_id == record.user_id, t.c.conversation_id == record.conversation_id)
        async with self.engine.begin() as conn:
            result = await conn.execute(update(t).where(key).values(**values))
            if result.rowcount == 0:
                await conn.execute(
                    insert(t).values(user_id=record.user_id, conversation_id=record.conversation_id, **values)
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
        """Record that `etag` is the user's current photo at `now`; return what we know of it."""
        t = tables.photo_ledger
        async with self.engine.begin() as conn:
            row = (await conn.execute(select(t).where(t.c.user_id == user_id))).mappings().first()
            if row is None:
                values = {"etag": etag, "first_seen_at": now, "last_seen_at": now, "known_change": False}
                await conn.execute(insert(t).values(user_id=user_id, **values))
                return LedgerEntry(user_id=user_id, **values)
            if row["etag"] == etag:
                await conn.execute(update(t).where(t.c.user_id == user_id).values(last_seen_at=now))
                return LedgerEntry(**{**dict(row), "last_seen_at": now})
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
            await conn.execute(update(t).where(t.c.user_id == user_id).values(**values))
            return LedgerEntry(**{**dict(row), **values})

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
            result = await conn.execute(update(t).where(t.c.user_id == user_id).values(**values))
            if result.rowcount == 0:
                await conn.execute(insert(t).values(user_id=user_id, **values))

    async def record_drift(
        self, user_id: str, state: str, sharepoint_refreshed: datetime | None, checked_at: datetime
    ) -> None:
        """Keep the last drift verdict for a user who has a ledger row (the scan observed their photo first)."""
        t = tables.photo_ledger
        async with self.engine.begin() as conn:
            await conn.execute(
                update(t)
                .where(t.c.user_id == user_id)
                .values(drift_state=state, sharepoint_refreshed_at=sharepoint_refreshed, checked_at=checked_at)
            )

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


def _fields(record: AuditRecord) -> dict[str, Any]:
    return {name: getattr(record, name) for name in AuditRecord.__slots__}


def _audit(row: Any) -> AuditRecord:
    return AuditRecord(**{name: row[name] for name in AuditRecord.__slots__})
