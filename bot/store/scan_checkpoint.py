"""Scan checkpoints: a scan that dies part-way resumes where it stopped instead of starting over.

One run per watch list (identified by a hash of its ids). Finished users' rows are saved in batches (the drift
scan's write-behind commits up to one batch of users at a time, together with their ledger writes); a new scan of
the same list finds the unfinished run and skips the users already saved, so a crash re-scans at most the users
of one unsaved batch (and those in flight) — harmless, a scan is idempotent.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from .sql import dialect_insert
from .tables import scan_results, scan_runs

__all__ = ["ScanCheckpoint", "scan_results", "scan_runs", "watch_hash"]


def watch_hash(user_ids: list[str]) -> str:
    return hashlib.sha256("\n".join(user_ids).encode()).hexdigest()


class ScanCheckpoint:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def open_run(self, user_ids: list[str], now: datetime) -> tuple[int, dict[str, dict[str, Any]]]:
        """The unfinished run for this watch list (with the rows already done), or a new one."""
        key = watch_hash(user_ids)
        async with self.engine.begin() as conn:
            row = (
                await conn.execute(
                    select(scan_runs.c.id)
                    .where(and_(scan_runs.c.watch_hash == key, scan_runs.c.finished.is_(False)))
                    .order_by(scan_runs.c.id.desc())
                    .limit(1)
                )
            ).first()
            if row is None:
                result = await conn.execute(
                    insert(scan_runs).values(watch_hash=key, started_at=now, finished=False)
                )
                return int(result.inserted_primary_key[0]), {}  # type: ignore[index]
            run_id = int(row[0])
            done = await conn.execute(
                select(scan_results.c.user_id, scan_results.c.row).where(scan_results.c.run_id == run_id)
            )
            return run_id, {user_id: data for user_id, data in done}

    async def save(self, run_id: int, user_id: str, row: dict[str, Any]) -> None:
        """Record one finished user; saving the same user twice keeps the first row."""
        try:
            async with self.engine.begin() as conn:
                await conn.execute(insert(scan_results).values(run_id=run_id, user_id=user_id, row=row))
        except IntegrityError:
            pass

    async def save_many(
        self, run_id: int, rows: Mapping[str, dict[str, Any]], *, conn: AsyncConnection | None = None
    ) -> None:
        """Record many finished users in one statement; a user saved before keeps their first row (INSERT …
        ON CONFLICT DO NOTHING: no IntegrityError, so the caller's transaction goes on). With `conn`, inside
        the caller's transaction (the scan commits a batch's checkpoint rows with its ledger writes)."""
        if not rows:
            return
        if conn is None:
            async with self.engine.begin() as own:
                await self.save_many(run_id, rows, conn=own)
            return
        statement = dialect_insert(conn)(scan_results).on_conflict_do_nothing(
            index_elements=["run_id", "user_id"]
        )
        await conn.execute(statement, [{"run_id": run_id, "user_id": u, "row": r} for u, r in rows.items()])

    async def finish(self, run_id: int) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(update(scan_runs).where(scan_runs.c.id == run_id).values(finished=True))
            await conn.execute(delete(scan_results).where(scan_results.c.run_id == run_id))
