"""The injected clock (bot.clock), the tests' FakeClock, and a cache that reads the clock (the helpdesk
membership TTL): time moves only when a test moves it."""

from __future__ import annotations

import asyncio
from datetime import UTC, timedelta

import pytest

from bot.clock import system_clock, wait_event
from bot.domain.model import UserProfile
from bot.graph import GraphUnavailable
from bot.services.helpdesk import MEMBERSHIP_FAILURE_TTL, MEMBERSHIP_TTL, HelpdeskPolicy
from tests.clock import T0, FakeClock


def test_system_clock_is_aware_utc() -> None:
    assert system_clock().tzinfo is UTC


async def test_wait_event_returns_at_once_when_the_event_is_set_or_no_time_is_left() -> None:
    event = asyncio.Event()
    assert await wait_event(event, 0) is False
    event.set()
    assert await wait_event(event, 3600) is True


async def test_fake_wait_resolves_when_the_clock_passes_the_deadline() -> None:
    clock = FakeClock()
    event = asyncio.Event()
    waiter = asyncio.create_task(clock.wait(event, 10))
    await clock.until_parked(1)
    await clock.step(9.9)
    assert not waiter.done() and clock.parked == 1
    await clock.step(0.1)
    assert waiter.done() and waiter.result() is False
    assert clock() == T0 + timedelta(seconds=10) and clock.monotonic() == 10.0


async def test_fake_wait_resolves_when_the_event_is_set() -> None:
    clock = FakeClock()
    event = asyncio.Event()
    waiter = asyncio.create_task(clock.wait(event, 10))
    await clock.until_parked(1)
    event.set()
    assert await waiter is True
    assert clock.parked == 0 and clock() == T0


async def test_settle_waits_for_woken_tasks_to_park_again() -> None:
    clock = FakeClock()
    ticks: list[float] = []
    stop = asyncio.Event()

    async def loop() -> None:
        while not await clock.wait(stop, 1.0):
            await asyncio.sleep(0)  # other work between two waits (a database round trip, say)
            ticks.append(clock.monotonic())

    task = asyncio.create_task(loop())
    await clock.until_parked(1)
    for _ in range(3):
        await clock.step(1.0)
    assert ticks == [1.0, 2.0, 3.0]
    stop.set()
    await task


async def test_run_until_fails_clearly_past_its_fake_time_bound() -> None:
    clock = FakeClock()
    with pytest.raises(AssertionError, match="never: not within 0:00:05 of fake time"):
        await clock.run_until(lambda: False, "never", step=1.0, within=5)


def test_set_and_advance_take_seconds_or_timedeltas() -> None:
    clock = FakeClock()
    clock.advance(1.5)
    clock.advance(timedelta(minutes=1))
    assert clock.elapsed == timedelta(seconds=61.5)
    clock.set(T0 + timedelta(days=1))
    assert clock() == T0 + timedelta(days=1)
    with pytest.raises(ValueError):
        clock.advance(-1)


class Graph:
    def __init__(self) -> None:
        self.calls = 0
        self.failing = False
        self.groups: set[str] = {"helpdesk"}

    async def get_user(self, user_id: str) -> UserProfile:
        return UserProfile(id=user_id, display_name="U", upn="u@contoso.com", user_type="Member")

    async def member_of(self, user_id: str, group_ids: list[str]) -> set[str]:
        self.calls += 1
        if self.failing:
            raise GraphUnavailable("down")
        return self.groups & set(group_ids)


async def test_helpdesk_membership_is_cached_for_its_ttl_on_the_injected_clock() -> None:
    clock = FakeClock()
    graph = Graph()
    policy = HelpdeskPolicy(graph, "helpdesk", clock=clock)  # type: ignore[arg-type]
    assert await policy.is_helpdesk("u1")
    graph.groups = set()  # removed from the group: the cached answer stands until it expires
    clock.advance(MEMBERSHIP_TTL - timedelta(seconds=1))
    assert await policy.is_helpdesk("u1") and graph.calls == 1
    clock.advance(timedelta(seconds=1))
    assert not await policy.is_helpdesk("u1") and graph.calls == 2
    # a failed check fails closed and is retried soon
    graph.failing = True
    clock.advance(MEMBERSHIP_TTL)
    assert not await policy.is_helpdesk("u1") and graph.calls == 3
    graph.failing, graph.groups = False, {"helpdesk"}
    clock.advance(MEMBERSHIP_FAILURE_TTL - timedelta(seconds=1))
    assert not await policy.is_helpdesk("u1") and graph.calls == 3
    clock.advance(timedelta(seconds=1))
    assert await policy.is_helpdesk("u1") and graph.calls == 4
