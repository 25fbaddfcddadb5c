"""Sync cards: per user, the latest card that offered them the one-click sync (where it was posted), so the
sync's progress and outcome replace that card in place instead of arriving as new messages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from .sql import upsert
from .tables import sync_cards


@dataclass(frozen=True, slots=True)
class SyncCard:
    user_id: str
    conversation_id: str
    service_url: str
    activity_id: str
    sent_at: datetime


class SyncCards:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def remember(self, *cards: SyncCard) -> None:
        """Each user's newest sync card (it replaces any earlier one: only the newest is updated), in one
        transaction."""
        async with self.engine.begin() as conn:
            for card in cards:
                values = {
                    "conversation_id": card.conversation_id,
                    "service_url": card.service_url,
                    "activity_id": card.activity_id,
                    "sent_at": card.sent_at,
                }
                await upsert(conn, sync_cards, {"user_id": card.user_id}, values, ("user_id",))

    async def get(self, user_id: str) -> SyncCard | None:
        async with self.engine.connect() as conn:
            row = (
                (await conn.execute(select(sync_cards).where(sync_cards.c.user_id == user_id)))
                .mappings()
                .first()
            )
        return SyncCard(**row) if row else None
