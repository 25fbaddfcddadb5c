"""Sending proactive notices from the durable outbox within Teams' messaging limits.

`TeamsRateLimiter` keeps sliding windows of send times per conversation (7/1 s, 8/2 s, 60/30 s, 1,800/h) and
per app (50/s), Teams' documented bot messaging limits, and makes `acquire()` wait just long enough. A send
counts from its start until its answer came back (so a request delayed on a busy machine cannot land in a
later window than it was counted in), and each window is widened by `margin_s` on top.

`NoticeSender` claims a batch from the `Outbox`, sends each notice (limiter first; in order within a
conversation, conversations in parallel up to `concurrency` in flight) and records the outcome in its own
commit right away (see `bot.store.outbox` for the delivery guarantee):

- 2xx → sent (with the activity id); 403 MessageWritesBlocked → blocked (that user gets nothing more);
- 429/412/502/504, other 5xx, transport errors → retry later (next_attempt_at, jittered exponential backoff or
  the error's `retry_after` when it carries one), dead-lettered after `max_attempts`;
- any other 4xx → dead at once.

Give it a `ConnectorSender(..., max_attempts=1)`: retries belong to the outbox (durable, limiter-aware, not
holding a lease while sleeping), not to the HTTP layer.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
import math
import random
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime, timedelta

from bot.clock import Clock, Wait, system_clock, wait_event
from bot.services.delivery import REPLACE_KEY, ActivitySender, DeliveryFailed, outgoing
from bot.store.outbox import Outbox, OutboxItem

log = logging.getLogger(__name__)

# (window in s, max sends): Teams' documented bot messaging limits
CONVERSATION_LIMITS: tuple[tuple[float, int], ...] = ((1.0, 7), (2.0, 8), (30.0, 60), (3600.0, 1800))
APP_LIMIT: tuple[float, int] = (1.0, 50)

Sleep = Callable[[float], Awaitable[object]]
OnSent = Callable[[OutboxItem, str], Awaitable[None] | None]


class Send:
    """One counted send: `at` is +inf while the request is in flight, then the moment its answer came back."""

    __slots__ = ("at",)

    def __init__(self, at: float) -> None:
        self.at = at


class TeamsRateLimiter:
    """Sliding-window limiter; pure apart from the injected `clock` (seconds, monotonic) and `sleep`.

    Teams counts a message when it *arrives*, and under load a request can arrive well after we started it, so
    a send counts from the moment it starts (`try_acquire(..., in_flight=True)`) until `finish()` records when
    its answer came back; a window then counts every send still in flight plus every send answered inside it.
    Why that is enough: take any window [a, a + w] of arrival times and the send S that started last among
    those arriving in it, at s <= a + w. Every other send arriving in that window started before s and was
    answered at or after a >= s - w, so when S was admitted it was counted (in flight, or answered within
    w + margin of s): the window holds at most `limit` sends, whatever the scheduling delays."""

    def __init__(
        self,
        conversation_limits: Iterable[tuple[float, int]] = CONVERSATION_LIMITS,
        app_limit: tuple[float, int] | None = APP_LIMIT,
        *,
        margin_s: float = 0.1,
        in_flight_poll_s: float = 0.005,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.conversation_limits = tuple(conversation_limits)
        self.app_limit = app_limit
        self.margin_s = margin_s
        self.in_flight_poll_s = in_flight_poll_s
        self.clock = clock
        self.sleep = sleep
        self._conversations: dict[str, list[Send]] = {}
        self._app: list[Send] = []
        self._longest = max([w for w, _ in self.conversation_limits] or [0.0]) + margin_s
        self._pruned_at = -math.inf

    def delay(self, conversation_id: str) -> float:
        """Seconds until one more send to this conversation is within every limit (0: now)."""
        now = self.clock()
        wait = 0.0
        checks: list[tuple[list[Send], float, int]] = []
        history = self._conversations.get(conversation_id)
        if history is not None:
            checks += [(history, w, limit) for w, limit in self.conversation_limits]
        if self.app_limit is not None:
            checks.append((self._app, *self.app_limit))
        for sends, window_s, limit in checks:
            if len(sends) < limit:
                continue
            span = window_s + self.margin_s
            recent = sorted(x.at for x in sends if x.at > now - span)
            if len(recent) >= limit:
                oldest = recent[len(recent) - limit]
                # still in flight: we cannot know when it lands, look again shortly
                wait = max(wait, self.in_flight_poll_s if oldest == math.inf else oldest + span - now)
        return wait

    def record(self, conversation_id: str, *, in_flight: bool = False) -> Send:
        """Count a send now (acquire() does this; call it for sends that bypassed acquire()). With
        `in_flight`, the send keeps counting until `finish()` is called with what this returns."""
        now = self.clock()
        send = Send(math.inf if in_flight else now)
        self._conversations.setdefault(conversation_id, []).append(send)
        self._app.append(send)
        self._prune(now)
        return send

    def finish(self, send: Send) -> None:
        """The answer to an in-flight send came back now."""
        send.at = self.clock()

    def try_acquire(self, conversation_id: str, *, in_flight: bool = False) -> Send | None:
        if self.delay(conversation_id) > 0:
            return None
        return self.record(conversation_id, in_flight=in_flight)

    async def acquire(self, conversation_id: str) -> float:
        """Wait until a send to `conversation_id` is allowed, count it, and return the seconds waited."""
        waited = 0.0
        while True:
            wait = self.delay(conversation_id)
            if wait <= 0:  # no await between the check and the record: atomic on one event loop
                self.record(conversation_id)
                return waited
            await self.sleep(wait)
            waited += wait

    async def ready(self, conversation_id: str) -> None:
        """Wait until a send would be allowed, without counting one (pair with try_acquire)."""
        while (wait := self.delay(conversation_id)) > 0:
            await self.sleep(wait)

    def _prune(self, now: float) -> None:
        app_span = (self.app_limit[0] if self.app_limit else 0.0) + self.margin_s
        if len(self._app) > 2 * (self.app_limit[1] if self.app_limit else 0) + 16:
            self._app = [x for x in self._app if x.at > now - app_span]
        if (
            now - self._pruned_at < 1.0
        ):  # conversations: at most once a second (thousands of them in a fan-out)
            return
        self._pruned_at = now
        for conversation_id in list(self._conversations):
            kept = [x for x in self._conversations[conversation_id] if x.at > now - self._longest]
            if kept:
                self._conversations[conversation_id] = kept
            else:
                del self._conversations[conversation_id]


class NoticeSender:
    def __init__(
        self,
        outbox: Outbox,
        connector_sender: ActivitySender,
        limiter: TeamsRateLimiter,
        clock: Clock = system_clock,
        owner: str | None = None,
        max_attempts: int = 5,
        *,
        lease: timedelta = timedelta(seconds=60),
        batch_size: int = 50,
        concurrency: int = 8,
        base_delay_s: float = 2.0,
        max_delay_s: float = 600.0,
        idle_s: float = 2.0,
        on_sent: OnSent | None = None,
        rng: Callable[[], float] = random.random,
        wait: Wait = wait_event,
    ) -> None:
        self.outbox = outbox
        self.sender = connector_sender
        self.limiter = limiter
        self.clock = clock
        self.owner = owner or f"notices-{uuid.uuid4().hex[:12]}"
        self.max_attempts = max_attempts
        self.lease = lease
        self.lease_margin = min(timedelta(seconds=5), lease / 5)  # never start a send this close to expiry
        self.batch_size = batch_size
        self.concurrency = concurrency
        self.base_delay_s = base_delay_s
        self.max_delay_s = max_delay_s
        self.idle_s = idle_s
        self.on_sent = on_sent
        self.rng = rng
        self.wait = wait  # how `run` waits `idle_s` (goes with `clock`)
        self._blocked_users: set[str] = set()
        self._lease_until: dict[int, datetime] = {}  # row leases pushed out by extend_leases()
        self.active = True  # False: hand claimed rows back instead of sending (the replica lost its role)
        self.stats: dict[str, int] = {"sent": 0, "retry": 0, "dead": 0, "blocked": 0, "released": 0}

    async def run_once(self) -> int:
        """Claim one batch and deliver it; returns how many rows were claimed (0: nothing was due)."""
        items = await self.outbox.claim(self.owner, self.clock(), self.lease, self.batch_size)
        if not items:
            return 0
        self._lease_until = {}
        self._blocked_users = set()
        by_conversation: dict[str, list[OutboxItem]] = {}
        for item in items:
            by_conversation.setdefault(item.conversation_id, []).append(item)
        gate = asyncio.Semaphore(self.concurrency)
        await asyncio.gather(*(self._conversation(queue, gate) for queue in by_conversation.values()))
        return len(items)

    async def extend_leases(self) -> int:
        """Heartbeat (call every lease/4 or so while a pass runs): keep the rows this sender holds leased, so a
        slow pass never lets another sender reclaim a row this one is about to send or is sending."""
        now = self.clock()
        until = now + self.lease
        ids = await self.outbox.extend(self.owner, now, until)
        for id in ids:
            self._lease_until[id] = until
        return len(ids)

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until `stop` is set; sleeps `idle_s` when nothing is due or the store failed."""
        while not stop.is_set():
            try:
                claimed = await self.run_once()
            except Exception:
                log.exception("notice outbox pass failed")
                claimed = 0
            if claimed == 0:
                await self.wait(stop, self.idle_s)

    async def _conversation(self, queue: list[OutboxItem], gate: asyncio.Semaphore) -> None:
        for item in queue:  # in order within one conversation
            while True:
                # Wait for the limiter without holding a slot, then count the send only once it can start
                # right away: a send counted early but started late would squeeze the next window.
                await self.limiter.ready(item.conversation_id)
                async with gate:
                    send = self.limiter.try_acquire(item.conversation_id, in_flight=True)
                    if send is None:
                        continue
                    try:
                        record = await self._send(item)
                    finally:
                        self.limiter.finish(send)  # the answer is back: the send stops being in flight
                    # The outcome's commit no longer holds a place in the limiter's windows, but it does hold
                    # the send slot: `concurrency` bounds how many notices can be accepted by the connector and
                    # not yet marked sent, i.e. how many a crash at the worst moment can send twice.
                    await record()
                break

    async def _send(self, item: OutboxItem) -> Callable[[], Awaitable[None]]:
        """Send one notice (no database write here); returns how to record its outcome."""
        assert item.lease_until is not None
        if item.user_id in self._blocked_users:  # blocked earlier in this batch: never send to them again
            return functools.partial(self._blocked, item)
        lease_until = self._lease_until.pop(item.id, item.lease_until)
        if not self.active or self.clock() >= lease_until - self.lease_margin:
            # Too late to send safely: another sender may reclaim it any moment. Hand it back unsent.
            return functools.partial(self._release, item)
        try:
            activity_id = await self._post(item)
        except DeliveryFailed as exc:  # HTTP answers and transport failures (status 0) alike
            return functools.partial(self._failed, item, exc)
        except Exception as exc:  # a bug or an unexpected answer: retry, dead-letter eventually
            log.exception("notice %s: unexpected send failure", item.idempotency_key)
            return functools.partial(self._retry, item, f"unexpected: {type(exc).__name__}: {exc}", None)
        return functools.partial(self._sent, item, activity_id)

    async def _post(self, item: OutboxItem) -> str:
        """Send the payload, or replace the activity it names in place; an activity that is gone (deleted, too
        old to edit) gets the payload as a new message instead."""
        replace = item.payload.get(REPLACE_KEY)
        body = outgoing(item.payload)
        if not isinstance(replace, str):
            return await self.sender.send(item.service_url, item.conversation_id, body, None)
        try:
            return await self.sender.update(item.service_url, item.conversation_id, replace, body)
        except DeliveryFailed as exc:
            if exc.status not in (400, 404):
                raise
        return await self.sender.send(item.service_url, item.conversation_id, body, None)

    async def _deliver(self, item: OutboxItem) -> None:
        """Send one notice and record the outcome (without the limiter: callers count the send)."""
        await (await self._send(item))()

    async def _blocked(self, item: OutboxItem) -> None:
        await self.outbox.mark_blocked(item.id, self.clock())
        self.stats["blocked"] += 1

    async def _release(self, item: OutboxItem) -> None:
        await self.outbox.release(item.id, self.owner, self.clock())
        self.stats["released"] += 1

    async def _sent(self, item: OutboxItem, activity_id: str) -> None:
        if not await self.outbox.mark_sent(item.id, self.owner, activity_id, self.clock()):
            log.warning("notice %s sent but lease was lost: it may be sent twice", item.idempotency_key)
        self.stats["sent"] += 1
        if self.on_sent is not None:
            result = self.on_sent(item, activity_id)
            if inspect.isawaitable(result):
                await result

    async def _failed(self, item: OutboxItem, exc: DeliveryFailed) -> None:
        if exc.blocked:
            self._blocked_users.add(item.user_id)
            await self.outbox.mark_blocked(item.id, self.clock())
            self.stats["blocked"] += 1
            log.info("notice %s: user blocked the bot; no more notices to them", item.idempotency_key)
            return
        error = f"HTTP {exc.status} {exc.code or ''}".strip()
        if not exc.retryable:
            await self.outbox.mark_dead(item.id, error, self.clock())
            self.stats["dead"] += 1
            log.warning("notice %s dead: %s", item.idempotency_key, error)
            return
        retry_after = getattr(exc, "retry_after", None)
        await self._retry(item, error, float(retry_after) if retry_after is not None else None)

    async def _retry(self, item: OutboxItem, error: str, retry_after: float | None) -> None:
        if item.attempts >= self.max_attempts:
            await self.outbox.mark_dead(item.id, f"{error} (after {item.attempts} attempts)", self.clock())
            self.stats["dead"] += 1
            log.warning("notice %s dead after %d attempts: %s", item.idempotency_key, item.attempts, error)
            return
        now = self.clock()
        await self.outbox.mark_retry(
            item.id, self.owner, error, now + self.backoff(item.attempts, retry_after), now
        )
        self.stats["retry"] += 1

    def backoff(self, attempt: int, retry_after: float | None = None) -> timedelta:
        """Retry-After when given, else equal-jitter exponential: [d/2, d) with d = base * 2**(attempt-1)."""
        if retry_after is not None:
            return timedelta(seconds=min(max(retry_after, 0.0), self.max_delay_s))
        ceiling = min(self.max_delay_s, self.base_delay_s * 2 ** max(attempt - 1, 0))
        return timedelta(seconds=ceiling / 2 + self.rng() * ceiling / 2)
