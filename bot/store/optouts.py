"""Proactive photo notices: who said "stop" (table `notice_optouts`).

One row per user who ever changed the setting; a user without a row gets notices (opted in by default).
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from .sql import chunks, upsert
from .tables import notice_optouts


class OptOuts:
    """Per-user opt-out of proactive photo notices (the table is created by `Store.open()`)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def set(self, user_id: str, opted_out: bool, now: datetime) -> None:
        """Record the user's choice at `now` (timezone-aware); the last choice wins."""
        if not user_id:
            raise ValueError("user_id is required")
        t = notice_optouts
        values = {"opted_out": opted_out, "changed_at": now}
        async with self.engine.begin() as conn:
            await upsert(conn, t, {"user_id": user_id}, values, ("user_id",))

    async def is_opted_out(self, user_id: str) -> bool:
        t = notice_optouts
        async with self.engine.connect() as conn:
            value = (await conn.execute(select(t.c.opted_out).where(t.c.user_id == user_id))).scalar()
        return bool(value)

    async def opted_out_among(self, user_ids: Iterable[str]) -> builtins.set[str]:
        """The given users who have opted out."""
        ids = sorted(builtins.set(user_ids))  # `set` is the method below in this class
        t = notice_optouts
        out: builtins.set[str] = builtins.set()
        async with self.engine.connect() as conn:
            for chunk in chunks(ids):
                query = select(t.c.user_id).where(t.c.user_id.in_(chunk), t.c.opted_out.is_(True))
                out.update((await conn.execute(query)).scalars())
        return out


__all__ = ["OptOuts", "notice_optouts"]
