"""Schema migrations (Alembic) applied to the store's own engine, on SQLite and PostgreSQL.

`upgrade()` runs in one transaction. On PostgreSQL it first takes a transaction-level advisory lock, so replicas
that start together migrate one after another (the second finds the schema at head and does nothing). A database
created by a PhotoSync from before migrations (tables present, no `alembic_version`) is stamped at 0001 first.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).with_name("migrations")
ADVISORY_LOCK_ID = 0x70686F746F73796E  # "photosyn": one lock id for every PhotoSync migration
LEGACY_REVISION = "0001"  # what create_all() made before migrations existed


class SchemaOutOfDate(RuntimeError):
    """The database is behind (or ahead of) the code and migrating on start is switched off."""


def config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head() -> str:
    revision = ScriptDirectory.from_config(config()).get_current_head()
    assert revision is not None
    return revision


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _upgrade(connection: Connection, revision: str) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": ADVISORY_LOCK_ID})
    cfg = config()
    cfg.attributes["connection"] = connection
    if _current(connection) is None and inspect(connection).has_table("conversation_refs"):
        command.stamp(cfg, LEGACY_REVISION)
    command.upgrade(cfg, revision)


def _downgrade(connection: Connection, revision: str) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": ADVISORY_LOCK_ID})
    cfg = config()
    cfg.attributes["connection"] = connection
    command.downgrade(cfg, revision)


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
    found, wanted = await current(engine), head()
    if found != wanted:
        raise SchemaOutOfDate(
            f"database schema is at {found or 'nothing'}, this PhotoSync needs {wanted}: "
            "run `python -m bot migrate` (or set PHOTOSYNC_MIGRATE_ON_START=true)"
        )
