"""The application factory: settings in, a wired aiohttp application out (routes, the runtime, /metrics).

Long-lived clients (httpx, msal, the store, the demo tenant server) live in `cleanup_ctx` and typed
`web.AppKey` state, never in module globals.
"""

from __future__ import annotations

import gc
import hmac
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from aiohttp import web

from bot import pages
from bot.clock import Clock, system_clock
from bot.logs import redact_server_errors
from bot.loopback import is_loopback_host
from bot.metrics import CONTENT_TYPE_LATEST
from bot.runtime import Runtime, RuntimeContext
from bot.settings import Settings

__all__ = [
    "RUNTIME",
    "SETTINGS",
    "Runtime",
    "RuntimeContext",
    "auth_report",
    "create_app",
    "freeze_after_startup",
]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
LINK_GONE = "This PhotoSync link has expired or is not valid. Ask PhotoSync again in Teams for a new one."

RUNTIME = web.AppKey("runtime", Runtime)
SETTINGS = web.AppKey("settings", Settings)


def create_app(
    settings: Settings,
    *,
    clock: Clock = system_clock,
    msal_http_client: Any = None,
) -> web.Application:
    """Build the bot. `msal_http_client` lets tests route msal to a loopback identity server."""
    redact_server_errors()
    app = web.Application(client_max_size=settings.max_body_bytes)
    app[SETTINGS] = settings

    async def runtime_ctx(app: web.Application) -> AsyncIterator[None]:
        async with RuntimeContext(settings, clock, msal_http_client) as runtime:
            app[RUNTIME] = runtime
            yield

    app.cleanup_ctx.append(runtime_ctx)

    async def messages(request: web.Request) -> web.StreamResponse:
        return await request.app[RUNTIME].endpoint.handle(request)

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"status": "alive"})

    async def readyz(request: web.Request) -> web.Response:
        runtime = request.app.get(RUNTIME)
        ready = runtime is not None and await runtime.store.ping()
        body = {"status": "ready" if ready else "not ready", "demo": settings.demo, **auth_report(settings)}
        return web.json_response(body, status=200 if ready else 503)

    async def sync(request: web.Request) -> web.StreamResponse:
        runtime = request.app[RUNTIME]
        target = await runtime.sync.start(request.match_info["token"])
        runtime.metrics.sync_starts.labels("started" if target else "link_gone").inc()
        if target is None:
            return web.Response(status=410, text=LINK_GONE, content_type="text/plain")
        raise web.HTTPFound(target)

    app.router.add_post("/api/messages", messages)
    app.router.add_get("/sync/{token}", sync)
    metrics = metrics_handler(settings)
    if metrics is not None:
        app.router.add_get("/metrics", metrics)
    app.router.add_get("/healthz", healthz)
    # the Teams app package's developer links (about, privacy, terms) point at these pages
    pages.add_routes(
        app.router,
        pages.Retention(
            settings.audit_retention_days, settings.ledger_retention_days, settings.outbox_retention_days
        ),
    )
    app.router.add_get("/readyz", readyz)
    if settings.metrics_port:
        app.cleanup_ctx.append(metrics_listener(settings))
    return app


def auth_report(settings: Settings) -> dict[str, str]:
    """How inbound requests are authenticated, for /readyz and the banner; loud when it is unsafe."""
    if not settings.anonymous:
        return {"inbound_auth": "bot framework tokens"}
    if not settings.insecure:
        return {"inbound_auth": "anonymous (demo on a loopback address)"}
    return {
        "inbound_auth": "anonymous",
        "warning": "PHOTOSYNC_ALLOW_ANONYMOUS is set: anyone who reaches this port can act as any user",
    }


def _metrics_response(app: web.Application) -> web.Response:
    body = app[RUNTIME].metrics.render()
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


async def _render_metrics(request: web.Request) -> web.Response:
    return _metrics_response(request.app)


def metrics_handler(settings: Settings) -> Handler | None:
    """/metrics on the main port: behind PHOTOSYNC_METRICS_TOKEN when one is set, open when the main port is
    loopback-only, absent otherwise (then PHOTOSYNC_METRICS_PORT serves it on its own listener)."""
    secret = settings.metrics_token.get_secret_value()
    if secret:
        expected = f"Bearer {secret}".encode()

        async def guarded(request: web.Request) -> web.Response:
            given = request.headers.get("Authorization", "").encode()
            if not hmac.compare_digest(given, expected):
                return web.json_response({"error": "unauthorized"}, status=401)
            return await _render_metrics(request)

        return guarded
    return _render_metrics if is_loopback_host(settings.host) else None


def metrics_listener(settings: Settings) -> Callable[[web.Application], AsyncIterator[None]]:
    """A second listener serving only /metrics (PHOTOSYNC_METRICS_HOST:PHOTOSYNC_METRICS_PORT)."""

    async def listener(app: web.Application) -> AsyncIterator[None]:
        async def render(request: web.Request) -> web.Response:
            return _metrics_response(app)

        metrics_app = web.Application()
        metrics_app.router.add_get("/metrics", render)
        runner = web.AppRunner(metrics_app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, settings.metrics_host, settings.metrics_port).start()
        try:
            yield
        finally:
            await runner.cleanup()

    return listener


def freeze_after_startup(app: web.Application) -> web.Application:
    """For the serving process (`python -m bot`): once the runtime is up, collect and then freeze everything
    allocated so far (`gc.freeze()`: the objects of imported modules, settings, clients) so the cyclic garbage
    collector stops re-scanning them. Turns leave a few dozen cyclic objects each (botbuilder's TurnContext,
    asyncio futures); without the freeze, the full collections that reclaim them walk the whole heap and set
    the tail latency under concurrent turns (hot path: see docs/BENCHMARKS.md). Not used in tests, which
    build many apps in one process."""

    async def freeze(app: web.Application) -> None:
        gc.collect()
        gc.freeze()

    app.on_startup.append(freeze)  # after create_app's cleanup_ctx: the runtime exists by then
    return app
