"""The one-click sync: the diagnosis card's main button opens a signed link on the bot, which sends the user's
browser to their own large photo in SharePoint; in the demo, SharePoint then refreshes the picture, and the
next check shows the same picture in both places."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from bot.app import create_app
from tests.cardtools import block_text, card_actions, card_text
from tests.clock import FakeClock
from tests.fakes.connector import ConnectorServer
from tests.fakes.identity import IdentityServer

from .conftest import ADELE, MEGAN, TeamsWorld, make_settings
from .test_helpdesk import PATTI, ask, channel_message


async def _world(
    aiohttp_client: Any, tmp_path: Path, identity: IdentityServer, connector: ConnectorServer, **env: Any
) -> TeamsWorld:
    settings = make_settings(tmp_path, identity, PHOTOSYNC_PUBLIC_URL="https://bot.contoso.example", **env)
    client = await aiohttp_client(create_app(settings, msal_http_client=identity.msal_session()))
    return TeamsWorld(client, identity, connector, itertools.count(1))


async def _diagnose(world: TeamsWorld, user: str, n: int) -> dict[str, Any]:
    body = world.activity(user, "why is my photo old?")
    assert (await world.post(body)).status == 200
    return await world.reply_card(n=n)


async def test_the_link_starts_the_sync_and_the_next_check_sees_it(
    aiohttp_client: Any, tmp_path: Path, identity: IdentityServer, connector: ConnectorServer
) -> None:
    world = await _world(
        aiohttp_client,
        tmp_path,
        identity,
        connector,
        PHOTOSYNC_DEMO_SYNC_SECONDS="0.2",
        PHOTOSYNC_PROFILE_CACHE_SECONDS="0",
    )
    card = await _diagnose(world, ADELE, 1)
    main = card_actions(card)[0]
    assert main["type"] == "Action.OpenUrl" and main["title"] == "Refresh my photo in SharePoint"
    link = urlsplit(main["url"])
    assert (link.scheme, link.netloc) == ("https", "bot.contoso.example") and link.path.startswith("/sync/")
    # the user's browser opens it: a redirect to their own large photo on the tenant's SharePoint, nowhere else
    response = await world.client.get(link.path, allow_redirects=False)
    assert response.status == 302
    target = urlsplit(response.headers["Location"])
    sharepoint = urlsplit(world.runtime.backend.sharepoint_url)
    assert (target.scheme, target.netloc) == (sharepoint.scheme, sharepoint.netloc)
    assert target.path.endswith("/_layouts/15/userphoto.aspx")
    query = parse_qs(target.query)
    assert query["size"] == ["L"] and query["accountname"][0].lower() == "adelev@contoso.onmicrosoft.com"
    trail = [
        (r.actor_id, r.action, r.outcome) for r in await world.runtime.store.audit_trail(target_id=ADELE)
    ]
    assert trail == [(ADELE, "sync_start", "redirected")]
    # the browser requests the photo (no app token): the demo SharePoint refreshes it a moment later
    async with httpx.AsyncClient(trust_env=False) as browser:
        assert (await browser.get(response.headers["Location"])).status_code == 200
    deadline = time.monotonic() + 10  # hang guard: the demo refreshes after 0.2 s
    while True:
        after = await _diagnose(world, ADELE, len(world.connector.calls()) + 1)
        if _same_picture(after):
            break
        assert time.monotonic() < deadline, "SharePoint never showed the new photo"
        await asyncio.sleep(0.2)
    assert after["body"][0]["id"] == "diagnosis"
    assert not any("/sync/" in a.get("url", "") for a in card_actions(after))  # nothing left to start


def _same_picture(card: dict[str, Any]) -> bool:
    return any(b.get("id") == "evidence" and "same picture" in str(b) for b in card["body"])


async def test_no_link_where_it_cannot_help_or_for_someone_else(
    aiohttp_client: Any, tmp_path: Path, identity: IdentityServer, connector: ConnectorServer
) -> None:
    world = await _world(aiohttp_client, tmp_path, identity, connector)
    card = await _diagnose(world, MEGAN, 1)  # in sync
    assert not any("/sync/" in a.get("url", "") for a in card_actions(card))


async def test_a_changed_or_unknown_link_is_gone_and_redirects_nowhere(
    aiohttp_client: Any, tmp_path: Path, identity: IdentityServer, connector: ConnectorServer
) -> None:
    world = await _world(aiohttp_client, tmp_path, identity, connector)
    token = world.runtime.sync.links.token(ADELE)
    for path in (f"/sync/{token[:-2]}xx", "/sync/https:%2F%2Fevil.example", f"/sync/{token}.extra"):
        response = await world.client.get(path, allow_redirects=False)
        assert response.status == 410 and "Location" not in response.headers
    assert await world.runtime.store.audit_trail() == []


async def test_typing_sync_my_photo_gets_the_cards_decision_and_changes_nothing(
    aiohttp_client: Any, tmp_path: Path, identity: IdentityServer, connector: ConnectorServer
) -> None:
    world = await _world(aiohttp_client, tmp_path, identity, connector)
    for n, (user, text) in enumerate([(MEGAN, "re-sync my photo"), (ADELE, "sync my photo")], start=1):
        assert (await world.post(world.activity(user, text))).status == 200
        card = await world.reply_card(n=n)
        assert card["body"][0]["id"] == "diagnosis"
        offered = any("/sync/" in a.get("url", "") for a in card_actions(card))
        assert offered is (user == ADELE)  # Megan is in sync: nothing to start
    assert world.graph_state.counters.photo_puts == {}  # nothing was uploaded
    assert await world.runtime.store.audit_trail() == []


async def test_after_the_start_the_bot_checks_until_sharepoint_shows_the_photo(
    aiohttp_client: Any, tmp_path: Path, identity: IdentityServer, connector: ConnectorServer
) -> None:
    """Ask, click, and the bot looks again on its schedule: the card that offered the sync turns into "SharePoint
    is fetching your photo", then into "SharePoint now shows your new photo" with both pictures, in place and
    once; the schedule is in the database and ends there."""
    clock = FakeClock(datetime.now(UTC).replace(microsecond=0))
    settings = make_settings(
        tmp_path,
        identity,
        PHOTOSYNC_PUBLIC_URL="https://bot.contoso.example",
        PHOTOSYNC_DEMO_SYNC_SECONDS="0",
        PHOTOSYNC_PROFILE_CACHE_SECONDS="0",
    )
    client = await aiohttp_client(create_app(settings, clock=clock, msal_http_client=identity.msal_session()))
    world = TeamsWorld(client, identity, connector, itertools.count(1))
    card = await _diagnose(world, ADELE, 1)
    link = urlsplit(card_actions(card)[0]["url"])
    target = (await world.client.get(link.path, allow_redirects=False)).headers["Location"]
    verifier = world.runtime.verifier
    check = await verifier.checks.get(ADELE)
    assert check is not None and check.status == "checking" and check.next_check_at > clock()
    # nothing is due yet; SharePoint has not been asked by the user either: a look would reschedule
    assert (await verifier.run_pass()).looked == 0
    async with httpx.AsyncClient(trust_env=False) as browser:  # the user's browser follows the redirect
        assert (await browser.get(target)).status_code == 200
    await asyncio.sleep(0.05)  # the demo SharePoint refreshes "0 s" later, on its own loop turn
    clock.advance(timedelta(seconds=3))
    result = await verifier.run_pass()
    assert (result.looked, result.fixed) == (1, 1)
    done = await verifier.checks.get(ADELE)
    assert done is not None and done.status == "fixed"
    assert (await verifier.run_pass()).looked == 0  # finished: never looked at again
    reply = world.connector.calls(route="reply")[0]
    posted = reply.response["id"]
    updates = await world.connector.wait_for_activities(3, timeout=15)
    assert [(c.route, c.activity_id) for c in updates[1:]] == [("update", posted), ("update", posted)]
    kinds = [c.activity["attachments"][0]["content"]["body"][0]["id"] for c in updates[1:]]  # type: ignore[index]
    assert kinds == ["sync-checking", "sync-fixed"]
    told = updates[2].activity["attachments"][0]["content"]  # type: ignore[index]
    assert any(b.get("id") == "pictures" for b in told["body"])
    assert "photosync.replace" not in json.dumps(updates[2].body)  # our own bookkeeping never reaches Teams
    assert not world.connector.calls(route="send")  # nothing new was posted in the chat
    trail = [(r.action, r.outcome) for r in await world.runtime.store.audit_trail(target_id=ADELE)]
    assert trail[0] == ("sync_start", "redirected") and ("sync_check", "fixed") in trail


async def test_a_sync_that_never_shows_ends_after_the_window_with_what_to_ask_it(
    aiohttp_client: Any, tmp_path: Path, identity: IdentityServer, connector: ConnectorServer
) -> None:
    clock = FakeClock(datetime.now(UTC).replace(microsecond=0))
    settings = make_settings(tmp_path, identity, PHOTOSYNC_PUBLIC_URL="https://bot.contoso.example")
    client = await aiohttp_client(create_app(settings, clock=clock, msal_http_client=identity.msal_session()))
    world = TeamsWorld(client, identity, connector, itertools.count(1))
    card = await _diagnose(world, ADELE, 1)
    await world.client.get(urlsplit(card_actions(card)[0]["url"]).path, allow_redirects=False)
    verifier = world.runtime.verifier
    looks = 0
    while (check := await verifier.checks.get(ADELE)) is not None and check.status == "checking":
        clock.set(check.next_check_at)
        looks += (await verifier.run_pass()).looked
        assert looks <= 30, "the schedule never ends"
    assert check is not None and check.status == "expired"
    assert (
        clock() - check.started_at >= timedelta(hours=72) and 10 <= looks <= 20
    )  # minutes first, then hours
    checking, ended = (await world.connector.wait_for_activities(3, timeout=15))[1:]
    assert (checking.route, ended.route) == ("update", "update")  # the card that offered the sync, in place
    told = ended.activity["attachments"][0]["content"]  # type: ignore[index]
    assert told["body"][0]["id"] == "sync-expired" and "Picture Sync diagnostic" in card_text(told)
    # starting again gives one new schedule, not a second one
    await verifier.started(ADELE)
    again = await verifier.checks.get(ADELE)
    assert again is not None and again.status == "checking" and again.checks == 0
    assert again.started_at == clock()


async def send_link_as_patti(world: TeamsWorld, target: str) -> dict[str, Any]:
    """Patti (helpdesk) clicks "Send … a sync link" on a card in the helpdesk team's channel."""
    where = channel_message(world, PATTI, "", mention_bot=False)
    invoke = world.invoke(
        PATTI,
        "sendSyncLink",
        {"userId": target},
        conversation=where["conversation"],
        channelData=where["channelData"],
    )
    answer: dict[str, Any] = await (await world.post(invoke)).json()
    return answer


