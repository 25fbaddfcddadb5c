"""The proactive `notice` card and the `optout-result` card: what they say and offer."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from cards import VERB_RESYNC, VERB_START_NOTICES, VERB_STOP_NOTICES, notice_card, optout_result_card
from cards.context import CardContext
from tests.cards.catalogue import NOW, USER_ID, context
from tests.cardtools import actions, block_text, card_actions, card_kind, card_text

EN = context("en-GB", "UTC", demo=False)
NL = context("nl-NL", "Europe/Amsterdam", demo=True)


def _executes(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {a["verb"]: a for a in actions(card) if a["type"] == "Action.Execute"}


@pytest.mark.parametrize("ctx", [EN, NL], ids=["en", "nl"])
def test_notice_says_what_since_when_and_offers_the_sync_and_stop(ctx: CardContext) -> None:
    card = notice_card(
        ctx,
        user_id=USER_ID,
        photo_first_seen=NOW - timedelta(days=4),
        sharepoint_refreshed=NOW - timedelta(days=30),
        sync_url="https://bot.contoso.example/sync/token",
    )
    assert card_kind(card) == "notice"
    text = card_text(card)
    assert "SharePoint" in text and "PhotoSync" in text
    assert "72" in text  # the field reports' hours; Microsoft states no time for the photo
    assert not re.search(r"\b24 (h|hours|uur)\b", text)
    executes = _executes(card)
    assert VERB_RESYNC not in executes  # no Graph re-upload
    main = card_actions(card)[0]
    assert (main["type"], main["url"]) == ("Action.OpenUrl", "https://bot.contoso.example/sync/token")
    assert executes[VERB_STOP_NOTICES]["data"] == {"action": VERB_STOP_NOTICES}
    assert executes[VERB_STOP_NOTICES]["fallback"]["type"] == "Action.Submit"


def test_notice_wording() -> None:
    card = notice_card(
        EN, user_id=USER_ID, photo_first_seen=NOW - timedelta(days=4), sharepoint_refreshed=None
    )
    text = card_text(card)
    assert block_text(card["body"][0]) == "Your photo in SharePoint is out of date"
    assert "PhotoSync first saw it" in text and "Photo first seen" in text and "Not yet" in text
    assert "Microsoft gives no fixed time" in text and "open your own photo" in text
    assert "Don't notify me again" in text
    nl = card_text(notice_card(NL, user_id=USER_ID, photo_first_seen=NOW, sharepoint_refreshed=NOW))
    assert "verouderd" in nl and "Demo" in nl
    with pytest.raises(ValueError):
        notice_card(EN, user_id="", photo_first_seen=NOW, sharepoint_refreshed=None)


def test_optout_result_offers_the_way_back() -> None:
    stopped = optout_result_card(EN, opted_out=True)
    assert card_kind(stopped) == "optout-result"
    assert "You won't get photo notices any more" in card_text(stopped)
    assert "start" in card_text(stopped)
    assert VERB_START_NOTICES in _executes(stopped)
    started = optout_result_card(EN, opted_out=False)
    assert VERB_STOP_NOTICES in _executes(started)
    assert "stop" in card_text(started)
