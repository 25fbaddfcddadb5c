"""What people type, understood end to end over HTTP (real JWTs, the demo tenant's Graph): the reply's
language follows the message, questions about someone else never get the sender's own card, small talk and
"how do I change my photo?" get their own answers, and a near-miss gets the closest things the bot can do."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest

from bot.app import create_app
from cards.context import Lang
from cards.strings import t
from tests.fakes.connector import ConnectorServer
from tests.fakes.identity import IdentityServer

from .conftest import ADELE, ISAIAH, MEGAN, TeamsWorld, actions, card_kind, card_text, make_settings
from .test_helpdesk import PATTI, ask


async def one_to_one(world: TeamsWorld, user: str, text: str, **extra: object) -> dict[str, object]:
    body = world.activity(user, text, **extra)
    assert (await world.post(body)).status == 200
    return await world.reply_card(body["conversation"]["id"])


@pytest.mark.parametrize(
    "text",
    [
        "waarom is mijn foto nog steeds de oude?",
        "m'n profielfoto synct nie",
        "hoe lang duurt het voordat teams mijn nieuwe foto laat zien",
    ],
)
async def test_dutch_text_with_an_english_locale_gets_a_dutch_card(world: TeamsWorld, text: str) -> None:
    card = await one_to_one(world, ADELE, text, locale="en-US")
    assert card_kind(card) == "diagnosis"
    assert t("footer.demo", "nl") in card_text(card)
    assert t("footer.demo", "en") not in card_text(card)


async def test_english_text_with_a_dutch_locale_gets_an_english_card(world: TeamsWorld) -> None:
    card = await one_to_one(world, ADELE, "why is my photo still the old one?", locale="nl-NL")
    assert t("footer.demo", "en") in card_text(card)


async def test_text_in_neither_language_follows_the_locale(world: TeamsWorld) -> None:
    card = await one_to_one(world, ADELE, "👍🎉", locale="nl-NL")
    assert t("footer.demo", "nl") in card_text(card)


async def test_without_a_language_or_a_locale_the_organisations_locale_answers(
    aiohttp_client: Any, tmp_path: Path, identity: IdentityServer, connector: ConnectorServer
) -> None:
    settings = make_settings(tmp_path, identity, PHOTOSYNC_LOCALE="nl-NL")
    client = await aiohttp_client(create_app(settings, msal_http_client=identity.msal_session()))
    world = TeamsWorld(client, identity, connector, itertools.count(1))
    card = await one_to_one(world, ADELE, "👍🎉", locale=None)
    assert t("footer.demo", "nl") in card_text(card)


async def test_helpdesk_asking_about_her_photo_is_asked_whose(world: TeamsWorld) -> None:
    card = await ask(world, PATTI, "her photo is still the old one, can you check?")
    assert card_kind(card) == "whose-photo"
    assert "Patti" not in card_text(card)  # never the sender's own card
    trail = await world.runtime.store.audit_trail(target_id=PATTI)
    assert trail == []


async def test_helpdesk_asking_about_my_managers_photo_gets_the_managers_card(world: TeamsWorld) -> None:
    card = await ask(world, PATTI, "my manager's photo is outdated in sharepoint")
    assert card_kind(card) == "diagnosis"
    assert "Isaiah" in card_text(card)
    trail = await world.runtime.store.audit_trail(target_id=ISAIAH)
    assert [(r.actor_id, r.action) for r in trail] == [(PATTI, "helpdesk_lookup")]


async def test_helpdesk_asking_in_dutch_about_the_manager_gets_a_dutch_card(world: TeamsWorld) -> None:
    card = await ask(world, PATTI, "de foto van mijn leidinggevende klopt niet", locale="en-US")
    assert card_kind(card) == "diagnosis"
    assert "Isaiah" in card_text(card)
    assert t("footer.demo", "nl") in card_text(card)


@pytest.mark.parametrize(
    "text",
    ["check user meganb", "why is Bowen's photo old?", "kun je de foto van Megan controleren?"],
)
async def test_helpdesk_names_people_by_account_surname_or_in_dutch(world: TeamsWorld, text: str) -> None:
    card = await ask(world, PATTI, text)
    assert card_kind(card) == "diagnosis"
    assert "Megan" in card_text(card)
    trail = await world.runtime.store.audit_trail(target_id=MEGAN)
    assert [(r.actor_id, r.action) for r in trail] == [(PATTI, "helpdesk_lookup")]


async def test_helpdesk_asking_about_several_people_is_told_how(world: TeamsWorld) -> None:
    card = await ask(world, PATTI, "the whole finance team still has old photos")
    assert card_kind(card) == "several-people"
    assert "python -m bot scan --report" in card_text(card)


async def test_someone_else_asked_about_by_a_non_helpdesk_user_is_refused(world: TeamsWorld) -> None:
    card = await one_to_one(world, ADELE, "his pic is outdated in teams")
    assert card_kind(card) == "refused"
    assert [r.outcome for r in await world.runtime.store.audit_trail(target_id="-")] == ["refused"]


@pytest.mark.parametrize(("text", "language"), [("thanks!", "en"), ("bedankt", "nl"), ("ok", "en")])
async def test_small_talk_gets_a_short_answer(world: TeamsWorld, text: str, language: Lang) -> None:
    card = await one_to_one(world, MEGAN, text, locale="en-US")
    assert card_kind(card) == "small-talk"
    assert t("smalltalk.title", language) in card_text(card)


async def test_small_talk_in_a_channel_gets_no_answer(world: TeamsWorld) -> None:
    from .test_helpdesk import channel_message

    thanks = channel_message(world, PATTI, "thanks!")
    assert (await world.post(thanks)).status == 200
    card = await ask(world, PATTI, "help")  # the next message is answered; "thanks" was not
    assert card_kind(card) == "help"
    assert world.connector.calls(conversation_id=thanks["conversation"]["id"]) == []


@pytest.mark.parametrize("text", ["how do I change my photo?", "hoe verander ik mijn profielfoto"])
async def test_how_do_i_change_my_photo_gets_the_steps(world: TeamsWorld, text: str) -> None:
    card = await one_to_one(world, MEGAN, text)
    assert card_kind(card) == "how-to-change"
    assert "Active Directory" in card_text(card)
    assert any(a["type"] == "Action.OpenUrl" for a in actions(card))


async def test_a_near_miss_gets_the_closest_things_the_bot_can_do(world: TeamsWorld) -> None:
    card = await one_to_one(world, MEGAN, "the photo on my access badge is outdated")
    assert card_kind(card) == "unknown"
    said = [
        a["data"]["msteams"]["value"]
        for a in actions(card)
        if a["type"] == "Action.Submit" and "msteams" in a.get("data", {})
    ]
    assert t("suggest.how_to_change.text", "en") in said
    assert any(a.get("verb") == "diagnose" for a in actions(card))


async def test_a_suggestion_button_is_understood_when_clicked(world: TeamsWorld) -> None:
    card = await one_to_one(world, MEGAN, "hoe vraag ik een nieuwe toegangspas aan", locale="en-US")
    assert card_kind(card) == "unknown"
    said = [a["data"]["msteams"]["value"] for a in actions(card) if "msteams" in a.get("data", {})]
    assert said, card
    follow = world.activity(MEGAN, said[0], conversation_id="a:personal;followup@thread.skype")
    assert (await world.post(follow)).status == 200
    answer = await world.reply_card("a:personal;followup@thread.skype")
    assert card_kind(answer) in ("how-to-change", "help")
    assert t("footer.demo", "nl") in card_text(answer)
