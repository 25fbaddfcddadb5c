"""Every card the bot can send: each kind × each case × each locale × demo on/off × self/other.

`all_cards()` is the single generator the render/schema tests (and later the PNG gallery) iterate.
Diagnoses come from the real rules (`bot.domain.diagnosis.diagnose`) fed with one profile state per case,
so the cards are tested on the values the bot will really pass them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from bot import pictures
from bot.demo.portraits import portrait, silhouette_placeholder
from bot.domain.diagnosis import diagnose
from bot.domain.model import (
    Diagnosis,
    DiagnosisCase,
    GraphPhoto,
    PhotoSource,
    PictureEvidence,
    PictureVerdict,
    ProfileState,
    SharePointPicture,
    UserProfile,
)
from cards import (
    ERROR_REASONS,
    LINK_OUTCOMES,
    SIGNIN_REASONS,
    CardContext,
    SyncProgress,
    diagnosis_card,
    error_card,
    help_card,
    how_to_change_card,
    link_sent_card,
    not_found_card,
    notice_card,
    optout_result_card,
    pick_user_card,
    refusal_card,
    several_people_card,
    small_talk_card,
    sso_failed_card,
    sso_signin_card,
    sso_started_card,
    sync_checking_card,
    sync_link_card,
    sync_outcome_card,
    unknown_card,
    welcome_card,
    whose_photo_card,
)

NOW = datetime(2025, 3, 4, 9, 30, tzinfo=UTC)
USER_ID = "53d6c7d3-7bc7-4272-b9e3-4eb50bd7b23b"
TARGET_NAME = "Megan Bowen"
REQUESTED_BY = "Alex Wilber"
PROFILE_URL = "https://contoso-my.sharepoint.com/person.aspx?user=megan%40contoso.com&v=editprofile"
CHAT_URL = "https://teams.microsoft.com/l/chat/0/0?users=megan@contoso.com"
SYNC_URL = "https://bot.contoso.com/sync/53d6c7d3-7bc7-4272-b9e3-4eb50bd7b23b.1741080600.c2lnbmF0dXJl"
QUERY = "Megan"
# (user id, display name, UPN): the helpdesk's search for QUERY; one without a UPN.
CANDIDATES: tuple[tuple[str, str, str | None], ...] = (
    (USER_ID, TARGET_NAME, "megan@contoso.com"),
    ("0b7a1f0e-2d1c-4f7e-9c55-6f1a2b3c4d5e", "Megan Smith", "megan.smith@contoso.com"),
    ("9f8e7d6c-5b4a-4392-8170-6a5b4c3d2e1f", "Megan de Vries", None),
)
MANY_CANDIDATES = tuple(
    (f"00000000-0000-4000-8000-{i:012d}", f"Megan Test {i}", f"megan.test{i}@contoso.com") for i in range(12)
)

# (name prefix, locale, timezone): UTC readers see "UTC"; en-US gets the 12-hour clock.
LOCALES: tuple[tuple[str, str | None, str], ...] = (
    ("en-GB", "en-GB", "UTC"),
    ("en-US", "en-US", "America/New_York"),
    ("nl-NL", "nl-NL", "Europe/Amsterdam"),
)
# Pairs whose cards must differ in text (same card, English vs Dutch).
LANGUAGE_PAIRS = (("en-GB", "nl-NL"),)


@dataclass(frozen=True, slots=True)
class CardSample:
    name: str  # "<locale>[+demo]/<kind>/<variant>"
    kind: str  # expected id of the first body element
    locale: str
    lang: str
    demo: bool
    card: dict[str, Any]


def _user(**extra: Any) -> UserProfile:
    return UserProfile(id=USER_ID, display_name=TARGET_NAME, upn="megan@contoso.com", **extra)


def _state(**fields: Any) -> ProfileState:
    fields.setdefault("user", _user())
    fields.setdefault(
        "photo", GraphPhoto(etag='W/"photo-2"', width=648, height=648, content_type="image/jpeg")
    )
    fields.setdefault("photo_source", PhotoSource.CLOUD)
    return ProfileState(user_id=USER_ID, observed_at=NOW, **fields)


def _sp(timestamp: datetime | None, **extra: Any) -> SharePointPicture:
    extra.setdefault("placeholder_state", 0 if timestamp else 1)
    extra.setdefault("exchange_sync_state", 1)
    return SharePointPicture(
        profile_found=True, picture_url="https://x/_MThumb.jpg", timestamp=timestamp, **extra
    )


@cache
def sample_pictures() -> dict[str, str]:
    """Card thumbnails made the way the bot makes them (decode + `thumbnail_data_uri`) from generated portraits:
    the current photo, an older photo of the same person, and SharePoint's silhouette placeholder."""

    def uri(data: bytes) -> str:
        picture = pictures.decode(data)
        assert picture is not None
        return pictures.thumbnail_data_uri(picture)

    return {
        "current": uri(portrait(7, variant=1, size=96)),
        "previous": uri(portrait(7, variant=0, size=72)),
        "placeholder": uri(silhouette_placeholder(72)),
    }


