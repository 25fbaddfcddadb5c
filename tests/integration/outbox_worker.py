"""Child process for the outbox crash test: deliver notices from the outbox at DB_URL, one send at a time.

    python -m tests.integration.outbox_worker DB_URL OWNER LEASE_S CRASH_AFTER [SCHEMA]

With CRASH_AFTER > 0 it prints "CRASHPOINT" after that many notices were sent *and* marked sent, then hangs
(holding its other claimed rows) until the test SIGKILLs it, so the kill lands between two sends. With 0 it
delivers until nothing is pending or leased, prints "DONE <sent>" and exits.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import timedelta

from bot.services.notices import NoticeSender, TeamsRateLimiter
from bot.store import Store
from bot.store.outbox import Outbox, OutboxItem
from bot.teams.connector import ConnectorSender, connector_session


async def main(url: str, owner: str, lease_s: float, crash_after: int, schema: str | None) -> None:
    store = Store.from_url(url, schema=schema)
    outbox = Outbox(store.engine)
    sent = 0

    async def on_sent(item: OutboxItem, activity_id: str) -> None:
        nonlocal sent
        sent += 1
        if crash_after and sent == crash_after:
            print("CRASHPOINT", flush=True)
            await asyncio.Event().wait()  # hang, holding the claimed rows, until SIGKILLed

    async with connector_session(timeout_s=5.0) as http:
        sender = NoticeSender(
            outbox,
            ConnectorSender(http, None, max_attempts=1),
            TeamsRateLimiter(),
            owner=owner,
            lease=timedelta(seconds=lease_s),
            batch_size=5,
            concurrency=1,
            base_delay_s=0.05,
            idle_s=0.05,
            on_sent=on_sent,
        )
        while True:
            if await sender.run_once() == 0:
                counts = await outbox.counts()
                if counts["pending"] == 0 and counts["sending"] == 0:
                    break
                # Rows leased by the killed worker free up on the real clock: look again shortly (the test
                # bounds the whole run).
                await asyncio.sleep(0.05)
    await store.close()
    print(f"DONE {sent}", flush=True)


if __name__ == "__main__":
    schema = sys.argv[5] if len(sys.argv) > 5 else None
    asyncio.run(main(sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), schema))
