"""Card strings (EN/NL parity) and what the cards say and offer per case."""

from __future__ import annotations

import dataclasses
import json
import re
import string
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.domain.model import DiagnosisCase
from cards import (
    PHOTO_SYNC_ARTICLE,
    PROFILE_SYNC_ARTICLE,
    CardContext,
    diagnosis_card,
    error_card,
    not_found_card,
    offers_sync,
    pick_user_card,
    refusal_card,
)
from cards.common import Subject, format_duration, format_time
from cards.strings import EN, NL, placeholders, t
from tests.cards.catalogue import (
    CANDIDATES,
    CHAT_URL,
    MANY_CANDIDATES,
    NOW,
    PROFILE_URL,
    USER_ID,
    context,
    sample_diagnoses,
)
from tests.cardtools import block_text, card_actions

# Every placeholder the card code knows how to fill.
KNOWN_PLACEHOLDERS = {
    "name",
    "bot",
    "time",
    "date",
    "n",
    "changed",
    "sp_refreshed",
    "expected_by",
    "expected_by_field",
    "overdue",
    "requested_by",
    "at",
    "by",
    "by_field",
    "ms_hours",
    "field_hours",
    "edit_hours",
    "query",
    "shown",
    "total",
    "started",
}

EN_UTC = context("en-GB", "UTC", demo=False)
NL_AMS = context("nl-NL", "Europe/Amsterdam", demo=False)


def walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)


def actions(card: dict[str, Any]) -> list[dict[str, Any]]:
    return [obj for obj in walk(card) if str(obj.get("type", "")).startswith("Action.")]


def text_of(card: dict[str, Any]) -> str:
    parts = [block_text(obj) for obj in walk(card) if obj.get("type") in ("TextBlock", "RichTextBlock")]
    parts += [f"{obj['title']}: {obj['value']}" for obj in walk(card) if "value" in obj and "title" in obj]
    return "\n".join(parts)


def verbs(card: dict[str, Any]) -> list[str]:
    return [a["verb"] for a in actions(card) if a["type"] == "Action.Execute"]


# --- the catalogue -----------------------------------------------------------------------------------


def test_both_languages_have_the_same_keys() -> None:
    assert set(EN) - set(NL) == set(), "missing in Dutch"
    assert set(NL) - set(EN) == set(), "missing in English"


@pytest.mark.parametrize("key", sorted(EN))
def test_same_placeholders_in_both_languages(key: str) -> None:
    assert placeholders(EN[key]) == placeholders(NL[key])
    assert placeholders(EN[key]) <= KNOWN_PLACEHOLDERS
    for template in (EN[key], NL[key]):
        list(string.Formatter().parse(template))  # well-formed braces
        assert template == template.strip() and template


# Product names are the same in both languages.
SAME_IN_BOTH = {"pictures.label.m365"}


def test_dutch_is_translated() -> None:
    same = {key for key in EN if EN[key] == NL[key] and len(EN[key]) > 12}
    assert same == SAME_IN_BOTH


def test_t_formats_and_ignores_extras() -> None:
    assert t("action.send_link", "nl", name="Megan", unused=1) == "Megan een synclink sturen"
    with pytest.raises(KeyError):
        t("action.send_link", "en")


def test_every_case_has_title_explanation_and_advice() -> None:
    variants = {case.value for case in DiagnosisCase} - {"unavailable"} | {
        "stale_placeholder",
        "change_time_gap",
    }
    for variant in variants:
        for subject in ("self", "other"):
            assert f"diag.{variant}.title.{subject}" in EN
            assert f"diag.{variant}.why.{subject}" in EN
            if variant != "stale_placeholder":  # shares STALE's advice
                assert f"diag.{variant}.advice.{subject}" in EN


# --- context and formatting --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "lang"),
    [
        (None, "en"),
        ("en-US", "en"),
        ("fr-FR", "en"),
        ("nl", "nl"),
        ("nl-NL", "nl"),
        ("nl-BE", "nl"),
        ("NL_nl", "nl"),
    ],
)
def test_lang_from_locale(locale: str | None, lang: str) -> None:
    assert context(locale, "UTC", demo=False).lang == lang


def test_context_needs_an_aware_now() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        CardContext(
            locale=None, tz=ZoneInfo("UTC"), now=datetime(2025, 1, 1), demo=False, profile_edit_url="x"
        )


