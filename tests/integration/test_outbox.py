"""The notice outbox and its sender on SQLite and PostgreSQL (PHOTOSYNC_TEST_POSTGRES_URL), against the fake
Bot Connector with Teams' rate limits enforced."""

from __future__ import annotations

import asyncio
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest

from bot.clock import Clock, system_clock
from bot.services.notices import NoticeSender, TeamsRateLimiter
from bot.store import Store
from bot.store.outbox import Outbox, OutboxItem
from bot.teams.connector import ConnectorSender, connector_session
from tests.clock import FakeClock
from tests.fakes.connector import ConnectorServer

from .conftest import Database

REPO = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
BLOCKED_BODY = {"error": {"code": "MessageWritesBlocked", "message": "blocked"}}


@dataclass
class DB:
    url: str
    schema: str | None
    store: Store
    outbox: Outbox


@pytest.fixture
def db(database: Database, fresh_store: Store) -> DB:
    return DB(database.url, database.schema, fresh_store, Outbox(fresh_store.engine))


async def _enqueue(
    outbox: Outbox, service_url: str, n: int, conversations: int, prefix: str = "u", now: Clock = system_clock
) -> list[str]:
    keys = []
    for i in range(n):
        user = f"{prefix}{i}"
        key = f"{user}:etag-{i}"
        payload = {"type": "message", "text": f"notice {key}"}
        assert await outbox.enqueue(key, user, f"a:conv-{i % conversations}", service_url, payload, now())
        keys.append(key)
    return keys


def _delivered(server: ConnectorServer) -> Counter[str]:
    return Counter(c.text.removeprefix("notice ") for c in server.activities() if c.text)


def _sender(outbox: Outbox, http: aiohttp.ClientSession, **kwargs: object) -> NoticeSender:
    options: dict[str, object] = {"base_delay_s": 0.05, "idle_s": 0.02, "max_attempts": 5}
    options.update(kwargs)
    return NoticeSender(
        outbox,
        ConnectorSender(http, None, max_attempts=1),
        TeamsRateLimiter(),
        **options,  # type: ignore[arg-type]
    )


async def _until(
    check: Callable[[], Awaitable[bool]], sender: NoticeSender, clock: FakeClock, timeout: float = 10
) -> None:
    """Run sender passes until `check()`; when nothing is due, move the sender's clock on to the next retry."""
    deadline = time.monotonic() + timeout  # a hang guard in real time
    while not await check():
        assert time.monotonic() < deadline, f"not done within {timeout}s: {sender.stats}"
        assert clock.elapsed < timedelta(hours=1), f"not done within an hour of fake time: {sender.stats}"
        if await sender.run_once() == 0:
            clock.advance(0.25)


async def _settled(outbox: Outbox) -> bool:
    counts = await outbox.counts()
    return counts["pending"] == 0 and counts["sending"] == 0


# ----------------------------------------------------------------------------------------- outbox


async def test_enqueue_twice_same_key_is_one_row(db: DB) -> None:
    assert await db.outbox.enqueue("u1:e1", "u1", "a:1", "https://x/", {"text": "a"}, T0)
    assert not await db.outbox.enqueue("u1:e1", "u1", "a:1", "https://x/", {"text": "b"}, T0)
    results = await asyncio.gather(
        *(db.outbox.enqueue("u2:e1", "u2", "a:2", "https://x/", {"text": "c"}, T0) for _ in range(5))
    )
    assert sorted(results) == [False, False, False, False, True]
    assert (await db.outbox.counts())["pending"] == 2
    item = await db.outbox.get("u1:e1")
    assert item is not None and item.payload == {"text": "a"} and item.created_at == T0


async def test_claim_leases_and_expired_leases_are_reclaimed(db: DB) -> None:
    for i in range(3):
        await db.outbox.enqueue(f"u{i}:e", f"u{i}", "a:1", "https://x/", {}, T0 + timedelta(seconds=i))
    lease = timedelta(seconds=30)
    first = await db.outbox.claim("A", T0 + timedelta(seconds=5), lease, 2)
    assert [i.idempotency_key for i in first] == ["u0:e", "u1:e"]
    assert all(i.status == "sending" and i.attempts == 1 and i.lease_owner == "A" for i in first)
    # B gets only what A does not hold; nothing before it is due
    assert await db.outbox.claim("B", T0 - timedelta(seconds=1), lease, 10) == []
    assert [i.idempotency_key for i in await db.outbox.claim("B", T0 + timedelta(seconds=6), lease, 10)] == [
        "u2:e"
    ]
    assert await db.outbox.mark_sent(first[0].id, "A", "act-1", T0 + timedelta(seconds=7))
    # A's lease on u1 expires: C reclaims it and A may no longer finish it
    again = await db.outbox.claim("C", T0 + timedelta(seconds=40), lease, 10)
    assert [(i.idempotency_key, i.attempts) for i in again] == [("u1:e", 2), ("u2:e", 2)]
    assert not await db.outbox.mark_sent(first[1].id, "A", "late", T0 + timedelta(seconds=41))
    assert await db.outbox.mark_retry(again[0].id, "C", "HTTP 429", T0 + timedelta(minutes=5), T0)
    assert await db.outbox.release(again[1].id, "C", T0 + timedelta(seconds=41))
    counts = await db.outbox.counts()
    assert (counts["sent"], counts["pending"], counts["sending"]) == (1, 2, 0)
    released = await db.outbox.get("u2:e")
    assert released is not None and released.attempts == 1  # a release is not an attempt
    sent = await db.outbox.get("u0:e")
    assert sent is not None and sent.sent_activity_id == "act-1"


