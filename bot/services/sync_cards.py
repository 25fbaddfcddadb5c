"""Where each user's latest sync card is, written behind the reply: remembering a card costs a turn a dict
update, and one transaction a moment later stores every card remembered meanwhile (hot path: see
docs/BENCHMARKS.md). A process that dies in that moment loses those locations only: the sync's outcome then
arrives as a new message instead of replacing the card."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from bot.store.sync_cards import SyncCard, SyncCards

log = logging.getLogger(__name__)

WRITE_DELAY_S = 0.2  # cards remembered within this long share one transaction


class SyncCardBook:
    def __init__(self, store: SyncCards, *, delay_s: float = WRITE_DELAY_S) -> None:
        self.store = store
        self.delay_s = delay_s
        self._pending: dict[str, SyncCard] = {}
        self._writer: asyncio.Task[None] | None = None

    def remember(self, card: SyncCard) -> None:
        """The user's newest sync card; stored shortly, together with any others remembered meanwhile."""
        self._pending[card.user_id] = card
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_soon())

    async def get(self, user_id: str) -> SyncCard | None:
        """The user's newest sync card, remembered here but not stored yet included."""
        pending = self._pending.get(user_id)
        return pending if pending is not None else await self.store.get(user_id)

    async def flush(self) -> None:
        """Store everything remembered so far (at shutdown)."""
        if self._writer is not None and not self._writer.done():
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._writer
        await self._write()

    async def _write_soon(self) -> None:
        await asyncio.sleep(self.delay_s)
        await self._write()

    async def _write(self) -> None:
        cards, self._pending = list(self._pending.values()), {}
        if not cards:
            return
        try:
            await self.store.remember(*cards)
        except Exception:  # a card location is a convenience: the outcome then comes as a new message
            log.warning("%d sync card locations not stored", len(cards), exc_info=True)
