"""Alembic migrations on SQLite and the real PostgreSQL: head matches the code's tables, every step upgrades
and downgrades with data kept, a pre-migration database is adopted, replicas starting together migrate once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select, text
from sqlalchemy.engine import Connection

from bot.store import Store, migrate, tables
from bot.store.outbox import Outbox, notice_outbox

from .conftest import Database

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
USER = "53d6c7d3-7bc7-4272-b9e3-4eb50bd7b23b"


def _diff(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, tables.metadata))


def _table_names(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


def test_revisions_form_one_line() -> None:
    script = ScriptDirectory.from_config(migrate.config())
    assert script.get_heads() == [migrate.head()] == [migrate.HEAD]  # the constant the fast start path uses
    chain = [r.revision for r in script.walk_revisions()]
    assert chain[-1] == "0001" and chain[0] == migrate.head()
    assert len(chain) == len(set(chain))


async def test_head_matches_the_code_tables(database: Database) -> None:
    """The migrations build exactly the code's tables — which is why a new, empty database may be created
    directly from the metadata and stamped (Store.open's fast path)."""
    store = database.store()
    try:
        assert await migrate.upgrade(store.engine) == migrate.head()  # through every migration
        async with store.engine.connect() as conn:
            assert await conn.run_sync(_diff) == []  # nothing create_all would make differently
        await store.open()  # a second start is a no-op
        assert await migrate.current(store.engine) == migrate.head()
    finally:
        await store.close()


async def test_a_new_database_is_created_at_head_and_later_migrations_apply(database: Database) -> None:
    store = database.store()
    try:
        await store.open()  # fast path: create_all + stamp
        assert await migrate.current(store.engine) == migrate.head() == migrate.HEAD
        async with store.engine.connect() as conn:
            assert await conn.run_sync(_diff) == []
        assert await migrate.downgrade(store.engine, "0002") == "0002"  # a stamped database migrates normally
        await store.open()
        assert await migrate.current(store.engine) == migrate.HEAD
    finally:
        await store.close()


async def test_every_step_down_and_up_keeps_the_data(database: Database) -> None:
    store = database.store()
    try:
        assert await migrate.upgrade(store.engine, "0001") == "0001"
        async with store.engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO photo_ledger (user_id, etag, first_seen_at, last_seen_at, known_change) "
                    "VALUES (:u, 'v2', :t, :t, true)"
                ),
                {"u": USER, "t": T0},
            )
            await conn.execute(
                text(
                    "INSERT INTO notice_outbox (idempotency_key, user_id, conversation_id, service_url, payload,"
                    " status, attempts, next_attempt_at, created_at, updated_at)"
                    " VALUES (:k, :u, 'a:conv', 'http://127.0.0.1:9/', '{}', 'sent', 1, :t, :t, :t)"
                ),
                {"k": f"{USER}:v2", "u": USER, "t": T0},
            )
        # 0002 back-fills "last notified" from notices delivered before it existed
        assert await migrate.upgrade(store.engine) == migrate.head()
        entry = await store.ledger_entry(USER)
        assert entry is not None and entry.etag == "v2"
        assert entry.notified_etag == "v2" and entry.notified_at == T0
        item = await Outbox(store.engine).get(f"{USER}:v2")
        assert item is not None and item.status == "sent" and item.photo_etag is None
        # all the way down and up again: the rows survive every step
        script = ScriptDirectory.from_config(migrate.config())
        for revision in [r.down_revision for r in script.walk_revisions() if r.down_revision]:
            assert await migrate.downgrade(store.engine, str(revision)) == revision
            async with store.engine.connect() as conn:
                count = (await conn.execute(select(notice_outbox.c.id))).all()
            assert len(count) == 1
        async with store.engine.connect() as conn:
            assert "leases" not in await conn.run_sync(_table_names)
        await migrate.upgrade(store.engine)
        async with store.engine.connect() as conn:
            assert await conn.run_sync(_diff) == []
        assert (await store.ledger_entry(USER)) is not None
    finally:
        await store.close()


async def test_a_database_from_before_migrations_is_adopted(database: Database) -> None:
    """Tables made by create_all() at 0001, no alembic_version: stamped, then upgraded, rows kept."""
    store = database.store()
    try:
        await migrate.upgrade(store.engine, "0001")
        async with store.engine.begin() as conn:
            await conn.execute(text("DROP TABLE alembic_version"))
            await conn.execute(
                text("INSERT INTO notice_optouts (user_id, opted_out, changed_at) VALUES (:u, true, :t)"),
                {"u": USER, "t": T0},
            )
        assert await migrate.current(store.engine) is None
        await store.open()
        assert await migrate.current(store.engine) == migrate.head()
        from bot.store import OptOuts

        assert await OptOuts(store.engine).is_opted_out(USER)
    finally:
        await store.close()


async def test_without_migrate_on_start_an_old_schema_is_refused(database: Database) -> None:
    store = database.store()
    try:
        await migrate.upgrade(store.engine, "0002")
        with pytest.raises(migrate.SchemaOutOfDate, match=r"0002.*python -m bot migrate"):
            await store.open(migrate=False)
        await store.open()
        await store.open(migrate=False)  # at head: fine
    finally:
        await store.close()


@pytest.mark.postgres
async def test_replicas_starting_together_migrate_once(postgres_database: Database) -> None:
    stores = [postgres_database.store() for _ in range(4)]
    try:
        await asyncio.gather(*(s.open() for s in stores))  # advisory lock: one migrates, the rest find head
        async with stores[0].engine.connect() as conn:
            versions = (await conn.execute(text("SELECT version_num FROM alembic_version"))).all()
            assert [v[0] for v in versions] == [migrate.head()]
            assert await conn.run_sync(_diff) == []
    finally:
        for s in stores:
            await s.close()


def test_store_refuses_a_schema_on_sqlite(tmp_path: object) -> None:
    with pytest.raises(ValueError, match="PostgreSQL"):
        Store.from_url("sqlite+aiosqlite:///x.db", schema="photosync")