async def test_helpdesk_sends_someone_the_sync_link_once(
    aiohttp_client: Any, tmp_path: Path, identity: IdentityServer, connector: ConnectorServer
) -> None:
    """Staff can't start a sync as someone else: their card offers "Send {name} a sync link"; the person gets a
    card whose main button is their own link; a second click within the hour sends nothing."""
    world = await _world(aiohttp_client, tmp_path, identity, connector)
    assert (await world.post(world.activity(ADELE, "hi"))).status == 200  # Adele has the app (a 1:1 chat)
    await world.connector.wait_for_activities(1)
    card = await ask(world, PATTI, "check Adele Vance")
    main = card_actions(card)[0]
    assert (main["verb"], main["data"]["userId"]) == ("sendSyncLink", ADELE)
    assert main["title"] == "Send Adele Vance a sync link"
    answer = await send_link_as_patti(world, ADELE)
    assert answer["value"]["body"][0]["id"] == "link-sent" and "Sent Adele Vance a sync link" in card_text(
        answer["value"]
    )
    delivered = await world.connector.wait_for_activities(
        2, timeout=15, conversation_id=f"a:personal;{ADELE}@thread.skype"
    )
    sent = delivered[-1].activity["attachments"][0]["content"]  # type: ignore[index]
    assert sent["body"][0]["id"] == "sync-link"
    link = card_actions(sent)[0]["url"]
    assert world.runtime.sync.links.user(link.rsplit("/", 1)[1]) == ADELE
    again = await send_link_as_patti(world, ADELE)
    assert "already got a sync link" in card_text(again["value"])
    trail = [
        (r.actor_id, r.action, r.outcome)
        for r in await world.runtime.store.audit_trail(target_id=ADELE)
        if r.action == "send_sync_link"
    ]
    assert trail == [(PATTI, "send_sync_link", "sent"), (PATTI, "send_sync_link", "already_sent")]


