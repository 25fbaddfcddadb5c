"""Retention: which rows are past their time, table by table (0 days = keep forever)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Table, and_, delete, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from .outbox import DEAD, SENT
from .tables import audit, cooldowns, notice_outbox, photo_ledger, scan_results, scan_runs


async def purge(
    engine: AsyncEngine,
    now: datetime,
    *,
    audit_days: int,
    ledger_days: int,
    outbox_days: int,
    scan_days: int,
    cooldown_days: int,
) -> dict[str, int]:
    """Delete, in one transaction, what is past its retention; returns rows deleted per table (tables whose
    retention is 0 are left out).

    - audit: rows older than `audit_days`;
    - photo_ledger: users not seen by any scan or question for `ledger_days` (left the organisation);
    - notice_outbox: `sent` and `dead` notices older than `outbox_days` (the ledger keeps "last notified",
      so a purged notice is never sent again); `blocked` rows are kept: they are the record that a user
      blocked the bot; pending/sending rows are never purged;
    - scan checkpoints of runs that never finished, older than `scan_days`;
    - cooldowns whose claim ran out more than `cooldown_days` ago (an expired claim no longer blocks anything)."""
    deleted: dict[str, int] = {}
    async with engine.begin() as conn:
        if audit_days:
            cutoff = now - timedelta(days=audit_days)
            deleted["audit"] = await _delete(conn, audit, audit.c.at < cutoff)
        if ledger_days:
            cutoff = now - timedelta(days=ledger_days)
            deleted["photo_ledger"] = await _delete(conn, photo_ledger, photo_ledger.c.last_seen_at < cutoff)
        if outbox_days:
            o = notice_outbox
            cutoff = now - timedelta(days=outbox_days)
            done = and_(o.c.status.in_((SENT, DEAD)), o.c.updated_at < cutoff)
            deleted["notice_outbox"] = await _delete(conn, o, done)
        if scan_days:
            cutoff = now - timedelta(days=scan_days)
            stale = select(scan_runs.c.id).where(
                and_(scan_runs.c.finished.is_(False), scan_runs.c.started_at < cutoff)
            )
            await _delete(conn, scan_results, scan_results.c.run_id.in_(stale))
            deleted["scan_runs"] = await _delete(conn, scan_runs, scan_runs.c.id.in_(stale))
        if cooldown_days:
            cutoff = now - timedelta(days=cooldown_days)
            deleted["cooldowns"] = await _delete(conn, cooldowns, cooldowns.c.until < cutoff)
    return deleted


async def _delete(conn: AsyncConnection, table: Table, condition: ColumnElement[bool]) -> int:
    result = await conn.execute(delete(table).where(condition))
    return int(result.rowcount)
