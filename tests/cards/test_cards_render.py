"""Every card the bot can send, checked two independent ways (official renderer, official JSON schema)
plus the rules neither checks: Teams' version 1.5, no empty text, Execute verbs with Submit fallbacks,
the kind id, the demo footer, filled placeholders, and Dutch that is really Dutch."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from jsonschema import Draft6Validator

from bot.domain.model import DiagnosisCase
from cards import CARD_KINDS, ERROR_REASONS, PHOTO_SYNC_ARTICLE, PROFILE_SYNC_ARTICLE
from cards.strings import EN, NL, placeholders
from tests.cardtools import block_text, card_actions

from .catalogue import (
    CANDIDATES,
    CHAT_URL,
    LANGUAGE_PAIRS,
    PROFILE_URL,
    SYNC_URL,
    TARGET_NAME,
    USER_ID,
    CardSample,
)
from .conftest import samples

SAMPLES = samples()
BY_NAME = {sample.name: sample for sample in SAMPLES}
PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")
TEAMS_MAX_TOP_LEVEL_ACTIONS = 6
TEAMS_MAX_MESSAGE_BYTES = 28_000  # a budget far below Teams' bot message limit (docs/DOMAIN.md)
# Kinds with no top-level buttons: pick-user's buttons sit in its rows; the others need none.
NO_TOP_LEVEL_ACTIONS = frozenset({"pick-user", "not-found", "refused", "several-people"})


def each_card(test: Any) -> Any:
    return pytest.mark.parametrize("sample", SAMPLES, ids=[sample.name for sample in SAMPLES])(test)


def walk(node: Any) -> Iterator[dict[str, Any]]:
    """Every JSON object in the card, depth first (the card itself included)."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)


def shown(card: dict[str, Any]) -> dict[str, Any]:
    """The card without its Universal Actions `refresh` (an invisible action Teams runs, with no title)."""
    return {key: value for key, value in card.items() if key != "refresh"}


def visible_texts(card: dict[str, Any]) -> Iterator[str]:
    """What a person reads or hears: text, facts, button titles, fallback text, speech."""
    for key in ("fallbackText", "speak"):
        if key in card:
            yield card[key]
    for obj in walk(shown(card)):
        kind = obj.get("type")
        if kind == "TextBlock":
            yield obj.get("text", "")
        elif kind is not None and kind.startswith("Action."):
            yield obj.get("title", "")
        elif kind is None and "title" in obj and "value" in obj:  # Fact
            yield obj["title"]
            yield obj["value"]


def actions_of(card: dict[str, Any]) -> list[dict[str, Any]]:
    return [obj for obj in walk(shown(card)) if str(obj.get("type", "")).startswith("Action.")]


# --- the two independent validators ------------------------------------------------------------------


@pytest.mark.node
@each_card
def test_official_renderer_reports_nothing(sample: CardSample, renderer_results: dict[str, Any]) -> None:
    result = renderer_results[sample.name]
    assert result["parseEvents"] == []
    assert result["validationEvents"] == []
    # nothing silently dropped
    assert result["itemCount"] == len(sample.card["body"])
    assert result["actionCount"] == len(sample.card.get("actions", []))


