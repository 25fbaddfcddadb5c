"""SIGKILL a real `python -m bot` process mid-work, restart it, and count: nothing lost, nothing duplicated.

Kills are deterministic, never timed: the fake connector *holds* requests, the demo Graph is slowed, and the
test waits for the exact state (rows sent, requests held, a schedule written) before it sends SIGKILL.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from bot.services.sync_links import SyncLinks
from bot.store import ConversationRecord, Store
from bot.store.outbox import Outbox, notice_outbox
from bot.store.sync_checks import SyncChecks
from bot.store.tables import sync_checks
from tests.fakes.connector import ConnectorServer

from .conftest import FULL
from .holding import HoldingConnector
from .procs import BotProcess, activity

# PHOTOSYNC_LEASE_SECONDS: the notice-sender / drift-scan replica leases and the outbox row leases. The dead
# process's leases really run out (no clock tricks): 3 s in CI, the production default 30 s in the full run.
LEASE_S = "30" if FULL else "3"


async def _until(check, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached within {timeout}s: {what}")
        await asyncio.sleep(0.05)


async def _seed(store: Store, outbox: Outbox, service_url: str, n: int) -> list[str]:
    now = datetime.now(UTC)
    keys = []
    for i in range(n):
        user, conv = f"user-{i:03d}", f"a:conv-{i:03d}"
        key = f"{user}:etag-{i}"
        await store.save_conversation(
            ConversationRecord(
                user_id=user,
                conversation_id=conv,
                conversation_type="personal",
                service_url=service_url,
                channel_id="msteams",
                tenant_id="t",
                bot_id="28:bot",
                locale="en-US",
                updated_at=now,
                reference={"conversation": {"id": conv}, "serviceUrl": service_url},
            )
        )
        assert await outbox.enqueue(key, user, conv, service_url, {"type": "message", "text": key}, now)
        keys.append(key)
    return keys


@pytest.mark.slow
@pytest.mark.parametrize("teams_kept_orphans", [False, True], ids=["orphans-lost", "orphans-delivered"])
async def test_bot_sigkilled_mid_notices_restarts_and_delivers_each_exactly_once(
    tmp_path: Path, teams_kept_orphans: bool, figures
) -> None:
    n, pass_first = 40, 12
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    store = Store.from_url(url)
    await store.open()
    outbox = Outbox(store.engine)
    env = {"PHOTOSYNC_DATABASE_URL": url, "PHOTOSYNC_LEASE_SECONDS": LEASE_S}
    with HoldingConnector(pass_first=pass_first, ack_orphans=teams_kept_orphans) as connector:
        keys = await _seed(store, outbox, connector.url, n)
        first = BotProcess(tmp_path, env=env, name="first")
        try:
            first.start()

            async def mid_run() -> bool:
                counts = await outbox.counts()
                return counts["sent"] == pass_first and connector.held >= 1

            await _until(mid_run, 30, "12 notices sent and committed, the next ones held in flight")
            await asyncio.sleep(0)  # (no timing: the state above is stable until the connector releases)
            in_flight = set(connector.held_keys)
            first.kill()  # SIGKILL: no shutdown hook runs
        finally:
            first.stop()
        await _until(
            lambda: _true(connector.orphaned == len(in_flight)), 10, "connector saw the sockets close"
        )
        connector.release()
        at_kill = await outbox.counts()
        assert at_kill["sent"] == pass_first and at_kill["sending"] >= len(in_flight)  # died holding leases
        assert at_kill["sending"] + at_kill["pending"] == n - pass_first

        second = BotProcess(tmp_path, env=env, name="second")
        try:
            second.start()
            await _until(lambda: _sent_all(outbox, n), 60, "every notice sent after the restart")
            assert second.terminate() == 0
        finally:
            second.stop()

        delivered = Counter(c.text for c in connector.activities() if c.route == "send")
        duplicates = {k: v for k, v in delivered.items() if v > 1}
        if teams_kept_orphans:
            # The one residual window (bot/store/outbox.py): Teams accepted a send whose 201 the dead process
            # never recorded. Exactly those are sent again; nothing else is.
            assert set(duplicates) == in_flight and all(v == 2 for v in duplicates.values())
        else:
            assert duplicates == {}
        assert set(delivered) == set(keys)  # nothing lost
    final = await outbox.counts()
    await store.close()
    assert final["sent"] == n and final["sending"] == final["pending"] == final["dead"] == 0
    assert "Traceback" not in first.output() + second.output()
    figures(
        notices=n,
        committed_before_kill=pass_first,
        in_flight_at_kill=len(in_flight),
        delivered_once=sum(1 for v in delivered.values() if v == 1),
        delivered_twice=len(duplicates),
        teams_kept_orphans=teams_kept_orphans,
        lease_s=float(LEASE_S),
    )


async def _true(value: bool) -> bool:
    return value


async def _sent_all(outbox: Outbox, n: int) -> bool:
    return (await outbox.counts())["sent"] == n


ADELE = "53d6c7d3-7bc7-4272-b9e3-4eb50bd7b23b"  # demo tenant: SharePoint stale, the sync link offered


LINK_SECRET = "crash-test-link-secret-0123456789abcdef"


@pytest.mark.slow
async def test_bot_sigkilled_after_a_sync_start_keeps_one_schedule_and_tells_the_user_once(
    tmp_path: Path, figures
) -> None:
    """The user opens their sync link; the bot is SIGKILLed before its first check. The schedule is in the
    database: after the restart the user opens the link again (one schedule, not two), the next check sees
    SharePoint's new picture and the user hears it once."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    store = Store.from_url(url)
    await store.open()
    token = SyncLinks(LINK_SECRET.encode(), lambda: datetime.now(UTC)).token(ADELE)
    env = {
        "PHOTOSYNC_DATABASE_URL": url,
        "PHOTOSYNC_LINK_SECRET": LINK_SECRET,
        "PHOTOSYNC_DEMO_SYNC_SECONDS": "1",
        "PHOTOSYNC_LEASE_SECONDS": LEASE_S,  # the dead process's sync-checks lease runs out for real
    }
    checks = SyncChecks(store.engine)
    with ConnectorServer() as connector:
        first = BotProcess(tmp_path, env=env, name="sync-first")
        try:
            first.start()
            async with httpx.AsyncClient(trust_env=False, timeout=60) as http:
                said = await http.post(
                    f"{first.base}/api/messages", json=activity(connector.url, ADELE, "hi")
                )
                assert said.status_code == 200  # Adele's 1:1 conversation is on record
                opened = await http.get(f"{first.base}/sync/{token}")
                assert opened.status_code == 302
            first_start = await checks.get(ADELE)
            assert first_start is not None and first_start.status == "checking"
            first.kill()  # before its first check (PHOTOSYNC_DEMO_SYNC_SECONDS + 2 s after the start)
        finally:
            first.stop()

        second = BotProcess(tmp_path, env=env, name="sync-second")
        try:
            second.start()
            async with httpx.AsyncClient(trust_env=False, timeout=60, follow_redirects=True) as browser:
                shown = await browser.get(f"{second.base}/sync/{token}")  # on to this process's SharePoint
                assert shown.status_code == 200 and shown.headers["content-type"].startswith("image/")
            conversation = f"a:personal;{ADELE}"

            def outcomes() -> list[str]:
                cards = [
                    c.activity["attachments"][0]["content"]["body"][0]["id"]
                    for c in connector.calls(conversation_id=conversation)
                    if c.activity and c.activity.get("attachments")
                ]
                return [kind for kind in cards if kind.startswith("sync-")]

            async def told() -> bool:
                return outcomes() != []

            await _until(told, 60, "the sync outcome in Adele's chat")
            assert second.terminate() == 0
        finally:
            second.stop()
        assert outcomes() == ["sync-fixed"]
    async with store.engine.connect() as conn:
        rows = (await conn.execute(sa.select(sync_checks))).mappings().all()
    trail = await store.audit_trail(target_id=ADELE)
    await store.close()
    assert [(r["user_id"], r["status"]) for r in rows] == [(ADELE, "fixed")]  # one schedule, restarted once
    assert [(r.action, r.outcome) for r in trail] == [
        ("sync_start", "redirected"),
        ("sync_start", "redirected"),
        ("sync_check", "fixed"),
    ]
    assert "Traceback" not in first.output() + second.output()
    figures(audit=[f"{r.action}:{r.outcome}" for r in trail])


