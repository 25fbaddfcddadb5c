"""retry.send timing with a fake clock/sleep; HTTP is httpx.MockTransport (wire level, no network)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import httpx
import pytest

from bot.graph.retry import RetryPolicy, retry_after_seconds, send


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def scripted(*answers: int | Exception | tuple[int, dict[str, str]]) -> tuple[httpx.AsyncClient, list[str]]:
    """A client whose transport answers `answers` in order (the last one repeats)."""
    seen: list[str] = []
    queue = list(answers)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("x-attempt", ""))
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(answer, Exception):
            raise answer
        status, headers = answer if isinstance(answer, tuple) else (answer, {})
        return httpx.Response(status, headers=headers, json={"status": status})

    return httpx.AsyncClient(transport=httpx.MockTransport(handler), base_url="http://127.0.0.1"), seen


def builder(client: httpx.AsyncClient) -> Callable[[], httpx.Request]:
    count = 0

    def build() -> httpx.Request:
        nonlocal count
        count += 1
        return client.build_request("GET", "/x", headers={"x-attempt": str(count)})

    return build


async def run(
    client: httpx.AsyncClient, policy: RetryPolicy, t: FakeTime, rng: float = 0.5
) -> httpx.Response:
    return await send(client, builder(client), policy, sleep=t.sleep, rng=lambda: rng, clock=t.clock)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("3", 3.0), ("0.05", 0.05), (" 2 ", 2.0), ("-4", 0.0), ("soon", None), ("", None), ("nan", None)],
)
def test_retry_after_seconds(value: str, expected: float | None) -> None:
    assert retry_after_seconds({"Retry-After": value}) == expected


def test_retry_after_http_date_and_absent() -> None:
    now = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)
    headers = httpx.Headers({"retry-after": "Sat, 01 Mar 2025 12:00:30 GMT"})
    assert retry_after_seconds(headers, now=lambda: now) == 30.0
    assert retry_after_seconds({"Retry-After": "Sat, 01 Mar 2025 11:00:00 GMT"}, now=lambda: now) == 0.0
    assert retry_after_seconds({}) is None
    assert retry_after_seconds(None) is None


async def test_honours_retry_after_then_succeeds() -> None:
    t = FakeTime()
    client, seen = scripted((429, {"Retry-After": "1.5"}), (503, {"Retry-After": "2"}), 200)
    async with client:
        r = await run(client, RetryPolicy(), t)
    assert r.status_code == 200 and seen == ["1", "2", "3"]  # a fresh request per attempt
    assert t.sleeps == [1.5, 2.0]


async def test_full_jitter_exponential_backoff_capped() -> None:
    t = FakeTime()
    client, _ = scripted(500, 502, 504, 503, 200)
    policy = RetryPolicy(max_attempts=5, budget_s=100, base_s=1.0, cap_s=3.0)
    async with client:
        r = await run(client, policy, t, rng=0.5)
    assert r.status_code == 200
    assert t.sleeps == [0.5, 1.0, 1.5, 1.5]  # 0.5 * min(3, 1 * 2**n)


async def test_gives_up_after_max_attempts_returning_last_response() -> None:
    t = FakeTime()
    client, seen = scripted(503)
    async with client:
        r = await run(client, RetryPolicy(max_attempts=3, budget_s=100), t)
    assert r.status_code == 503 and len(seen) == 3 and len(t.sleeps) == 2


async def test_never_sleeps_past_the_budget() -> None:
    t = FakeTime()
    client, seen = scripted((429, {"Retry-After": "4"}))
    async with client:
        r = await run(client, RetryPolicy(max_attempts=10, budget_s=10), t)
    assert r.status_code == 429
    assert t.sleeps == [4.0, 4.0] and len(seen) == 3  # a third wait would end at 12 s > 10 s
    assert sum(t.sleeps) <= 10


async def test_retry_after_longer_than_budget_returns_at_once() -> None:
    t = FakeTime()
    client, seen = scripted((429, {"Retry-After": "120"}), 200)
    async with client:
        r = await run(client, RetryPolicy(budget_s=10), t)
    assert r.status_code == 429 and t.sleeps == [] and len(seen) == 1


@pytest.mark.parametrize("status", [200, 400, 401, 403, 404, 409, 413])
async def test_other_statuses_are_not_retried(status: int) -> None:
    t = FakeTime()
    client, seen = scripted(status)
    async with client:
        r = await run(client, RetryPolicy(), t)
    assert r.status_code == status and len(seen) == 1 and t.sleeps == []


async def test_transport_errors_retried_then_reraised() -> None:
    t = FakeTime()
    client, seen = scripted(httpx.ReadError("reset"), httpx.ReadTimeout("slow"), 200)
    async with client:
        assert (await run(client, RetryPolicy(), t)).status_code == 200
    assert len(seen) == 3 and len(t.sleeps) == 2

    t = FakeTime()
    client, seen = scripted(httpx.ConnectError("refused"))
    async with client:
        with pytest.raises(httpx.ConnectError):
            await run(client, RetryPolicy(max_attempts=3), t)
    assert len(seen) == 3


async def test_non_transient_transport_error_not_retried() -> None:
    t = FakeTime()
    client, seen = scripted(httpx.UnsupportedProtocol("ftp"))
    async with client:
        with pytest.raises(httpx.UnsupportedProtocol):
            await run(client, RetryPolicy(), t)
    assert len(seen) == 1


def test_backoff_bounds() -> None:
    policy = RetryPolicy(base_s=0.25, cap_s=8.0)
    assert policy.backoff(0, lambda: 0.999) < 0.25
    assert policy.backoff(10, lambda: 0.999) < 8.0
    assert policy.backoff(3, lambda: 0.0) == 0.0
