"""Cards for what people say besides "check my photo": `whose-photo` (a question about someone the text names
no one for), `several-people` (helpdesk asking about many at once), `how-to-change` (how to change one's own
photo), `small-talk` (thanks, ok, bye), and the suggestions the `unknown` card offers.

A suggestion button sends its text back as if the user typed it (Teams' `imBack` on an Action.Submit), so it
goes through the same understanding as typed text and needs no verb of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from microsoft_teams.cards import Action, CardElement, SubmitAction

from .common import build_card, check_action, heading, profile_action, text_block, title_block
from .context import CardContext
from .strings import t

Suggestion = Literal["check", "how_to_change", "help"]
SUGGESTIONS: tuple[Suggestion, ...] = ("check", "how_to_change", "help")


def say_action(ctx: CardContext, label_key: str, text_key: str) -> Action:
    """A button that sends `text_key`'s text as the user's next message."""
    text = t(text_key, ctx.lang)
    return SubmitAction(title=t(label_key, ctx.lang), data={"msteams": {"type": "imBack", "value": text}})


def suggestion_actions(ctx: CardContext, suggestions: Sequence[Suggestion]) -> list[Action]:
    """Buttons for the closest things the bot can do, in the order given (duplicates dropped)."""
    actions: list[Action] = []
    for suggestion in dict.fromkeys(suggestions):
        if suggestion == "check":
            actions.append(check_action(ctx))
        else:
            actions.append(say_action(ctx, f"suggest.{suggestion}", f"suggest.{suggestion}.text"))
    return actions


def whose_photo_card(ctx: CardContext, *, no_manager: bool = False) -> dict[str, Any]:
    """The question names no one the bot can look up ("her photo", "the new guy"): ask whose photo, and how to
    name them. `no_manager`: the question was about the asker's manager, and the directory names none."""
    lang = ctx.lang
    title = t("whose.title", lang)
    body: list[CardElement] = [title_block("whose-photo", title)]
    if no_manager:
        body.append(text_block(t("whose.no_manager", lang), block_id="no-manager"))
    body += [
        text_block(t("whose.text", lang)),
        text_block(t("whose.example", lang), subtle=True, spacing="Small"),
    ]
    return build_card(
        ctx,
        body=body,
        actions=[check_action(ctx, label_key="whose.own")],
        fallback_text=f"{title} {t('whose.text', lang)}",
        speak=title,
    )


def several_people_card(ctx: CardContext) -> dict[str, Any]:
    """Helpdesk asked about several people at once: one at a time here, or the drift scan's report."""
    lang = ctx.lang
    title = t("several.title", lang)
    text = t("several.text", lang)
    body: list[CardElement] = [
        title_block("several-people", title),
        text_block(text),
        heading(t("several.one.heading", lang)),
        text_block(t("several.one", lang), spacing="Small"),
        heading(t("several.scan.heading", lang)),
        text_block(t("several.scan", lang), spacing="Small"),
    ]
    return build_card(ctx, body=body, fallback_text=f"{title}. {text}", speak=title)


def how_to_change_card(ctx: CardContext) -> dict[str, Any]:
    """How to change one's own photo, what happens next, and who changes it when IT manages photos."""
    lang = ctx.lang
    title = t("howto.title", lang)
    body: list[CardElement] = [
        title_block("how-to-change", title),
        heading(t("howto.where.heading", lang)),
        *(
            text_block(t(key, lang), spacing="None" if i else "Small")
            for i, key in enumerate(("howto.where.1", "howto.where.2", "howto.where.3"))
        ),
        heading(t("howto.next.heading", lang)),
        text_block(t("howto.next", lang), spacing="Small"),
        heading(t("howto.it.heading", lang)),
        text_block(t("howto.it", lang), spacing="Small"),
    ]
    return build_card(
        ctx,
        body=body,
        actions=[profile_action(ctx, subject="self", name=""), check_action(ctx)],
        fallback_text=f"{title}. {t('howto.where.1', lang)}",
        speak=title,
    )


def small_talk_card(ctx: CardContext) -> dict[str, Any]:
    """A short, friendly answer to thanks, ok or bye."""
    lang = ctx.lang
    title = t("smalltalk.title", lang)
    text = t("smalltalk.text", lang)
    return build_card(
        ctx,
        body=[title_block("small-talk", title), text_block(text, subtle=True)],
        actions=[check_action(ctx)],
        fallback_text=f"{title} {text}",
        speak=title,
    )
