"""What an activity says about itself: who sent it, whom it mentions, its team and organisation, the
language to answer in. Pure functions of the activity (botbuilder's schema), no I/O."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from botbuilder.core import TurnContext
from botbuilder.schema import Activity

from bot.domain.identifiers import object_id
from bot.services.helpdesk import MentionedUser


def caller_id(turn: TurnContext) -> str | None:
    """The sender's Entra object id, canonical; None when the activity carries none (or not a GUID)."""
    caller = turn.activity.from_property
    return object_id(caller.aad_object_id) if caller else None


def reply_locale(activity: Activity, language: str | None, default: str | None) -> str | None:
    """The message's language when it is clearly English or Dutch (keeping the reader's own locale, or
    PHOTOSYNC_LOCALE, when it is that language: "nl-BE", "en-US"), else the activity's locale, else
    PHOTOSYNC_LOCALE."""
    known = [locale for locale in (activity.locale, default) if isinstance(locale, str) and locale]
    if language is None:
        return known[0] if known else None
    same = [loc for loc in known if loc.replace("_", "-").split("-")[0].lower() == language]
    return same[0] if same else language


def without_my_mention(activity: Activity) -> tuple[str, list[MentionedUser]]:
    """The text without the bot's own @mention (removed by the mention entity's text, never guessed),
    and the other users @mentioned. Entities without `text` and unknown entity types are tolerated."""
    text = activity.text or ""
    me = activity.recipient.id if activity.recipient else None
    others: list[MentionedUser] = []
    for entity in activity.entities or []:
        if getattr(entity, "type", None) != "mention":
            continue
        props = getattr(entity, "additional_properties", None) or {}
        mentioned = props.get("mentioned")
        if not isinstance(mentioned, dict):
            continue
        entity_text = props.get("text")
        if mentioned.get("id") == me:
            if isinstance(entity_text, str) and entity_text:
                text = text.replace(entity_text, " ")
        elif isinstance(mentioned.get("name"), str):
            aad = mentioned.get("aadObjectId")
            others.append(MentionedUser(mentioned["name"], aad if isinstance(aad, str) else None))
    return text, others


def team_id(activity: Activity) -> str | None:
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    team = data.get("team")
    return team.get("id") if isinstance(team, dict) and isinstance(team.get("id"), str) else None


def mentions_me(activity: Activity) -> bool:
    me = activity.recipient.id if activity.recipient else None
    for entity in activity.entities or []:
        props = entity.additional_properties if hasattr(entity, "additional_properties") else {}
        if getattr(entity, "type", None) != "mention":
            continue
        mentioned = (props or {}).get("mentioned") or {}
        if isinstance(mentioned, dict) and mentioned.get("id") == me:
            return True
    return False


def known_timezone(name: str | None) -> str | None:
    """An IANA time zone the activity named, if this machine knows it (anything else is not stored)."""
    if not name or len(name) > 64:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


def tenant_id(activity: Activity) -> str | None:
    """The organisation of an activity (the endpoint has already refused any other one)."""
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    tenant = data.get("tenant")
    if isinstance(tenant, dict) and isinstance(tenant.get("id"), str):
        return str(tenant["id"]).lower()
    conversation = activity.conversation
    extra = getattr(conversation, "additional_properties", None) or {}
    value = extra.get("tenantId") or (conversation.tenant_id if conversation else None)
    return value.lower() if isinstance(value, str) else None
