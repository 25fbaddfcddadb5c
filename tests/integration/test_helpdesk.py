"""Helpdesk staff @mention the bot in a support channel (or group chat) about another user."""

from __future__ import annotations

import itertools
import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from bot.app import create_app
from bot.demo.tenant import DEFAULT_TENANT_PATH
from tests.fakes.connector import ConnectorServer
from tests.fakes.identity import IdentityServer

from .conftest import ADELE, MEGAN, TENANT_ID, TeamsWorld, actions, card_kind, card_text, make_settings

PATTI = "de567967-bfef-48e7-bcdc-95bab6a08f07"  # member of the demo tenant's Helpdesk group
TEAM = "19:support-team@thread.tacv2"
BOT_MENTION = "<at>PhotoSync</at>"


def channel_message(
    world: TeamsWorld, user: str, text: str, *, mention_bot: bool = True, **extra: Any
) -> dict[str, Any]:
    entities: list[dict[str, Any]] = list(extra.pop("entities", []))
    if mention_bot:
        entities.insert(
            0,
            {
                "type": "mention",
                "mentioned": {"id": world.activity()["recipient"]["id"], "name": "PhotoSync"},
                "text": BOT_MENTION,
            },
        )
    body = world.activity(
        user,
        f"{BOT_MENTION} {text}" if mention_bot else text,
        conversation_type="channel",
        conversation_id=f"19:support@thread.tacv2;messageid={next(world.ids)}",
        entities=entities,
        channelData={
            "team": {"id": TEAM},
            "channel": {"id": "19:support@thread.tacv2"},
            "tenant": {"id": TENANT_ID},
        },
        **extra,
    )
    return body


async def ask(world: TeamsWorld, user: str, text: str, **extra: Any) -> dict[str, Any]:
    body = channel_message(world, user, text, **extra)
    assert (await world.post(body)).status == 200
    calls = world.connector.calls(conversation_id=body["conversation"]["id"])
    await world.connector.wait_for_activities(1, timeout=10, conversation_id=body["conversation"]["id"])
    calls = world.connector.calls(conversation_id=body["conversation"]["id"])
    assert calls[0].route == "reply" and calls[0].activity_id == body["id"]  # answered in the thread
    return calls[0].activity["attachments"][0]["content"]  # type: ignore[index]


@pytest.mark.parametrize(
    "text",
    [
        "why is Megan's photo old?",
        "check MeganB@contoso.onmicrosoft.com",
        "check Megan Bowen",
    ],
)
async def test_helpdesk_gets_the_diagnosis_of_another_user_in_the_thread(
    world: TeamsWorld, text: str
) -> None:
    card = await ask(world, PATTI, text)
    assert card_kind(card) == "diagnosis"
    assert "Megan" in card_text(card)
    trail = await world.runtime.store.audit_trail(target_id=MEGAN)
    assert [(r.actor_id, r.action) for r in trail] == [(PATTI, "helpdesk_lookup")]


async def test_dutch_helpdesk_question(world: TeamsWorld) -> None:
    card = await ask(world, PATTI, "waarom is de foto van Megan oud?", locale="nl-NL")
    assert card_kind(card) == "diagnosis"
    assert "Megan" in card_text(card)


async def test_user_mention_names_the_target(world: TeamsWorld) -> None:
    mention = {
        "type": "mention",
        "mentioned": {"id": "29:megan", "name": "Megan Bowen"},
        "text": "<at>Megan Bowen</at>",
    }
    card = await ask(world, PATTI, "check <at>Megan Bowen</at>", entities=[mention])
    assert card_kind(card) == "diagnosis"
    chat_links = [
        a["url"]
        for a in actions(card)
        if a["type"] == "Action.OpenUrl" and "teams.microsoft.com/l/chat" in a["url"]
    ]
    assert chat_links and "MeganB" in chat_links[0]


