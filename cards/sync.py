"""How a started sync ended, told to the user: SharePoint now shows the new photo, or, after the checking window,
what to ask IT (docs/DOMAIN.md: the Picture Sync diagnostic, and the causes of a sync that doesn't happen)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from microsoft_teams.cards import CardElement

from bot.domain.model import PictureEvidence

from .common import build_card, cap, check_action, format_time, open_url, text_block, title_block
from .context import CardContext
from .pictures import evidence_shape, evidence_texts, picture_elements
from .strings import t

FIXED_KIND = "sync-fixed"
EXPIRED_KIND = "sync-expired"


def sync_outcome_card(
    ctx: CardContext, *, fixed: bool, pictures: PictureEvidence | None, checked: datetime
) -> dict[str, Any]:
    lang = ctx.lang
    state = "fixed" if fixed else "expired"
    title = t(f"sync.{state}.title", lang)
    text = t(f"sync.{state}.text", lang, time=format_time(checked, ctx))
    shape = evidence_shape(pictures)
    body: list[CardElement] = [
        title_block(FIXED_KIND if fixed else EXPIRED_KIND, title),
        *picture_elements(shape, evidence_texts(pictures, ctx, "self", "", shape), plain=False),
        text_block(text, block_id=f"sync-{state}-text"),
    ]
    return build_card(
        ctx, body=body, actions=[check_action(ctx)], fallback_text=f"{title}. {text}", speak=title
    )


CHECKING_KIND = "sync-checking"


def sync_checking_card(ctx: CardContext, *, started: datetime, next_check: datetime) -> dict[str, Any]:
    """The card that offered the sync, once the user started it: SharePoint is fetching, the bot is checking
    (the outcome replaces it in turn)."""
    lang = ctx.lang
    title = t("checking.title", lang)
    text = t("checking.text", lang, started=format_time(started, ctx), at=format_time(next_check, ctx))
    body: list[CardElement] = [title_block(CHECKING_KIND, title), text_block(text, block_id="checking-text")]
    return build_card(
        ctx, body=body, actions=[check_action(ctx)], fallback_text=f"{title}. {text}", speak=title
    )


LINK_KIND = "sync-link"
LINK_SENT_KIND = "link-sent"
LINK_OUTCOMES = ("sent", "already_sent", "no_chat", "not_needed")


def sync_link_card(ctx: CardContext, *, url: str, requested_by: str | None) -> dict[str, Any]:
    """To a user whose helpdesk asked: the one-click start of SharePoint's sync, as the main button."""
    lang = ctx.lang
    title = t("synclink.title", lang)
    text = t("synclink.text", lang)
    body: list[CardElement] = [title_block(LINK_KIND, title), text_block(text, block_id="synclink-text")]
    if requested_by:
        by = t("diag.requested_by", lang, requested_by=requested_by)
        body.append(text_block(by, subtle=True, small=True, plain=True))
    actions = [open_url(t("action.sync", lang), url), check_action(ctx)]
    return build_card(ctx, body=body, actions=actions, fallback_text=f"{title}. {text}", speak=title)


def link_sent_card(
    ctx: CardContext, *, outcome: str, name: str, at: datetime, user_id: str
) -> dict[str, Any]:
    """To the helpdesk: what became of "Send {name} a sync link"."""
    if outcome not in LINK_OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}")
    lang = ctx.lang
    title = cap(t(f"linksent.{outcome}.title", lang, name=name))
    text = cap(t(f"linksent.{outcome}.text", lang, name=name, at=format_time(at, ctx)))
    body: list[CardElement] = [
        title_block(LINK_SENT_KIND, title, plain=True),
        text_block(text, block_id=f"linksent-{outcome}", plain=True),
    ]
    actions = [check_action(ctx, label_key="action.check_again", user_id=user_id)]
    return build_card(ctx, body=body, actions=actions, fallback_text=f"{title}. {text}", speak=title)