def test_times_are_relative_local_and_marked_utc_only_in_utc() -> None:
    assert NOW.hour == 9 and NOW.minute == 30
    assert format_time(NOW, EN_UTC) == "today at 09:30 UTC"
    assert format_time(NOW - timedelta(days=1), EN_UTC) == "yesterday at 09:30 UTC"
    assert format_time(NOW + timedelta(days=1), EN_UTC) == "tomorrow at 09:30 UTC"
    assert format_time(NOW + timedelta(days=3), EN_UTC) == "7 Mar at 09:30 UTC"
    assert format_time(datetime(2024, 12, 31, 23, 0, tzinfo=UTC), EN_UTC) == "31 Dec 2024 at 23:00 UTC"
    assert format_time(NOW, NL_AMS) == "vandaag om 10:30"  # CET, no zone shown
    assert format_time(NOW - timedelta(days=4), NL_AMS) == "28 feb om 10:30"
    us = context("en-US", "America/New_York", demo=False)
    assert format_time(NOW, us) == "today at 4:30 AM"
    assert format_time(NOW + timedelta(days=5), us) == "Mar 9 at 5:30 AM"  # DST started on 9 Mar
    with pytest.raises(ValueError):
        format_time(datetime(2025, 1, 1), EN_UTC)


def test_durations() -> None:
    assert format_duration(timedelta(minutes=20), EN_UTC) == "less than an hour"
    assert format_duration(timedelta(hours=1), EN_UTC) == "1 hour"
    assert format_duration(timedelta(hours=30), NL_AMS) == "30 uur"
    assert format_duration(timedelta(days=3, hours=5), NL_AMS) == "3 dagen"


# --- diagnosis cards ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def diagnoses() -> dict[str, Any]:
    return sample_diagnoses()


SYNC_URL = "https://bot.contoso.example/sync/token"


def test_stale_offers_the_one_click_sync_first(diagnoses: dict[str, Any]) -> None:
    card = diagnosis_card(diagnoses["stale"], EN_UTC, sync_url=SYNC_URL)
    main = card_actions(card)[0]
    assert (main["type"], main["url"], main["title"]) == (
        "Action.OpenUrl",
        SYNC_URL,
        "Refresh my photo in SharePoint",
    )
    assert "resyncPhoto" not in verbs(card)  # PhotoSync never re-uploads a photo through Graph
    without = diagnosis_card(diagnoses["stale"], EN_UTC)  # no public address: no link, same advice
    assert SYNC_URL not in json.dumps(without) and "resyncPhoto" not in verbs(without)
    text = text_of(card)
    assert "SharePoint's copy" in text and "later than usual" in text
    assert "Microsoft gives no fixed time" in text and "usually catches up within a day" in text
    facts = facts_of(card)
    assert facts["Usually by"] == format_time(diagnoses["stale"].expected_by, EN_UTC)
    assert facts["Can take until"] == format_time(diagnoses["stale"].expected_by_field, EN_UTC)
    assert "Open your own photo in SharePoint" in text and "Picture Sync diagnostic" in text
    assert "re-submit" not in text.lower() and "re-sync" not in text.lower()


# Microsoft states no time for SharePoint's copy of a photo (docs/DOMAIN.md, "Timing"): no card says it does.
MICROSOFT_24_HOURS = re.compile(r"Microsoft[^.]*\b24\b|\b24 ?(h|hours|uur)\b", re.IGNORECASE)


def test_pending_gives_no_microsoft_time(diagnoses: dict[str, Any]) -> None:
    pending = diagnoses["pending"]
    card = diagnosis_card(pending, EN_UTC)
    assert "resyncPhoto" not in verbs(card)
    text = text_of(card)
    assert "Microsoft gives no fixed time" in text and "72 hours" in text
    assert not MICROSOFT_24_HOURS.search(text)
    assert facts_of(card)["Usually by"] == format_time(pending.expected_by, EN_UTC)  # "tomorrow at 06:30 UTC"
    assert "open your own photo in sharepoint" in text.lower()
    nl = text_of(diagnosis_card(pending, NL_AMS))
    assert "Microsoft noemt geen vaste tijd" in nl and "72 uur" in nl
    assert not MICROSOFT_24_HOURS.search(nl)


@pytest.mark.parametrize("catalogue", [EN, NL], ids=["en", "nl"])
def test_no_string_promises_a_microsoft_photo_time(catalogue: dict[str, str]) -> None:
    promises = {key: text for key, text in catalogue.items() if MICROSOFT_24_HOURS.search(text)}
    assert promises == {}
    assert not [key for key, text in catalogue.items() if "ms_hours" in placeholders(text)]