async def test_several_matches_ask_to_pick_one(
    aiohttp_client: Any, tmp_path: Path, identity: IdentityServer, connector: ConnectorServer
) -> None:
    # A tenant with two Megans (PHOTOSYNC_DEMO_TENANT points at another tenant file).
    data = json.loads(DEFAULT_TENANT_PATH.read_text())
    twin = dict(next(u for u in data["users"] if u["id"] == MEGAN))
    twin.update(
        id=str(uuid.uuid4()), displayName="Megan Visser", userPrincipalName="MeganV@contoso.onmicrosoft.com"
    )
    data["users"].append(twin)
    tenant = tmp_path / "tenant.json"
    tenant.write_text(json.dumps(data))
    settings = make_settings(tmp_path, identity, PHOTOSYNC_DEMO_TENANT=str(tenant))
    client = await aiohttp_client(create_app(settings, msal_http_client=identity.msal_session()))
    world = TeamsWorld(client, identity, connector, itertools.count(2000))
    card = await ask(world, PATTI, "check Megan")
    assert card_kind(card) == "pick-user"
    picked = {a["data"]["userId"] for a in actions(card) if a["type"] == "Action.Execute"}
    assert picked == {MEGAN, twin["id"]}


async def test_no_match_says_so(world: TeamsWorld) -> None:
    card = await ask(world, PATTI, "check Zed Nobody")
    assert card_kind(card) == "not-found"


async def test_non_helpdesk_user_is_refused_without_details(world: TeamsWorld) -> None:
    card = await ask(world, ADELE, "why is Megan's photo old?")
    assert card_kind(card) == "refused"
    assert "Megan" not in card_text(card) and MEGAN not in str(card)
    trail = await world.runtime.store.audit_trail(target_id="-")
    assert [(r.actor_id, r.outcome) for r in trail] == [(ADELE, "refused")]
    assert world.graph_state.counters.batch_requests == 0


async def test_own_question_in_a_channel_is_answered_in_the_thread(world: TeamsWorld) -> None:
    card = await ask(world, ADELE, "why is my photo old?")
    assert card_kind(card) == "diagnosis"


async def test_channel_message_without_mention_is_ignored(world: TeamsWorld) -> None:
    body = channel_message(world, ADELE, "why is my photo old?", mention_bot=False)
    assert (await world.post(body)).status == 200
    assert world.connector.calls() == []


async def test_mentions_without_text_and_unknown_entities_are_tolerated(world: TeamsWorld) -> None:
    odd = [
        {"type": "mention", "mentioned": {"id": "29:x", "name": "X"}},
        {"type": "mention"},
        {"type": "new/thing", "x": 1},
    ]
    card = await ask(world, ADELE, "why is my photo old?", entities=odd)
    assert card_kind(card) in ("diagnosis", "refused")


async def test_forged_invoke_from_non_helpdesk_is_refused_and_audited(world: TeamsWorld) -> None:
    for verb in ("sendSyncLink", "diagnose"):
        body = world.invoke(
            ADELE, verb, {"action": verb, "userId": MEGAN, "helpdesk": True, "isHelpdesk": "yes"}
        )
        payload = await (await world.post(body)).json()
        assert card_kind(payload["value"]) == "refused"
        assert "Megan" not in card_text(payload["value"])
    assert world.graph_state.counters.photo_puts.get(MEGAN, 0) == 0
    trail = await world.runtime.store.audit_trail(target_id=MEGAN)
    assert [(r.actor_id, r.outcome) for r in trail] == [(ADELE, "refused"), (ADELE, "refused")]


async def test_configured_team_counts_as_helpdesk(
    aiohttp_client: Any, tmp_path: Path, identity: IdentityServer, connector: ConnectorServer
) -> None:
    settings = make_settings(tmp_path, identity, PHOTOSYNC_HELPDESK_TEAM_IDS=f"other-team, {TEAM}")
    client = await aiohttp_client(create_app(settings, msal_http_client=identity.msal_session()))
    world = TeamsWorld(client, identity, connector, itertools.count(1000))
    card = await ask(world, ADELE, "check Megan Bowen")
    assert card_kind(card) == "diagnosis"
