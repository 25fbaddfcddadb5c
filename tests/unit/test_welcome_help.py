"""The welcome and help cards tell a newcomer how to switch notices off and on, and that in a group chat or
channel the bot answers only when @mentioned, in English and Dutch; the words they quote are the ones the
bot understands."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

import cards
from bot.domain.intents import IntentKind, classify

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
# (locale, words that stop notices, words that start them, how "mention" reads)
LANGUAGES = [
    ("en-US", "“stop”", "“start”", "@mention"),
    ("nl-NL", "“geen meldingen meer”", "“meldingen aan”", "@vermeld"),
]


def _text(card: dict[str, object]) -> str:
    return json.dumps(card, ensure_ascii=False)


def _ctx(locale: str) -> cards.CardContext:
    return cards.CardContext(locale, ZoneInfo("UTC"), NOW, demo=False, profile_edit_url="https://x.example/")


@pytest.mark.parametrize(("locale", "stop", "start", "mention"), LANGUAGES)
def test_the_welcome_card_names_stop_start_and_the_mention_rule(
    locale: str, stop: str, start: str, mention: str
) -> None:
    text = _text(cards.welcome_card(_ctx(locale)))
    assert stop in text and start in text
    assert mention in text and "@PhotoSync" in text


@pytest.mark.parametrize(("locale", "stop", "start", "mention"), LANGUAGES)
def test_the_help_card_lists_stop_and_start_and_the_mention_rule(
    locale: str, stop: str, start: str, mention: str
) -> None:
    text = _text(cards.help_card(_ctx(locale)))
    assert stop in text and start in text
    assert mention in text


@pytest.mark.parametrize(("locale", "stop", "start", "mention"), LANGUAGES)
def test_the_quoted_words_are_understood(locale: str, stop: str, start: str, mention: str) -> None:
    assert classify(stop.strip("“”")).kind is IntentKind.STOP_NOTICES
    assert classify(start.strip("“”")).kind is IntentKind.START_NOTICES