async def test_only_helpdesk_may_send_a_link_and_only_to_someone_reachable(
    aiohttp_client: Any, tmp_path: Path, identity: IdentityServer, connector: ConnectorServer
) -> None:
    world = await _world(aiohttp_client, tmp_path, identity, connector)
    refused = await (await world.post(world.invoke(MEGAN, "sendSyncLink", {"userId": ADELE}))).json()
    assert refused["value"]["body"][0]["id"] == "refused"
    never = await send_link_as_patti(world, ADELE)
    assert "hasn't used PhotoSync yet" in card_text(never["value"])  # Adele never chatted: nothing to send to
    outcomes = [(r.actor_id, r.outcome) for r in await world.runtime.store.audit_trail(target_id=ADELE)]
    assert outcomes == [(MEGAN, "refused"), (PATTI, "no_chat")]


async def test_helpdesk_sees_the_sync_the_user_started_when_checking_again(
    aiohttp_client: Any, tmp_path: Path, identity: IdentityServer, connector: ConnectorServer
) -> None:
    world = await _world(aiohttp_client, tmp_path, identity, connector)
    before = await ask(world, PATTI, "check Adele Vance")
    assert not [b for b in before["body"] if b.get("id") == "sync-progress"]
    card = await _diagnose(world, ADELE, 2)
    assert (
        await world.client.get(urlsplit(card_actions(card)[0]["url"]).path, allow_redirects=False)
    ).status == 302
    after = await ask(world, PATTI, "check Adele Vance")
    (progress,) = [b for b in after["body"] if b.get("id") == "sync-progress"]
    assert "Adele Vance started SharePoint's refresh of their photo" in block_text(progress)
    assert "next check" in block_text(progress)
    assert (await world.post(world.activity(ADELE, "why is my photo old?"))).status == 200
    own = world.connector.calls(route="reply")[-1].activity["attachments"][0]["content"]  # type: ignore[index]
    assert "You started SharePoint's refresh" in card_text(own)  # and Adele's own card says it is underway
