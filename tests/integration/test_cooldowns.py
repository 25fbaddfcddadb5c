"""Database-enforced cooldowns (`Store.claim_cooldown`) on SQLite and the real PostgreSQL: one claim per period,
whatever the number of replicas claiming at the same instant."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.store import Store
from bot.store.tables import cooldowns

from .conftest import Database

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
PERIOD = timedelta(minutes=10)
USER = "53d6c7d3-7bc7-4272-b9e3-4eb50bd7b23b"


async def test_a_claim_holds_for_its_period_then_can_be_claimed_again(fresh_store: Store) -> None:
    store = fresh_store
    assert await store.claim_cooldown(USER, "send_sync_link", T0, PERIOD) is None
    assert await store.claim_cooldown(USER, "send_sync_link", T0 + timedelta(minutes=3), PERIOD) == T0
    assert (
        await store.claim_cooldown(USER, "send_sync_link", T0 + PERIOD - timedelta(microseconds=1), PERIOD)
        == T0
    )
    later = T0 + PERIOD  # the claim ends at `until`: claimable again from that instant
    assert await store.claim_cooldown(USER, "send_sync_link", later, PERIOD) is None
    assert await store.claim_cooldown(USER, "send_sync_link", later + timedelta(seconds=1), PERIOD) == later
    async with store.engine.connect() as conn:
        rows = (await conn.execute(select(cooldowns))).mappings().all()
    assert [(r["key"], r["action"], r["claimed_at"], r["until"]) for r in rows] == [
        (USER, "send_sync_link", later, later + PERIOD)
    ]


async def test_keys_and_actions_cool_down_separately(fresh_store: Store) -> None:
    store = fresh_store
    assert await store.claim_cooldown(USER, "send_sync_link", T0, PERIOD) is None
    assert await store.claim_cooldown(USER, "diagnose", T0, PERIOD) is None
    assert await store.claim_cooldown("someone-else", "send_sync_link", T0, PERIOD) is None
    assert await store.claim_cooldown(USER, "send_sync_link", T0, PERIOD) == T0


async def test_a_refused_claim_changes_nothing(fresh_store: Store) -> None:
    store = fresh_store
    assert await store.claim_cooldown(USER, "send_sync_link", T0, PERIOD) is None
    # a longer period asked for later does not extend the claim in force
    assert await store.claim_cooldown(USER, "send_sync_link", T0 + timedelta(minutes=1), PERIOD * 10) == T0
    assert await store.claim_cooldown(USER, "send_sync_link", T0 + PERIOD, PERIOD) is None


async def test_a_zero_period_never_blocks_and_a_negative_one_is_refused(fresh_store: Store) -> None:
    store = fresh_store
    assert await store.claim_cooldown(USER, "send_sync_link", T0, timedelta(0)) is None
    assert await store.claim_cooldown(USER, "send_sync_link", T0, timedelta(0)) is None
    with pytest.raises(ValueError, match="negative"):
        await store.claim_cooldown(USER, "send_sync_link", T0, -PERIOD)


async def test_replicas_claiming_at_the_same_instant_exactly_one_wins(database: Database) -> None:
    """Separate engines (replicas) claim the same cooldown at once, over several periods: the first round
    races on the insert of a new row, the later ones on replacing an expired claim. One winner every time,
    and every loser is told the winner's claim."""
    stores = [database.store() for _ in range(8)]
    try:
        await stores[0].open()
        await asyncio.gather(*(s.ping() for s in stores))  # connected: the claims below start together
        for round in range(4):
            start = T0 + round * 2 * PERIOD
            nows = [start + timedelta(microseconds=i) for i in range(len(stores))]  # clocks a hair apart
            results = await asyncio.gather(
                *(
                    s.claim_cooldown(USER, "send_sync_link", now, PERIOD)
                    for s, now in zip(stores, nows, strict=True)
                )
            )
            winners = [i for i, result in enumerate(results) if result is None]
            assert len(winners) == 1, results
            claimed_at = nows[winners[0]]
            assert [r for r in results if r is not None] == [claimed_at] * (len(stores) - 1)
            assert (
                await stores[0].claim_cooldown(USER, "send_sync_link", start + PERIOD / 2, PERIOD)
                == claimed_at
            )
    finally:
        for s in stores:
            await s.close()


async def test_concurrent_claims_within_one_replica_exactly_one_wins(fresh_store: Store) -> None:
    results = await asyncio.gather(
        *(fresh_store.claim_cooldown(USER, "send_sync_link", T0, PERIOD) for _ in range(10))
    )
    assert results.count(None) == 1
    assert [r for r in results if r is not None] == [T0] * 9
