"""Load: a steady rate on a real bot process (0 errors, RSS slope, open fds), and SIGTERM under load.

CI: PHOTOSYNC_SOAK_SECONDS (default 6) at PHOTOSYNC_SOAK_RATE (default 20/s); the full run: 600 s.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import FULL, size
from .holding import HoldingConnector
from .load import LoadResult, quiescent_fds, steady_load
from .procs import BotProcess


@pytest.mark.slow
async def test_steady_load_no_errors_flat_memory_no_fd_growth(
    tmp_path: Path, figures: Callable[..., None]
) -> None:
    seconds = size("PHOTOSYNC_SOAK_SECONDS", 6)
    rate = size("PHOTOSYNC_SOAK_RATE", 20)
    segments = 10 if seconds >= 300 else 2
    with (
        HoldingConnector() as connector,
        BotProcess(
            tmp_path,
            env={"PHOTOSYNC_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"},
            name="soak",
        ) as bot,
    ):
        bot.start()
        warm = await steady_load(bot, connector.url, seconds=3, rate=rate, prefix="warm")  # pools fill up
        assert warm.errors == 0, warm.summary()
        idle_fds = [await quiescent_fds(bot)]  # descriptors at rest after each segment
        result = LoadResult()
        offset = 0.0
        for k in range(segments):
            part = await steady_load(
                bot,
                connector.url,
                seconds=seconds / segments,
                rate=rate,
                sample_every=5.0 if seconds >= 300 else 0.5,
                prefix=f"s{k}",
            )
            result.merge(part, offset)
            offset += part.seconds
            idle_fds.append(await quiescent_fds(bot))
        replies = Counter(c.activity_id for c in connector.calls(route="reply") if 200 <= c.status < 300)
        assert bot.terminate() == 0
    summary = result.summary()
    figures(**summary, idle_fds_after_each_segment=idle_fds, full=FULL)
    assert result.errors == 0, summary
    assert result.statuses[200] == result.sent
    assert all(replies[i] == 1 for i in result.ok_ids)  # every turn answered, exactly once
    # no descriptor leak: at rest, the count stays within the bounded pools' jitter (outbound keep-alive
    # connections expire after 5 s, SQLite's pool holds up to 15 handles); a leak of one per turn would add
    # one per request sent (>= 100 here, thousands in the full run)
    assert idle_fds[-1] <= idle_fds[0] + 25 and idle_fds[-1] < idle_fds[0] + result.sent // 4, idle_fds
    if seconds >= 300:
        assert abs(summary["rss_slope_mb_per_min"]) < 1.0, summary
    assert "Traceback" not in bot.output()


@pytest.mark.slow
async def test_sigterm_under_load_loses_no_turn(tmp_path: Path, figures: Callable[..., None]) -> None:
    with (
        HoldingConnector() as connector,
        BotProcess(
            tmp_path,
            env={
                "PHOTOSYNC_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
                "PHOTOSYNC_DEMO_LATENCY_MS": "300",
            },  # turns take >= 300 ms: many are in flight at SIGTERM
            name="sigterm",
        ) as bot,
    ):
        bot.start()
        stop = asyncio.Event()
        load = asyncio.create_task(steady_load(bot, connector.url, seconds=30, rate=30, stop=stop))

        async def in_flight() -> None:
            while len(connector.calls(route="reply")) < 20:
                await asyncio.sleep(0.05)

        await asyncio.wait_for(in_flight(), 30)
        bot.proc.send_signal(15)  # type: ignore[union-attr]
        code = await asyncio.to_thread(bot.wait, 30)
        stop.set()
        result = await load
        replies = Counter(c.activity_id for c in connector.calls(route="reply") if 200 <= c.status < 300)
    assert code == 0
    assert 500 not in result.statuses and 503 not in result.statuses
    assert result.statuses[200] >= 20
    lost = [i for i in result.ok_ids if replies[i] != 1]
    assert lost == []  # every accepted turn (answered 200) got its reply, exactly once
    processed_unanswered = [i for i in result.unanswered_ids if replies[i]]
    figures(
        accepted_200=result.statuses[200],
        refused_after_sigterm=dict(result.transport_errors),
        lost_turns=len(lost),
        replied_but_response_lost=len(processed_unanswered),
        exit_code=code,
    )
    assert processed_unanswered == []
    assert "Traceback" not in bot.output()
