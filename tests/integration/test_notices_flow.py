"""Scan → outbox → the bot's own sender → the user's 1:1 chat: once per photo version, never after "stop"."""

from __future__ import annotations

from datetime import timedelta

from bot.demo.server import STATE
from bot.services.scan import DriftScanner

from .conftest import ADELE, MEGAN, TeamsWorld, actions, card_kind


async def scan_and_queue(world: TeamsWorld) -> object:
    runtime = world.runtime
    scanner = DriftScanner(
        runtime.graph, runtime.sharepoint, runtime.store, world.runtime.photos.clock, timedelta(hours=24)
    )
    assert runtime.demo_app is not None
    report = await scanner.scan([u.id for u in runtime.demo_app[STATE].tenant.users])
    return await runtime.notifier.enqueue(report)


async def test_drifted_user_gets_one_notice_in_their_chat(world: TeamsWorld) -> None:
    # Adele has talked to the bot (a stored 1:1 reference); Megan is in sync.
    await world.post(world.activity(ADELE, "hi"))
    await world.post(world.activity(MEGAN, "hi"))
    await world.connector.wait_for_activities(2)
    result = await scan_and_queue(world)
    assert result.queued == 1  # type: ignore[attr-defined]
    notices = await world.connector.wait_for_activities(3, timeout=15)
    notice = notices[2]
    assert notice.route == "send" and notice.conversation_id == f"a:personal;{ADELE}@thread.skype"
    card = notice.activity["attachments"][0]["content"]  # type: ignore[index]
    assert card_kind(card) == "notice"
    assert {"resyncPhoto", "stopNotices"} <= {a.get("verb") for a in actions(card)}
    # A second scan of the same photo version queues nothing.
    again = await scan_and_queue(world)
    assert again.queued == 0 and again.already_notified == 1  # type: ignore[attr-defined]
    counts = await world.runtime.outbox.counts()
    assert counts["sent"] == 1


async def test_opted_out_users_are_not_notified(world: TeamsWorld) -> None:
    await world.post(world.activity(ADELE, "stop"))
    await world.connector.wait_for_activities(1)
    result = await scan_and_queue(world)
    assert result.queued == 0 and result.opted_out == 1  # type: ignore[attr-defined]


async def test_users_without_a_chat_are_reported_unreachable(world: TeamsWorld) -> None:
    result = await scan_and_queue(world)
    assert result.queued == 0
    assert ADELE in result.unreachable  # type: ignore[attr-defined]


async def test_scheduled_scan_inside_the_bot_notifies_without_a_command(
    aiohttp_client: object, tmp_path: object, identity: object, connector: object
) -> None:
    import itertools
    from pathlib import Path
    from typing import Any

    from bot.app import create_app

    from .conftest import make_settings

    settings = make_settings(Path(str(tmp_path)), identity, PHOTOSYNC_SCAN_INTERVAL=0.01)  # type: ignore[arg-type]
    client = await aiohttp_client(create_app(settings, msal_http_client=identity.msal_session()))  # type: ignore[operator, attr-defined]
    world = TeamsWorld(client, identity, connector, itertools.count(1))  # type: ignore[arg-type]
    await world.post(world.activity(ADELE, "hi"))
    sent: Any = await world.connector.wait_for_activities(2, timeout=20)
    assert card_kind(sent[1].activity["attachments"][0]["content"]) == "notice"
