"""`python -m bot migrate`: bring the database schema to this version (or show where it is)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.redact import redact_url
from bot.settings import load_settings
from bot.startup import database_failure
from bot.store import Store
from bot.store import migrate as migrations


def add_migrate_subcommand(sub: Any) -> None:
    parser = sub.add_parser(
        "migrate",
        help="apply database migrations (Alembic) to PHOTOSYNC_DATABASE_URL",
        description="Upgrade the database to this PhotoSync's schema (the bot does this on start unless "
        "PHOTOSYNC_MIGRATE_ON_START=false). Safe to run from several replicas at once on PostgreSQL.",
        epilog="examples:\n  %(prog)s --status\n"
        "  PHOTOSYNC_DATABASE_URL=postgresql+asyncpg://photosync@db.contoso.net/photosync %(prog)s",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--status", action="store_true", help="only print the current and the needed revision"
    )
    parser.add_argument("--revision", default="head", help="target revision (default: head)")


async def _run(args: argparse.Namespace) -> int:
    settings = load_settings()
    problem = None if args.status else revision_problem(args.revision)
    if problem:
        print(f"migrate --revision: {problem}", file=sys.stderr)
        return 2
    if args.status and not database_exists(settings.database_url):
        print(f"no schema yet: no database file at {redact_url(settings.database_url)} (nothing created)")
        return 1
    store = Store.from_url(settings.database_url, schema=settings.database_schema or None)
    try:
        before = await migrations.current(store.engine)
        wanted = migrations.head()
        if args.status:
            print(status_line(before, wanted))
            return 0 if before == wanted else 1
        after = await migrations.upgrade(store.engine, args.revision)
        print(f"database schema: {before or 'none'} -> {after}")
        return 0
    finally:
        await store.close()


def revision_problem(revision: str) -> str | None:
    """An unknown target revision is refused before the database is touched."""
    from alembic.script import ScriptDirectory
    from alembic.script.revision import RevisionError
    from alembic.util.exc import CommandError

    try:
        ScriptDirectory.from_config(migrations.config()).get_revisions(revision)
    except (CommandError, RevisionError) as exc:
        return f"{exc} (known: {', '.join(known_revisions())})"
    return None


def known_revisions() -> list[str]:
    from alembic.script import ScriptDirectory

    return [
        "head",
        *sorted(r.revision for r in ScriptDirectory.from_config(migrations.config()).walk_revisions()),
    ]


def status_line(found: str | None, wanted: str) -> str:
    if found is None:
        return f"no schema yet, this PhotoSync needs {wanted}: run `python -m bot migrate` (or start the bot)"
    state = "up to date" if found == wanted else "behind: run `python -m bot migrate`"
    return f"database at {found}, this PhotoSync needs {wanted} ({state})"


def database_exists(url: str) -> bool:
    """False only for an SQLite file that isn't there: `--status` must not create it by connecting."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite") or parsed.database in (None, "", ":memory:"):
        return True
    return Path(parsed.database).exists()


def run_migrate_command(args: argparse.Namespace) -> int:
    """Entry point for `python -m bot migrate`: a failure is one line on stderr."""
    from alembic.util.exc import CommandError

    try:
        return asyncio.run(_run(args))
    except CommandError as exc:  # an unknown --revision, among others: Alembic's own sentence
        print(f"migrate: {exc}", file=sys.stderr)
        return 2
    except (OSError, SQLAlchemyError) as exc:
        print(f"migrate: {database_failure(load_settings().database_url, exc)}", file=sys.stderr)
        return 1