def _seen(
    verdict: PictureVerdict, sharepoint: str | None = "previous", *, m365: bool = True
) -> PictureEvidence:
    shown = sample_pictures()
    return PictureEvidence(
        verdict, shown["current"] if m365 else None, shown[sharepoint] if sharepoint is not None else None
    )


def sample_states() -> dict[str, ProfileState]:
    """One observed state per diagnosis variant: STALE twice (overdue, placeholder-only), CHANGE_TIME_UNKNOWN
    twice (first sighting, SharePoint refreshed in the gap between sightings), ON_PREMISES twice (SharePoint
    behind the photo; no photo and SharePoint unreadable)."""
    day = timedelta(days=1)
    different = _seen(PictureVerdict.DIFFERENT)
    return {
        "unavailable": _state(graph_error="ServiceUnavailable"),
        "profile_importing": _state(sharepoint=SharePointPicture(profile_found=False)),
        "on_premises": _state(
            user=_user(on_premises_sync_enabled=True),
            photo_source=PhotoSource.ON_PREMISES,
            sharepoint=_sp(NOW - 40 * day),
            photo_changed_at=NOW - 5 * day,
            photo_previous_seen_at=NOW - 6 * day,
            pictures=different,
        ),
        "on_premises_no_sharepoint": _state(
            user=_user(on_premises_sync_enabled=True),
            photo_source=PhotoSource.ON_PREMISES,
            photo=None,
            sharepoint_error="HTTP 503",
        ),
        "no_photo": _state(
            photo=None,
            sharepoint=_sp(None),
            pictures=_seen(PictureVerdict.UNKNOWN, "placeholder", m365=False),
        ),
        "sync_disabled": _state(
            sharepoint=_sp(NOW - 9 * day, exchange_sync_state=0),
            photo_changed_at=NOW - day,
            pictures=different,
        ),
        "change_time_unknown": _state(sharepoint=_sp(NOW - 6 * day)),
        "change_time_gap": _state(
            sharepoint=_sp(NOW - 2 * day), photo_changed_at=NOW - day, photo_previous_seen_at=NOW - 3 * day
        ),
        "stale_placeholder": _state(sharepoint=_sp(None)),
        "stale_placeholder_seen": _state(
            sharepoint=_sp(None), pictures=_seen(PictureVerdict.PLACEHOLDER, "placeholder")
        ),
        "in_sync": _state(
            sharepoint=_sp(NOW - 2 * day),
            photo_changed_at=NOW - 3 * day,
            photo_previous_seen_at=NOW - 4 * day,
            pictures=_seen(PictureVerdict.SAME, "current"),
        ),
        "pending": _state(
            sharepoint=_sp(NOW - 30 * day),
            photo_changed_at=NOW - timedelta(hours=3),
            photo_previous_seen_at=NOW - day,
            pictures=different,
        ),
        "stale": _state(
            sharepoint=_sp(NOW - 30 * day),
            photo_changed_at=NOW - 4 * day - timedelta(hours=5),
            photo_previous_seen_at=NOW - 5 * day,
            pictures=different,
        ),
    }


def sample_diagnoses() -> dict[str, Diagnosis]:
    return {variant: diagnose(state, NOW) for variant, state in sample_states().items()}


def context(locale: str | None, tz: str, *, demo: bool) -> CardContext:
    return CardContext(locale=locale, tz=ZoneInfo(tz), now=NOW, demo=demo, profile_edit_url=PROFILE_URL)


