"""Scan → outbox → the bot's own sender → the user's 1:1 chat: once per photo version, never after "stop"."""

from __future__ import annotations

from datetime import timedelta

from bot.demo.server import STATE
from bot.domain.drift import DriftState
from bot.services.scan import DriftScanner
from bot.store.outbox import notice_outbox
from tests.cardtools import card_actions

from .conftest import ADELE, DIEGO, JOHANNA, MEGAN, TeamsWorld, actions, card_kind, card_text


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
    assert {a.get("verb") for a in actions(card)} & {"resyncPhoto", "stopNotices"} == {"stopNotices"}
    # its main button starts SharePoint's sync (a week-long link: notices are read late), both pictures shown
    main = card_actions(card)[0]
    assert main["type"] == "Action.OpenUrl" and "/sync/" in main["url"]
    token = main["url"].rsplit("/", 1)[1]
    assert world.runtime.sync.links.user(token) == ADELE
    assert (
        int(token.split(".")[1]) - world.runtime.sync.clock().timestamp() > timedelta(days=6).total_seconds()
    )
    assert {b.get("id") for b in card["body"]} >= {"pictures", "evidence"}
    # A second scan of the same photo version queues nothing.
    again = await scan_and_queue(world)
    assert again.queued == 0 and again.already_notified == 1  # type: ignore[attr-defined]
    counts = await world.runtime.outbox.counts()
    assert counts["sent"] == 1
    # The ledger row tells the whole story: SharePoint's copy, the verdict, and the notice delivered.
    assert world.runtime.demo_app is not None
    adele = next(u for u in world.runtime.demo_app[STATE].tenant.users if u.id == ADELE)
    entry = await world.runtime.store.ledger_entry(ADELE)
    assert entry is not None and adele.photo is not None
    assert entry.drift_state == DriftState.DRIFT.value and entry.checked_at is not None
    assert adele.sharepoint.picture_timestamp is not None
    assert entry.sharepoint_refreshed_at == adele.sharepoint.picture_timestamp.replace(microsecond=0)
    assert entry.notified_etag == adele.photo.etag and entry.notified_at is not None
    # Outbox rows may be purged (retention): the ledger alone still prevents a second notice.
    async with world.runtime.store.engine.begin() as conn:
        await conn.execute(notice_outbox.delete())
    third = await scan_and_queue(world)
    assert third.queued == 0 and third.already_notified == 1  # type: ignore[attr-defined]
    # Adele opens the notice's link: the notice itself turns into "SharePoint is fetching your photo"
    assert (await world.client.get(f"/sync/{token}", allow_redirects=False)).status == 302
    (update,) = [c for c in await world.connector.wait_for_activities(4, timeout=15) if c.route == "update"]
    assert (update.conversation_id, update.activity_id) == (notice.conversation_id, notice.response["id"])
    assert card_kind(update.activity["attachments"][0]["content"]) == "sync-checking"  # type: ignore[index]
    assert not [key for key in update.activity if key.startswith("photosync.")]  # bookkeeping never leaves


async def test_users_sharepoint_cannot_sync_get_no_notice(world: TeamsWorld) -> None:
    """Profile not imported yet / SharePoint not pulling from Exchange: starting the sync cannot help, so no notice
    (the scan report lists them for the helpdesk), even for users with a chat and a long-stale copy."""
    for user in (JOHANNA, DIEGO):
        await world.post(world.activity(user, "hi"))
    await world.connector.wait_for_activities(2)
    result = await scan_and_queue(world)
    assert result.queued == 0 and result.not_syncing == 2  # type: ignore[attr-defined]
    for user in (JOHANNA, DIEGO):
        entry = await world.runtime.store.ledger_entry(user)
        assert entry is not None and entry.drift_state == DriftState.NOT_SYNCING.value


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


async def test_a_notice_tells_time_in_the_users_own_time_zone(world: TeamsWorld) -> None:
    """Times on a notice are in the zone of the user's last activity (`localTimezone`), else PHOTOSYNC_TIMEZONE."""
    await world.post(world.activity(ADELE, "hi", localTimezone="Europe/Amsterdam"))
    await world.connector.wait_for_activities(1)
    record = await world.runtime.store.personal_conversation(ADELE)
    assert record is not None and record.timezone == "Europe/Amsterdam"
    assert (await scan_and_queue(world)).queued == 1  # type: ignore[attr-defined]
    notice = (await world.connector.wait_for_activities(2, timeout=15))[1]
    text = card_text(notice.activity["attachments"][0]["content"])  # type: ignore[index]
    assert "today at" in text or "yesterday at" in text or " at " in text
    assert "UTC" not in text  # Amsterdam's clock, not the organisation's default UTC


async def test_an_unknown_time_zone_is_not_stored(world: TeamsWorld) -> None:
    await world.post(world.activity(ADELE, "hi", localTimezone="Mars/Olympus_Mons"))
    await world.connector.wait_for_activities(1)
    record = await world.runtime.store.personal_conversation(ADELE)
    assert record is not None and record.timezone is None