async def test_concurrent_claims_never_share_a_row(db: DB) -> None:
    await _enqueue(db.outbox, "https://x/", 40, 4)
    batches = await asyncio.gather(
        *(db.outbox.claim(f"w{i}", system_clock(), timedelta(seconds=30), 7) for i in range(8))
    )
    ids = [item.id for batch in batches for item in batch]
    assert len(ids) == len(set(ids)) == 40


# ----------------------------------------------------------------------------------------- limiter


async def test_rate_limiter_windows_with_a_fake_clock() -> None:
    now = [0.0]

    async def sleep(seconds: float) -> None:
        now[0] += seconds

    limiter = TeamsRateLimiter(margin_s=0.0, clock=lambda: now[0], sleep=sleep)
    waits = [await limiter.acquire("c") for _ in range(10)]
    assert waits[:7] == [0.0] * 7
    assert waits[7] == pytest.approx(1.0)  # 7 per 1 s
    assert now[0] == pytest.approx(2.0)  # 8 per 2 s: the 9th and 10th wait for the 2 s window
    # 50 per second per app across conversations
    limiter = TeamsRateLimiter(margin_s=0.0, clock=lambda: now[0], sleep=sleep)
    start = now[0]
    for i in range(101):
        await limiter.acquire(f"conv-{i}")
    assert now[0] - start == pytest.approx(2.0)
    # 60 per 30 s per conversation
    limiter = TeamsRateLimiter(app_limit=None, margin_s=0.0, clock=lambda: now[0], sleep=sleep)
    start = now[0]
    for _ in range(61):
        await limiter.acquire("c")
    assert now[0] - start == pytest.approx(30.0)


def test_rate_limiter_counts_a_send_until_its_answer_comes_back() -> None:
    """A request that lands late (busy machine) must still be counted in the window it lands in."""
    now = [0.0]
    limiter = TeamsRateLimiter([], (1.0, 2), margin_s=0.0, in_flight_poll_s=0.01, clock=lambda: now[0])
    slow = limiter.try_acquire("a", in_flight=True)
    fast = limiter.try_acquire("b", in_flight=True)
    assert slow is not None and fast is not None
    limiter.finish(fast)  # answered at 0.0
    now[0] = 1.5  # `fast` left the window; `slow` is still in flight and may land in any later window
    third = limiter.try_acquire("c", in_flight=True)
    assert third is not None  # 1 counted + this one = the limit of 2
    assert limiter.try_acquire("d") is None
    assert limiter.delay("d") == pytest.approx(0.01)  # both in flight: poll, we cannot know when they land
    now[0] = 1.75
    limiter.finish(slow)  # answered (so landed) by 1.75: counts until 2.75
    now[0] = 1.8
    limiter.finish(third)
    assert limiter.delay("d") == pytest.approx(0.95)  # the window frees at 1.75 + 1 s
    now[0] = 2.75
    assert limiter.try_acquire("d") is not None


# ----------------------------------------------------------------------------------------- sending


async def test_200_notices_delivered_once_within_teams_limits(db: DB) -> None:
    with ConnectorServer(enforce_rate_limits=True) as server:
        keys = await _enqueue(db.outbox, server.url, 200, 20)
        all_sent = asyncio.Event()

        def on_sent(item: OutboxItem, activity_id: str) -> None:
            if sender.stats["sent"] >= 200:
                all_sent.set()

        async with connector_session(timeout_s=5.0) as http:
            # Real time on purpose: the fake connector enforces Teams' limits on its own (real) clock.
            sender = _sender(db.outbox, http, concurrency=16, batch_size=100, on_sent=on_sent)
            stop = asyncio.Event()
            started = time.monotonic()
            task = asyncio.create_task(sender.run(stop))
            try:
                async with asyncio.timeout(120):  # a bound against hanging, not a speed target (bench.fanout)
                    await all_sent.wait()
            finally:
                stop.set()
                await asyncio.wait_for(task, 5)
            elapsed = time.monotonic() - started
        delivered = _delivered(server)
        assert server.violation_count == 0, server.violations()[:3]
    assert delivered == Counter(dict.fromkeys(keys, 1))
    assert sender.stats["retry"] == 0
    rate = 200 / elapsed
    print(f"200 notices in {elapsed:.2f}s ({rate:.0f}/s)")
    assert elapsed >= 3.0  # 50 per second per app: four bursts of 50, a second (plus margin) apart


