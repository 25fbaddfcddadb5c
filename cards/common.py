"""Building blocks every card family shares: text, facts, actions, times, footer, final dump."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from functools import cache
from types import MappingProxyType
from typing import Any, Literal, Protocol

from microsoft_teams.cards import (
    Action,
    ActionSet,
    AdaptiveCard,
    CardElement,
    ExecuteAction,
    Fact,
    FactSet,
    OpenUrlAction,
    RefreshDefinition,
    RichTextBlock,
    SubmitAction,
    TeamsCardProperties,
    TextBlock,
    TextRun,
    Version,
)

from bot.domain.model import FIELD_PHOTO_SYNC, MICROSOFT_PHOTO_SYNC, PROFILE_EDIT_DELAY

from .context import CardContext, Lang
from .strings import t

CARD_VERSION: Version = "1.5"  # the highest version Teams renders

# Microsoft's two articles the cards point to (sources in docs/DOMAIN.md).
PHOTO_SYNC_ARTICLE = "https://support.microsoft.com/office/20594d76-d054-4af4-a660-401133e3d48a"
PROFILE_SYNC_ARTICLE = "https://learn.microsoft.com/sharepoint/user-profile-sync"

# Verbs the bot's invoke handler must route (Action.Execute `verb` == data["action"]).
VERB_DIAGNOSE = "diagnose"
VERB_RESYNC = "resyncPhoto"  # no card offers it now; clicks on older cards are answered like diagnose
VERB_SEND_SYNC_LINK = "sendSyncLink"
VERB_START_SYNC = "startSync"  # start SharePoint's sync as the user (Teams SSO; bot/teams/sso.py)

DEMO_FOOTER_ID = "demo-footer"

Subject = Literal["self", "other"]


class Layout(Protocol):
    """What a card's layout takes from its reader: language and demo mode. A `CardContext` has them, and so has a
    card template's shape (cards/template.py), which has no reader."""

    @property
    def lang(self) -> Lang: ...

    @property
    def demo(self) -> bool: ...