def test_dutch_avoids_calques() -> None:
    calques = ("opnieuw aanbieden", "opnieuw aangeboden", "verse kopie", "Zeg “", "zeg “")
    assert {key: text for key, text in NL.items() if any(c in text for c in calques)} == {}


@pytest.mark.parametrize(
    "variant", ["on_premises", "no_photo", "in_sync", "sync_disabled", "profile_importing"]
)
def test_no_sync_link_where_it_cannot_help(variant: str, diagnoses: dict[str, Any]) -> None:
    assert not offers_sync(diagnoses[variant])
    with pytest.raises(ValueError):
        diagnosis_card(diagnoses[variant], EN_UTC, sync_url=SYNC_URL)
    other = diagnosis_card(diagnoses[variant], EN_UTC, subject="other", send_link=True)
    assert "sendSyncLink" not in verbs(other)


def test_case_specific_wording(diagnoses: dict[str, Any]) -> None:
    on_prem = text_of(diagnosis_card(diagnoses["on_premises"], EN_UTC))
    assert "Active Directory" in on_prem and "nothing started in the cloud can change it" in on_prem
    importing = text_of(diagnosis_card(diagnoses["profile_importing"], EN_UTC))
    assert "batches" in importing and "48 hours" in importing and "no fixed time" in importing
    assert "blocked or unlicensed" in importing and "hasn't reached your account" in importing
    disabled = text_of(diagnosis_card(diagnoses["sync_disabled"], EN_UTC))
    assert "Exchange Online licence" in disabled and "Allow users to edit" in disabled
    assert "uploaded a picture to SharePoint directly" in disabled and "mailbox is on-premises" in disabled
    in_sync = text_of(diagnosis_card(diagnoses["in_sync"], EN_UTC))
    assert "private browser window" in in_sync and "sign out" in in_sync
    assert "most likely a cached copy" in in_sync
    unknown = diagnosis_card(diagnoses["change_time_unknown"], EN_UTC)
    assert facts_of(unknown)["Photo first seen"] == "Just now — change time unknown"
    assert offers_sync(diagnoses["change_time_unknown"])


def facts_of(card: dict[str, Any]) -> dict[str, str]:
    (facts,) = [obj for obj in walk(card) if obj.get("id") == "facts"]
    return {fact["title"]: fact["value"] for fact in facts["facts"]}


def test_change_time_is_labelled_as_first_seen(diagnoses: dict[str, Any]) -> None:
    stale = diagnoses["stale"]
    en = facts_of(diagnosis_card(stale, EN_UTC))
    assert en["Photo first seen"] == format_time(stale.photo_changed_at, EN_UTC)
    nl = facts_of(diagnosis_card(stale, NL_AMS))
    assert nl["Foto voor het eerst gezien"] == format_time(stale.photo_changed_at, NL_AMS)
    assert "PhotoSync first saw your new photo" in text_of(diagnosis_card(stale, EN_UTC))
    assert "at least" in text_of(diagnosis_card(stale, EN_UTC))  # overdue counts from the first sighting


@pytest.mark.parametrize("variant", ["on_premises", "profile_importing"])
def test_photo_fact_tells_no_photo_from_unknown_change_time(variant: str, diagnoses: dict[str, Any]) -> None:
    label = "Photo first seen"
    with_photo = dataclasses.replace(diagnoses[variant], has_photo=True, photo_changed_at=None)
    assert facts_of(diagnosis_card(with_photo, EN_UTC))[label] == "Just now — change time unknown"
    without = dataclasses.replace(diagnoses[variant], has_photo=False, photo_changed_at=None)
    assert facts_of(diagnosis_card(without, EN_UTC))[label] == "No photo"
    assert facts_of(diagnosis_card(without, NL_AMS))["Foto voor het eerst gezien"] == "Geen foto"


def test_unread_sharepoint_is_not_reported_as_never_refreshed(diagnoses: dict[str, Any]) -> None:
    card = diagnosis_card(diagnoses["on_premises_no_sharepoint"], EN_UTC)
    facts = facts_of(card)
    assert facts["SharePoint last refreshed"] == "Couldn't read SharePoint"
    assert facts["Photo first seen"] == "No photo"
    assert not [obj for obj in walk(card) if obj.get("id") == "sp-refresh"]


