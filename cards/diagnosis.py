"""The diagnosis card: one verdict per DiagnosisCase, which copy is stale and why, facts, advice, actions.

UNAVAILABLE ("couldn't check right now") is rendered as the `error` card (reason "unavailable") so the
user meets one consistent "try again later" card whichever path failed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, Literal, NamedTuple

from microsoft_teams.cards import Action, CardElement

from bot.domain.model import Diagnosis, DiagnosisCase

from .common import (
    VERB_SEND_SYNC_LINK,
    VERB_START_SYNC,
    Subject,
    build_card,
    cap,
    execute,
    fact_set,
    format_duration,
    format_time,
    heading,
    learn_more,
    open_url,
    text_block,
    timing_values,
    title_block,
)
from .context import CardContext, Lang
from .error import error_card
from .pictures import NO_PICTURES, PictureShape, picture_elements, picture_shape, picture_slots, picture_texts
from .strings import t
from .template import CardTemplate

KIND = "diagnosis"

# Cases about SharePoint's sync timing: show the usual timing when no concrete deadline is known.
_SYNC_TIMING = frozenset({DiagnosisCase.STALE, DiagnosisCase.CHANGE_TIME_UNKNOWN})
# Variants that share another variant's advice.
_ADVICE_OF = {"stale_placeholder": "stale"}


def subject_name(diagnosis: Diagnosis, ctx: CardContext) -> str:
    return diagnosis.display_name or diagnosis.upn or t("name.unknown", ctx.lang)


def _variant(diagnosis: Diagnosis) -> str:
    """The string family for the card's title and explanation."""
    if diagnosis.case is DiagnosisCase.STALE and diagnosis.overdue_for is None:
        return "stale_placeholder"  # SharePoint shows a placeholder; no change time to count from
    if diagnosis.case is DiagnosisCase.CHANGE_TIME_UNKNOWN and diagnosis.photo_changed_at is not None:
        return "change_time_gap"  # SharePoint refreshed between the sightings of the old and new photo
    return diagnosis.case.value


def _advice_variant(diagnosis: Diagnosis) -> str:
    variant = _variant(diagnosis)
    return _ADVICE_OF.get(variant, variant)


def _sharepoint_behind_on_premises(diagnosis: Diagnosis) -> bool:
    """ON_PREMISES, and SharePoint last refreshed before PhotoSync first saw the current photo: opening the
    profile may refresh SharePoint's copy, which needs no change on-premises."""
    changed, refreshed = diagnosis.photo_changed_at, diagnosis.sharepoint_refreshed_at
    return (
        diagnosis.case is DiagnosisCase.ON_PREMISES
        and diagnosis.has_photo
        and diagnosis.sharepoint_read
        and changed is not None
        and refreshed is not None
        and refreshed < changed
    )


def _values(diagnosis: Diagnosis, ctx: CardContext, name: str, requested_by: str | None) -> dict[str, Any]:
    unknown = t("fact.changed.unknown", ctx.lang).lower()

    def when(moment: Any) -> str:
        return format_time(moment, ctx) if moment is not None else unknown

    return {
        **timing_values(),
        "name": name,
        "bot": ctx.bot_name,
        "requested_by": requested_by or "",
        "changed": when(diagnosis.photo_changed_at),
        "sp_refreshed": when(diagnosis.sharepoint_refreshed_at),
        "expected_by": when(diagnosis.expected_by),
        "expected_by_field": when(diagnosis.expected_by_field),
        "overdue": format_duration(diagnosis.overdue_for, ctx) if diagnosis.overdue_for else unknown,
    }


def _facts(diagnosis: Diagnosis, ctx: CardContext, values: dict[str, Any]) -> list[tuple[str, str]]:
    lang = ctx.lang
    case = diagnosis.case
    if diagnosis.photo_changed_at is not None:
        changed = values["changed"]  # format_time(diagnosis.photo_changed_at, ctx), made once in _values
    elif not diagnosis.has_photo:
        changed = t("fact.changed.none", lang)
    else:
        changed = t("fact.changed.first_seen", lang, bot=ctx.bot_name)

    if not diagnosis.sharepoint_read:
        refreshed = t("fact.sp.unavailable", lang)
    elif diagnosis.sharepoint_refreshed_at is not None:
        refreshed = values[
            "sp_refreshed"
        ]  # format_time(diagnosis.sharepoint_refreshed_at, ctx), from _values
    elif case is DiagnosisCase.PROFILE_IMPORTING:
        refreshed = t("fact.sp.no_profile", lang)
    else:
        refreshed = t("fact.sp.never", lang)

    facts = [
        (t("fact.stale", lang), t(f"stale.{diagnosis.stale_copy.value}", lang)),
        (t("fact.changed", lang, bot=ctx.bot_name), changed),
        (t("fact.sp", lang), refreshed),
    ]
    if diagnosis.expected_by is not None:
        facts.append(
            (t("fact.expected", lang), t("fact.expected.value", lang, **values, time=values["expected_by"]))
        )
        if diagnosis.expected_by_field is not None:
            field = t("fact.field.value", lang, **values, time=values["expected_by_field"])
            facts.append((t("fact.field", lang), field))
    elif case in _SYNC_TIMING:
        facts.append((t("fact.timing", lang), t("fact.timing.value", lang, **values)))
    return facts


