"""Loopback fake of the Bot Connector service (what an activity's `serviceUrl` points at in Teams).

`ConnectorServer.url` is the serviceUrl to give the bot, e.g. `http://127.0.0.1:PORT/amer/`: real Teams
service URLs carry a path prefix and end with "/", and the bot must keep both. Every request is recorded in
order (`calls()`), ids are percent-decoded from the raw path (Teams conversation ids contain ':', ';', '@'),
and requests outside the prefix are recorded as route "unknown" and answered 404 so a wrong URL shows up in
the test. What it answers:

    POST   {prefix}v3/conversations                                    create_conversation  201 {"id", ...}
    GET    {prefix}v3/conversations                                    get_conversations    200
    POST   {prefix}v3/conversations/{conv}/activities                  send                 201 {"id"}
    POST   {prefix}v3/conversations/{conv}/activities/{activity}       reply                201 {"id"}
    PUT    {prefix}v3/conversations/{conv}/activities/{activity}       update               200 {"id"}
    DELETE {prefix}v3/conversations/{conv}/activities/{activity}       delete               200
    GET    {prefix}v3/conversations/{conv}/activities/{activity}/members activity_members   200 [members]
    GET    {prefix}v3/conversations/{conv}/members                     members              200 [members]
    GET    {prefix}v3/conversations/{conv}/members/{member}            member               200 | 404
    GET    {prefix}v3/conversations/{conv}/pagedmembers                paged_members        200
    GET    {prefix}v3/teams/{team}                                     team_details         200 | 404
    GET    {prefix}v3/teams/{team}/conversations                       team_conversations   200

Options: `expected_token_check(token) -> bool` (401 when the bearer token is missing or fails it, e.g.
`lambda t: identity.validate_access_token(t, audience="https://api.botframework.com") is not None`); fault
injection (`fail()` / `delay()`, matched by route and/or conversation); Teams rate-limit enforcement (off by
default; see `TEAMS_CONVERSATION_LIMITS`). The 429 body and Retry-After of the rate limiter are this fake's
choice, not a documented Teams wire format.

State is guarded by one lock: snapshots (`calls()`, `activities()`, `violations()`) work from any thread and
also after the server stopped; `wait_for_activities()` is woken by each recorded call (no polling), so it never
blocks the test's event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from aiohttp import web
from multidict import CIMultiDict, CIMultiDictProxy

from .threaded import ThreadedServer

# https://learn.microsoft.com/microsoftteams/platform/bots/how-to/rate-limit
# per bot per thread: (window in s, max requests).
TEAMS_CONVERSATION_LIMITS: tuple[tuple[float, int], ...] = ((1.0, 7), (2.0, 8), (30.0, 60), (3600.0, 1800))
TEAMS_APP_LIMIT: tuple[float, int] = (1.0, 50)  # per app (per tenant) across all conversations

ROUTES = (
    "create_conversation",
    "get_conversations",
    "send",
    "reply",
    "update",
    "delete",
    "activity_members",
    "members",
    "member",
    "paged_members",
    "team_details",
    "team_conversations",
    "unknown",
)
_ACTIVITY_ROUTES = frozenset({"send", "reply", "update", "create_conversation"})


@dataclass(frozen=True)
class ConnectorCall:
    """One request the fake connector received, with the answer it gave."""

    seq: int
    method: str
    path: str  # raw (still percent-encoded) path as received
    route: str
    conversation_id: str | None
    activity_id: str | None
    member_id: str | None
    team_id: str | None
    query: Mapping[str, str]
    headers: CIMultiDictProxy[str]
    body: Any  # parsed JSON, or the raw text if it was not JSON, or None
    status: int
    response: Any
    at: float  # server clock (time.monotonic unless a clock was injected)

    @property
    def authorization(self) -> str | None:
        return self.headers.get("Authorization")

    @property
    def bearer_token(self) -> str | None:
        scheme, _, token = (self.authorization or "").partition(" ")
        return token if scheme == "Bearer" and token else None

    @property
    def activity(self) -> dict[str, Any] | None:
        """The activity this call carried (body for send/reply/update, body.activity for create)."""
        if not isinstance(self.body, dict):
            return None
        if self.route == "create_conversation":
            return self.body.get("activity")
        return self.body if self.route in _ACTIVITY_ROUTES else None

    @property
    def text(self) -> str | None:
        activity = self.activity
        return None if activity is None else activity.get("text")


@dataclass
class _Rule:
    status: int | None  # None: no fault, only `delay`
    times: int | None  # None: forever
    route: str | None
    conversation_id: str | None
    headers: dict[str, str]
    body: Any
    delay: float

    def matches(self, route: str, conversation_id: str | None) -> bool:
        return (
            (self.times is None or self.times > 0)
            and (self.route is None or self.route == route)
            and (self.conversation_id is None or self.conversation_id == conversation_id)
        )


@dataclass(frozen=True)
class RateLimitViolation:
    scope: str  # "conversation" or "app"
    conversation_id: str | None
    window: float
    limit: int
    route: str
    at: float


@dataclass
class _Team:
    name: str | None = None
    aad_group_id: str | None = None
    channels: list[dict[str, Any]] = field(default_factory=list)


class ConnectorServer:
    """Fake Bot Connector on 127.0.0.1; see the module docstring for routes and options."""

    def __init__(
        self,
        *,
        prefix: str = "/amer/",
        expected_token_check: Callable[[str], bool] | None = None,
        enforce_rate_limits: bool = False,
        conversation_limits: Iterable[tuple[float, int]] = TEAMS_CONVERSATION_LIMITS,
        app_limit: tuple[float, int] = TEAMS_APP_LIMIT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not (prefix.startswith("/") and prefix.endswith("/")):
            raise ValueError("prefix must start and end with '/' (e.g. '/amer/' or '/')")
        self.prefix = prefix
        self.expected_token_check = expected_token_check
        self.enforce_rate_limits = enforce_rate_limits
        self.conversation_limits = tuple(conversation_limits)
        self.app_limit = app_limit
        self._clock = clock
        self._lock = threading.Lock()
        self._seq = itertools.count(1)
        self._ids = itertools.count(1_700_000_000_000)
        self._calls: list[ConnectorCall] = []
        self._rules: list[_Rule] = []
        self._violations: list[RateLimitViolation] = []
        self._conv_windows: dict[str, deque[float]] = {}
        self._app_window: deque[float] = deque()
        self._members: dict[str, list[dict[str, Any]]] = {}
        self._teams: dict[str, _Team] = {}
        self._watchers: list[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = []  # woken per recorded call
        self._server = ThreadedServer(self._make_app)

    # ----------------------------------------------------------------- lifecycle
    def start(self) -> ConnectorServer:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> ConnectorServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The serviceUrl for activities: `http://127.0.0.1:PORT{prefix}` (ends with '/')."""
        return f"{self._server.url}{self.prefix}"

    service_url = url

    @property
    def base_url(self) -> str:
        """Scheme + host + port, without the prefix."""
        return self._server.url

    # ----------------------------------------------------------------- configuration
    def fail(
        self,
        status: int,
        *,
        times: int | None = 1,
        route: str | None = None,
        conversation_id: str | None = None,
        headers: Mapping[str, str] | None = None,
        body: Any = None,
        delay: float = 0.0,
    ) -> None:
        """Answer the next `times` matching requests (None: all) with `status`, e.g.
        `fail(429, times=2, route="reply", headers={"Retry-After": "1"})` or
        `fail(403, conversation_id=cid, body={"error": {"code": "MessageWritesBlocked"}})`.
        Rules are tried in the order added; a matching rule is consumed before rate limiting applies."""
        if route is not None and route not in ROUTES:
            raise ValueError(f"unknown route {route!r}; one of {ROUTES}")
        if body is None:
            body = {"error": {"code": "InjectedFault", "message": f"injected HTTP {status}"}}
        with self._lock:
            self._rules.append(_Rule(status, times, route, conversation_id, dict(headers or {}), body, delay))

    def delay(
        self,
        seconds: float,
        *,
        times: int | None = 1,
        route: str | None = None,
        conversation_id: str | None = None,
    ) -> None:
        """Add latency to the next `times` matching requests, which then proceed normally."""
        if route is not None and route not in ROUTES:
            raise ValueError(f"unknown route {route!r}; one of {ROUTES}")
        with self._lock:
            self._rules.append(_Rule(None, times, route, conversation_id, {}, None, seconds))

    def clear_faults(self) -> None:
        with self._lock:
            self._rules.clear()

    def set_members(self, conversation_id: str, members: Iterable[Mapping[str, Any]]) -> None:
        """Roster for a conversation (or a team id, for team rosters): TeamsChannelAccount dicts
        (`id`, `name`, `aadObjectId`, `email`, `userPrincipalName`, `tenantId`, `userRole`, ...)."""
        with self._lock:
            self._members[conversation_id] = [dict(m) for m in members]

    def set_team(
        self,
        team_id: str,
        *,
        name: str | None = None,
        aad_group_id: str | None = None,
        channels: Iterable[Mapping[str, Any]] = (),
    ) -> None:
        """A team; `channels` are `{"id", "name"}` (General, id == team id, is added if absent)."""
        chans = [dict(c) for c in channels]
        if not any(c.get("id") == team_id for c in chans):
            chans.insert(0, {"id": team_id, "name": None})
        with self._lock:
            self._teams[team_id] = _Team(name, aad_group_id, chans)

    def reset(self) -> None:
        """Forget calls, violations, rate windows and fault rules (rosters and teams stay)."""
        with self._lock:
            self._calls.clear()
            self._violations.clear()
            self._conv_windows.clear()
            self._app_window.clear()
            self._rules.clear()

    # ----------------------------------------------------------------- snapshots
    def calls(self, route: str | None = None, conversation_id: str | None = None) -> list[ConnectorCall]:
        with self._lock:
            calls = sorted(self._calls, key=lambda c: c.seq)
        return [
            c
            for c in calls
            if (route is None or c.route == route)
            and (conversation_id is None or c.conversation_id == conversation_id)
        ]

    def activities(self, conversation_id: str | None = None) -> list[ConnectorCall]:
        """Accepted (2xx) calls that carried an activity: send, reply, update, create-with-activity."""
        return [
            c
            for c in self.calls(conversation_id=conversation_id)
            if c.activity is not None and 200 <= c.status < 300
        ]

    def violations(self) -> list[RateLimitViolation]:
        with self._lock:
            return list(self._violations)

    @property
    def violation_count(self) -> int:
        with self._lock:
            return len(self._violations)

    async def wait_for_activities(
        self, n: int, timeout: float = 5.0, *, conversation_id: str | None = None
    ) -> list[ConnectorCall]:
        """Wait (without blocking the caller's loop) until at least `n` activities arrived; return them."""
        loop = asyncio.get_running_loop()
        watcher = (loop, asyncio.Event())
        with self._lock:
            self._watchers.append(watcher)
        try:
            deadline = loop.time() + timeout
            while True:
                watcher[1].clear()  # before looking: a call recorded from here on sets it again
                got = self.activities(conversation_id)
                if len(got) >= n:
                    return got
                remaining = deadline - loop.time()
                if remaining <= 0:
                    seen = [(c.method, c.route, c.status, c.path) for c in self.calls()]
                    raise TimeoutError(
                        f"expected {n} activities within {timeout}s, got {len(got)}; calls: {seen}"
                    )
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(watcher[1].wait(), remaining)
        finally:
            with self._lock:
                self._watchers.remove(watcher)

    # ----------------------------------------------------------------- HTTP
    def _make_app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        return app

    def _parse(self, method: str, raw_path: str) -> tuple[str, dict[str, str]]:
        if not raw_path.startswith(self.prefix):
            return "unknown", {}
        segs = [unquote(s) for s in raw_path[len(self.prefix) :].split("/")]
        n = len(segs)
        if n >= 2 and segs[0] == "v3" and segs[1] == "conversations":
            if n == 2:
                return {"POST": "create_conversation", "GET": "get_conversations"}.get(method, "unknown"), {}
            ids = {"conversation_id": segs[2]}
            if n == 4 and segs[3] == "activities" and method == "POST":
                return "send", ids
            if n == 5 and segs[3] == "activities":
                ids["activity_id"] = segs[4]
                return {"POST": "reply", "PUT": "update", "DELETE": "delete"}.get(method, "unknown"), ids
            if n == 6 and segs[3] == "activities" and segs[5] == "members" and method == "GET":
                ids["activity_id"] = segs[4]
                return "activity_members", ids
            if n == 4 and segs[3] == "members" and method == "GET":
                return "members", ids
            if n == 5 and segs[3] == "members" and method == "GET":
                ids["member_id"] = segs[4]
                return "member", ids
            if n == 4 and segs[3] == "pagedmembers" and method == "GET":
                return "paged_members", ids
            return "unknown", ids
        if n >= 3 and segs[0] == "v3" and segs[1] == "teams" and method == "GET":
            ids = {"team_id": segs[2]}
            if n == 3:
                return "team_details", ids
            if n == 4 and segs[3] == "conversations":
                return "team_conversations", ids
        return "unknown", {}

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        seq = next(self._seq)
        raw_path = request.rel_url.raw_path
        route, ids = self._parse(request.method, raw_path)
        conversation_id = ids.get("conversation_id")
        text = await request.text()
        body: Any = None
        if text:
            try:
                body = json.loads(text)
            except ValueError:
                body = text
        status, payload, headers = await self._answer(request, route, ids, body)
        call = ConnectorCall(
            seq=seq,
            method=request.method,
            path=raw_path,
            route=route,
            conversation_id=conversation_id,
            activity_id=ids.get("activity_id"),
            member_id=ids.get("member_id"),
            team_id=ids.get("team_id"),
            query=dict(request.query),
            headers=CIMultiDictProxy(CIMultiDict(request.headers)),
            body=body,
            status=status,
            response=payload,
            at=self._clock(),
        )
        with self._lock:
            self._calls.append(call)
            watchers = list(self._watchers)
        for loop, recorded in watchers:
            with contextlib.suppress(RuntimeError):  # that loop has closed
                loop.call_soon_threadsafe(recorded.set)
        if payload is None:
            return web.Response(status=status, headers=headers)
        return web.json_response(payload, status=status, headers=headers)

    async def _answer(
        self, request: web.Request, route: str, ids: dict[str, str], body: Any
    ) -> tuple[int, Any, dict[str, str]]:
        conversation_id = ids.get("conversation_id")
        if route == "unknown":
            return (
                404,
                {"error": {"code": "NotFound", "message": f"no route {request.method} {request.path}"}},
                {},
            )
        if self.expected_token_check is not None:
            scheme, _, token = request.headers.get("Authorization", "").partition(" ")
            if scheme != "Bearer" or not token or not self.expected_token_check(token):
                return 401, {"message": "Authorization has been denied for this request."}, {}
        with self._lock:
            rule = next((r for r in self._rules if r.matches(route, conversation_id)), None)
            if rule is not None and rule.times is not None:
                rule.times -= 1
        if rule is not None:
            if rule.delay:
                await asyncio.sleep(rule.delay)
            if rule.status is not None:
                return rule.status, rule.body, dict(rule.headers)
        if self.enforce_rate_limits:
            throttled = self._rate_limit(route, conversation_id)
            if throttled is not None:
                return throttled
        return self._serve(route, ids, body, request)

    def _rate_limit(self, route: str, conversation_id: str | None) -> tuple[int, Any, dict[str, str]] | None:
        """Sliding windows over accepted requests; a rejected request does not count against the budget."""
        now = self._clock()
        with self._lock:
            checks: list[tuple[str, deque[float], float, int]] = []
            if conversation_id is not None:
                window = self._conv_windows.setdefault(conversation_id, deque())
                checks += [("conversation", window, w, limit) for w, limit in self.conversation_limits]
            checks.append(("app", self._app_window, *self.app_limit))
            for _, dq, _, _ in checks:  # drop what no window looks at any more
                longest = max(w for _, d, w, _ in checks if d is dq)
                while dq and dq[0] <= now - longest:
                    dq.popleft()
            for scope, dq, window_s, limit in checks:
                recent = [t for t in dq if t > now - window_s]
                if len(recent) >= limit:
                    retry_after = max(1, math.ceil(recent[len(recent) - limit] + window_s - now))
                    self._violations.append(
                        RateLimitViolation(scope, conversation_id, window_s, limit, route, now)
                    )
                    body = {
                        "error": {
                            "code": "Throttled",
                            "message": f"fake Teams limit: {limit} requests per {window_s:g}s per {scope}",
                        }
                    }
                    return 429, body, {"Retry-After": str(retry_after)}
            if conversation_id is not None:
                self._conv_windows[conversation_id].append(now)
            self._app_window.append(now)
        return None

    def _serve(
        self, route: str, ids: dict[str, str], body: Any, request: web.Request
    ) -> tuple[int, Any, dict[str, str]]:
        conversation_id = ids.get("conversation_id", "")
        if route in ("send", "reply"):
            return 201, {"id": str(next(self._ids))}, {}
        if route == "update":
            return 200, {"id": ids["activity_id"]}, {}
        if route == "delete":
            return 200, None, {}
        if route == "create_conversation":
            params = body if isinstance(body, dict) else {}
            n = next(self._ids)
            new_id = f"19:fake{n}@thread.v2" if params.get("isGroup") else f"a:fake-{n}"
            answer: dict[str, Any] = {"id": new_id}
            if params.get("activity"):
                answer["activityId"] = str(next(self._ids))
            return 201, answer, {}
        if route == "get_conversations":
            return 200, {"conversations": [], "continuationToken": None}, {}
        with self._lock:
            members = list(self._members.get(conversation_id, []))
            team = self._teams.get(ids.get("team_id", ""))
        if route in ("members", "activity_members"):
            return 200, members, {}
        if route == "member":
            wanted = ids["member_id"]
            found = next((m for m in members if wanted in (m.get("id"), m.get("aadObjectId"))), None)
            if found is None:
                return (
                    404,
                    {
                        "error": {
                            "code": "MemberNotFoundInConversation",
                            "message": "The member is not found in the conversation.",
                        }
                    },
                    {},
                )
            return 200, found, {}
        if route == "paged_members":
            size = int(request.query.get("pageSize") or 200)
            start = int(request.query.get("continuationToken") or 0)
            page = members[start : start + size]
            more = start + size < len(members)
            return 200, {"members": page, "continuationToken": str(start + size) if more else None}, {}
        team_id = ids["team_id"]
        if route == "team_details":
            if team is None:
                return 404, {"error": {"code": "NotFound", "message": "Team not found"}}, {}
            return 200, {"id": team_id, "name": team.name, "aadGroupId": team.aad_group_id}, {}
        # team_conversations: an unconfigured team has just its General channel
        channels = team.channels if team is not None else [{"id": team_id, "name": None}]
        return 200, {"conversations": channels}, {}
