"""The `resync-result` card: what happened when someone pressed "Re-sync my photo"."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from microsoft_teams.cards import Action, CardElement

from bot.domain.model import FIELD_PHOTO_SYNC, MICROSOFT_PHOTO_SYNC, Diagnosis

from .common import (
    Subject,
    build_card,
    cap,
    check_action,
    delve_note,
    format_time,
    profile_action,
    text_block,
    timing_values,
    title_block,
)
from .context import CardContext
from .strings import has_key, t

KIND = "resync-result"


class ResyncOutcome(StrEnum):
    REQUESTED = "requested"  # photo re-submitted at `at`
    COOLDOWN = "cooldown"  # a re-sync was already requested at `at`; asking again won't help
    REFUSED = "refused"  # not the asker's photo
    FAILED = "failed"  # the re-submit failed; nothing changed
    NOT_POSSIBLE = "not_possible"  # the photo's state doesn't allow a re-sync (see `diagnosis.case`)


def _not_possible_reason(diagnosis: Diagnosis | None, ctx: CardContext) -> str:
    """Why a re-sync can't help, per diagnosis case (cases that allow a re-sync have no own reason)."""
    key = "resync.not_possible.generic"
    if diagnosis is not None and has_key(f"resync.not_possible.{diagnosis.case.value}"):
        key = f"resync.not_possible.{diagnosis.case.value}"
    return t(key, ctx.lang, **timing_values())


def resync_result_card(
    outcome: ResyncOutcome,
    ctx: CardContext,
    *,
    at: datetime,
    diagnosis: Diagnosis | None = None,
    target_name: str | None = None,
    requested_by: str | None = None,
) -> dict[str, Any]:
    """The outcome of a re-sync request.

    `at`: when the photo was re-submitted (REQUESTED) or first requested (COOLDOWN); expectations count
    from it. `target_name` words the card for someone re-syncing another user's photo ("other"); with it,
    `requested_by` adds a "Requested by …" line.
    `diagnosis` (optional) explains NOT_POSSIBLE and lets "Check again" target the right user.
    """
    outcome = ResyncOutcome(outcome)
    lang = ctx.lang
    subject: Subject = "other" if target_name else "self"
    name = target_name or ""
    target_user_id = diagnosis.user_id if diagnosis is not None and subject == "other" else None
    values: dict[str, Any] = {
        **timing_values(),
        "name": name,
        "bot": ctx.bot_name,
        "at": format_time(at, ctx),
        "by": format_time(at + MICROSOFT_PHOTO_SYNC, ctx),
        "by_field": format_time(at + FIELD_PHOTO_SYNC, ctx),
    }

    actions: list[Action] = []
    extra: list[CardElement] = []
    if outcome in (ResyncOutcome.REQUESTED, ResyncOutcome.COOLDOWN):
        title = t(f"resync.{outcome.value}.title.{subject}", lang, **values)
        texts = [t(f"resync.{outcome.value}.text.{subject}", lang, **values)]
        actions.append(profile_action(ctx, subject=subject, name=name))
        extra.append(delve_note(ctx, subject=subject, name=name))
    elif outcome is ResyncOutcome.REFUSED:
        title = t("resync.refused.title", lang)
        texts = [t(f"resync.refused.text.{subject}", lang, **values)]
        actions.append(check_action(ctx))
    elif outcome is ResyncOutcome.FAILED:
        title = t(f"resync.failed.title.{subject}", lang, **values)
        texts = [t("resync.failed.text", lang)]
        actions.append(check_action(ctx, label_key="action.check_again", user_id=target_user_id))
    else:
        title = t("resync.not_possible.title", lang)
        texts = [_not_possible_reason(diagnosis, ctx), t("resync.not_possible.next", lang)]
        actions.append(check_action(ctx, label_key="action.check_again", user_id=target_user_id))

    title = cap(title)
    texts = [cap(text) for text in texts]
    plain = subject == "other"  # the texts carry a name from the directory
    body: list[CardElement] = [title_block(KIND, title, plain=plain)]
    if plain and requested_by:
        by_line = t("diag.requested_by", lang, requested_by=requested_by)
        body.append(text_block(by_line, subtle=True, small=True, spacing="None", plain=True))
    body += [
        *(
            text_block(text, block_id=None if i else f"outcome-{outcome.value}", plain=plain)
            for i, text in enumerate(texts)
        ),
        *extra,
    ]
    return build_card(
        ctx,
        body=body,
        actions=actions,
        fallback_text=f"{title}. {' '.join(texts)}",
        speak=title,
    )
