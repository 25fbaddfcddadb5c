"""POST /api/messages: strict input checks, strict auth (401 for every token failure), then the turn."""

from __future__ import annotations

import itertools
import json
import logging
import os
import time
from typing import Any

from aiohttp import web
from botbuilder.core import InvokeResponse
from botbuilder.schema import ActivityTypes

from bot.logs import correlation_id
from bot.metrics import Metrics

from .adapter import PhotoSyncAdapter, activity_from_json
from .auth import AuthError, ChannelTokenValidator, VerifiedCaller
from .bot import PhotoSyncBot

log = logging.getLogger(__name__)

# Correlation ids for requests that bring none: a random per-process prefix and a counter, unique without a
# getrandom() system call per turn (os.urandom was 2.6 % of a turn's CPU at concurrency 1, docs/BENCHMARKS.md).
_CID_PREFIX = os.urandom(4).hex()
_cid_counter = itertools.count(1)

MAX_DEPTH = 32
KNOWN_TYPES = frozenset(
    {
        "message",
        "invoke",
        "conversationUpdate",
        "installationUpdate",
        "messageReaction",
        "messageUpdate",
        "messageDelete",
        "event",
        "typing",
        "endOfConversation",
    }
)


class MessagesEndpoint:
    def __init__(
        self,
        adapter: PhotoSyncAdapter,
        bot: PhotoSyncBot,
        validator: ChannelTokenValidator | None,
        metrics: Metrics | None = None,
    ) -> None:
        self.metrics = metrics
        self.adapter = adapter
        self.bot = bot
        self.validator = validator  # None: anonymous mode (no bot registration configured)
        self.turns = 0

    async def handle(self, request: web.Request) -> web.StreamResponse:
        started = time.perf_counter()
        cid = request.headers.get("x-ms-correlation-id") or f"{_CID_PREFIX}{next(_cid_counter):08x}"
        token = correlation_id.set(cid[:64])
        status, kind = 500, "unknown"
        try:
            response, kind = await self._handle(request)
            status = response.status
            return response
        finally:
            elapsed = time.perf_counter() - started
            if self.metrics is not None:
                self.metrics.turn(kind, status, elapsed)
            log.info(
                "turn",
                extra={
                    "activity_type": kind,
                    "status": status,
                    "ms": round(elapsed * 1000, 1),
                },
            )
            correlation_id.reset(token)

    async def _handle(self, request: web.Request) -> tuple[web.StreamResponse, str]:
        if request.content_type != "application/json":
            return _problem(415, "Content-Type must be application/json"), "unknown"
        try:
            raw = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return _problem(413, "body too large"), "unknown"
        try:
            text = raw.decode("utf-8-sig")  # strict: invalid UTF-8 (raw surrogates included) is refused
            body = json.loads(text)
        except (ValueError, UnicodeDecodeError):
            return _problem(400, "body is not valid JSON"), "unknown"
        except RecursionError:  # e.g. 50,000 nested '[': the C parser gives up before our depth check runs
            return _problem(400, "activity is nested too deeply"), "unknown"
        if "\\u" in text and _has_lone_surrogate(body):  # "\ud800" escapes: valid JSON, not valid Unicode
            return _problem(400, "body is not valid Unicode"), "unknown"
        problem = _check_shape(body, may_nest=text.count("{") + text.count("[") > MAX_DEPTH)
        if problem:
            return _problem(400, problem), "invalid"
        kind = body["type"] if body["type"] in KNOWN_TYPES else "other"  # bounded metric labels
        caller = await self._authenticate(request, body)
        if caller is None:
            return web.json_response({"error": "unauthorized"}, status=401), kind
        if body.get("channelData") is None and body["type"] == "conversationUpdate":
            body["channelData"] = {}  # botbuilder's Teams handler dereferences it (None.team): treat as empty
        try:
            activity = activity_from_json(body)
        except Exception:  # msrest raises several types for hostile shapes
            return _problem(400, "not a Bot Framework activity"), kind
        invoke = await self.adapter.process_activity(caller, activity, self.bot.on_turn)
        self.turns += 1
        if activity.type == ActivityTypes.invoke:
            return _invoke_response(invoke), kind
        return web.Response(status=200), kind

    async def _authenticate(self, request: web.Request, body: dict[str, Any]) -> VerifiedCaller | None:
        if self.validator is None:
            return VerifiedCaller(claims={}, app_id="", anonymous=True)
        try:
            return await self.validator.validate(
                request.headers.get("Authorization"), body.get("serviceUrl"), body.get("channelId")
            )
        except AuthError as exc:
            log.warning("unauthorized request", extra={"reason": str(exc)})
            return None