def test_on_premises_mentions_refreshing_sharepoint_only_when_it_is_behind(diagnoses: dict[str, Any]) -> None:
    on_prem = diagnoses["on_premises"]
    assert on_prem.sharepoint_refreshed_at < on_prem.photo_changed_at
    phrases: dict[Subject, str] = {
        "self": "Opening your own photo in SharePoint",
        "other": "opening their own photo in SharePoint",
    }
    for subject, phrase in phrases.items():
        card = diagnosis_card(on_prem, EN_UTC, subject=subject)
        (refresh,) = [obj for obj in walk(card) if obj.get("id") == "sp-refresh"]
        assert phrase in block_text(refresh) and "on-premises" in block_text(refresh)
        assert "resyncPhoto" not in verbs(card)
    nl = diagnosis_card(on_prem, NL_AMS)
    assert [obj for obj in walk(nl) if obj.get("id") == "sp-refresh"]
    current = dataclasses.replace(on_prem, sharepoint_refreshed_at=on_prem.photo_changed_at)
    no_photo = dataclasses.replace(on_prem, has_photo=False, photo_changed_at=None)
    unknown = dataclasses.replace(on_prem, photo_changed_at=None)
    for diagnosis in (current, no_photo, unknown):
        card = diagnosis_card(diagnosis, EN_UTC)
        assert not [obj for obj in walk(card) if obj.get("id") == "sp-refresh"]


def test_refresh_in_the_gap_says_it_cannot_tell(diagnoses: dict[str, Any]) -> None:
    gap = diagnoses["change_time_gap"]
    assert gap.case is DiagnosisCase.CHANGE_TIME_UNKNOWN and gap.photo_changed_at is not None
    card = diagnosis_card(gap, EN_UTC)
    assert block_text(card["body"][0]) == "I can't tell if SharePoint has your latest photo"
    text = text_of(card)
    assert "can't tell whether SharePoint copied your new photo or the old one" in text
    assert "first time" not in text  # PhotoSync did see the previous version
    assert facts_of(card)["Photo first seen"] == format_time(gap.photo_changed_at, EN_UTC)
    assert offers_sync(gap)


def test_profile_and_learn_more_links(diagnoses: dict[str, Any]) -> None:
    card = diagnosis_card(diagnoses["in_sync"], EN_UTC)
    urls = {a["title"]: a["url"] for a in actions(card) if a["type"] == "Action.OpenUrl"}
    assert urls["Open my Microsoft 365 profile (Delve)"] == PROFILE_URL
    assert set(urls.values()) == {PROFILE_URL, PHOTO_SYNC_ARTICLE, PROFILE_SYNC_ARTICLE}
    assert "Delve was retired" in text_of(card) and "“Update your profile” edits it" in text_of(card)
    nl = diagnosis_card(diagnoses["in_sync"], NL_AMS)
    nl_urls = {a["title"]: a["url"] for a in actions(nl) if a["type"] == "Action.OpenUrl"}
    assert nl_urls["Mijn Microsoft 365-profiel openen (Delve)"] == PROFILE_URL
    other = diagnosis_card(diagnoses["in_sync"], EN_UTC, subject="other")
    assert "Open Megan Bowen's profile (Delve)" in {a["title"] for a in actions(other)}
    learn = [obj for obj in walk(card) if str(obj.get("id", "")).startswith("learn-more-")]
    assert [(o["type"], len(o["actions"])) for o in learn] == [("ActionSet", 1)] * 2  # one link per row


def test_helpdesk_variant_is_third_person(diagnoses: dict[str, Any]) -> None:
    card = diagnosis_card(
        diagnoses["stale"], EN_UTC, subject="other", requested_by="Alex Wilber", send_link=True
    )
    assert block_text(card["body"][0]) == "SharePoint still shows Megan Bowen's old photo"
    assert card_actions(card)[0]["title"] == "Send Megan Bowen a sync link"
    assert card_actions(card)[0]["data"]["userId"] == USER_ID
    text = text_of(card)
    assert "Requested by Alex Wilber" in text
    assert " your photo" not in text.lower()
    nl = diagnosis_card(diagnoses["stale"], NL_AMS, subject="other", send_link=True)
    assert card_actions(nl)[0]["title"] == "Megan Bowen een synclink sturen"


