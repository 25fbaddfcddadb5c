"""How a started sync ended, told to the user: SharePoint now shows the new photo, or, after the checking window,
what to ask IT (docs/DOMAIN.md: the Picture Sync diagnostic, and the causes of a sync that doesn't happen)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from microsoft_teams.cards import CardElement

from bot.domain.model import PictureEvidence

from .common import build_card, check_action, format_time, text_block, title_block
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
