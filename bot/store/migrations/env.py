"""Alembic environment for the PhotoSync store.

Two ways in:
- programmatic (what the bot does on start and `python -m bot migrate`): `bot.store.migrate` hands over an open
  connection in `config.attributes["connection"]`, already inside a transaction (and, on PostgreSQL, holding
  an advisory lock so that replicas starting together migrate one at a time);
- the `alembic` command line (maintainers, `alembic.ini` at the repository root): the URL comes from
  `PHOTOSYNC_DATABASE_URL` (async drivers are fine; the engine is run through `run_sync`).
"""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from bot.store import tables

config = context.config
target_metadata = tables.metadata


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite: ALTER via copy-and-move
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_from_url(url: str) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(_configure)
    finally:
        await engine.dispose()


def _run() -> None:
    if context.is_offline_mode():
        context.configure(
            url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata, literal_binds=True
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        return
    url = os.environ.get("PHOTOSYNC_DATABASE_URL", "sqlite+aiosqlite:///photosync.db")
    asyncio.run(_run_from_url(url))


_run()