@each_card
def test_official_schema_1_5(sample: CardSample, card_schema_validator: Draft6Validator) -> None:
    errors = sorted(card_schema_validator.iter_errors(sample.card), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


# --- what neither validator checks -------------------------------------------------------------------


@each_card
def test_version_and_kind(sample: CardSample) -> None:
    card = sample.card
    assert card["type"] == "AdaptiveCard"
    assert card["version"] == "1.5"
    assert "lang" not in card  # see cards/common.py: the official renderer mis-validates it
    assert card["body"][0]["id"] == sample.kind
    assert sample.kind in CARD_KINDS


@each_card
def test_no_empty_text(sample: CardSample) -> None:
    card = sample.card
    assert card.get("fallbackText", "").strip()
    for obj in walk(card):
        if obj.get("type") == "TextBlock":
            assert str(obj.get("text", "")).strip(), obj
    for text in visible_texts(card):
        assert text.strip()
        assert text == text.strip()


@each_card
def test_execute_actions_have_verb_and_submit_fallback(sample: CardSample) -> None:
    for action in actions_of(sample.card):
        if action["type"] != "Action.Execute":
            continue
        assert action.get("verb"), action
        assert action["data"]["action"] == action["verb"]
        fallback = action.get("fallback")
        assert isinstance(fallback, dict) and fallback["type"] == "Action.Submit", action
        assert fallback["data"] == action["data"]
        assert fallback["title"] == action["title"]


@each_card
def test_actions_fit_teams(sample: CardSample) -> None:
    card = sample.card
    minimum = 0 if sample.kind in NO_TOP_LEVEL_ACTIONS else 1
    assert minimum <= len(card_actions(card)) <= TEAMS_MAX_TOP_LEVEL_ACTIONS
    allowed_urls = {PROFILE_URL, PHOTO_SYNC_ARTICLE, PROFILE_SYNC_ARTICLE, CHAT_URL, SYNC_URL}
    for action in actions_of(card):
        assert action.get("title"), action
        if action["type"] == "Action.OpenUrl":
            assert action["url"] in allowed_urls
    ids = [obj["id"] for obj in walk(card) if "id" in obj]
    assert len(ids) == len(set(ids)), ids
    assert len(json.dumps(card).encode()) < TEAMS_MAX_MESSAGE_BYTES


@each_card
def test_demo_footer_iff_demo(sample: CardSample) -> None:
    card = sample.card
    footer_text = (EN if sample.lang == "en" else NL)["footer.demo"]
    footers = [obj for obj in walk(card) if obj.get("id") == "demo-footer"]
    if sample.demo:
        assert len(footers) == 1 and footers[0]["text"] == footer_text
        assert card["body"][-1] is footers[0]
        assert footer_text in card["fallbackText"]
    else:
        assert footers == []
        assert all(footer_text not in text for text in visible_texts(card))


@each_card
def test_no_unformatted_placeholders(sample: CardSample) -> None:
    for text in visible_texts(sample.card):
        assert not PLACEHOLDER.search(text), text


@each_card
def test_fallback_text_and_speech(sample: CardSample) -> None:
    card = sample.card
    title = block_text(card["body"][0])
    assert card["speak"] == title
    if sample.kind not in ("welcome", "help"):  # those carry a crafted one-line summary instead
        assert card["fallbackText"].startswith(title)  # a notification carries the verdict


PAIRS = [
    (en, BY_NAME[en.name.replace(en_prefix, nl_prefix, 1)])
    for en_prefix, nl_prefix in LANGUAGE_PAIRS
    for en in SAMPLES
    if en.locale == en_prefix
]


@pytest.mark.parametrize(("en", "nl"), PAIRS, ids=[en.name for en, _ in PAIRS])
def test_dutch_card_differs_from_english(en: CardSample, nl: CardSample) -> None:
    assert (en.lang, nl.lang) == ("en", "nl")
    assert block_text(en.card["body"][0]) != block_text(nl.card["body"][0])
    assert en.card["fallbackText"] != nl.card["fallbackText"]
    # no English sentence leaked into the Dutch card
    english_only = {
        text for key, text in EN.items() if not placeholders(text) and len(text) > 15 and text != NL[key]
    }
    leaked = [text for text in visible_texts(nl.card) if any(sentence in text for sentence in english_only)]
    assert leaked == []


def test_matrix_covers_every_kind_case_outcome_and_reason() -> None:
    names = {sample.name for sample in SAMPLES}
    assert {sample.kind for sample in SAMPLES} == set(CARD_KINDS)
    assert {sample.lang for sample in SAMPLES} == {"en", "nl"}
    assert {sample.demo for sample in SAMPLES} == {False, True}
    for case in DiagnosisCase:
        kind = "error" if case is DiagnosisCase.UNAVAILABLE else "diagnosis"
        for subject in ("self", "other"):
            assert f"nl-NL/{kind}/diagnosis-{case}-{subject}" in names
    for reason in ERROR_REASONS:
        assert f"en-GB+demo/error/error-{reason}" in names
    for variant in (
        "pick-user/pick-user",
        "pick-user/pick-user-many",
        "not-found/not-found",
        "refused/refused",
    ):
        assert {f"en-GB/{variant}", f"nl-NL+demo/{variant}"} <= names


# --- helpdesk cards ----------------------------------------------------------------------------------


@pytest.mark.parametrize("sample", [s for s in SAMPLES if s.kind == "refused"], ids=lambda s: s.name)
def test_refusal_reveals_nothing_about_the_target(sample: CardSample) -> None:
    dumped = json.dumps(sample.card, ensure_ascii=False).lower()
    for secret in (TARGET_NAME, USER_ID, "megan", "contoso", *(c for cand in CANDIDATES for c in cand if c)):
        assert secret.lower() not in dumped
    assert "userId" not in json.dumps(sample.card)


@pytest.mark.parametrize("sample", [s for s in SAMPLES if s.kind == "pick-user"], ids=lambda s: s.name)
def test_pick_user_has_one_diagnose_per_row(sample: CardSample) -> None:
    rows = [obj for obj in sample.card["body"] if str(obj.get("id", "")).startswith("candidate-")]
    assert 1 <= len(rows) <= 10
    executes = [a for a in actions_of(sample.card) if a["type"] == "Action.Execute"]
    assert [a["verb"] for a in executes] == ["diagnose"] * len(rows)
    ids = [a["data"]["userId"] for a in executes]
    assert len(set(ids)) == len(rows)
    for row, user_id in zip(rows, ids, strict=True):
        assert [a["data"] for a in actions_of(row) if a["type"] == "Action.Execute"] == [
            {"action": "diagnose", "userId": user_id}
        ]


def test_chat_link_only_on_other_diagnoses() -> None:
    for sample in SAMPLES:
        chat = [a for a in actions_of(sample.card) if a.get("url") == CHAT_URL]
        expected = sample.kind == "diagnosis" and sample.name.endswith("-other")
        assert len(chat) == (1 if expected else 0), sample.name
