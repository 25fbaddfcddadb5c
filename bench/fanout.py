"""Proactive fan-out: N drift notices through the durable outbox to a fake connector enforcing Teams' limits.

    python -m bench.fanout [--notices 5000]

The real `Outbox` (bot/store/outbox.py, SQLite file in a temp dir), `NoticeSender` and `TeamsRateLimiter`
(bot/services/notices.py), built exactly as bot/app.py builds them (`NoticeSender(outbox,
ConnectorSender(http, tokens, max_attempts=1), TeamsRateLimiter(), clock)`), deliver N notice cards, one per
user's 1:1 conversation, to `bench.teams_connector_proc` (the tests' ConnectorServer in its own process, rate
limits enforced: 50/s per app, 7/1 s ... per conversation; over a limit it answers 429 and records a
violation). The notices are queued before the clock starts; the clock runs from the sender's start until
every row left `pending`/`sending`. Bounded by `--timeout` (default N / 10 + 60 s) and N <= 20,000.

Prints: notices/s (goal >= 45/s; Teams' ceiling is 50/s per app and tenant) and the same as a ratio of the
ceiling, lost (queued but never accepted by the connector), duplicated (accepted twice), limit violations
(429s the connector had to answer), the outbox's final counts, and the busiest 1 s window the connector saw.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import cards
from bench.common import APP_ID, ROOT, TENANT_ID
from bot.graph.tokens import StaticTokenProvider
from bot.services.notices import NoticeSender, TeamsRateLimiter
from bot.store import Store
from bot.store.outbox import Outbox
from bot.teams.connector import ConnectorSender, connector_session

APP_CEILING = 50.0  # Teams: requests per second per app per tenant


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _notice(n: int, service_url: str, now: datetime) -> tuple[str, str, dict[str, Any]]:
    user = f"00000000-0000-4000-8000-{n:012d}"
    conversation = f"a:1bench{n:08d}"
    ctx = cards.CardContext(
        locale="en-US",
        tz=ZoneInfo("UTC"),
        now=now,
        demo=False,
        profile_edit_url=f"https://example.invalid/{n}",
    )
    card = cards.notice_card(ctx, user_id=user, photo_first_seen=now, sharepoint_refreshed=None)
    payload = {
        "type": "message",
        "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "content": card}],
        "summary": card.get("fallbackText", ""),
        "from": {"id": f"28:{APP_ID}", "name": "PhotoSync"},
        "conversation": {"id": conversation, "conversationType": "personal", "tenantId": TENANT_ID},
        "recipient": {"id": f"29:{user}", "aadObjectId": user},
        "channelId": "msteams",
        "serviceUrl": service_url,
    }
    return user, conversation, payload


async def run(notices: int, service_url: str, db: Path, timeout_s: float) -> dict[str, Any]:
    store = Store.from_url(f"sqlite+aiosqlite:///{db}")
    await store.open()
    http = connector_session(timeout_s=10.0)  # as bot/app.py builds it (minus the metrics hook)
    try:
        outbox = Outbox(store.engine)
        now = _utcnow()
        for n in range(1, notices + 1):
            user, conversation, payload = _notice(n, service_url, now)
            await outbox.enqueue(f"{user}:etag{n}", user, conversation, service_url, payload, now)
        sender = NoticeSender(  # as bot/app.py builds it (lease = PHOTOSYNC_LEASE_SECONDS default)
            outbox,
            ConnectorSender(http, StaticTokenProvider("bench"), max_attempts=1),
            TeamsRateLimiter(),
            _utcnow,
            owner="bench-replica",
            lease=timedelta(seconds=30),
        )
        stop = asyncio.Event()
        t0 = time.perf_counter()
        task = asyncio.create_task(sender.run(stop))
        deadline = t0 + timeout_s
        finished = 0
        while time.perf_counter() < deadline:
            await asyncio.sleep(0.05)
            finished = sender.stats["sent"] + sender.stats["dead"] + sender.stats["blocked"]
            if finished >= notices:
                break
        elapsed = time.perf_counter() - t0
        stop.set()
        await task
        return {"elapsed": elapsed, "stats": dict(sender.stats), "counts": await outbox.counts()}
    finally:
        await http.close()
        await store.close()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.fanout", description=__doc__.splitlines()[0])
    parser.add_argument("--notices", type=int, default=5000)
    parser.add_argument("--timeout", type=float, default=None, help="seconds (default notices / 10 + 60)")
    args = parser.parse_args()
    notices = max(1, min(args.notices, 20_000))
    timeout_s = args.timeout or notices / 10 + 60

    import os

    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_PROXY": "*", "no_proxy": "*"}
    connector = subprocess.Popen(
        [sys.executable, "-m", "bench.teams_connector_proc"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert connector.stdout is not None and connector.stdin is not None
        service_url = connector.stdout.readline().strip()
        with tempfile.TemporaryDirectory() as tmp:
            result = asyncio.run(run(notices, service_url, Path(tmp) / "outbox.db", timeout_s))
        connector.stdin.write("report\n")
        connector.stdin.flush()
        seen = json.loads(connector.stdout.readline())
    finally:
        if connector.poll() is None:
            connector.terminate()
        connector.wait(10)

    sent = result["stats"]["sent"]
    rate = sent / result["elapsed"]
    span = (seen["last_at"] - seen["first_at"]) if seen["accepted"] > 1 else 0.0
    server_rate = (seen["accepted"] - 1) / span if span else float("nan")
    pending = result["counts"]["pending"] + result["counts"]["sending"]
    lost = notices - seen["distinct"] - pending  # neither accepted by the connector nor still queued
    print(
        f"\n{notices} notices, one per 1:1 conversation; fake connector enforces 50/s per app + per-conversation limits"
    )
    print(f"delivery time      {result['elapsed']:8.1f} s (sender start -> every row sent/dead/blocked)")
    print(
        f"notices/s          {rate:8.1f}   = {100 * rate / APP_CEILING:.1f} % of the 50/s app ceiling (goal >= 45/s)"
    )
    print(
        f"connector-side     {server_rate:8.1f}/s between first and last accepted send; busiest 1 s window: {seen['max_per_1s']}"
    )
    print(f"lost               {lost:8d}   (neither accepted by the connector nor still in the outbox)")
    if pending:
        print(
            f"NOT FINISHED       {pending:8d}   still queued when the time bound ({timeout_s:g} s) ended the run"
        )
    print(f"duplicated         {seen['duplicates']:8d}")
    print(f"limit violations   {seen['status_429']:8d}   {seen['violations'] or ''}")
    print(f"other errors       {seen['other_errors']:8d}")
    print(f"sender stats       {result['stats']}")
    print(f"outbox counts      {result['counts']}")


if __name__ == "__main__":
    main()
