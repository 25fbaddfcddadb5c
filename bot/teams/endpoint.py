"""POST /api/messages: strict input checks, strict auth (401 for every token failure), then the turn."""

from __future__ import annotations

import asyncio
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
from bot.loopback import is_loopback_url
from bot.metrics import Metrics

from .adapter import PhotoSyncAdapter, activity_from_json
from .auth import AuthError, ChannelTokenValidator, VerifiedCaller, VerifiedToken
from .bot import PhotoSyncBot

log = logging.getLogger(__name__)

# Correlation ids for requests that bring none: a random per-process prefix and a counter, unique without a
# getrandom() system call per turn (hot path: see docs/BENCHMARKS.md).
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
        *,
        tenant_id: str,
        read_timeout_s: float = 15.0,
    ) -> None:
        self.metrics = metrics
        self.adapter = adapter
        self.bot = bot
        self.validator = validator  # None: anonymous mode (no bot registration configured)
        self.tenant_id = tenant_id.lower()  # the one organisation this bot serves
        self.read_timeout_s = read_timeout_s
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
        try:  # the token before the body: a forged request costs no reading or parsing
            token = await self._verify_token(request.headers.get("Authorization"))
        except AuthError as exc:
            return _unauthorized(exc), "unknown"
        body, problem = await self._read_activity(request)
        if problem is not None:
            return problem, "unknown" if body is None else "invalid"
        assert body is not None
        kind = body["type"] if body["type"] in KNOWN_TYPES else "other"  # bounded metric labels
        try:
            caller = self._caller(token, body)
        except AuthError as exc:
            return _unauthorized(exc), kind
        refusal = self._refusal(body)
        if refusal is not None:
            return refusal, kind
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

    async def _verify_token(self, authorization: str | None) -> VerifiedToken | None:
        """The bearer token's verdict (None in anonymous mode); AuthError when it fails."""
        if self.validator is None:
            return None
        return await self.validator.verify_token(authorization)

    async def _read_activity(self, request: web.Request) -> tuple[dict[str, Any] | None, web.Response | None]:
        """The body as a checked activity dict, or the 4xx answer (body None: not even JSON)."""
        try:
            async with asyncio.timeout(self.read_timeout_s):
                raw = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return None, _problem(413, "body too large")
        except TimeoutError:
            return None, _problem(408, "request body not received in time")
        try:
            text = raw.decode("utf-8-sig")  # strict: invalid UTF-8 (raw surrogates included) is refused
            body = json.loads(text)
        except (ValueError, UnicodeDecodeError):
            return None, _problem(400, "body is not valid JSON")
        except RecursionError:  # e.g. 50,000 nested '[': the C parser gives up before our depth check runs
            return None, _problem(400, "activity is nested too deeply")
        if "\\u" in text and _has_lone_surrogate(body):  # "\ud800" escapes: valid JSON, not valid Unicode
            return None, _problem(400, "body is not valid Unicode")
        problem = _check_shape(body, may_nest=text.count("{") + text.count("[") > MAX_DEPTH)
        if problem:
            return body if isinstance(body, dict) else None, _problem(400, problem)
        return body, None

    def _caller(self, token: VerifiedToken | None, body: dict[str, Any]) -> VerifiedCaller:
        """Who sent the activity: the token's rules that need the activity; AuthError when they fail."""
        if token is None or self.validator is None:
            return VerifiedCaller(claims={}, app_id="", anonymous=True)
        return self.validator.check_activity(token, body.get("serviceUrl"), body.get("channelId"))

    def _refusal(self, body: dict[str, Any]) -> web.Response | None:
        """403 for what an authenticated sender may still not ask: another organisation's activity, or (without
        a bot registration) a reply address off this machine."""
        tenant = activity_tenant(body)
        if tenant != self.tenant_id:
            log.warning("activity from another organisation refused", extra={"tenant": safe_id(tenant)})
            return _problem(403, "this bot serves another organisation")
        if self.validator is None and not is_loopback_url(body["serviceUrl"]):
            log.warning("anonymous activity with a non-loopback serviceUrl refused")
            return _problem(403, "without a bot registration only loopback service URLs are answered")
        return None


def activity_tenant(body: dict[str, Any]) -> str | None:
    """The organisation an activity comes from: `channelData.tenant.id` and `conversation.tenantId` (Teams
    sends both); None when neither is there or they disagree."""
    data = body.get("channelData")
    tenant = data.get("tenant") if isinstance(data, dict) else None
    from_data = tenant.get("id") if isinstance(tenant, dict) else None
    from_conversation = body["conversation"].get("tenantId")
    ids = {i.lower() for i in (from_data, from_conversation) if isinstance(i, str) and i}
    if len(ids) != 1 or any(not isinstance(i, str | None) for i in (from_data, from_conversation)):
        return None
    return ids.pop()


def safe_id(value: str | None, limit: int = 64) -> str:
    """An id from outside, fit for a log line: printable ASCII, bounded."""
    if value is None:
        return "-"
    cleaned = "".join(c if " " < c < "\x7f" else "?" for c in value[:limit])
    return cleaned + ("…" if len(value) > limit else "")


def _unauthorized(exc: AuthError) -> web.Response:
    log.warning("unauthorized request", extra={"reason": str(exc)})
    return web.json_response({"error": "unauthorized"}, status=401)


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
