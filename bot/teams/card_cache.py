"""Diagnosis cards reused within the minute (hot path: see docs/BENCHMARKS.md)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import cards


class CardCache:
    """The last diagnosis card built for each (diagnosis, reader) pair: a user asking again within the same
    minute gets the same card without building it again. Cards are never changed after they are sent, so one
    dict can be sent many times."""

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._cards: dict[tuple[Any, ...], tuple[Any, dict[str, Any]]] = {}

    def get(
        self, diagnosis: Any, ctx: cards.CardContext, build: Callable[[], dict[str, Any]]
    ) -> dict[str, Any]:
        minute = ctx.now.replace(second=0, microsecond=0)
        key = (
            diagnosis.user_id,
            ctx.lang,
            str(ctx.tz),
            ctx.demo,
            ctx.profile_edit_url,
            ctx.clock_12h,
            minute,
        )
        hit = self._cards.get(key)
        if hit is not None and hit[0] is diagnosis:
            return hit[1]
        card = build()
        if len(self._cards) >= self.size:
            self._cards.clear()
        self._cards[key] = (diagnosis, card)
        return card