def _invoke_response(invoke: InvokeResponse | None) -> web.Response:
    if invoke is None:
        return web.Response(status=200)
    body = invoke.body
    if body is not None and hasattr(body, "serialize"):
        try:
            body = body.serialize()
        except Exception:  # botbuilder 4.17 puts an Exception object into its own invoke error responses
            value = getattr(body, "value", None)
            args = [str(a) for a in getattr(value, "args", ())]
            status = int(getattr(body, "status_code", None) or invoke.status or 400)
            body = {
                "statusCode": status,
                "type": "application/vnd.microsoft.error",
                "value": {
                    "code": args[0] if args else "BadRequest",
                    "message": args[1] if len(args) > 1 else "",
                },
            }
    if body is None:
        return web.Response(status=invoke.status or 200)
    return web.json_response(body, status=invoke.status or 200)


def _problem(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def _depth(value: Any, limit: int) -> int:
    """Nesting depth of a JSON value, stopping early past `limit` (iterative: no recursion on hostile input)."""
    stack = [(value, 1)]
    deepest = 0
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return deepest


def _check_shape(body: Any, *, may_nest: bool = True) -> str | None:
    """The minimum an activity must have before anything else looks at it. `may_nest=False`: the body's text has
    at most MAX_DEPTH brackets (strings included), so it cannot be nested too deeply and the walk is skipped."""
    if not isinstance(body, dict):
        return "activity must be a JSON object"
    if not isinstance(body.get("type"), str) or not body["type"]:
        return "activity.type is required"
    if not isinstance(body.get("serviceUrl"), str) or not body["serviceUrl"].startswith(
        ("https://", "http://")
    ):
        return "activity.serviceUrl is required"
    conversation = body.get("conversation")
    if not isinstance(conversation, dict) or not isinstance(conversation.get("id"), str):
        return "activity.conversation.id is required"
    for key in ("from", "recipient"):
        if key in body and not (isinstance(body[key], dict) and isinstance(body[key].get("id"), str)):
            return f"activity.{key} must be an object with an id"
    for key in ("channelData", "relatesTo"):  # botbuilder deserializes these as objects (Teams: always are)
        if body.get(key) is not None and not isinstance(body[key], dict):
            return f"activity.{key} must be an object"
    for key in ("attachments", "membersAdded", "membersRemoved", "reactionsAdded", "reactionsRemoved"):
        items = body.get(key)
        if items is not None and not (isinstance(items, list) and all(isinstance(i, dict) for i in items)):
            return f"activity.{key} must be a list of objects"
    for key in ("text", "locale", "id", "replyToId", "channelId", "name", "localTimezone"):
        if key in body and body[key] is not None and not isinstance(body[key], str):
            return f"activity.{key} must be a string"
    entities = body.get("entities")
    if entities is not None and not (
        isinstance(entities, list) and all(isinstance(e, dict) for e in entities)
    ):
        return "activity.entities must be a list of objects"
    if may_nest and _depth(body, MAX_DEPTH) > MAX_DEPTH:
        return "activity is nested too deeply"
    return None


def _has_lone_surrogate(body: Any) -> bool:
    """True when a string in `body` holds an unpaired UTF-16 surrogate (storage and logging would fail)."""
    try:
        json.dumps(body, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