async def test_429_with_retry_after_is_retried_and_delivered_once(db: DB) -> None:
    with ConnectorServer(enforce_rate_limits=True) as server:
        server.fail(429, times=1, route="send", headers={"Retry-After": "1"})
        clock = FakeClock()
        keys = await _enqueue(db.outbox, server.url, 3, 3, now=clock)
        async with connector_session(timeout_s=5.0) as http:
            sender = _sender(db.outbox, http, clock=clock)
            await _until(lambda: _settled(db.outbox), sender, clock)
        assert _delivered(server) == Counter(dict.fromkeys(keys, 1))
        assert len(server.calls(route="send")) == 4
    retried = [await db.outbox.get(k) for k in keys]
    assert sorted(i.attempts for i in retried if i) == [1, 1, 2]
    assert sender.stats["retry"] == 1 and (await db.outbox.counts())["sent"] == 3


async def test_403_message_writes_blocked_stops_messaging_the_user(db: DB) -> None:
    with ConnectorServer() as server:
        server.fail(403, times=None, conversation_id="a:blocked", body=BLOCKED_BODY)
        clock = FakeClock()
        for etag in ("e1", "e2"):
            await db.outbox.enqueue(f"ub:{etag}", "ub", "a:blocked", server.url, {"text": "x"}, clock())
        await db.outbox.enqueue("ok:e1", "ok", "a:ok", server.url, {"text": "notice ok:e1"}, clock())
        async with connector_session(timeout_s=5.0) as http:
            sender = _sender(db.outbox, http, clock=clock)
            await _until(lambda: _settled(db.outbox), sender, clock)
        assert len(server.calls(conversation_id="a:blocked")) == 1  # not retried, the second never sent
        assert _delivered(server) == Counter({"ok:e1": 1})
    counts = await db.outbox.counts()
    assert (counts["blocked"], counts["sent"]) == (2, 1)
    assert await db.outbox.is_blocked("ub") and not await db.outbox.is_blocked("ok")


async def test_500_forever_is_dead_after_max_attempts_and_400_at_once(db: DB) -> None:
    with ConnectorServer() as server:
        server.fail(500, times=None, conversation_id="a:broken")
        server.fail(400, times=None, conversation_id="a:bad", body={"error": {"code": "BadArgument"}})
        clock = FakeClock()
        await db.outbox.enqueue("u1:e", "u1", "a:broken", server.url, {"text": "x"}, clock())
        await db.outbox.enqueue("u2:e", "u2", "a:bad", server.url, {"text": "y"}, clock())
        async with connector_session(timeout_s=5.0) as http:
            sender = _sender(db.outbox, http, clock=clock, max_attempts=3)
            await _until(lambda: _settled(db.outbox), sender, clock)
        assert len(server.calls(conversation_id="a:broken")) == 3
        assert len(server.calls(conversation_id="a:bad")) == 1
    broken, bad = await db.outbox.get("u1:e"), await db.outbox.get("u2:e")
    assert broken is not None and broken.status == "dead" and broken.attempts == 3
    assert "500" in (broken.last_error or "")
    assert (
        bad is not None
        and bad.status == "dead"
        and bad.attempts == 1
        and "BadArgument" in (bad.last_error or "")
    )


async def test_sigkilled_sender_is_resumed_and_every_notice_goes_out_once(db: DB) -> None:
    async def worker(owner: str, crash_after: int) -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.integration.outbox_worker",
            db.url,
            owner,
            "1",  # lease, seconds
            str(crash_after),
            *([db.schema] if db.schema else []),
            cwd=REPO,
            stdout=asyncio.subprocess.PIPE,
        )

    with ConnectorServer(enforce_rate_limits=True) as server:
        keys = await _enqueue(db.outbox, server.url, 40, 8)
        first = await worker("w1", 12)
        try:
            line = await asyncio.wait_for(first.stdout.readline(), 20)  # type: ignore[union-attr]
            assert line.strip() == b"CRASHPOINT"
        finally:
            first.kill()  # SIGKILL
            await first.wait()
        counts = await db.outbox.counts()
        assert counts["sent"] == 12 and counts["sending"] > 0  # it died holding leased rows
        second = await worker("w2", 0)
        try:
            out, _ = await asyncio.wait_for(second.communicate(), 30)
        finally:
            if second.returncode is None:
                second.kill()
                await second.wait()
        assert second.returncode == 0 and out.strip() == b"DONE 28"
        assert _delivered(server) == Counter(dict.fromkeys(keys, 1))
        assert server.violation_count == 0
    assert (await db.outbox.counts())["sent"] == 40
