"""The sync started as the user (Teams SSO): SharePoint was asked for the user's own large photo with their own
token, or that could not be done and the one-click link is the way left (docs/DOMAIN.md, "Teams SSO")."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from microsoft_teams.cards import Action, CardElement

from .common import build_card, check_action, fact_set, format_time, open_url, text_block, title_block
from .context import CardContext
from .strings import t

STARTED_KIND = "sso-started"
FAILED_KIND = "sso-failed"
SIGNIN_KIND = "sso-signin"
SIGNIN_REASONS = ("signin", "retry")


def sso_started_card(
    ctx: CardContext, *, at: datetime, sharepoint_stored: datetime | None = None
) -> dict[str, Any]:
    """SharePoint had the user's own request for their photo: it fetches it now; the bot checks and tells."""
    lang = ctx.lang
    title = t("sso.started.title", lang)
    text = t("sso.started.text", lang, at=format_time(at, ctx))
    body: list[CardElement] = [
        title_block(STARTED_KIND, title),
        text_block(text, block_id="sso-started-text"),
    ]
    if sharepoint_stored is not None:
        body.append(
            fact_set(
                [(t("sso.started.stored", lang), format_time(sharepoint_stored, ctx))], block_id="sso-stored"
            )
        )
    return build_card(
        ctx, body=body, actions=[check_action(ctx)], fallback_text=f"{title}. {text}", speak=title
    )


def sso_failed_card(ctx: CardContext, *, link: str | None) -> dict[str, Any]:
    """The request as the user did not happen; the one-click link (the user's browser) still can."""
    lang = ctx.lang
    title = t("sso.failed.title", lang)
    text = t("sso.failed.text.link" if link else "sso.failed.text", lang)
    body: list[CardElement] = [title_block(FAILED_KIND, title), text_block(text, block_id="sso-failed-text")]
    return build_card(
        ctx, body=body, actions=_actions(ctx, link), fallback_text=f"{title}. {text}", speak=title
    )


def sso_signin_card(ctx: CardContext, *, reason: str, link: str | None) -> dict[str, Any]:
    """Teams is signing the user in (`signin`), or signed them in and the button needs a second click
    (`retry`)."""
    if reason not in SIGNIN_REASONS:
        raise ValueError(f"unknown reason {reason!r}")
    lang = ctx.lang
    title = t(f"sso.{reason}.title", lang)
    text = t(f"sso.{reason}.text", lang)
    body: list[CardElement] = [
        title_block(SIGNIN_KIND, title),
        text_block(text, block_id=f"sso-{reason}-text"),
    ]
    return build_card(
        ctx, body=body, actions=_actions(ctx, link), fallback_text=f"{title}. {text}", speak=title
    )


def _actions(ctx: CardContext, link: str | None) -> list[Action]:
    actions: list[Action] = [open_url(t("action.sync", ctx.lang), link)] if link else []
    return [*actions, check_action(ctx)]
