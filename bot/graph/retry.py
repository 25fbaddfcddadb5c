"""Retrying Graph/SharePoint requests: 429/5xx and transport errors, Retry-After first, else full-jitter
exponential backoff, always within a time budget. The final response is returned for the caller to judge.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC
from email.utils import parsedate_to_datetime

import httpx

from bot.clock import Clock, system_clock

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# Transport errors worth another attempt (not UnsupportedProtocol/LocalProtocolError: those repeat).
RETRY_ERRORS: tuple[type[Exception], ...] = (
    httpx.TimeoutException,
    httpx.NetworkError,
    httpx.RemoteProtocolError,
    httpx.ProxyError,
)

Sleep = Callable[[float], Awaitable[object]]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 4  # total attempts, the first included
    budget_s: float = 10.0  # no sleep may end later than this after the first attempt started
    base_s: float = 0.25
    cap_s: float = 8.0

    def backoff(self, retry: int, rng: Callable[[], float] = random.random) -> float:
        """Full jitter: uniform in [0, min(cap, base * 2**retry)); `retry` counts from 0."""
        return rng() * min(self.cap_s, self.base_s * (2**retry))


def retry_after_seconds(
    headers: Mapping[str, str] | httpx.Headers | None, now: Clock = system_clock
) -> float | None:
    """`Retry-After` in seconds (delta-seconds, fractions allowed, or an HTTP-date); None if absent/bad."""
    if not headers:
        return None
    h = headers if isinstance(headers, httpx.Headers) else httpx.Headers(dict(headers))
    raw = h.get("Retry-After")
    if raw is None or not raw.strip():
        return None
    raw = raw.strip()
    try:
        seconds = float(raw)
    except ValueError:
        try:
            when = parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - now()).total_seconds()
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


def is_retryable(response: httpx.Response) -> bool:
    return response.status_code in RETRY_STATUSES


class Slot:
    """A place in a caller's semaphore (e.g. the drift scan's 4 photo requests), held while a request is in
    flight or waiting to be retried, and given back as soon as the final answer's headers have arrived: the
    server is done with the request then, so reading and parsing the body need no place. Owned by one call:
    `take` and `give` are idempotent, and the owner gives it back in a `finally`."""

    __slots__ = ("_held", "_semaphore")

    def __init__(self, semaphore: asyncio.Semaphore | None) -> None:
        self._semaphore = semaphore
        self._held = False

    async def take(self) -> None:
        if self._semaphore is not None and not self._held:
            await self._semaphore.acquire()
            self._held = True

    def give(self) -> None:
        if self._semaphore is not None and self._held:
            self._held = False
            self._semaphore.release()


async def send(
    client: httpx.AsyncClient,
    build: Callable[[], httpx.Request] | httpx.Request,
    policy: RetryPolicy | None = None,
    *,
    sleep: Sleep = asyncio.sleep,
    rng: Callable[[], float] = random.random,
    clock: Callable[[], float] = time.monotonic,
    now: Clock = system_clock,
    slot: Slot | None = None,
) -> httpx.Response:
    """Send `build()` (a fresh request per attempt) until it is not retryable, attempts run out, or the next
    wait would overrun the budget. Returns the last response (body read); re-raises the last transport error.
    With a `slot`, each attempt is sent holding it, it stays held while waiting to retry, and it is given back
    once a response that will not be retried has its headers (its body is read after). `clock` measures the
    budget; `now` dates an HTTP-date Retry-After."""
    policy = policy or RetryPolicy()
    deadline = clock() + policy.budget_s
    attempt = 0
    while True:
        attempt += 1
        request = build() if callable(build) else build
        response: httpx.Response | None = None
        error: Exception | None = None
        try:
            if slot is None:
                response = await client.send(request)
            else:
                response = await _send_in_slot(client, request, slot)
        except RETRY_ERRORS as exc:
            error = exc
        if response is not None and not is_retryable(response):
            return response
        delay = retry_after_seconds(response.headers, now) if response is not None else None
        if delay is None:
            delay = policy.backoff(attempt - 1, rng)
        remaining = deadline - clock()
        if attempt >= policy.max_attempts or delay > remaining:
            if error is not None:
                raise error
            assert response is not None
            return response
        what = f"HTTP {response.status_code}" if response is not None else type(error).__name__
        log.info(
            "retrying %s %s after %s in %.2fs (attempt %d)",
            request.method,
            request.url.path,
            what,
            delay,
            attempt,
        )
        if slot is not None:
            await slot.take()  # a failed body read gave it back: wait to retry holding it, as before
        await sleep(delay)


async def _send_in_slot(client: httpx.AsyncClient, request: httpx.Request, slot: Slot) -> httpx.Response:
    """`client.send(request)` holding `slot` until the answer's headers (same hooks, timeouts and errors:
    httpx reads the body of a non-streamed response the same way, after the response hooks)."""
    await slot.take()
    response = await client.send(request, stream=True)
    try:
        if not is_retryable(response):
            slot.give()
        await response.aread()
    finally:
        await response.aclose()
    return response
