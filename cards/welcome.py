"""The "what this bot does" family: `welcome` (on install), `help`, and `unknown` (any other text)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from microsoft_teams.cards import CardElement

from .common import (
    build_card,
    check_action,
    delve_note,
    fact_set,
    heading,
    learn_more,
    profile_action,
    text_block,
    timing_values,
    title_block,
)
from .context import CardContext
from .conversation import Suggestion, suggestion_actions
from .strings import t

EXAMPLE_KEYS = ("welcome.example.1", "welcome.example.2", "welcome.example.3")


def welcome_card(ctx: CardContext) -> dict[str, Any]:
    """Sent on install: what the bot does, example questions in the reader's language, "Check my photo"."""
    lang = ctx.lang
    title = t("welcome.title", lang, bot=ctx.bot_name)
    body: list[CardElement] = [
        title_block("welcome", title),
        text_block(t("welcome.intro", lang)),
        heading(t("welcome.what.heading", lang)),
        *(
            text_block(t(key, lang), spacing="None" if i else "Small")
            for i, key in enumerate(("welcome.what.1", "welcome.what.2", "welcome.what.3"))
        ),
        text_block(t("welcome.notices", lang)),
        # true wherever the card is read; in a group chat or channel it is the rule that matters most
        text_block(t("welcome.mention", lang, bot=ctx.bot_name)),
        heading(t("welcome.examples.heading", lang)),
        *(
            text_block(t(key, lang), subtle=True, spacing="None" if i else "Small")
            for i, key in enumerate(EXAMPLE_KEYS)
        ),
    ]
    return build_card(
        ctx,
        body=body,
        actions=[check_action(ctx)],
        fallback_text=t("welcome.fallback", lang, bot=ctx.bot_name),
        speak=title,
    )


def help_card(ctx: CardContext) -> dict[str, Any]:
    """How photos sync, what the bot answers to, timing with its certainty, and Microsoft's articles."""
    lang = ctx.lang
    title = t("help.title", lang, bot=ctx.bot_name)
    commands = [
        (t("help.cmd.check.title", lang), t("help.cmd.check.value", lang)),
        (t("help.cmd.sync.title", lang), t("help.cmd.sync.value", lang)),
        (t("help.cmd.notices.title", lang), t("help.cmd.notices.value", lang)),
        (t("help.cmd.help.title", lang), t("help.cmd.help.value", lang)),
    ]
    body: list[CardElement] = [
        title_block("help", title),
        text_block(t("help.intro", lang)),
        fact_set(commands, block_id="commands"),
        text_block(t("help.mention", lang, bot=ctx.bot_name)),
        text_block(t("help.timing", lang, **timing_values()), spacing="Medium"),
        text_block(t("help.caches", lang)),
        delve_note(ctx, subject="self", name=""),
        *learn_more(ctx),
    ]
    return build_card(
        ctx,
        body=body,
        actions=[check_action(ctx), profile_action(ctx, subject="self", name="")],
        fallback_text=t("help.fallback", lang, bot=ctx.bot_name),
        speak=title,
    )


def unknown_card(ctx: CardContext, suggestions: Sequence[Suggestion] = ()) -> dict[str, Any]:
    """A short answer to text the bot doesn't understand: what it can do, and how to start. `suggestions`:
    the closest things it can do, best first, offered as buttons (else "Check my photo")."""
    lang = ctx.lang
    title = t("unknown.title", lang)
    text = t("unknown.text", lang)
    body: list[CardElement] = [title_block("unknown", title), text_block(text)]
    if suggestions:
        body.append(text_block(t("unknown.closest", lang), subtle=True, block_id="closest"))
    return build_card(
        ctx,
        body=body,
        actions=suggestion_actions(ctx, suggestions) if suggestions else [check_action(ctx)],
        fallback_text=f"{title}. {text}",
        speak=title,
    )