def _cards_for(ctx: CardContext) -> list[tuple[str, str, dict[str, Any]]]:
    """(kind, variant, card) for one reader context."""
    out: list[tuple[str, str, dict[str, Any]]] = [
        ("welcome", "install", welcome_card(ctx)),
        ("help", "help", help_card(ctx)),
        ("unknown", "unknown", unknown_card(ctx)),
        ("unknown", "unknown-closest", unknown_card(ctx, ("how_to_change", "check", "help"))),
        ("whose-photo", "whose-photo", whose_photo_card(ctx)),
        ("whose-photo", "whose-photo-no-manager", whose_photo_card(ctx, no_manager=True)),
        ("several-people", "several-people", several_people_card(ctx)),
        ("how-to-change", "how-to-change", how_to_change_card(ctx)),
        ("small-talk", "small-talk", small_talk_card(ctx)),
    ]
    diagnoses = sample_diagnoses()
    for variant, diagnosis in diagnoses.items():
        kind = "error" if diagnosis.case is DiagnosisCase.UNAVAILABLE else "diagnosis"
        out.append((kind, f"diagnosis-{variant}-self", diagnosis_card(diagnosis, ctx)))
        other = diagnosis_card(diagnosis, ctx, subject="other", requested_by=REQUESTED_BY, chat_url=CHAT_URL)
        out.append((kind, f"diagnosis-{variant}-other", other))
    for variant in ("stale", "pending"):
        card = diagnosis_card(diagnoses[variant], ctx, sync_url=SYNC_URL)
        out.append(("diagnosis", f"diagnosis-{variant}-self-sync", card))
    for reason in ERROR_REASONS:
        out.append(("error", f"error-{reason}", error_card(ctx, reason_key=reason)))
    day = timedelta(days=1)
    out += [
        ("pick-user", "pick-user", pick_user_card(CANDIDATES, ctx, query=QUERY)),
        ("pick-user", "pick-user-many", pick_user_card(MANY_CANDIDATES, ctx, query=QUERY)),
        ("not-found", "not-found", not_found_card(ctx, query="Meagan Bowne")),
        ("refused", "refused", refusal_card(ctx)),
        (
            "notice",
            "notice-stale",
            notice_card(
                ctx,
                user_id=USER_ID,
                photo_first_seen=NOW - 4 * day,
                sharepoint_refreshed=NOW - 30 * day,
                pictures=_seen(PictureVerdict.DIFFERENT),
                sync_url=SYNC_URL,
            ),
        ),
        (
            "notice",
            "notice-never-refreshed",
            notice_card(
                ctx, user_id=USER_ID, photo_first_seen=NOW - timedelta(hours=30), sharepoint_refreshed=None
            ),
        ),
        ("optout-result", "optout-stopped", optout_result_card(ctx, opted_out=True)),
        ("sync-link", "sync-link", sync_link_card(ctx, url=SYNC_URL, requested_by=REQUESTED_BY)),
        *(
            (
                "link-sent",
                f"link-{outcome}",
                link_sent_card(ctx, outcome=outcome, name=TARGET_NAME, at=NOW, user_id=USER_ID),
            )
            for outcome in LINK_OUTCOMES
        ),
        (
            "diagnosis",
            "diagnosis-stale-other-send-link",
            diagnosis_card(
                diagnoses["stale"], ctx, subject="other", requested_by=REQUESTED_BY, send_link=True
            ),
        ),
        (
            "sync-fixed",
            "sync-fixed",
            sync_outcome_card(ctx, fixed=True, pictures=_seen(PictureVerdict.SAME, "current"), checked=NOW),
        ),
        (
            "sync-expired",
            "sync-expired",
            sync_outcome_card(ctx, fixed=False, pictures=_seen(PictureVerdict.DIFFERENT), checked=NOW),
        ),
        ("optout-result", "optout-started", optout_result_card(ctx, opted_out=False)),
        (
            "sync-checking",
            "sync-checking",
            sync_checking_card(ctx, started=NOW, next_check=NOW + timedelta(minutes=2)),
        ),
        *(
            (
                "diagnosis",
                f"diagnosis-stale-{subject}-{state}",
                diagnosis_card(
                    diagnoses["stale"],
                    ctx,
                    subject=subject,  # type: ignore[arg-type]
                    progress=SyncProgress(state, NOW - timedelta(hours=3), NOW - timedelta(minutes=5)),  # type: ignore[arg-type]
                ),
            )
            for subject in ("self", "other")
            for state in ("checking", "fixed", "expired")
        ),
        (
            "diagnosis",
            "diagnosis-stale-self-sso",
            diagnosis_card(diagnoses["stale"], ctx, sync_url=SYNC_URL, sync_execute=True),
        ),
        (
            "diagnosis",
            "diagnosis-stale-self-refresh",
            diagnosis_card(diagnoses["stale"], ctx, sync_url=SYNC_URL, refresh_for="29:1f2e3d"),
        ),
        (
            "sso-started",
            "sso-started",
            sso_started_card(ctx, at=NOW, sharepoint_stored=NOW - timedelta(days=9)),
        ),
        ("sso-started", "sso-started-no-profile", sso_started_card(ctx, at=NOW)),
        ("sso-failed", "sso-failed-link", sso_failed_card(ctx, link=SYNC_URL)),
        ("sso-failed", "sso-failed", sso_failed_card(ctx, link=None)),
        *(
            ("sso-signin", f"sso-{reason}", sso_signin_card(ctx, reason=reason, link=SYNC_URL))
            for reason in SIGNIN_REASONS
        ),
    ]
    return out


def card_samples() -> list[CardSample]:
    samples: list[CardSample] = []
    for prefix, locale, tz in LOCALES:
        for demo in (False, True):
            ctx = context(locale, tz, demo=demo)
            for kind, variant, card in _cards_for(ctx):
                name = f"{prefix}{'+demo' if demo else ''}/{kind}/{variant}"
                samples.append(CardSample(name, kind, prefix, ctx.lang, demo, card))
    return samples


def all_cards() -> list[tuple[str, dict[str, Any]]]:
    """Every card as (name, card dict), in a stable order."""
    return [(sample.name, sample.card) for sample in card_samples()]
