"""The `error` card: the photo could not be checked; nothing was changed; try again."""

from __future__ import annotations

from typing import Any, Literal, get_args

from .common import build_card, cap, check_action, text_block, title_block
from .context import CardContext
from .strings import t

KIND = "error"

ErrorReason = Literal["generic", "unavailable", "throttled", "user_not_found"]
ERROR_REASONS: tuple[ErrorReason, ...] = get_args(ErrorReason)


def error_card(
    ctx: CardContext,
    *,
    reason_key: ErrorReason = "generic",
    target_name: str | None = None,
    target_user_id: str | None = None,
) -> dict[str, Any]:
    """ "I couldn't check right now", with a "Try again" button (Action.Execute verb `diagnose`).

    `target_name`/`target_user_id` word it for someone checking another user and make "Try again"
    check that user again (data `userId`).
    """
    if reason_key not in ERROR_REASONS:
        raise ValueError(f"unknown error reason {reason_key!r}; expected one of {ERROR_REASONS}")
    lang = ctx.lang
    subject = "other" if target_name else "self"
    title = cap(t(f"error.title.{subject}", lang, name=target_name or ""))
    text = t(f"error.{reason_key}", lang)
    return build_card(
        ctx,
        body=[title_block(KIND, title, plain=subject == "other"), text_block(text, block_id="reason")],
        actions=[check_action(ctx, label_key="action.try_again", user_id=target_user_id)],
        fallback_text=f"{title}. {text}",
        speak=title,
    )
