"""A fake `bot.clock` for tests: time moves only when the test moves it.

`FakeClock()` is a `Clock` (aware UTC); `fake.wait` is the matching `Wait` and `fake.sleep` a `sleep(seconds)`:
both park the calling task until the clock is advanced past their deadline (or, for `wait`, the event is set).
`fake.elapse` is a `sleep(seconds)` that moves the clock itself, for a single task that owns the clock.
`fake.monotonic` is a `Perf`/float clock on the same time line.

Driving it: `advance()`/`set()` move time and wake every parked task that is due; `await settle()` then waits
until every task that has ever waited on the clock is parked on it again or finished, so the next step starts
from a quiet system (a step never overtakes work still running from the last one, database round trips
included, whether the clock or an event woke it).
`run_until()` repeats steps until a condition holds, bounded in fake time and in real time (a hang guard).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@dataclass(eq=False)
class _Parked:
    deadline: datetime
    due: asyncio.Future[None]
    task: asyncio.Task[object] | None


def _delta(by: float | timedelta) -> timedelta:
    return by if isinstance(by, timedelta) else timedelta(seconds=by)


class FakeClock:
    def __init__(self, start: datetime = T0) -> None:
        if start.tzinfo is None:
            raise ValueError("a Clock is timezone-aware")
        self._now = start
        self._origin = start
        self._parked: list[_Parked] = []
        self._known: set[asyncio.Task[object]] = set()  # tasks that waited on the clock and are not done
        self._changed: list[asyncio.Future[None]] = []

    # ---- the clock the code under test reads
    def __call__(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        """Seconds since the clock's start: a float clock (`Perf`, limiter, retry budget) on the same time."""
        return (self._now - self._origin).total_seconds()

    async def wait(self, event: asyncio.Event, seconds: float) -> bool:
        """`bot.clock.Wait`: until `event` is set or the clock reaches now + seconds."""
        if event.is_set():
            return True
        if seconds <= 0:
            await asyncio.sleep(0)
            return event.is_set()
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        parked = _Parked(self._now + timedelta(seconds=seconds), loop.create_future(), task)
        if task is not None and task not in self._known:
            self._known.add(task)
            task.add_done_callback(self._task_done)
        self._parked.append(parked)
        self._notify()
        event_set = asyncio.ensure_future(event.wait())
        try:
            await asyncio.wait({parked.due, event_set}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            event_set.cancel()
            with contextlib.suppress(ValueError):
                self._parked.remove(parked)
            self._notify()
        return event.is_set()

    async def sleep(self, seconds: float) -> None:
        """An `asyncio.sleep` on this clock: returns once the clock is advanced `seconds` past now."""
        await self.wait(asyncio.Event(), seconds)

    async def elapse(self, seconds: float) -> None:
        """An `asyncio.sleep` for code that is the only one using the clock: it moves the clock itself."""
        self.advance(max(seconds, 0.0))
        await asyncio.sleep(0)

    # ---- the test's controls
    @property
    def elapsed(self) -> timedelta:
        return self._now - self._origin

    @property
    def parked(self) -> int:
        """Tasks waiting on the clock right now."""
        return len(self._parked)

    def advance(self, by: float | timedelta) -> datetime:
        """Move time forward by seconds or a timedelta, waking every task whose deadline is reached."""
        delta = _delta(by)
        if delta < timedelta(0):
            raise ValueError("time only moves forward; use set() to jump")
        return self.set(self._now + delta)

    def set(self, when: datetime) -> datetime:
        """Jump to `when` (aware), waking every task whose deadline is reached."""
        if when.tzinfo is None:
            raise ValueError("a Clock is timezone-aware")
        self._now = when
        for parked in list(self._parked):
            if parked.deadline <= when and not parked.due.done():
                parked.due.set_result(None)
                self._parked.remove(parked)  # running from now on, as far as settle() is concerned
        return when

    async def settle(self) -> None:
        """Wait until every task that ever waited on the clock is parked on it again or finished."""
        await asyncio.sleep(0)  # let tasks created or woken just now take their first step
        while self._running():
            await self._next_change()
        await asyncio.sleep(0)

    async def step(self, by: float | timedelta) -> None:
        self.advance(by)
        await self.settle()

    async def until_parked(self, n: int, *, real_timeout: float = 10.0) -> None:
        """Wait until at least `n` tasks wait on the clock (e.g. background loops have started)."""
        try:
            async with asyncio.timeout(real_timeout):
                while len(self._parked) < n:
                    await self._next_change()
        except TimeoutError:
            raise AssertionError(f"{len(self._parked)} task(s) wait on the clock, expected {n}") from None

    async def run_until(
        self,
        done: Callable[[], bool],
        what: str,
        *,
        step: float | timedelta = 0.1,
        within: float | timedelta = 600.0,
        real_timeout: float = 30.0,
    ) -> None:
        """Step the clock until `done()`. Fails if that takes more than `within` of fake time, or (a hang guard)
        more than `real_timeout` seconds of real time, e.g. a woken task that never parks again."""
        limit = self._now + _delta(within)
        try:
            async with asyncio.timeout(real_timeout):
                await self.settle()
                while not done():
                    assert self._now < limit, f"{what}: not within {_delta(within)} of fake time"
                    await self.step(step)
        except TimeoutError:
            raise AssertionError(
                f"{what}: not within {real_timeout}s of real time (fake clock at +{self.elapsed}; "
                f"not parked again: {[t.get_name() for t in self._running()]})"
            ) from None

    # ---- internals
    def _running(self) -> list[asyncio.Task[object]]:
        parked = {p.task for p in self._parked}
        me = asyncio.current_task()
        return [t for t in self._known if t not in parked and t is not me and not t.done()]

    def _task_done(self, task: asyncio.Task[object]) -> None:
        self._known.discard(task)
        self._notify()

    def _notify(self) -> None:
        changed, self._changed = self._changed, []
        for future in changed:
            if not future.done():
                future.set_result(None)

    async def _next_change(self) -> None:
        future = asyncio.get_running_loop().create_future()
        self._changed.append(future)
        await future
