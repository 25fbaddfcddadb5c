"""Schema migrations (Alembic) applied to the store's own engine, on SQLite and PostgreSQL.

`upgrade()` runs in one transaction. On PostgreSQL it first takes a transaction-level advisory lock, so replicas
that start together migrate one after another (the second finds the schema at head and does nothing). A database
created by a PhotoSync from before migrations (tables present, no `alembic_version`) is stamped at 0001 first.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from . import tables

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic (with mako and pygments) is imported only when the schema must change: a start on an up-to-date
# database reads `alembic_version` with one query and keeps those modules out of memory (start-up and
# footprint: see docs/BENCHMARKS.md).
HEAD = "0008"  # the newest revision in migrations/versions (tests/integration/test_migrations.py checks it)
MIGRATIONS = Path(__file__).with_name("migrations")
ADVISORY_LOCK_ID = 0x70686F746F73796E  # "photosyn": one lock id for every PhotoSync migration
LEGACY_REVISION = "0001"  # what create_all() made before migrations existed


class SchemaOutOfDate(RuntimeError):
    """The database is behind (or ahead of) the code and migrating on start is switched off."""


def config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head() -> str:
    from alembic.script import ScriptDirectory

    revision = ScriptDirectory.from_config(config()).get_current_head()
    assert revision is not None
    return revision


def _current(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def _upgrade(connection: Connection, revision: str) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": ADVISORY_LOCK_ID})
    from alembic import command

    cfg = config()
    cfg.attributes["connection"] = connection
    if _current(connection) is None and inspect(connection).has_table("conversation_refs"):
        command.stamp(cfg, LEGACY_REVISION)
    command.upgrade(cfg, revision)


def _downgrade(connection: Connection, revision: str) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": ADVISORY_LOCK_ID})
    from alembic import command

    cfg = config()
    cfg.attributes["connection"] = connection
    command.downgrade(cfg, revision)


async def at_head(engine: AsyncEngine) -> bool:
    """One plain query: is the schema already at HEAD? (No Alembic import.)"""
    try:
        async with engine.connect() as conn:
            rows = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalars().all()
    except DBAPIError:  # no alembic_version table yet
        return False
    return list(rows) == [HEAD]


def _create_fresh(connection: Connection) -> bool:
    """An empty database: create the tables from the code's metadata and record HEAD (Alembic's own advice for
    new databases; the migrations are proven to build the same schema in test_migrations). False when the
    database turned out not to be empty (another replica got there first)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": ADVISORY_LOCK_ID})
    names = set(inspect(connection).get_table_names())
    if names & ({t.name for t in tables.metadata.sorted_tables} | {"alembic_version"}):
        return False
    tables.metadata.create_all(connection)
    connection.execute(
        text(
            "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
            "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"
        )
    )
    connection.execute(text("INSERT INTO alembic_version (version_num) VALUES (:v)"), {"v": HEAD})
    return True


async def ensure(engine: AsyncEngine) -> None:
    """What the bot does on start: nothing when at HEAD (one query), create a new database directly, migrate
    an existing one."""
    if await at_head(engine):
        return
    async with engine.begin() as conn:
        if await conn.run_sync(_create_fresh):
            return
    await upgrade(engine)


async def upgrade(engine: AsyncEngine, revision: str = "head") -> str | None:
    """Migrate to `revision` (default: head); returns the revision the database is at afterwards."""
    async with engine.begin() as conn:
        await conn.run_sync(_upgrade, revision)
    return await current(engine)


async def downgrade(engine: AsyncEngine, revision: str) -> str | None:
    async with engine.begin() as conn:
        await conn.run_sync(_downgrade, revision)
    return await current(engine)


async def current(engine: AsyncEngine) -> str | None:
    async with engine.connect() as conn:
        return await conn.run_sync(_current)


async def check(engine: AsyncEngine) -> None:
    """Raise SchemaOutOfDate unless the database is at head (used when migrating on start is off)."""
    if await at_head(engine):
        return
    found, wanted = await current(engine), head()
    if found != wanted:
        raise SchemaOutOfDate(
            f"database schema is at {found or 'nothing'}, this PhotoSync needs {wanted}: "
            "run `python -m bot migrate` (or set PHOTOSYNC_MIGRATE_ON_START=true)"
        )
