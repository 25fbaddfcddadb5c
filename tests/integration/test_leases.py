"""Database leases (bot.store.leases) and the leased background jobs (bot.services.replicas), on SQLite and the
real PostgreSQL: one holder at a time, take-over after expiry, a shared schedule."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.services.notify import DriftNotifier
from bot.services.replicas import leased_notice_sender, leased_scans
from bot.services.scan import ScanReport
from bot.store import Store
from bot.store.leases import DRIFT_SCAN, NOTICE_SENDER, Leases
from tests.clock import FakeClock

from .conftest import Database

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
TTL = timedelta(seconds=30)


async def test_one_holder_until_the_lease_runs_out(fresh_store: Store) -> None:
    leases = Leases(fresh_store.engine)
    assert await leases.acquire("job", "a", T0, TTL)
    assert not await leases.acquire("job", "b", T0 + timedelta(seconds=10), TTL)
    assert await leases.acquire("job", "a", T0 + timedelta(seconds=10), TTL)  # ours: extended
    assert await leases.renew("job", "a", T0 + timedelta(seconds=20), TTL)  # until T0 + 50 s
    assert await leases.holder("job", T0 + timedelta(seconds=49)) == "a"
    assert not await leases.acquire("job", "b", T0 + timedelta(seconds=49), TTL)
    # a dies (stops renewing): after the lease ran out, b takes over and a learns it lost the lease
    assert await leases.holder("job", T0 + timedelta(seconds=51)) is None
    assert await leases.acquire("job", "b", T0 + timedelta(seconds=51), TTL)
    assert not await leases.renew("job", "a", T0 + timedelta(seconds=52), TTL)
    assert not await leases.release("job", "a", T0 + timedelta(seconds=52))
    assert await leases.release("job", "b", T0 + timedelta(seconds=53))
    assert await leases.acquire("job", "a", T0 + timedelta(seconds=54), TTL)  # released: free at once


async def test_a_scheduled_job_is_due_once_for_all_replicas(fresh_store: Store) -> None:
    leases = Leases(fresh_store.engine)
    assert await leases.acquire("scan", "a", T0, TTL, when_due=True)  # never ran: due
    assert await leases.release("scan", "a", T0, next_due_at=T0 + timedelta(hours=1))
    assert not await leases.acquire("scan", "b", T0 + timedelta(minutes=59), TTL, when_due=True)
    assert await leases.acquire("scan", "b", T0 + timedelta(hours=1), TTL, when_due=True)


async def test_racing_claimants_get_exactly_one_lease(database: Database) -> None:
    stores = [database.store() for _ in range(6)]
    try:
        await stores[0].open()
        results = await asyncio.gather(
            *(Leases(s.engine).acquire("race", f"r{i}", T0, TTL) for i, s in enumerate(stores))
        )
        assert sum(results) == 1
    finally:
        for s in stores:
            await s.close()


async def test_two_replicas_never_scan_at_once_and_one_takes_over_from_a_dead_one(fresh_store: Store) -> None:
    clock = FakeClock(T0)
    running: list[str] = []
    overlap: list[int] = []
    scans: list[str] = []
    victim: list[str] = []  # the replica whose pass hangs: whichever starts the first pass after two scans
    hang = asyncio.Event()

    class Scanner:
        def __init__(self, name: str) -> None:
            self.name = name

        async def scan(self, users: list[str], stop: object = None, keep: object = None) -> ScanReport:
            running.append(self.name)
            overlap.append(len(running))
            try:
                if len(scans) >= 2 and not victim:
                    victim.append(self.name)
                    await hang.wait()  # this replica "hangs" mid-scan, then dies
                await clock.sleep(0.05)  # a pass takes time: the other replica keeps polling meanwhile
                scans.append(self.name)
            finally:
                running.remove(self.name)
            return ScanReport()

    class Notifier:
        acts_on = staticmethod(DriftNotifier.acts_on)

        async def enqueue(self, report: ScanReport) -> None:
            return None

    async def watch() -> list[str]:
        return ["u1"]

    leases = Leases(fresh_store.engine)
    ttl = timedelta(seconds=1)
    interval = timedelta(seconds=0.3)
    stops = {"a": asyncio.Event(), "b": asyncio.Event()}
    tasks = {
        name: asyncio.create_task(
            leased_scans(
                Scanner(name),  # type: ignore[arg-type]
                Notifier(),  # type: ignore[arg-type]
                watch,
                interval,
                leases,
                name,
                ttl,
                stops[name],
                clock=clock,
                wait=clock.wait,
            )
        )
        for name in ("a", "b")
    }
    try:
        await clock.until_parked(2)  # both replicas poll the schedule
        # which replica wins each pass is up to the race; time moves in steps well inside a renewal period
        await clock.run_until(lambda: bool(victim) and victim[0] in running, "a replica hangs", step=0.05)
        dead = victim[0]
        survivor = "b" if dead == "a" else "a"
        tasks[dead].cancel()  # it dies without releasing: its lease must run out first
        before = len(scans)
        await clock.run_until(
            lambda: len(scans) >= before + 2 and scans[-1] == survivor, "the survivor takes over", step=0.05
        )
        assert scans[before:] == [survivor] * (len(scans) - before)
        assert max(overlap) == 1  # never two scans at once
    finally:
        for stop in stops.values():
            stop.set()
        await clock.run_until(lambda: all(t.done() for t in tasks.values()), "the replicas stop", step=0.05)
    # The schedule is shared: consecutive scans (by either replica) are >= one interval apart, so two replicas
    # do not scan twice as often as one would.
    assert len(scans) <= clock.elapsed / interval + 1
    assert await leases.holder(DRIFT_SCAN, clock()) is None  # released on a clean stop


async def test_one_notice_sender_at_a_time_and_a_standby_takes_over_on_release(fresh_store: Store) -> None:
    clock = FakeClock(T0)
    passes: list[str] = []

    class Sender:
        idle_s = 2.0
        active = True

        def __init__(self, name: str) -> None:
            self.name = name

        async def run_once(self) -> int:
            passes.append(self.name)
            return 0  # nothing due: the holder idles idle_s, the standby retries every ttl/3

        async def extend_leases(self) -> int:
            return 0

    leases = Leases(fresh_store.engine)
    ttl = timedelta(seconds=30)
    stops = {"a": asyncio.Event(), "b": asyncio.Event()}
    tasks = {
        name: asyncio.create_task(
            leased_notice_sender(
                Sender(name),  # type: ignore[arg-type]
                leases,
                name,
                ttl,
                stops[name],
                clock=clock,
                wait=clock.wait,
            )
        )
        for name in ("a", "b")
    }
    try:
        await clock.until_parked(2)
        await clock.run_until(lambda: len(passes) >= 5, "five outbox passes", step=1.0)
        active = passes[0]
        standby = "b" if active == "a" else "a"
        assert passes == [active] * len(passes)  # the other replica only stands by
        stops[active].set()
        await asyncio.wait_for(tasks[active], 5)  # a clean stop gives the lease back
        assert await leases.holder(NOTICE_SENDER, clock()) is None
        await clock.run_until(
            lambda: passes[-1] == standby,
            "the standby takes over",
            step=1.0,
            within=ttl / 3 + timedelta(seconds=1),
        )
    finally:
        for stop in stops.values():
            stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks.values()), 5)


async def test_retention_purges_only_what_is_past_its_time(fresh_store: Store) -> None:
    from bot.store import AuditRecord
    from bot.store.outbox import Outbox
    from bot.store.scan_checkpoint import ScanCheckpoint

    now = T0 + timedelta(days=1000)
    old, recent = now - timedelta(days=500), now - timedelta(days=10)
    store = fresh_store
    for at, who in ((old, "old"), (recent, "new")):
        await store.audit(
            AuditRecord(at=at, actor_id=who, target_id=who, action="send_sync_link", outcome="ok")
        )
        await store.observe_photo(f"user-{who}", "v1", at)
    outbox = Outbox(store.engine)
    for key, status, at in (
        ("sent-old", "sent", old),
        ("sent-new", "sent", recent),
        ("dead-old", "dead", old),
        ("blocked-old", "blocked", old),
        ("pending-old", "pending", old),
    ):
        await outbox.enqueue(key, key, f"a:{key}", "http://127.0.0.1:9/", {}, at)
        async with store.engine.begin() as conn:
            from bot.store.outbox import notice_outbox

            await conn.execute(
                notice_outbox.update()
                .where(notice_outbox.c.idempotency_key == key)
                .values(status=status, updated_at=at)
            )
    checkpoint = ScanCheckpoint(store.engine)
    stale_run, _ = await checkpoint.open_run(["a", "b"], old)
    await checkpoint.save(stale_run, "a", {"user_id": "a"})
    live_run, _ = await checkpoint.open_run(["c"], now - timedelta(days=1))
    await store.claim_cooldown("old", "send_sync_link", old, timedelta(minutes=10))  # ran out long ago
    await store.claim_cooldown("new", "send_sync_link", now - timedelta(days=1), timedelta(minutes=10))

    deleted = await store.purge(now, audit_days=400, ledger_days=400, outbox_days=90)
    assert deleted == {"audit": 1, "photo_ledger": 1, "notice_outbox": 2, "scan_runs": 1, "cooldowns": 1}
    assert [a.actor_id for a in await store.audit_trail()] == ["new"]
    assert await store.ledger_entry("user-old") is None and await store.ledger_entry("user-new") is not None
    counts = await outbox.counts()
    assert counts == {"pending": 1, "sending": 0, "sent": 1, "dead": 0, "blocked": 1}
    assert (await checkpoint.open_run(["c"], now))[0] == live_run  # the recent unfinished run survives
    assert (
        await store.claim_cooldown("old", "send_sync_link", old, timedelta(minutes=10)) is None
    )  # its row is gone
    assert (
        await store.claim_cooldown("new", "send_sync_link", now - timedelta(days=1), timedelta(minutes=10))
        is not None
    )
    # 0 days = keep forever
    assert (
        await store.purge(
            now + timedelta(days=5000),
            audit_days=0,
            ledger_days=0,
            outbox_days=0,
            scan_days=0,
            cooldown_days=0,
        )
        == {}
    )
