"""Steady open-loop load on a real bot process, with RSS and file-descriptor samples from /proc."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

from .procs import BotProcess, activity

DEMO_USERS = [
    "53d6c7d3-7bc7-4272-b9e3-4eb50bd7b23b",
    "005cb079-6306-45e8-9d30-96624b1bdd63",
    "23b90566-9297-4355-b479-c6e30e87b1f2",
    "10d477f1-5081-456a-a79f-752efb5453d5",
    "2e2d50d5-d303-48e0-a2e4-b2b1f354953c",
    "963c75d3-0f41-453b-96af-3c7c703a96fa",
    "61d3d9f0-9e5e-40d0-a7c0-6417b073717c",
    "ede3cab1-3da3-4a9e-b29b-52579e39f952",
    "eda2fc04-204e-43bf-9ee6-bad796071651",
    "de567967-bfef-48e7-bcdc-95bab6a08f07",
]
TEXTS = ["why is my photo old?", "waarom is mijn foto oud?", "help", "check megan@contoso.com"]


@dataclass
class LoadResult:
    sent: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    transport_errors: Counter[str] = field(default_factory=Counter)
    ok_ids: set[str] = field(default_factory=set)
    unanswered_ids: set[str] = field(default_factory=set)
    samples: list[tuple[float, float, int]] = field(default_factory=list)  # (t s, RSS MB, open fds)
    seconds: float = 0.0

    def merge(self, other: LoadResult, offset: float) -> None:
        self.sent += other.sent
        self.statuses.update(other.statuses)
        self.transport_errors.update(other.transport_errors)
        self.ok_ids |= other.ok_ids
        self.unanswered_ids |= other.unanswered_ids
        self.samples += [(t + offset, rss, fds) for t, rss, fds in other.samples]
        self.seconds += other.seconds

    @property
    def errors(self) -> int:
        return sum(n for s, n in self.statuses.items() if s != 200) + sum(self.transport_errors.values())

    def rss_slope_mb_per_min(self, skip_fraction: float = 0.3) -> float:
        """Least-squares slope of RSS over time, after the first `skip_fraction` (warm-up)."""
        points = self.samples[int(len(self.samples) * skip_fraction) :]
        if len(points) < 2:
            return 0.0
        n = len(points)
        mt = sum(p[0] for p in points) / n
        mr = sum(p[1] for p in points) / n
        var = sum((p[0] - mt) ** 2 for p in points)
        if var == 0:
            return 0.0
        return sum((p[0] - mt) * (p[1] - mr) for p in points) / var * 60

    def summary(self) -> dict[str, Any]:
        rss = [s[1] for s in self.samples]
        fds = [s[2] for s in self.samples]
        return {
            "seconds": round(self.seconds, 1),
            "sent": self.sent,
            "rate_per_s": round(self.sent / self.seconds, 1) if self.seconds else 0,
            "statuses": dict(self.statuses),
            "transport_errors": dict(self.transport_errors),
            "rss_mb_first_last_max": [round(rss[0], 1), round(rss[-1], 1), round(max(rss), 1)] if rss else [],
            "rss_slope_mb_per_min": round(self.rss_slope_mb_per_min(), 3),
            "fds_first_last_max": [fds[0], fds[-1], max(fds)] if fds else [],
        }


async def steady_load(
    bot: BotProcess,
    service_url: str,
    *,
    seconds: float,
    rate: float,
    sample_every: float = 1.0,
    stop: asyncio.Event | None = None,
    max_in_flight: int = 64,
    prefix: str = "soak",
) -> LoadResult:
    """Send `rate` activities per second (open loop) for `seconds`, or until `stop` is set."""
    result = LoadResult()
    ids = itertools.count(1)
    gate = asyncio.Semaphore(max_in_flight)
    tasks: set[asyncio.Task[None]] = set()
    started = time.monotonic()

    async def one(http: httpx.AsyncClient, n: int) -> None:
        user = DEMO_USERS[n % len(DEMO_USERS)]
        act_id = f"{prefix}-{n}"
        body = activity(service_url, user, TEXTS[n % len(TEXTS)], n=n, id=act_id)
        try:
            response = await http.post(f"{bot.base}/api/messages", json=body)
        except httpx.HTTPError as exc:
            result.transport_errors[type(exc).__name__] += 1
            result.unanswered_ids.add(act_id)
            return
        finally:
            gate.release()
        result.statuses[response.status_code] += 1
        if response.status_code == 200:
            result.ok_ids.add(act_id)

    async def sampler() -> None:
        while True:
            try:
                result.samples.append((time.monotonic() - started, bot.rss_mb(), bot.fd_count()))
            except (OSError, RuntimeError):
                return  # the process is gone
            await asyncio.sleep(sample_every)

    sampling = asyncio.create_task(sampler())
    limits = httpx.Limits(max_connections=max_in_flight, max_keepalive_connections=16)
    async with httpx.AsyncClient(trust_env=False, timeout=60, limits=limits) as http:
        tick = 1.0 / rate
        next_at = time.monotonic()
        while time.monotonic() - started < seconds and not (stop and stop.is_set()):
            await gate.acquire()
            n = next(ids)
            result.sent += 1
            task = asyncio.create_task(one(http, n))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            next_at += tick
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))
        if tasks:
            await asyncio.gather(*tasks)
    sampling.cancel()
    result.seconds = time.monotonic() - started
    return result


async def quiescent_fds(bot: BotProcess, settle_s: float = 0.5, rounds: int = 20) -> int:
    """Open fds once the count stops changing (connections closed by the client are reaped)."""
    last = bot.fd_count()
    for _ in range(rounds):
        await asyncio.sleep(settle_s)
        now = bot.fd_count()
        if now == last:
            return now
        last = now
    return last