class _Shape(NamedTuple):
    """Everything that decides which elements a diagnosis card has (its texts are the template's slots)."""

    lang: Lang
    demo: bool
    subject: Subject
    requested_by: bool
    sp_refresh: bool
    facts: int
    chat: bool
    pictures: PictureShape = NO_PICTURES
    sync: bool = False
    send_link: bool = False
    progress: bool = False
    sync_execute: bool = False
    refresh: bool = False


def diagnosis_card(
    diagnosis: Diagnosis,
    ctx: CardContext,
    *,
    subject: Subject = "self",
    requested_by: str | None = None,
    chat_url: str | None = None,
    sync_url: str | None = None,
    send_link: bool = False,
    progress: SyncProgress | None = None,
    sync_execute: bool = False,
    refresh_for: str | None = None,
) -> dict[str, Any]:
    """The card explaining `diagnosis` to its subject ("self"), or to someone checking another user ("other")
    (third person, named; `requested_by` adds a "Requested by …" line; `chat_url`, an https Teams deep link
    built by the caller, adds a "Chat with {name}" button).

    The most asked card: its layout comes from a template per shape (`cards/template.py`), built by `_build`
    with the typed models; `_texts` makes this reader's texts."""
    if subject not in ("self", "other"):
        raise ValueError(f"subject must be 'self' or 'other', not {subject!r}")
    if chat_url is not None and (subject != "other" or not chat_url.startswith("https://")):
        raise ValueError("chat_url must be an https URL, and only for subject='other'")
    if diagnosis.case is DiagnosisCase.UNAVAILABLE:
        name = subject_name(diagnosis, ctx)
        return error_card(
            ctx,
            reason_key="unavailable",
            target_name=name if subject == "other" else None,
            target_user_id=diagnosis.user_id if subject == "other" else None,
        )
    if sync_url is not None and (subject != "self" or not offers_sync(diagnosis)):
        raise ValueError("a sync link is offered to the user themself, and only when it can help")
    shape, texts = _texts(diagnosis, ctx, subject, requested_by, chat_url)
    if sync_url is not None:
        shape = shape._replace(sync=True)
        texts["sync"], texts["sync_url"] = t("action.sync", ctx.lang), sync_url
    if sync_execute and sync_url is not None:  # Teams SSO: the click starts the sync as the user, in Teams
        shape = shape._replace(sync_execute=True)
        texts["sync_user"] = diagnosis.user_id
    if progress is not None:
        shape = shape._replace(progress=True)
        texts["progress"] = progress_text(progress, ctx, subject, subject_name(diagnosis, ctx))
    if refresh_for and subject == "self":  # the reader's own card follows their sync when they look at it
        shape = shape._replace(refresh=True)
        texts["refresh_user"] = refresh_for
    if send_link and subject == "other" and offers_sync(diagnosis):
        shape = shape._replace(send_link=True)
        texts["send_link"] = t("action.send_link", ctx.lang, name=subject_name(diagnosis, ctx))
        texts["link_user"] = diagnosis.user_id
    return _template(shape).fill(texts)


@dataclass(frozen=True, slots=True)
class SyncProgress:
    """A sync the user started, as the checker last saw it: `state` "checking" (`at` = the next check),
    "fixed" (`at` = when SharePoint showed the photo) or "expired" (`at` = the last check)."""

    state: Literal["checking", "fixed", "expired"]
    started_at: datetime
    at: datetime


def progress_text(progress: SyncProgress, ctx: CardContext, subject: Subject, name: str) -> str:
    return cap(
        t(
            f"progress.{progress.state}.{subject}",
            ctx.lang,
            name=name,
            started=format_time(progress.started_at, ctx),
            at=format_time(progress.at, ctx),
        )
    )


def offers_sync(diagnosis: Diagnosis) -> bool:
    """Starting SharePoint's sync can help: SharePoint is behind, or can't be shown to be current. Not when it is
    in sync, when the photo is managed on-premises or missing, when SharePoint doesn't pull photos, or when it
    has no profile for the user yet."""
    return diagnosis.case in _SYNC_HELPS


_SYNC_HELPS = frozenset({DiagnosisCase.STALE, DiagnosisCase.PENDING, DiagnosisCase.CHANGE_TIME_UNKNOWN})


