"""Time as an injected dependency.

Logic never reads the system time itself: it takes a `Clock` (aware UTC `datetime`s) and, where a loop waits
for time to pass, a `Wait`. Durations that are only measured (how long a scan took) come from a `Perf`
callable (seconds, monotonic). Production passes `system_clock`, `wait_event` and `time.perf_counter`; tests
pass a fake clock they advance instead of sleeping.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]
"""The current time, timezone-aware UTC."""

Perf = Callable[[], float]
"""Seconds on a monotonic scale, for measuring durations only (never compared across processes)."""

Wait = Callable[[asyncio.Event, float], Awaitable[bool]]
"""`await wait(event, seconds)`: return once `event` is set or `seconds` have passed on the clock that goes
with it; True when the event is set."""


def system_clock() -> datetime:
    return datetime.now(UTC)


async def wait_event(event: asyncio.Event, seconds: float) -> bool:
    """The system `Wait`: the event, or `seconds` of real time, whichever comes first."""
    if not event.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), max(seconds, 0.0))
    return event.is_set()
