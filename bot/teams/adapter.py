"""A lean Bot Framework adapter: botbuilder's TurnContext and handlers, our auth and reply path.

`process_activity` takes an already verified caller (see auth.py) and runs the turn; sends and updates go
through `ConnectorSender` (pooled aiohttp session, cached token) instead of a per-turn msrest ConnectorClient.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Awaitable, Callable
from datetime import datetime
from enum import Enum
from typing import Any, NamedTuple

from botbuilder.core import BotAdapter, CardFactory, InvokeResponse, TurnContext
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    Attachment,
    AttachmentLayoutTypes,
    ConversationReference,
    InputHints,
    ResourceResponse,
)
from botframework.connector.auth import AuthenticationConstants, ClaimsIdentity
from msrest.exceptions import DeserializationError
from msrest.serialization import Deserializer, Model

from .auth import VerifiedCaller
from .connector import ConnectorSender

Logic = Callable[[TurnContext], Awaitable[Any]]


class CardContent(dict[str, Any]):
    """An attachment's JSON content (an Adaptive Card from `cards/`), shared instead of copied.

    botbuilder's `TurnContext.send_activities` deep-copies every outgoing activity; for a card that copy of a
    ~3 KB JSON tree was a measurable share of a turn (docs/BENCHMARKS.md). Cards are built fresh per turn and
    never changed after sending, so copying them is pointless: `copy`/`deepcopy` return the same object.
    msrest's serializer does not know dict subclasses (it would send `str(card)`); `activity_json` below passes
    the content through as JSON.
    """

    def __copy__(self) -> CardContent:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> CardContent:
        return self


class CardReply(Activity):
    """A reply carrying one Adaptive Card, built fresh for one send and never touched after it.

    botbuilder's `TurnContext.send_activities` deep-copies every outgoing activity before setting its
    conversation fields on the copy; for our fresh replies that copy (hundreds of `deepcopy` calls on the hot
    path: see docs/BENCHMARKS.md) protects nothing, so it is a shallow copy: the conversation fields are
    assigned on the copy, never mutated in place, and the card itself is `CardContent`."""

    def __deepcopy__(self, memo: dict[int, Any]) -> CardReply:
        return copy.copy(self)

    @classmethod
    def of(cls, card: dict[str, Any]) -> CardReply:
        """What `MessageFactory.attachment(CardFactory.adaptive_card(card))` builds (tested equal)."""
        return cls(
            type=ActivityTypes.message,
            attachment_layout=AttachmentLayoutTypes.list,
            attachments=[
                Attachment(content_type=CardFactory.content_types.adaptive_card, content=CardContent(card))
            ],
            input_hint=InputHints.accepting_input,
        )


def activity_json(activity: Activity) -> dict[str, Any]:
    """The activity as the connector's JSON, exactly what `activity.serialize()` gives, without msrest's cost:
    msrest walks every value of a card (~3 KB of JSON) through its type machinery, which cost more than the
    rest of the turn (docs/BENCHMARKS.md). Our cards are plain JSON, so they pass through as they are; the
    activity's own fields are read from botbuilder's attribute maps. Anything this fast path does not know
    (dates, flattened keys, extra properties, non-JSON content) takes msrest's path unchanged."""
    body = _model_json(activity)
    return activity.serialize() if body is None else body


def activity_from_json(body: dict[str, Any]) -> Activity:
    """`Activity().deserialize(body)` without msrest's cost (hot path: see docs/BENCHMARKS.md): the same
    model tree built straight from botbuilder's attribute maps, unknown keys kept in `additional_properties` as
    msrest keeps them. Anything this path does not know exactly (a value of another JSON type than the map
    says, flattened keys, dictionaries of models, read-only attributes) goes through msrest unchanged, so the
    result is always msrest's (tested for equality on generated activities, tests/unit/test_reply_path.py)."""
    activity = _model_from_json(Activity, body)
    if activity is _UNKNOWN:
        return Activity().deserialize(body)
    return activity


_MODELS: dict[str, Any] = {
    name: cls for name, cls in Activity._infer_class_models().items() if isinstance(cls, type)
}


class _Plan(NamedTuple):
    """How to read one msrest model class from JSON: every attribute None (as msrest passes absent ones), and
    JSON key -> (attribute, msrest type). Reading walks the keys the JSON has, not all ~45 attributes."""

    nones: dict[str, None]
    by_key: dict[str, tuple[str, str]]


_PLANS: dict[type, _Plan | None] = {}


def _plan(cls: Any) -> _Plan | None:
    if cls not in _PLANS:
        keyed = [(attr, d) for attr, d in cls._attribute_map.items() if d["key"]]  # "" key: msrest skips it
        keys = [d["key"] for _, d in keyed]
        flattened = any("." in key for key in keys) or len(set(keys)) != len(keys)
        _PLANS[cls] = (
            None
            if flattened
            else _Plan({attr: None for attr, _ in keyed}, {d["key"]: (attr, d["type"]) for attr, d in keyed})
        )
    return _PLANS[cls]