def _texts(
    diagnosis: Diagnosis, ctx: CardContext, subject: Subject, requested_by: str | None, chat_url: str | None
) -> tuple[_Shape, dict[str, str]]:
    """The card's shape and every text in it, for this reader."""
    lang = ctx.lang
    name = subject_name(diagnosis, ctx)
    values = _values(diagnosis, ctx, name, requested_by)
    variant = _variant(diagnosis)
    texts = {
        "title": cap(t(f"diag.{variant}.title.{subject}", lang, **values)),
        "why": cap(t(f"diag.{variant}.why.{subject}", lang, **values)),
        "advice": cap(t(f"diag.{_advice_variant(diagnosis)}.advice.{subject}", lang, **values)),
        "delve": t(f"note.delve.{subject}", lang, name=name),
        "profile": t(f"action.profile.{subject}", lang, name=name),
        "profile_url": ctx.profile_edit_url,
        "checked": t("footer.checked", lang, time=format_time(ctx.now, ctx)),
    }
    if requested_by:
        texts["requested_by"] = t("diag.requested_by", lang, **values)
    sp_refresh = _sharepoint_behind_on_premises(diagnosis)
    if sp_refresh:
        texts["sp_refresh"] = cap(t(f"diag.on_premises.sp_refresh.{subject}", lang, **values))
    facts = _facts(diagnosis, ctx, values)
    for i, (title, value) in enumerate(facts):
        texts[f"fact{i}"], texts[f"value{i}"] = title, value
    if chat_url:
        texts["chat"] = t("action.chat", lang, name=name)
        texts["chat_url"] = chat_url
    pictures = picture_shape(diagnosis)
    texts.update(picture_texts(diagnosis, ctx, subject, name, pictures))
    shape = _Shape(
        lang,
        ctx.demo,
        subject,
        bool(requested_by),
        sp_refresh,
        len(facts),
        bool(chat_url),
        pictures,
    )
    return shape, texts


@cache
def _template(shape: _Shape) -> CardTemplate:
    slots = ["title", "why", "advice", "delve", "profile", "profile_url", "checked"]
    slots += ["requested_by"] * shape.requested_by + ["sp_refresh"] * shape.sp_refresh
    slots += [f"{kind}{i}" for i in range(shape.facts) for kind in ("fact", "value")]
    slots += ["chat", "chat_url"] * shape.chat
    slots += picture_slots(shape.pictures)
    slots += ["sync"] * shape.sync + ["sync_url"] * (shape.sync and not shape.sync_execute)
    slots += ["send_link", "link_user"] * shape.send_link
    slots += ["progress"] * shape.progress + ["sync_user"] * (shape.sync and shape.sync_execute)
    slots += ["refresh_user"] * shape.refresh
    return CardTemplate(lambda texts: _build(shape, texts), slots)


def _build(shape: _Shape, texts: Mapping[str, str]) -> dict[str, Any]:
    """The diagnosis card of `shape` with `texts`, from the typed models (what the template is made of)."""
    lang = shape.lang
    plain = shape.subject == "other"  # these texts carry a name from the directory
    body: list[CardElement] = [title_block(KIND, texts["title"], plain=plain)]
    if shape.requested_by:
        body.append(text_block(texts["requested_by"], subtle=True, small=True, spacing="None", plain=True))
    if shape.progress:  # what became of a sync the user started: observed, so it comes first
        body.append(text_block(texts["progress"], block_id="sync-progress", plain=plain))
    body += picture_elements(shape.pictures, texts, plain=plain)
    body += [
        text_block(texts["why"], block_id="why", plain=plain),
        fact_set([(texts[f"fact{i}"], texts[f"value{i}"]) for i in range(shape.facts)], block_id="facts"),
        heading(t("advice.heading", lang)),
        text_block(texts["advice"], block_id="advice", spacing="Small", plain=plain),
    ]
    if shape.sp_refresh:
        body.append(text_block(texts["sp_refresh"], block_id="sp-refresh", spacing="Small", plain=plain))
    body += [
        text_block(texts["delve"], subtle=True, small=True, plain=plain),
        *learn_more(shape),
    ]

    actions: list[Action] = []
    if shape.sync and shape.sync_execute:  # the main action, with Teams SSO: the bot requests it as the user
        actions.append(
            execute(texts["sync"], VERB_START_SYNC, {"userId": texts["sync_user"]}, style="positive")
        )
    elif shape.sync:  # the main action: the user's own request for their own photo is what starts the sync
        actions.append(open_url(texts["sync"], texts["sync_url"]))
    if shape.send_link:  # the helpdesk's main action: only the user can start it, so send them the link
        actions.append(
            execute(texts["send_link"], VERB_SEND_SYNC_LINK, {"userId": texts["link_user"]}, style="positive")
        )
    if shape.chat:
        actions.append(open_url(texts["chat"], texts["chat_url"]))
    actions.append(open_url(texts["profile"], texts["profile_url"]))

    return build_card(
        shape,
        body=body,
        actions=actions,
        fallback_text=f"{texts['title']}. {texts['why']}",
        speak=texts["title"],
        footer_lines=[texts["checked"]],
        refresh_for=texts["refresh_user"] if shape.refresh else None,
    )
