"""The helpdesk's side of a turn: asking about someone else (resolved through the directory, audited, refused
for anyone but helpdesk staff) and sending someone their sync link. A mixin of `PhotoSyncBot`; what it uses of
the bot is the `_Bot` protocol below."""

from __future__ import annotations

from typing import Any, Protocol
from urllib.parse import quote

from botbuilder.core import TurnContext

import cards
from bot.domain.identifiers import object_id
from bot.domain.intents import Intent
from bot.domain.model import DiagnosisCase
from bot.graph import GraphError
from bot.services.helpdesk import HelpdeskPolicy, MentionedUser, UserResolver
from bot.services.link_sender import SyncLinkSender
from bot.services.photos import PhotoService

from .activity import caller_id, team_id


class _Bot(Protocol):
    helpdesk: HelpdeskPolicy
    resolver: UserResolver
    photos: PhotoService
    link_sender: SyncLinkSender | None

    async def _audit(
        self, turn: TurnContext, target: object, action: str, outcome: str, detail: str | None = None
    ) -> None: ...

    async def _diagnosis_card(
        self, turn: TurnContext, user_id: str | None, ctx: cards.CardContext
    ) -> dict[str, Any]: ...

    async def _progress(self, user_id: str) -> cards.SyncProgress | None: ...

    def _card_context(
        self,
        turn: TurnContext,
        *,
        upn: str | None = None,
        locale: str | None = None,
        object_id: str | None = None,
    ) -> cards.CardContext: ...

    async def _is_helpdesk(self, turn: TurnContext, caller: str | None) -> bool: ...

    async def _manager_lookup(
        self, turn: TurnContext, caller: str | None, ctx: cards.CardContext
    ) -> dict[str, Any]: ...

    async def _other_diagnosis(
        self, turn: TurnContext, target_id: str, ctx: cards.CardContext
    ) -> dict[str, Any]: ...


class HelpdeskTurns:
    async def _is_helpdesk(self: _Bot, turn: TurnContext, caller: str | None) -> bool:
        """Helpdesk rights of the sender, from the activity alone (identity, conversation type, team)."""
        activity = turn.activity
        conversation_type = activity.conversation.conversation_type if activity.conversation else None
        return await self.helpdesk.is_helpdesk(
            caller, conversation_type=conversation_type, team_id=team_id(activity)
        )

    async def _helpdesk_lookup(
        self: _Bot,
        turn: TurnContext,
        intent: Intent,
        mentions: list[MentionedUser],
        ctx: cards.CardContext,
    ) -> dict[str, Any]:
        """Someone asks about another user: only helpdesk staff get an answer, and it is audited. The person
        is an @mention, a name, e-mail, UPN or account name (a directory search), or the caller's manager;
        no one resolvable → "whose photo do you mean?", never the caller's own card."""
        caller = caller_id(turn)
        if not await self._is_helpdesk(turn, caller):
            await self._audit(turn, "-", "helpdesk_lookup", "refused", "caller is not helpdesk")
            return cards.refusal_card(ctx)
        subject = intent.subject
        if intent.several and not mentions:
            return cards.several_people_card(ctx)
        if intent.manager and not mentions and not subject:
            return await self._manager_lookup(turn, caller, ctx)
        if not subject and not mentions:
            return cards.whose_photo_card(ctx)
        try:
            users = await self.resolver.resolve(subject, mentions)
        except GraphError:
            return cards.error_card(ctx, reason_key="unavailable")
        query = subject or (mentions[0].name if mentions else "")
        if not users:
            await self._audit(turn, "-", "helpdesk_lookup", "not_found", query)
            return cards.not_found_card(ctx, query=query)
        if len(users) > 1:
            await self._audit(turn, "-", "helpdesk_lookup", "ambiguous", query)
            return cards.pick_user_card([(u.id, u.display_name, u.upn) for u in users], ctx, query=query)
        return await self._other_diagnosis(turn, users[0].id, ctx)

    async def _manager_lookup(
        self: _Bot, turn: TurnContext, caller: str | None, ctx: cards.CardContext
    ) -> dict[str, Any]:
        """ "my manager's photo": the caller's manager as the directory records it."""
        if not caller:
            return cards.whose_photo_card(ctx)
        try:
            manager = await self.resolver.manager_of(caller)
        except GraphError:
            return cards.error_card(ctx, reason_key="unavailable")
        manager_id = object_id(manager.id) if manager is not None else None
        if manager_id is None:
            await self._audit(turn, "-", "helpdesk_lookup", "not_found", "manager")
            return cards.whose_photo_card(ctx, no_manager=True)
        return await self._other_diagnosis(turn, manager_id, ctx)

    async def _other_diagnosis(
        self: _Bot, turn: TurnContext, target_id: str, ctx: cards.CardContext
    ) -> dict[str, Any]:
        if target_id == caller_id(turn):
            return await self._diagnosis_card(turn, target_id, ctx)
        diagnosis = await self.photos.diagnose(target_id)
        await self._audit(turn, target_id, "helpdesk_lookup", diagnosis.case.value)
        if diagnosis.case is DiagnosisCase.UNAVAILABLE:
            return cards.error_card(
                ctx, reason_key="unavailable", target_name=diagnosis.display_name, target_user_id=target_id
            )
        caller = turn.activity.from_property
        target_ctx = self._card_context(turn, upn=diagnosis.upn, locale=ctx.locale, object_id=target_id)
        chat_url = (
            f"https://teams.microsoft.com/l/chat/0/0?users={quote(diagnosis.upn)}" if diagnosis.upn else None
        )
        return cards.diagnosis_card(
            diagnosis,
            target_ctx,
            subject="other",
            requested_by=caller.name if caller and caller.name else None,
            chat_url=chat_url,
            send_link=self.link_sender is not None,
            progress=await self._progress(target_id),
        )

    async def _send_link(
        self: _Bot, turn: TurnContext, caller: str, target_id: str, ctx: cards.CardContext
    ) -> dict[str, Any]:
        """Helpdesk: send the person the one-click sync link (audited, once an hour, once per photo)."""
        if self.link_sender is None:
            return cards.unknown_card(ctx)
        diagnosis = await self.photos.diagnose(target_id)
        if diagnosis.case is DiagnosisCase.UNAVAILABLE:
            return cards.error_card(
                ctx, reason_key="unavailable", target_name=diagnosis.display_name, target_user_id=target_id
            )
        account = turn.activity.from_property
        result = await self.link_sender.send(
            actor_id=caller,
            target_id=target_id,
            needed=cards.offers_sync(diagnosis),
            requested_by=account.name if account and account.name else None,
            correlation_id=turn.activity.id,
        )
        name = diagnosis.display_name or diagnosis.upn or target_id
        return cards.link_sent_card(
            ctx, outcome=result.outcome.value, name=name, at=result.at, user_id=target_id
        )
