"""The demo tenant's Microsoft Graph + SharePoint, served over real HTTP (aiohttp) on loopback.

    app = create_graph_app(DemoTenant.load(now=now), GraphLimits(photo_concurrency=4))
    state = app[STATE]          # counters, faults, mutable users (tests reach it through the app)

URL layout (base URLs are configuration of the bot's clients):
    /v1.0/...  /beta/...   Microsoft Graph (https://graph.microsoft.com)
    /sp/_api/...           SharePoint root site (https://{tenant}.sharepoint.com)
    /sp/_layouts/15/userphoto.aspx, /sp/User Photos/...   SharePoint's own copies of users' pictures
    /sp-admin/_api/...     SharePoint admin site (https://{tenant}-admin.sharepoint.com)

Every request needs `Authorization: Bearer <token>` (any non-empty token, or one `limits.token_check`
accepts); otherwise 401. See graph_routes / sharepoint_routes / batch for the endpoints, faults for fault
injection and state for limits and counters.
"""

from __future__ import annotations

import contextlib
import re
import socket
import struct
import uuid

from aiohttp import web
from multidict import MultiDict, MultiDictProxy

from bot.demo.batch import run_batch
from bot.demo.directory_routes import directory_routes
from bot.demo.faults import Fault, FaultInjector
from bot.demo.graph_routes import graph_routes
from bot.demo.picture_routes import picture_routes
from bot.demo.routing import Route, execute, route
from bot.demo.sharepoint_routes import sharepoint_routes
from bot.demo.state import Counters, GraphLimits, ServerState, sp_picture_timestamp
from bot.demo.teams_routes import teams_routes
from bot.demo.tenant import DemoTenant
from bot.demo.wire import Call, Reply, graph_error, is_sharepoint, sp_error

__all__ = [
    "STATE",
    "Counters",
    "Fault",
    "FaultInjector",
    "GraphLimits",
    "ServerState",
    "create_graph_app",
    "sp_picture_timestamp",
]

STATE = web.AppKey("photosync_demo_state", ServerState)
_ROUTES = web.AppKey("photosync_demo_routes", tuple)
MAX_BODY = 16 * 1024 * 1024  # above Graph's 4 MB photo limit, so the handler can answer 413 itself


def create_graph_app(tenant: DemoTenant, limits: GraphLimits | None = None) -> web.Application:
    """A fresh server over `tenant` (its own mutable state: uploads never touch the `DemoTenant`)."""
    app = web.Application(client_max_size=MAX_BODY)
    state = ServerState.from_tenant(tenant, limits)
    routes: list[Route] = []

    async def batch(st: ServerState, call: Call, m: re.Match[str]) -> Reply:
        return await run_batch(st, call, m, lambda sub: execute(st, table, sub))

    routes += [
        route("POST", r"/(?P<ver>v1\.0|beta)/\$batch", f"POST /{v}/$batch", batch, latency=False)
        for v in ("v1.0", "beta")
    ]
    routes += graph_routes()
    routes += directory_routes()
    routes += teams_routes()
    routes += sharepoint_routes()
    routes += picture_routes()
    table = tuple(routes)
    app[STATE] = state
    app[_ROUTES] = table
    app.router.add_route("*", "/{tail:.*}", _handle)
    return app


def _unauthorized(state: ServerState, call: Call, message: str) -> Reply:
    if is_sharepoint(call.path):
        challenge = (
            f'Bearer realm="{state.tenant.id}",client_id="00000003-0000-0ff1-ce00-000000000000",'
            'authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize"'
        )
        return sp_error(
            401, "-2147024891, System.UnauthorizedAccessException", message, {"WWW-Authenticate": challenge}
        )
    return graph_error(401, "InvalidAuthenticationToken", message)


_BROWSER_PAGE = re.compile(r"/sp/_layouts/15/userphoto\.aspx", re.IGNORECASE)


def _authenticate(state: ServerState, call: Call) -> Reply | None:
    if call.method == "GET" and "Authorization" not in call.headers and _BROWSER_PAGE.fullmatch(call.path):
        return None  # a signed-in user's browser (SharePoint's session cookie, which the demo doesn't model)
    scheme, _, token = call.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return _unauthorized(state, call, "Access token is empty.")
    check = state.limits.token_check
    if check is not None and not check(token):
        return _unauthorized(state, call, "Access token validation failure.")
    return None


def _reset(request: web.Request) -> None:
    """Close the client's connection with a TCP RST (SO_LINGER 0), as a crashed front end would."""
    transport = request.transport
    if transport is None:
        return
    sock = transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()


async def _handle(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE]
    call = Call(
        method=request.method,
        path=request.path,
        query=MultiDictProxy(MultiDict(request.query)),
        headers=request.headers,
        body=await request.read(),
        origin=f"{request.scheme}://{request.host}",
    )
    reply = _authenticate(state, call) or await execute(state, request.app[_ROUTES], call)
    if reply.reset:
        _reset(request)
        raise web.HTTPInternalServerError()  # never sent: the connection is gone
    headers = dict(reply.headers)
    if not is_sharepoint(call.path):
        headers.setdefault("request-id", str(uuid.uuid4()))
        if client_id := request.headers.get("client-request-id"):
            headers["client-request-id"] = client_id
    media = reply.media_type()
    if media:
        headers["Content-Type"] = media
    return web.Response(status=reply.status, body=reply.body_bytes(), headers=headers)
