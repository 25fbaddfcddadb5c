"""Turn routing: Teams activities in, plain service calls, cards out."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.core.teams import TeamsActivityHandler
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    AdaptiveCardInvokeResponse,
    AdaptiveCardInvokeValue,
    ChannelAccount,
)

import cards
from bot.domain.identifiers import audit_safe, object_id, user_ref
from bot.domain.intents import PHOTO_KINDS, IntentKind, classify
from bot.domain.model import DiagnosisCase
from bot.graph import GraphError
from bot.logs import one_line
from bot.services.helpdesk import HelpdeskPolicy, UserResolver
from bot.services.link_sender import SyncLinkSender
from bot.services.photos import PhotoService
from bot.services.sync_cards import SyncCardBook
from bot.store import AuditRecord, ConversationRecord, OptOuts, Store
from bot.store.sync_cards import SyncCard
from bot.store.sync_checks import CHECKING, FIXED, SyncChecks

from .activity import (
    caller_id,
    known_timezone,
    mentions_me,
    reply_locale,
    tenant_id,
    without_my_mention,
)
from .adapter import CardReply
from .card_cache import CardCache
from .helpdesk_turns import HelpdeskTurns
from .sso import SsoHandler

log = logging.getLogger(__name__)

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
SYNC_CARD = "photosync.sync_card"  # turn state: the user whose sync the card being sent offers
PROGRESS_SHOWN = timedelta(days=7)  # a sync start (and how it ended) is shown on cards for a week
FRESH_AFTER_FIX = timedelta(minutes=2)  # longer than the profile cache: a fix read since is trusted
PROGRESS_CACHE = timedelta(seconds=5)  # a user's sync state is read at most this often per replica (hot path)
REMEMBER_REFRESH_S = 3600  # rewrite an unchanged conversation reference at most hourly


@dataclass(frozen=True, slots=True)
class BotOptions:
    demo: bool
    profile_edit_url: str  # template with {object_id}, {upn}, {tenant}
    default_timezone: str = "UTC"
    tenant_name: str = ""
    default_locale: str | None = None  # PHOTOSYNC_LOCALE: when neither the message nor Teams says


class PhotoSyncBot(HelpdeskTurns, TeamsActivityHandler):
    def __init__(
        self,
        photos: PhotoService,
        store: Store,
        options: BotOptions,
        clock: Callable[[], datetime],
        helpdesk: HelpdeskPolicy,
        resolver: UserResolver,
        optouts: OptOuts,
        *,
        sync_link: Callable[[str], str] | None = None,
        link_sender: SyncLinkSender | None = None,
        sync_checks: SyncChecks | None = None,
        sync_cards: SyncCardBook | None = None,
    ) -> None:
        self.sync_checks = sync_checks  # what became of a sync a user started (shown on their cards)
        self.sync_cards = sync_cards  # where each user's latest sync card is, so its outcome replaces it
        self.link_sender = (
            link_sender  # helpdesk: send someone the sync link (None: no bot address to link to)
        )
        self.sync_link = sync_link  # the one-click link that starts SharePoint's sync for a user (None: none)
        self.photos = photos
        self.store = store
        self.options = options
        self.clock = clock
        self.helpdesk = helpdesk
        self.resolver = resolver
        # (user, conversation) -> (what the stored reference says, when written): skip unchanged rewrites
        self._remembered: dict[tuple[str, str], tuple[tuple[Any, ...], datetime]] = {}
        self.optouts = optouts
        self._own_cards = CardCache()
        self.sso: SsoHandler | None = None  # Teams SSO (bot/teams/sso.py): set by the runtime when configured

    # --- context helpers ---
    def _card_context(
        self,
        turn: TurnContext,
        *,
        upn: str | None = None,
        locale: str | None = None,
        object_id: str | None = None,
    ) -> cards.CardContext:
        activity = turn.activity
        tz_name = activity.local_timezone or self.options.default_timezone
        try:
            tz = ZoneInfo(tz_name)
        except (ZoneInfoNotFoundError, ValueError):
            tz = ZoneInfo("UTC")
        caller = activity.from_property
        object_id = object_id or (caller.aad_object_id if caller else None) or ""
        edit_url = self.options.profile_edit_url.format(
            object_id=object_id, upn=upn or "", tenant=self.options.tenant_name
        )
        return cards.CardContext(
            locale=locale or activity.locale or self.options.default_locale,
            tz=tz,
            now=self.clock(),
            demo=self.options.demo,
            profile_edit_url=edit_url,
        )

    async def _remember(self, turn: TurnContext) -> None:
        """Keep the conversation reference (as plain values) for proactive messages later."""
        activity = turn.activity
        user_id = caller_id(turn)
        if not user_id or not activity.conversation or not activity.service_url:
            return
        conv_type = activity.conversation.conversation_type or "personal"
        key = (user_id, activity.conversation.id)
        fingerprint = (
            activity.service_url,
            activity.locale,
            activity.local_timezone,
            conv_type,
            activity.recipient.id if activity.recipient else "",
        )
        now = self.clock()
        seen = self._remembered.get(key)
        if (
            seen is not None
            and seen[0] == fingerprint
            and (now - seen[1]).total_seconds() < REMEMBER_REFRESH_S
        ):
            return  # nothing new: no database write on the hot path
        reference = TurnContext.get_conversation_reference(activity)
        tenant = tenant_id(activity)
        if reference.conversation is not None:
            reference.conversation.tenant_id = tenant  # botbuilder reads `tenantID`; Teams sends `tenantId`
        await self.store.save_conversation(
            ConversationRecord(
                user_id=user_id,
                conversation_id=activity.conversation.id,
                conversation_type=conv_type,
                service_url=activity.service_url,
                channel_id=activity.channel_id or "msteams",
                tenant_id=tenant,
                bot_id=activity.recipient.id if activity.recipient else "",
                locale=activity.locale,
                timezone=known_timezone(activity.local_timezone),
                updated_at=now,
                reference=reference.serialize(),
            )
        )
        if len(self._remembered) > 50_000:
            self._remembered.clear()
        self._remembered[key] = (fingerprint, now)

    async def _send_card(self, turn: TurnContext, card: dict[str, Any]) -> None:
        # CardReply: botbuilder deep-copies outgoing activities; a fresh card reply needs no deep copy.
        sent = await turn.send_activity(CardReply.of(card))
        if sent is not None and sent.id:
            self._remember_sync_card(turn, sent.id)

    def _remember_sync_card(self, turn: TurnContext, activity_id: str) -> None:
        """The card just posted (or replaced in place) offered its reader the sync: remember where it is, so
        the sync's progress and outcome replace it."""
        user_id = turn.turn_state.pop(SYNC_CARD, None)
        activity = turn.activity
        if self.sync_cards is None or not isinstance(user_id, str) or activity.conversation is None:
            return
        card = SyncCard(user_id, activity.conversation.id, activity.service_url, activity_id, self.clock())
        self.sync_cards.remember(card)

    # --- activities ---
    async def on_message_activity(self, turn: TurnContext) -> None:
        activity = turn.activity
        await self._remember(turn)
        conv_type = activity.conversation.conversation_type if activity.conversation else None
        if conv_type in ("channel", "groupChat") and not mentions_me(activity):
            return  # in channels and group chats we only answer when @mentioned
        if isinstance(activity.value, dict) and activity.value.get("action"):
            # Action.Submit fallback of a card button (clients without Universal Actions).
            card = await self._card_action(turn, str(activity.value.get("action")), activity.value)
            await self._send_card(turn, card)
            return
        text, mentions = without_my_mention(activity)
        intent = classify(text)
        # every card of this turn is in the message's language when it is clear, else the reader's locale
        ctx = self._card_context(
            turn, locale=reply_locale(activity, intent.language, self.options.default_locale)
        )
        user_id = caller_id(turn)
        log.info(
            "message",
            extra={
                "intent": intent.kind.value,
                "about": intent.about or "-",
                "language": intent.language or "-",
                "conversation_type": conv_type or "personal",
            },
        )
        if intent.kind in PHOTO_KINDS and (intent.about == "other" or mentions):
            await self._send_card(turn, await self._helpdesk_lookup(turn, intent, mentions, ctx))
            return
        if intent.kind in PHOTO_KINDS:
            # "sync my photo" gets the same decision as the card: the diagnosis, offering the sync only where
            # it can help (a typed request never acts on its own)
            await self._send_card(turn, await self._diagnosis_card(turn, user_id, ctx))
        elif intent.kind is IntentKind.HELP:
            await self._send_card(turn, cards.help_card(ctx))
        elif intent.kind is IntentKind.GREETING:
            await self._send_card(turn, cards.welcome_card(ctx))
        elif intent.kind is IntentKind.SMALL_TALK:
            if conv_type not in ("channel", "groupChat"):  # a thread needs no "you're welcome"
                await self._send_card(turn, cards.small_talk_card(ctx))
        elif intent.kind is IntentKind.HOW_TO_CHANGE:
            await self._send_card(turn, cards.how_to_change_card(ctx))
        elif intent.kind in (IntentKind.STOP_NOTICES, IntentKind.START_NOTICES):
            await self._send_card(
                turn, await self._set_notices(turn, intent.kind is IntentKind.STOP_NOTICES, ctx)
            )
        else:
            await self._send_card(turn, cards.unknown_card(ctx, _suggestions(intent.alternatives)))

    async def _audit(
        self, turn: TurnContext, target: object, action: str, outcome: str, detail: str | None = None
    ) -> None:
        await self.store.audit(
            AuditRecord(
                self.clock(),
                caller_id(turn) or "unknown",
                target if target == "-" else audit_safe(target),
                action,
                outcome,
                None if detail is None else one_line(detail)[:200],
                audit_safe(turn.activity.id) if turn.activity.id else None,
            )
        )

    async def _diagnosis_card(
        self, turn: TurnContext, user_id: str | None, ctx: cards.CardContext
    ) -> dict[str, Any]:
        if not user_id:
            return cards.error_card(ctx, reason_key="user_not_found")
        diagnosis = await self.photos.diagnose(user_id)
        progress = await self._progress(user_id) if cards.offers_sync(diagnosis) else None
        if (
            progress is not None
            and progress.state == "fixed"
            and self.clock() - progress.at < FRESH_AFTER_FIX
        ):
            # the checker just saw SharePoint show the new photo (maybe on another replica): a cached
            # SharePoint state from before that must not contradict it
            self.photos.profiles.forget(user_id)
            diagnosis = await self.photos.diagnose(user_id)
        if diagnosis.case is DiagnosisCase.UNAVAILABLE:
            return cards.error_card(ctx, reason_key="unavailable")
        card_ctx = self._card_context(turn, upn=diagnosis.upn, locale=ctx.locale)
        helps = cards.offers_sync(diagnosis)
        link = self.sync_link(user_id) if self.sync_link is not None and helps else None
        if link is not None:
            turn.turn_state[SYNC_CARD] = user_id  # the card offers the sync: its outcome will replace it
        progress = progress if helps else None
        # while the sync can still help, Teams refreshes the card whenever its reader looks at it
        reader = turn.activity.from_property
        refresh_for = reader.id if helps and reader is not None and reader.id else None
        if progress is None and self.sso is None:
            return self._own_cards.get(
                diagnosis,
                card_ctx,
                lambda: cards.diagnosis_card(diagnosis, card_ctx, sync_url=link, refresh_for=refresh_for),
            )
        return cards.diagnosis_card(
            diagnosis,
            card_ctx,
            sync_url=link,
            progress=progress,
            sync_execute=self.sso is not None,
            refresh_for=refresh_for,
        )

    async def _progress(self, user_id: str) -> cards.SyncProgress | None:
        """The user's latest sync start as the checker sees it (none when never started, or long ago)."""
        if self.sync_checks is None:
            return None
        now = self.clock()
        try:
            check = await self.sync_checks.recent(user_id, now, PROGRESS_CACHE)
        except Exception:  # the progress line is extra: a database outage must not cost the answer
            log.warning("sync progress not readable", exc_info=True)
            return None
        if check is None or now - check.started_at > PROGRESS_SHOWN:
            return None
        if check.status == CHECKING:
            return cards.SyncProgress("checking", check.started_at, check.next_check_at)
        finished = check.finished_at or check.started_at
        return cards.SyncProgress("fixed" if check.status == FIXED else "expired", check.started_at, finished)

    async def _set_notices(
        self, turn: TurnContext, opted_out: bool, ctx: cards.CardContext
    ) -> dict[str, Any]:
        """Opt the caller (identity from the activity, never card data) out of / back into photo notices."""
        caller = caller_id(turn)
        if not caller:
            return cards.error_card(ctx, reason_key="user_not_found")
        await self.optouts.set(caller, opted_out, self.clock())
        log.info("notices", extra={"opted_out": opted_out})
        return cards.optout_result_card(ctx, opted_out=opted_out)

    async def _card_action(self, turn: TurnContext, verb: str, data: dict[str, Any]) -> dict[str, Any]:
        """A button click (Action.Execute or its Action.Submit fallback). Identity comes from the activity."""
        caller = caller_id(turn)
        ctx = self._card_context(turn)
        if verb in (cards.VERB_STOP_NOTICES, cards.VERB_START_NOTICES):
            return await self._set_notices(turn, verb == cards.VERB_STOP_NOTICES, ctx)
        if verb == cards.VERB_START_SYNC and self.sso is not None:
            return await self.sso.start(turn, ctx)
        if not caller or verb not in (cards.VERB_DIAGNOSE, cards.VERB_RESYNC, cards.VERB_SEND_SYNC_LINK):
            return cards.unknown_card(ctx)
        target_id = await self._target(turn, verb, data.get("userId", caller))
        if target_id is None:
            return cards.refusal_card(ctx)
        other = target_id != caller
        # Helpdesk rights come from the clicker's identity in the activity, never from the card's data.
        may_act = other and await self._is_helpdesk(turn, caller)
        if verb == cards.VERB_SEND_SYNC_LINK:
            if not other:
                return await self._diagnosis_card(turn, caller, ctx)  # your own: the card has the link itself
            if not may_act:
                await self._audit(turn, target_id, "send_sync_link", "refused", "caller is not helpdesk")
                return cards.refusal_card(ctx)
            return await self._send_link(turn, caller, target_id, ctx)
        return await self._diagnose_target(turn, target_id, other=other, may_act=may_act, ctx=ctx)

    async def _diagnose_target(
        self, turn: TurnContext, target_id: str, *, other: bool, may_act: bool, ctx: cards.CardContext
    ) -> dict[str, Any]:
        """A check of `target_id` clicked on a card: the clicker's own card, or another user's for helpdesk staff
        (refused and audited for anyone else)."""
        caller = caller_id(turn)
        if not other:
            return await self._diagnosis_card(turn, caller, ctx)
        if not may_act:
            await self._audit(turn, target_id, "helpdesk_lookup", "refused", "caller is not helpdesk")
            return cards.refusal_card(ctx)
        return await self._other_diagnosis(turn, target_id, ctx)

    async def _target(self, turn: TurnContext, verb: str, raw: object) -> str | None:
        """The user a card's `userId` names, as a canonical object id (a UPN is resolved through Graph).
        Anything else is refused, and the refusal audited with a bounded stand-in for what was sent."""
        ref = user_ref(raw)
        if ref is not None and ref.is_object_id:
            return ref.value
        user = None
        if ref is not None:
            try:
                user = await self.photos.profiles.graph.get_user(ref.value)
            except GraphError:
                user = None
        if user is not None and object_id(user.id) is not None:
            return object_id(user.id)
        await self._audit(turn, raw, f"{verb}_refused"[:32], "refused", "not a user id of this organisation")
        return None

    async def on_adaptive_card_invoke(
        self, turn: TurnContext, invoke_value: AdaptiveCardInvokeValue
    ) -> AdaptiveCardInvokeResponse:
        action = invoke_value.action
        if isinstance(action, dict):
            verb, data = action.get("verb") or "", action.get("data")
        else:
            verb, data = getattr(action, "verb", None) or "", getattr(action, "data", None)
        card = await self._card_action(turn, verb, data if isinstance(data, dict) else {})
        if (
            turn.activity.reply_to_id
        ):  # the answer replaces the clicked card in place: it is the sync card now
            self._remember_sync_card(turn, turn.activity.reply_to_id)
        return AdaptiveCardInvokeResponse(status_code=200, type=CARD_CONTENT_TYPE, value=card)

    async def on_invoke_activity(self, turn: TurnContext) -> InvokeResponse:
        await self._remember(turn)
        activity = turn.activity
        if self.sso is not None and (answer := await self.sso.on_invoke(turn)) is not None:
            return answer  # signin/tokenExchange, signin/verifyState, the startSync Action.Execute
        if activity.name != "adaptiveCard/action":
            return InvokeResponse(status=200)  # invokes we don't offer: acknowledge, do nothing
        value = activity.value
        action = value.get("action") if isinstance(value, dict) else None
        if not isinstance(action, dict) or not isinstance(action.get("verb"), str):
            return InvokeResponse(
                status=400,
                body={
                    "statusCode": 400,
                    "type": "application/vnd.microsoft.error",
                    "value": {"code": "BadRequest", "message": "adaptiveCard/action needs action.verb"},
                },
            )
        return await super().on_invoke_activity(turn)

    async def on_installation_update_add(self, turn: TurnContext) -> None:
        await self._remember(turn)
        await self._send_card(turn, cards.welcome_card(self._card_context(turn)))

    async def on_error(self, turn: TurnContext, error: Exception) -> None:
        """Last resort for a failing turn: log it and answer with an honest card, never a 500 to the channel."""
        log.error("turn failed", exc_info=error)
        try:
            card = cards.error_card(self._card_context(turn), reason_key="generic")
            if turn.activity.type == ActivityTypes.invoke:
                body = AdaptiveCardInvokeResponse(status_code=200, type=CARD_CONTENT_TYPE, value=card)
                await turn.send_activity(
                    Activity(type=ActivityTypes.invoke_response, value=InvokeResponse(status=200, body=body))
                )
            else:
                await self._send_card(turn, card)
        except Exception:
            log.exception("could not send the error card")

    async def on_teams_members_added_dispatch(
        self, members_added: list[ChannelAccount], team_info: Any, turn: TurnContext
    ) -> None:
        """botbuilder's version looks every added member up through TeamsInfo (a connector call per member);
        all we need is whether the bot itself was added."""
        me = turn.activity.recipient.id if turn.activity.recipient else None
        if any(member.id == me for member in members_added):
            await self._remember(turn)
            if (turn.activity.conversation.conversation_type or "personal") == "personal":
                return  # installationUpdate already welcomed the user in 1:1
            await self._send_card(turn, cards.welcome_card(self._card_context(turn)))


_SUGGESTED: dict[IntentKind, cards.Suggestion] = {
    IntentKind.WHY_PHOTO_OLD: "check",
    IntentKind.RESYNC: "check",
    IntentKind.HOW_TO_CHANGE: "how_to_change",
    IntentKind.HELP: "help",
}


def _suggestions(closest: tuple[IntentKind, ...]) -> list[cards.Suggestion]:
    """The buttons of the didn't-catch-that card: the things the bot can do that the message came closest
    to, best first, then the rest."""
    ranked = [_SUGGESTED[kind] for kind in closest if kind in _SUGGESTED]
    return list(dict.fromkeys([*ranked, *cards.SUGGESTIONS]))