@pytest.mark.slow
async def test_scan_sigkilled_mid_run_resumes_and_queues_each_notice_once(tmp_path: Path, figures) -> None:
    from bot.demo.tenant import DemoTenant

    ids = [u.id for u in DemoTenant.load(None, now=datetime.now(UTC)).users]

    async def prepared(name: str) -> tuple[str, Store]:
        url = f"sqlite+aiosqlite:///{tmp_path / name}"
        store = Store.from_url(url)
        await store.open()
        now = datetime.now(UTC)
        for uid in ids:  # everyone has a 1:1 chat with the bot, so every drifted user gets a notice
            await store.save_conversation(
                ConversationRecord(
                    uid,
                    f"a:{uid}",
                    "personal",
                    "http://127.0.0.1:9/",
                    "msteams",
                    "t",
                    "28:bot",
                    "en-US",
                    now,
                    {"conversation": {"id": f"a:{uid}"}},
                )
            )
        return url, store

    async def queued(store: Store) -> list[str]:
        async with store.engine.connect() as conn:
            rows = (await conn.execute(notice_outbox.select())).mappings().all()
        return sorted(r["idempotency_key"] for r in rows)

    # reference: one uninterrupted scan
    ref_url, ref_store = await prepared("reference.db")
    ref = BotProcess(tmp_path, env={"PHOTOSYNC_DATABASE_URL": ref_url}, args=("scan",), name="scan-ref")
    try:
        assert ref.start(wait_ready=False).wait(120) == 0
    finally:
        ref.stop()
    expected = await queued(ref_store)
    await ref_store.close()
    assert expected, "the demo tenant has drifted users"

    url, store = await prepared("killed.db")
    from bot.store.scan_checkpoint import scan_results

    env = {
        "PHOTOSYNC_DATABASE_URL": url,
        "PHOTOSYNC_DEMO_LATENCY_MS": "400",
        "PHOTOSYNC_LEASE_SECONDS": LEASE_S,
    }
    first = BotProcess(tmp_path, env=env, args=("scan",), name="scan-first")
    try:
        first.start(wait_ready=False)

        async def part_done() -> bool:
            async with store.engine.connect() as conn:
                done = len((await conn.execute(scan_results.select())).all())
            return 0 < done < len(ids)

        await _until(part_done, 60, "the scan part-way through")
        first.kill()
    finally:
        first.stop()
    busy = 0
    for attempt in range(20):  # exit 3 = the dead scan's drift-scan lease has not run out yet: try again
        second = BotProcess(
            tmp_path,
            env={"PHOTOSYNC_DATABASE_URL": url, "PHOTOSYNC_LEASE_SECONDS": LEASE_S},
            args=("scan",),
            name=f"scan-second-{attempt}",
        )
        try:
            code = second.start(wait_ready=False).wait(120)
        finally:
            second.stop()
        if code != 3:
            break
        busy += 1
        await asyncio.sleep(float(LEASE_S) / 2)
    assert code == 0
    got = await queued(store)
    await store.close()
    assert got == expected  # nothing lost, nothing queued twice
    assert "Traceback" not in first.output() + second.output()
    figures(drifted_notices=len(expected), queued_after_kill_and_resume=len(got), refused_while_leased=busy)