def _model_from_json(cls: Any, data: Any) -> Any:
    if type(data) is not dict or cls._validation or getattr(cls, "_subtype_map", None):
        return _UNKNOWN
    plan = _plan(cls)
    if plan is None:
        return _UNKNOWN
    kwargs = plan.nones.copy()
    by_key = plan.by_key
    unknown_keys = False
    for key, raw in data.items():
        spec = by_key.get(key)
        if spec is None:
            unknown_keys = True
        elif raw is not None:
            value = _value_from_json(raw, spec[1])
            if value is _UNKNOWN:
                return _UNKNOWN
            kwargs[spec[0]] = value
    model = cls(**kwargs)
    if unknown_keys:  # keys the model does not know: kept as msrest keeps them
        model.additional_properties = {k: v for k, v in data.items() if k not in by_key}
    return model


def _value_from_json(raw: Any, kind: str) -> Any:
    if kind == "str":
        return raw if type(raw) is str else _UNKNOWN
    if kind in _SCALARS:
        return raw if type(raw) is _SCALARS[kind] else _UNKNOWN
    if kind == "object":
        return _json_copy(raw)
    if kind == "iso-8601":
        return _UNKNOWN if type(raw) is not str else _iso(raw)
    if kind.startswith("[") and kind.endswith("]"):
        if type(raw) is not list:
            return _UNKNOWN
        items = [_value_from_json(v, kind[1:-1]) if v is not None else None for v in raw]
        return _UNKNOWN if any(i is _UNKNOWN for i in items) else items
    model = _MODELS.get(kind)
    if model is None or issubclass(model, Enum):
        return _UNKNOWN
    return _model_from_json(model, raw)


def _json_copy(value: Any) -> Any:
    """What msrest's `deserialize_object` gives for parsed JSON: the same values, containers copied."""
    kind = type(value)
    if kind is dict:
        return {k: _json_copy(v) for k, v in value.items()}
    if kind is list:
        return [_json_copy(v) for v in value]
    return value


# The shape Teams sends ("2026-11-25T10:00:00.1234567Z", "...+01:00"): Python's own parser gives the same
# instant and offset as msrest's (both keep 6 fraction digits, truncating); any other shape goes to msrest.
_TEAMS_TIMESTAMP = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})", re.ASCII
)


def _iso(raw: str) -> Any:
    if _TEAMS_TIMESTAMP.fullmatch(raw) and raw[:4] != "0000":
        try:
            return datetime.fromisoformat(raw)
        except ValueError:
            pass  # e.g. month 13: msrest decides (and raises the error the endpoint answers 400 for)
    try:
        return Deserializer.deserialize_iso(raw)
    except DeserializationError:
        return _UNKNOWN  # msrest raises the same error on its own path


_SCALARS: dict[str, type] = {"bool": bool, "int": int, "float": float}
_JSON_VALUES = (dict, list, str, int, float, bool)


def _model_json(model: Model) -> dict[str, Any] | None:
    """msrest's JSON for `model` (None when it holds anything `_value_json` does not handle)."""
    if type(model)._validation:  # read-only attributes: msrest's rules
        return None
    out: dict[str, Any] = {}
    for attr, desc in type(model)._attribute_map.items():
        value = getattr(model, attr, None)
        if value is None:
            continue
        key = desc["key"]
        if "." in key or not key:  # msrest would nest flattened keys / merge additional properties
            return None
        json_value = _value_json(value, desc["type"])
        if json_value is _UNKNOWN:
            return None
        out[key] = json_value
    return out


_UNKNOWN = object()


def _value_json(value: Any, kind: str) -> Any:
    if kind == "str":
        if isinstance(value, Enum):
            return value.value
        return value if type(value) is str else _UNKNOWN
    if kind in _SCALARS:
        return value if type(value) is _SCALARS[kind] else _UNKNOWN
    if kind == "object":
        return value if isinstance(value, _JSON_VALUES) else _UNKNOWN  # cards: passed through, not walked
    if kind.startswith("[") and kind.endswith("]") and isinstance(value, list):
        items = [_value_json(v, kind[1:-1]) for v in value]
        return _UNKNOWN if any(i is _UNKNOWN for i in items) else items
    if isinstance(value, Model) and type(value).__name__ == kind:
        nested = _model_json(value)
        return _UNKNOWN if nested is None else nested
    return _UNKNOWN  # dates, dicts of models, ...: msrest's business


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
            invoke = context.turn_state.get(self._INVOKE_RESPONSE_KEY)
            return invoke.value if isinstance(invoke, Activity) else InvokeResponse(status=501)
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
            activity.id = None  # type: ignore[assignment]  # the connector assigns the id of what we send
            body = activity_json(activity)
            new_id = await self.sender.send(
                activity.service_url, activity.conversation.id, body, activity.reply_to_id
            )
            responses.append(ResourceResponse(id=new_id))
        return responses

    async def update_activity(self, context: TurnContext, activity: Activity) -> ResourceResponse:
        new_id = await self.sender.update(
            activity.service_url, activity.conversation.id, activity.id, activity_json(activity)
        )
        return ResourceResponse(id=new_id)

    async def delete_activity(self, context: TurnContext, reference: ConversationReference) -> None:
        await self.sender.delete(reference.service_url, reference.conversation.id, reference.activity_id)

    async def continue_conversation(
        self,
        reference: ConversationReference,
        callback: Callable[..., Any],
        bot_id: str | None = None,
        claims_identity: ClaimsIdentity | None = None,
        audience: str | None = None,
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
