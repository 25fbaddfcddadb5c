"""Opting out of proactive photo notices over loopback: text commands, the card button (Action.Execute invoke
and its Action.Submit fallback), English and Dutch; only ever for the caller."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import inspect

from bot.store import OptOuts, Store

from .conftest import ADELE, MEGAN, TeamsWorld, actions, card_kind, card_text


def _verbs(card: dict[str, Any]) -> set[Any]:
    return {a.get("verb") for a in actions(card) if a["type"] == "Action.Execute"}


async def test_stop_then_start_by_text(world: TeamsWorld) -> None:
    optouts = world.runtime.bot.optouts
    assert await optouts.is_opted_out(ADELE) is False  # opted in by default

    assert (await world.post(world.activity(ADELE, "stop"))).status == 200
    card = await world.reply_card()
    assert card_kind(card) == "optout-result"
    assert "won't get photo notices" in card_text(card)
    assert "startNotices" in _verbs(card)
    assert await optouts.is_opted_out(ADELE) is True
    assert await optouts.opted_out_among([ADELE, MEGAN]) == {ADELE}

    assert (await world.post(world.activity(ADELE, "start"))).status == 200
    card = await world.reply_card(n=2)
    assert card_kind(card) == "optout-result"
    assert "stopNotices" in _verbs(card)
    assert await optouts.is_opted_out(ADELE) is False
    assert await optouts.opted_out_among([ADELE, MEGAN]) == set()


async def test_stop_button_via_invoke_opts_out_the_clicker_only(world: TeamsWorld) -> None:
    # card data naming someone else is ignored: the identity comes from the activity
    body = world.invoke(ADELE, "stopNotices", {"action": "stopNotices", "userId": MEGAN})
    response = await world.post(body)
    assert response.status == 200
    payload = await response.json()
    assert payload["statusCode"] == 200
    assert payload["type"] == "application/vnd.microsoft.card.adaptive"
    assert card_kind(payload["value"]) == "optout-result"
    assert world.connector.calls() == []  # the card is replaced in place
    optouts = world.runtime.bot.optouts
    assert await optouts.opted_out_among([ADELE, MEGAN]) == {ADELE}

    again = await (await world.post(world.invoke(ADELE, "startNotices", {"action": "startNotices"}))).json()
    assert card_kind(again["value"]) == "optout-result"
    assert await optouts.is_opted_out(ADELE) is False


async def test_stop_button_through_action_submit_fallback(world: TeamsWorld) -> None:
    body = world.activity(MEGAN, None, value={"action": "stopNotices"})
    assert (await world.post(body)).status == 200
    assert card_kind(await world.reply_card()) == "optout-result"
    assert await world.runtime.bot.optouts.is_opted_out(MEGAN) is True
    assert await world.runtime.bot.optouts.is_opted_out(ADELE) is False


async def test_dutch_stop_gets_a_dutch_card(world: TeamsWorld) -> None:
    await world.post(world.activity(ADELE, "geen meldingen meer", locale="nl-NL"))
    card = await world.reply_card()
    assert card_kind(card) == "optout-result"
    text = card_text(card)
    assert "geen fotomeldingen meer" in text
    assert "won't" not in text
    assert await world.runtime.bot.optouts.is_opted_out(ADELE) is True


async def test_the_store_creates_the_optout_table(world: TeamsWorld) -> None:
    async with world.runtime.store.engine.connect() as conn:
        names = await conn.run_sync(lambda sync: inspect(sync).get_table_names())
    assert "notice_optouts" in names


async def test_optouts_store_last_choice_wins(tmp_path: Path) -> None:
    store = Store.from_url(f"sqlite+aiosqlite:///{tmp_path / 'o.db'}")
    await store.open()
    try:
        optouts = OptOuts(store.engine)
        now = datetime(2025, 3, 4, 9, 30, tzinfo=UTC)
        assert await optouts.opted_out_among([]) == set()
        await optouts.set(ADELE, True, now)
        await optouts.set(MEGAN, True, now)
        await optouts.set(MEGAN, False, now)
        assert await optouts.opted_out_among([ADELE, MEGAN, "someone-else"]) == {ADELE}
        assert await optouts.is_opted_out(MEGAN) is False
    finally:
        await store.close()
