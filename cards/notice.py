"""Proactive photo notices: the `notice` card (SharePoint's copy of the user's photo is out of date) and the
`optout-result` card (the answer to "stop" / "start" and to the notice's "Don't notify me again" button).

Actions the bot must route (Action.Execute `verb`; the Action.Submit fallback sends the same data):
- `stopNotices`   data `{"action": "stopNotices"}`  — opt the *clicker* out (identity from the activity)
- `startNotices`  data `{"action": "startNotices"}` — opt the clicker back in
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from microsoft_teams.cards import Action, CardElement

from bot.domain.model import FIELD_PHOTO_SYNC, MICROSOFT_PHOTO_SYNC, PictureEvidence

from .common import (
    build_card,
    cap,
    check_action,
    execute,
    fact_set,
    format_duration,
    format_time,
    heading,
    learn_more,
    open_url,
    profile_action,
    text_block,
    timing_values,
    title_block,
)
from .context import CardContext
from .pictures import evidence_shape, evidence_texts, picture_elements
from .strings import t

KIND = "notice"
OPTOUT_KIND = "optout-result"

VERB_STOP_NOTICES = "stopNotices"
VERB_START_NOTICES = "startNotices"


def stop_notices_action(ctx: CardContext) -> Action:
    return execute(t("action.stop_notices", ctx.lang), VERB_STOP_NOTICES)


def start_notices_action(ctx: CardContext) -> Action:
    return execute(t("action.start_notices", ctx.lang), VERB_START_NOTICES, style="positive")


def notice_card(
    ctx: CardContext,
    *,
    user_id: str,
    photo_first_seen: datetime,
    sharepoint_refreshed: datetime | None,
    pictures: PictureEvidence | None = None,
    sync_url: str | None = None,
) -> dict[str, Any]:
    """Tell `user_id` (the reader) that SharePoint's copy of their photo is out of date.

    `photo_first_seen`: when PhotoSync first saw the current photo (the photo ledger); the change happened at
    or before it, and the card says so. `sharepoint_refreshed`: SharePoint's last refresh of its copy
    (None: never). Offers the one-click sync (`sync_url`) and a "Don't notify me again" button.
    """
    if not user_id:
        raise ValueError("user_id is required")
    lang = ctx.lang
    values: dict[str, Any] = {
        **timing_values(),
        "bot": ctx.bot_name,
        "changed": format_time(photo_first_seen, ctx),
        "sp_refreshed": format_time(sharepoint_refreshed, ctx) if sharepoint_refreshed else "",
        "overdue": format_duration(ctx.now - photo_first_seen, ctx),
        "expected_by": format_time(photo_first_seen + MICROSOFT_PHOTO_SYNC, ctx),
        "expected_by_field": format_time(photo_first_seen + FIELD_PHOTO_SYNC, ctx),
    }
    title = t("notice.title", lang)
    why = cap(t("notice.why" if sharepoint_refreshed else "notice.why.never", lang, **values))
    facts = [
        (t("fact.stale", lang), t("stale.sharepoint", lang)),
        (t("fact.changed", lang, bot=ctx.bot_name), values["changed"]),
        (t("fact.sp", lang), values["sp_refreshed"] or t("fact.sp.never", lang)),
    ]
    shape = evidence_shape(pictures)
    body: list[CardElement] = [
        title_block(KIND, title),
        *picture_elements(shape, evidence_texts(pictures, ctx, "self", "", shape), plain=False),
        text_block(why, block_id="why"),
        fact_set(facts, block_id="facts"),
        text_block(cap(t("notice.timing", lang, **values)), block_id="timing", spacing="Small"),
        heading(t("advice.heading", lang)),
        text_block(
            cap(t("notice.advice.link" if sync_url else "notice.advice", lang, **values)),
            block_id="advice",
            spacing="Small",
        ),
        *learn_more(ctx),
    ]
    actions: list[Action] = [open_url(t("action.sync", lang), sync_url)] if sync_url else []
    actions += [
        stop_notices_action(ctx),
        profile_action(ctx, subject="self", name=""),
    ]
    return build_card(
        ctx,
        body=body,
        actions=actions,
        fallback_text=f"{title}. {why}",
        speak=title,
        footer_lines=[t("notice.footer", lang, **values)],
    )


def optout_result_card(ctx: CardContext, *, opted_out: bool) -> dict[str, Any]:
    """The answer to "stop" (`opted_out=True`) or "start" (`opted_out=False`) for the person who said it."""
    lang = ctx.lang
    state = "stopped" if opted_out else "started"
    title = t(f"optout.{state}.title", lang)
    text = t(f"optout.{state}.text", lang, bot=ctx.bot_name)
    toggle = start_notices_action(ctx) if opted_out else stop_notices_action(ctx)
    return build_card(
        ctx,
        body=[title_block(OPTOUT_KIND, title), text_block(text, block_id=f"optout-{state}")],
        actions=[toggle, check_action(ctx)],
        fallback_text=f"{title}. {text}",
        speak=title,
    )