def _hours(delta: timedelta) -> int:
    return int(delta.total_seconds() // 3600)


@cache
def timing_values() -> Mapping[str, int]:
    """The timing placeholders every string may use, from the domain constants (constant: made once)."""
    return MappingProxyType(
        {
            "ms_hours": _hours(MICROSOFT_PHOTO_SYNC),
            "field_hours": _hours(FIELD_PHOTO_SYNC),
            "edit_hours": _hours(PROFILE_EDIT_DELAY),
        }
    )


def cap(text: str) -> str:
    """Upper-case the first letter (a sentence may start with a name placeholder like "this user")."""
    return text[:1].upper() + text[1:]


# --- times -------------------------------------------------------------------------------------------


def format_clock(local: datetime, ctx: CardContext) -> str:
    if ctx.clock_12h:
        hour = local.hour % 12 or 12
        clock = f"{hour}:{local.minute:02d} {'AM' if local.hour < 12 else 'PM'}"
    else:
        clock = f"{local.hour:02d}:{local.minute:02d}"
    return f"{clock} UTC" if ctx.tz_is_utc else clock


def format_time(moment: datetime, ctx: CardContext) -> str:
    """`moment` in the reader's timezone, relative to `ctx.now`: "today at 14:05", "3 Mar at 09:10 UTC"."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("card times must be timezone-aware")
    local = moment.astimezone(ctx.tz)
    today = ctx.today
    clock = format_clock(local, ctx)
    days = (local.date() - today).days
    lang = ctx.lang
    if days == 0:
        return t("time.today", lang, time=clock)
    if days == -1:
        return t("time.yesterday", lang, time=clock)
    if days == 1:
        return t("time.tomorrow", lang, time=clock)
    month = t(f"month.{local.month}", lang)
    date = f"{month} {local.day}" if ctx.clock_12h else f"{local.day} {month}"
    if local.year != today.year:
        date = f"{date}, {local.year}" if ctx.clock_12h else f"{date} {local.year}"
    return t("time.date", lang, date=date, time=clock)


def format_duration(delta: timedelta, ctx: CardContext) -> str:
    """A rough, honest length of time: "less than an hour", "5 hours", "3 days"."""
    hours = _hours(max(delta, timedelta(0)))
    if hours < 1:
        return t("dur.lt_hour", ctx.lang)
    if hours == 1:
        return t("dur.hour", ctx.lang)
    if hours < 48:
        return t("dur.hours", ctx.lang, n=hours)
    return t("dur.days", ctx.lang, n=hours // 24)


# --- elements ----------------------------------------------------------------------------------------


def title_block(kind: str, text: str, *, plain: bool = False) -> TextBlock | RichTextBlock:
    """The card's first element: its id names the card kind. `plain`: see `plain_block`."""
    if plain:
        return plain_block(text, block_id=kind, large=True, bold=True)
    return TextBlock(id=kind, text=text, style="heading", size="Large", weight="Bolder", wrap=True)


def plain_block(
    text: str,
    *,
    subtle: bool = False,
    small: bool = False,
    large: bool = False,
    bold: bool = False,
    block_id: str | None = None,
    spacing: Literal["None", "Small", "Default", "Medium", "Large"] | None = None,
    separator: bool | None = None,
) -> RichTextBlock:
    """Text shown exactly as written: a TextRun is never read as markdown (the spec gives it none, and Teams
    clients disagree on markdown escapes), so a name from the directory or words a user typed can't turn
    into a link, emphasis or an <at> mention. Every text that carries such a value is built with this."""
    if not text:
        raise ValueError("empty text")
    run = TextRun(
        text=text,
        is_subtle=True if subtle else None,
        size="Small" if small else ("Large" if large else None),
        weight="Bolder" if bold else None,
    )
    return RichTextBlock(id=block_id, spacing=spacing, separator=separator, inlines=[run])


def text_block(
    text: str,
    *,
    subtle: bool = False,
    small: bool = False,
    bold: bool = False,
    block_id: str | None = None,
    spacing: Literal["None", "Small", "Default", "Medium", "Large"] | None = None,
    separator: bool | None = None,
    plain: bool = False,
) -> TextBlock | RichTextBlock:
    if plain:
        return plain_block(
            text,
            subtle=subtle,
            small=small,
            bold=bold,
            block_id=block_id,
            spacing=spacing,
            separator=separator,
        )
    if not text:
        raise ValueError("empty TextBlock")
    return TextBlock(
        id=block_id,
        text=text,
        wrap=True,
        is_subtle=True if subtle else None,
        size="Small" if small else None,
        weight="Bolder" if bold else None,
        spacing=spacing,
        separator=separator,
    )


def heading(text: str) -> CardElement:
    return text_block(text, bold=True, spacing="Medium")


def fact_set(facts: Sequence[tuple[str, str]], *, block_id: str | None = None) -> FactSet:
    return FactSet(id=block_id, facts=[Fact(title=title, value=value) for title, value in facts])


# --- actions -----------------------------------------------------------------------------------------


def execute(
    title: str,
    verb: str,
    data: Mapping[str, Any] | None = None,
    *,
    style: Literal["default", "positive", "destructive"] | None = None,
) -> ExecuteAction:
    """Action.Execute with an Action.Submit fallback that carries the same data (older clients)."""
    payload: dict[str, Any] = {"action": verb, **(data or {})}
    fallback = SubmitAction(title=title, data=dict(payload), style=style)
    return ExecuteAction(title=title, verb=verb, data=payload, style=style, fallback=fallback)


def open_url(title: str, url: str) -> OpenUrlAction:
    return OpenUrlAction(title=title, url=url)


def check_action(ctx: CardContext, *, label_key: str = "action.check", user_id: str | None = None) -> Action:
    data = {"userId": user_id} if user_id else None
    return execute(t(label_key, ctx.lang), VERB_DIAGNOSE, data)


def profile_action(ctx: CardContext, *, subject: Subject, name: str) -> Action:
    return open_url(t(f"action.profile.{subject}", ctx.lang, name=name), ctx.profile_edit_url)


def delve_note(ctx: CardContext, *, subject: Subject, name: str) -> CardElement:
    return text_block(t(f"note.delve.{subject}", ctx.lang, name=name), subtle=True, small=True)


def learn_more(ctx: Layout) -> list[CardElement]:
    """Microsoft's two articles, as links in the body (top-level actions stay few)."""
    return list(_learn_more(ctx.lang))


@cache
def _learn_more(lang: Lang) -> tuple[CardElement, ...]:
    """The same two elements for every reader of a language: built once (cards are only dumped, never changed
    after they are built, so sharing the element objects between cards is safe)."""
    return (
        text_block(t("learn.heading", lang), subtle=True, small=True, spacing="Medium"),
        *stacked(
            [
                open_url(t("learn.photo_sync", lang), PHOTO_SYNC_ARTICLE),
                open_url(t("learn.profile_sync", lang), PROFILE_SYNC_ARTICLE),
            ],
            block_id="learn-more",
        ),
    )


# --- the card ----------------------------------------------------------------------------------------


def footer(ctx: Layout, lines: Sequence[str] = ()) -> list[CardElement]:
    """Small print at the bottom: optional lines, then the demo notice on every demo card."""
    out: list[CardElement] = [text_block(line, subtle=True, small=True, separator=True) for line in lines]
    if ctx.demo:
        out.append(_demo_footer(ctx.lang, separator=not out))
    return out


@cache
def _demo_footer(lang: Lang, *, separator: bool) -> TextBlock:
    """Built once per language (shared between cards, which are never changed after they are built)."""
    return TextBlock(
        id=DEMO_FOOTER_ID,
        text=t("footer.demo", lang),
        wrap=True,
        size="Small",
        color="Warning",
        weight="Bolder",
        separator=separator,
        spacing="Medium",
    )


def stacked(actions: Sequence[Action], *, block_id: str | None = None) -> list[CardElement]:
    """Buttons one per row, each as wide as the card: side by side, Teams cuts labels that don't fit."""
    return [
        ActionSet(
            id=f"{block_id}-{i}" if block_id else None, actions=[action], spacing="Small" if i else None
        )
        for i, action in enumerate(actions)
    ]


def build_card(
    ctx: Layout,
    *,
    body: Sequence[CardElement],
    actions: Sequence[Action] = (),
    fallback_text: str,
    speak: str | None = None,
    footer_lines: Sequence[str] = (),
    refresh_for: str | None = None,
) -> dict[str, Any]:
    """Assemble and dump the card: version 1.5, the buttons one under the other (main action first), footer,
    fallback text, no nulls. `refresh_for` (a Teams user id): Universal Actions refresh it for that user whenever
    they see it (a `diagnose` of their own photo), so a card about a sync in progress is never stale."""
    if ctx.demo:
        fallback_text = f"{fallback_text} ({t('footer.demo', ctx.lang)})"
    card = AdaptiveCard(
        version=CARD_VERSION,
        # no `lang`: adaptivecards 3.0.6 validates it with a global (stateful) RegExp, so every other
        # card with lang "en"/"nl" gets an InvalidPropertyValue event; we use no date/time functions.
        body=[*body, *stacked(actions, block_id="actions"), *footer(ctx, footer_lines)],
        fallback_text=fallback_text,
        speak=speak,
        msteams=TeamsCardProperties(width="full"),
        refresh=(
            RefreshDefinition(
                action=ExecuteAction(verb=VERB_DIAGNOSE, data={"action": VERB_DIAGNOSE}),
                user_ids=[refresh_for],
            )
            if refresh_for
            else None
        ),
    )
    dumped: dict[str, Any] = card.model_dump(by_alias=True, exclude_none=True)
    return dumped
