"""`python -m bot migrate`: bring the database schema to this version (or show where it is)."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from bot.settings import load_settings
from bot.store import Store
from bot.store import migrate as migrations


def add_migrate_subcommand(sub: Any) -> None:
    parser = sub.add_parser(
        "migrate",
        help="apply database migrations (Alembic) to PHOTOSYNC_DATABASE_URL",
        description="Upgrade the database to this PhotoSync's schema (the bot does this on start unless "
        "PHOTOSYNC_MIGRATE_ON_START=false). Safe to run from several replicas at once on PostgreSQL.",
    )
    parser.add_argument(
        "--status", action="store_true", help="only print the current and the needed revision"
    )
    parser.add_argument("--revision", default="head", help="target revision (default: head)")


async def _run(args: argparse.Namespace) -> int:
    settings = load_settings()
    store = Store.from_url(settings.database_url, schema=settings.database_schema or None)
    try:
        before = await migrations.current(store.engine)
        wanted = migrations.head()
        if args.status:
            state = "up to date" if before == wanted else "behind: run `python -m bot migrate`"
            print(f"database at {before or 'nothing'}, this PhotoSync needs {wanted} ({state})")
            return 0 if before == wanted else 1
        after = await migrations.upgrade(store.engine, args.revision)
        print(f"database schema: {before or 'nothing'} -> {after}")
        return 0
    finally:
        await store.close()


def run_migrate_command(args: argparse.Namespace) -> int:
    return asyncio.run(_run(args))
