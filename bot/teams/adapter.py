"""A lean Bot Framework adapter: botbuilder's TurnContext and handlers, our auth and reply path.

`process_activity` takes an already verified caller (see auth.py) and runs the turn; sends and updates go
through `ConnectorSender` (pooled httpx, cached token) instead of a per-turn msrest ConnectorClient.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from botbuilder.core import BotAdapter, InvokeResponse, TurnContext
from botbuilder.schema import Activity, ActivityTypes, ConversationReference, ResourceResponse
from botframework.connector.auth import AuthenticationConstants, ClaimsIdentity

from .auth import VerifiedCaller
from .connector import ConnectorSender

Logic = Callable[[TurnContext], Awaitable[Any]]


class PhotoSyncAdapter(BotAdapter):
    def __init__(self, sender: ConnectorSender, app_id: str) -> None:
        super().__init__()
        self.sender = sender
        self.app_id = app_id

    async def process_activity(
        self, caller: VerifiedCaller, activity: Activity, logic: Logic
    ) -> InvokeResponse | None:
        context = TurnContext(self, activity)
        context.turn_state[self.BOT_IDENTITY_KEY] = ClaimsIdentity(caller.claims, not caller.anonymous)
        context.turn_state[self.BOT_CALLBACK_HANDLER_KEY] = logic
        await self.run_pipeline(context, logic)
        if activity.type == ActivityTypes.invoke:
            invoke: Activity | None = context.turn_state.get(self._INVOKE_RESPONSE_KEY)
            return invoke.value if invoke is not None else InvokeResponse(status=501)
        return None

    async def send_activities(
        self, context: TurnContext, activities: list[Activity]
    ) -> list[ResourceResponse]:
        responses: list[ResourceResponse] = []
        for activity in activities:
            if activity.type == ActivityTypes.invoke_response:
                context.turn_state[self._INVOKE_RESPONSE_KEY] = activity
                responses.append(ResourceResponse(id=""))
                continue
            if activity.type == ActivityTypes.trace:
                responses.append(ResourceResponse(id=""))
                continue
            activity.id = None
            body = activity.serialize()
            new_id = await self.sender.send(
                activity.service_url, activity.conversation.id, body, activity.reply_to_id
            )
            responses.append(ResourceResponse(id=new_id))
        return responses

    async def update_activity(self, context: TurnContext, activity: Activity) -> ResourceResponse:
        new_id = await self.sender.update(
            activity.service_url, activity.conversation.id, activity.id, activity.serialize()
        )
        return ResourceResponse(id=new_id)

    async def delete_activity(self, context: TurnContext, reference: ConversationReference) -> None:
        await self.sender.delete(reference.service_url, reference.conversation.id, reference.activity_id)

    async def continue_conversation(  # type: ignore[override]
        self, reference: ConversationReference, callback: Logic, bot_id: str | None = None, **_: Any
    ) -> None:
        """Run `callback` in an existing conversation (proactive messages)."""
        activity = TurnContext.apply_conversation_reference(
            Activity(type=ActivityTypes.event, name="ContinueConversation"), reference, is_incoming=True
        )
        claims = {
            AuthenticationConstants.AUDIENCE_CLAIM: bot_id or self.app_id,
            AuthenticationConstants.APP_ID_CLAIM: bot_id or self.app_id,
        }
        context = TurnContext(self, activity)
        context.turn_state[self.BOT_IDENTITY_KEY] = ClaimsIdentity(claims, True)
        context.turn_state[self.BOT_CALLBACK_HANDLER_KEY] = callback
        await self.run_pipeline(context, callback)