def test_unavailable_is_the_error_card_with_try_again(diagnoses: dict[str, Any]) -> None:
    card = diagnosis_card(diagnoses["unavailable"], EN_UTC)
    assert card["body"][0]["id"] == "error"
    assert block_text(card["body"][0]) == "I couldn't check your photo right now"
    assert card_actions(card)[0]["verb"] == "diagnose" and card_actions(card)[0]["title"] == "Try again"
    assert "try again later" in text_of(card).lower()
    other = diagnosis_card(diagnoses["unavailable"], EN_UTC, subject="other")
    assert card_actions(other)[0]["data"] == {"action": "diagnose", "userId": USER_ID}


def test_bad_arguments_are_refused(diagnoses: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        diagnosis_card(diagnoses["stale"], EN_UTC, subject="them")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        error_card(EN_UTC, reason_key="nope")  # type: ignore[arg-type]


def test_demo_footer_on_every_kind() -> None:
    demo = context("nl-NL", "Europe/Amsterdam", demo=True)
    card = refusal_card(demo)
    assert block_text(card["body"][-1]) == "Demogegevens — niet je echte tenant"


# --- helpdesk ----------------------------------------------------------------------------------------


def test_pick_user_lists_candidates_with_a_diagnose_button_each() -> None:
    card = pick_user_card(CANDIDATES, EN_UTC, query="Megan")
    assert card["body"][0] == {**card["body"][0], "id": "pick-user"}
    assert block_text(card["body"][0]) == "Several people match “Megan” — which one?"
    executes = [a for a in actions(card) if a["type"] == "Action.Execute"]
    assert [a["data"] for a in executes] == [{"action": "diagnose", "userId": c[0]} for c in CANDIDATES]
    assert all(a["fallback"]["type"] == "Action.Submit" for a in executes)
    text = text_of(card)
    assert "Megan Bowen" in text and "megan@contoso.com" in text and "Megan de Vries" in text
    assert "Showing the first" not in text


def test_pick_user_shows_at_most_ten() -> None:
    card = pick_user_card(MANY_CANDIDATES, NL_AMS, query="  Megan  ")
    assert block_text(card["body"][0]) == "Meerdere mensen passen bij “Megan” — wie bedoel je?"
    assert len(verbs(card)) == 10
    assert "De eerste 10 van 12 resultaten" in text_of(card)
    assert "Showing the first 10 of 12 matches" in text_of(pick_user_card(MANY_CANDIDATES, EN_UTC, query="M"))
    with pytest.raises(ValueError):
        pick_user_card([], EN_UTC, query="Megan")


def test_not_found_gives_tips() -> None:
    card = not_found_card(EN_UTC, query="Meagan")
    assert card["body"][0]["id"] == "not-found"
    assert block_text(card["body"][0]) == "No one matches “Meagan”"
    text = text_of(card)
    assert "email address" in text and "@mention" in text
    assert "actions" not in card


def test_refusal_is_polite_and_anonymous() -> None:
    card = refusal_card(EN_UTC)
    assert card["body"][0]["id"] == "refused"
    assert block_text(card["body"][0]) == "Only helpdesk staff can check other people's photos"
    assert "your own photo in a chat with me" in text_of(card)
    assert "actions" not in card and "userId" not in str(card)


def test_chat_link_only_when_given(diagnoses: dict[str, Any]) -> None:
    def chat_links(card: dict[str, Any]) -> list[tuple[str, str]]:
        return [
            (a["title"], a["url"])
            for a in actions(card)
            if a["type"] == "Action.OpenUrl" and "chat" in a["url"]
        ]

    stale = diagnoses["stale"]
    with_chat = diagnosis_card(stale, EN_UTC, subject="other", chat_url=CHAT_URL)
    assert chat_links(with_chat) == [("Chat with Megan Bowen", CHAT_URL)]
    assert len(card_actions(with_chat)) <= 6
    nl = diagnosis_card(stale, NL_AMS, subject="other", chat_url=CHAT_URL)
    assert chat_links(nl) == [("Chat met Megan Bowen", CHAT_URL)]
    assert chat_links(diagnosis_card(stale, EN_UTC, subject="other")) == []
    assert chat_links(diagnosis_card(stale, EN_UTC)) == []
    with pytest.raises(ValueError):
        diagnosis_card(stale, EN_UTC, chat_url=CHAT_URL)  # not for your own photo
    with pytest.raises(ValueError):
        diagnosis_card(stale, EN_UTC, subject="other", chat_url="javascript:alert(1)")
