"""Helpdesk cards (staff @mention the bot about another user): `pick-user` (several matches),
`not-found` (no match) and `refused` (the asker is not helpdesk staff).

`refused` takes no target on purpose: it can't reveal who was asked about.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from microsoft_teams.cards import ActionSet, CardElement, Column, ColumnSet

from .common import VERB_DIAGNOSE, build_card, execute, heading, text_block, title_block
from .context import CardContext
from .strings import t

MAX_CANDIDATES = 10
_MAX_QUERY_CHARS = 100

# (Entra object id, display name, UPN or mail)
Candidate = tuple[str, str, str | None]


def _query(query: str) -> str:
    """The asker's search text, trimmed and kept short (it is echoed in the title)."""
    query = " ".join(query.split())
    return query if len(query) <= _MAX_QUERY_CHARS else f"{query[: _MAX_QUERY_CHARS - 1]}…"


def _candidate_row(index: int, candidate: Candidate, ctx: CardContext) -> ColumnSet:
    user_id, display_name, upn = candidate
    if not user_id:
        raise ValueError("every candidate needs a user id")
    name = display_name.strip() or (upn or "").strip() or t("name.unknown", ctx.lang)
    details: list[CardElement] = [text_block(name, bold=True, plain=True)]
    if upn and upn.strip() and upn.strip() != name:
        details.append(text_block(upn.strip(), subtle=True, small=True, spacing="None", plain=True))
    button = execute(t("pick.action", ctx.lang), VERB_DIAGNOSE, {"userId": user_id})
    return ColumnSet(
        id=f"candidate-{index}",
        separator=True,
        columns=[
            Column(width="stretch", vertical_content_alignment="Center", items=details),
            Column(width="auto", vertical_content_alignment="Center", items=[ActionSet(actions=[button])]),
        ],
    )


def pick_user_card(candidates: Sequence[Candidate], ctx: CardContext, *, query: str) -> dict[str, Any]:
    """Several people match `query`: one row per candidate (name, UPN) with a "Check" button
    (Action.Execute verb `diagnose`, data `{"action": "diagnose", "userId": <id>}`). At most 10 rows."""
    if not candidates:
        raise ValueError("pick_user_card needs at least one candidate (use not_found_card)")
    lang = ctx.lang
    title = t("pick.title", lang, query=_query(query))
    text = t("pick.text", lang)
    shown = candidates[:MAX_CANDIDATES]
    body: list[CardElement] = [title_block("pick-user", title, plain=True), text_block(text)]
    body += [_candidate_row(i, candidate, ctx) for i, candidate in enumerate(shown, start=1)]
    footer_lines: list[str] = []
    if len(candidates) > len(shown):
        footer_lines.append(t("pick.more", lang, shown=len(shown), total=len(candidates)))
    return build_card(ctx, body=body, fallback_text=f"{title} {text}", speak=title, footer_lines=footer_lines)


def not_found_card(ctx: CardContext, *, query: str) -> dict[str, Any]:
    """No one in the directory matches `query`: tips (use an email address, or @mention them)."""
    lang = ctx.lang
    title = t("not_found.title", lang, query=_query(query))
    text = t("not_found.text", lang)
    body: list[CardElement] = [
        title_block("not-found", title, plain=True),
        text_block(text),
        heading(t("not_found.tips.heading", lang)),
        text_block(t("not_found.tip.email", lang), spacing="Small"),
        text_block(t("not_found.tip.mention", lang), spacing="None"),
    ]
    return build_card(ctx, body=body, fallback_text=f"{title}. {text}", speak=title)


def refusal_card(ctx: CardContext) -> dict[str, Any]:
    """The asker may not check other people's photos. Says nothing about whom they asked about."""
    lang = ctx.lang
    title = t("refused.title", lang)
    text = t("refused.text", lang)
    return build_card(
        ctx,
        body=[title_block("refused", title), text_block(text, block_id="reason")],
        fallback_text=f"{title}. {text}",
        speak=title,
    )
