"""The application factory: settings in, a wired aiohttp application out.

Long-lived clients (httpx, msal, the store, the demo tenant server) live in `cleanup_ctx` and typed
`web.AppKey` state, never in module globals.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from aiohttp import web

from bot.demo.server import STATE, GraphLimits, create_graph_app
from bot.demo.tenant import DemoTenant
from bot.graph import GraphClient, SharePointClient
from bot.graph.http import graph_http_client
from bot.graph.retry import RetryPolicy
from bot.graph.tokens import MsalTokenProvider, StaticTokenProvider, TokenProvider, load_certificate
from bot.metrics import CONTENT_TYPE_LATEST, Metrics
from bot.services.helpdesk import HelpdeskPolicy, UserResolver
from bot.services.notices import NoticeSender, TeamsRateLimiter
from bot.services.notify import DriftNotifier
from bot.services.photos import PhotoService
from bot.services.profiles import ProfileReader
from bot.services.replicas import leased_notice_sender, leased_retention, leased_scans, replica_id
from bot.services.scan import DriftScanner
from bot.services.watch import configured, resolve_watch_list
from bot.settings import AppType, Settings
from bot.store import OptOuts, Store
from bot.store.leases import Leases
from bot.store.outbox import Outbox
from bot.store.scan_checkpoint import ScanCheckpoint
from bot.teams.adapter import PhotoSyncAdapter
from bot.teams.auth import ChannelTokenValidator
from bot.teams.bot import BotOptions, PhotoSyncBot
from bot.teams.connector import ConnectorSender, connector_session
from bot.teams.endpoint import MessagesEndpoint

log = logging.getLogger(__name__)

GRAPH_SCOPE_HOST = "https://graph.microsoft.com"


@dataclass
class Runtime:
    """Everything the running bot holds; built in `cleanup_ctx`, reachable as `app[RUNTIME]`."""

    settings: Settings
    http: httpx.AsyncClient
    store: Store
    graph: GraphClient
    sharepoint: SharePointClient
    photos: PhotoService
    adapter: PhotoSyncAdapter
    bot: PhotoSyncBot
    endpoint: MessagesEndpoint
    bot_tokens: TokenProvider | None
    metrics: Metrics
    notifier: DriftNotifier
    outbox: Outbox
    demo_app: web.Application | None = None


RUNTIME = web.AppKey("runtime", Runtime)
SETTINGS = web.AppKey("settings", Settings)


def _utcnow() -> datetime:
    return datetime.now(UTC)


def create_app(
    settings: Settings,
    *,
    clock: Callable[[], datetime] = _utcnow,
    msal_http_client: Any = None,
) -> web.Application:
    """Build the bot. `msal_http_client` lets tests route msal to a loopback identity server."""
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
        body = {"status": "ready" if ready else "not ready", "demo": settings.demo}
        return web.json_response(body, status=200 if ready else 503)

    async def metrics(request: web.Request) -> web.Response:
        body = request.app[RUNTIME].metrics.render()
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    app.router.add_post("/api/messages", messages)
    app.router.add_get("/metrics", metrics)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    return app


def freeze_after_startup(app: web.Application) -> web.Application:
    """For the serving process (`python -m bot`): once the runtime is up, collect and then freeze everything
    allocated so far (`gc.freeze()`: ~1M objects of imported modules, settings, clients) so the cyclic garbage
    collector stops re-scanning them. Turns leave a few dozen cyclic objects each (botbuilder's TurnContext,
    asyncio futures); without the freeze, the full collections that reclaim them walk the whole heap and showed
    up as the p99 at 16 concurrent turns (81 → 19 ms measured, docs/BENCHMARKS.md). Not used in tests, which
    build many apps in one process."""

    async def freeze(app: web.Application) -> None:
        gc.collect()
        gc.freeze()

    app.on_startup.append(freeze)  # after create_app's cleanup_ctx: the runtime exists by then
    return app


class RuntimeContext:
    """Builds the long-lived objects of one bot process (async context manager); `scan` uses it too."""

    def __init__(
        self,
        settings: Settings,
        clock: Callable[[], datetime],
        msal_http_client: Any,
        *,
        run_sender: bool = True,
    ) -> None:
        self.run_sender = run_sender  # the serving bot delivers queued notices; `scan` only queues them
        self._stop = asyncio.Event()
        self.settings = settings
        self.clock = clock
        self.msal_http_client = msal_http_client
        self._cleanups: list[Callable[[], Any]] = []

    async def __aenter__(self) -> Runtime:
        s = self.settings
        metrics = Metrics()
        http = graph_http_client(timeout_s=s.graph_timeout_s, response_hooks=[metrics.on_response])
        self._cleanups.append(http.aclose)
        store = Store.from_url(
            s.database_url,
            schema=s.database_schema or None,
            pool_size=s.db_pool_size,
            max_overflow=s.db_max_overflow,
        )
        await store.open(migrate=s.migrate_on_start)
        self._cleanups.append(store.close)

        demo_app = None
        graph_tokens: TokenProvider
        if s.demo:
            tenant = DemoTenant.load(s.demo_tenant, now=self.clock())
            demo_app = create_graph_app(tenant, GraphLimits(latency_s=s.demo_latency_ms / 1000))
            demo_url = await self._start_demo_server(demo_app)
            graph_base, sharepoint_base = f"{demo_url}", f"{demo_url}/sp"
            graph_tokens = StaticTokenProvider("demo")
            for user_id, (etag, changed) in tenant.photo_changed_times().items():
                await store.seed_photo(user_id, etag, changed, self.clock())
            tenant_name = tenant.domain.split(".")[0]
            demo_group = next((g.id for g in tenant.groups if g.display_name == "Helpdesk"), "")
            helpdesk_group = s.helpdesk_group_id or demo_group
        else:
            credential: Any = (
                load_certificate(s.certificate_path)
                if s.certificate_path is not None
                else s.client_secret.get_secret_value()
            )
            graph_tokens = MsalTokenProvider(
                f"{s.login_url}/{s.tenant_id}", s.client_id, credential, http_client=self.msal_http_client
            )
            graph_base, sharepoint_base = s.graph_url, s.sharepoint_url
            tenant_name = sharepoint_base.split("//", 1)[-1].split(".", 1)[0]
            helpdesk_group = s.helpdesk_group_id

        metrics.name_services(
            [(graph_base, "graph"), (sharepoint_base, "sharepoint"), (s.login_url, "login")]
        )
        policy = RetryPolicy(budget_s=s.graph_timeout_s)
        graph = GraphClient(http, graph_base, graph_tokens, policy)
        sharepoint = SharePointClient(http, sharepoint_base, graph_tokens, policy)
        profiles = ProfileReader(graph, sharepoint, store, self.clock, s.profile_cache_s)
        photos = PhotoService(
            profiles,
            graph,
            store,
            self.clock,
            timedelta(seconds=s.resync_cooldown_s),
            on_outcome=lambda outcome: metrics.resyncs.labels(outcome).inc(),
        )

        bot_tokens: TokenProvider | None = None
        validator = None
        if not s.anonymous:
            authority_tenant = "botframework.com" if s.app_type is AppType.MULTI_TENANT else s.app_tenant_id
            bot_tokens = MsalTokenProvider(
                f"{s.login_url}/{authority_tenant}",
                s.app_id,
                s.app_password.get_secret_value(),
                http_client=self.msal_http_client,
            )
            validator = ChannelTokenValidator(s.openid_metadata_url, s.app_id, http)
        # Replies and notices leave through their own pooled aiohttp session (connector.py says why).
        connector_http = connector_session(timeout_s=s.graph_timeout_s)
        self._cleanups.append(connector_http.close)

        def connector_answer(status: int) -> None:
            metrics.count("connector", status)

        sender = ConnectorSender(connector_http, bot_tokens, on_answer=connector_answer)
        adapter = PhotoSyncAdapter(sender, s.app_id)
        options = BotOptions(
            demo=s.demo,
            profile_edit_url=s.profile_edit_url,
            default_timezone=s.default_timezone,
            tenant_name=tenant_name,
        )
        optouts = OptOuts(store.engine)
        outbox = Outbox(store.engine)
        notifier = DriftNotifier(
            store,
            outbox,
            optouts,
            self.clock,
            demo=s.demo,
            profile_edit_url=s.profile_edit_url,
            default_locale=s.default_locale,
            default_timezone=s.default_timezone,
            graph=graph,
            install_on_demand=s.install_on_demand,
            teams_app_id=s.teams_app_id,
            service_url=s.service_url,
            bot_id=s.app_id,
        )
        leases = Leases(store.engine)
        owner = replica_id()
        ttl = timedelta(seconds=s.lease_s)
        if self.run_sender:
            # Proactive notices leave through the durable outbox; the outbox does the retrying (max_attempts=1).
            # One replica sends at a time (lease): Teams' 50/s is per app, not per replica.
            notice_sender = NoticeSender(
                outbox,
                ConnectorSender(connector_http, bot_tokens, max_attempts=1, on_answer=connector_answer),
                TeamsRateLimiter(),
                self.clock,
                owner=owner,
                lease=ttl,
            )
            self._background(
                "notice-sender", leased_notice_sender(notice_sender, leases, owner, ttl, self._stop)
            )
        if self.run_sender:
            self._background(
                "retention",
                leased_retention(
                    store,
                    leases,
                    owner,
                    ttl,
                    self._stop,
                    audit_days=s.audit_retention_days,
                    ledger_days=s.ledger_retention_days,
                    outbox_days=s.outbox_retention_days,
                ),
            )
        if self.run_sender and s.scan_interval_min > 0:
            demo_ids = [u.id for u in demo_app[STATE].tenant.users] if demo_app is not None else None
            if not configured(s) and demo_ids is None:
                log.warning(
                    "PHOTOSYNC_SCAN_INTERVAL is set but no watch list: set PHOTOSYNC_WATCH_CSV, "
                    "PHOTOSYNC_WATCH_GROUP_ID or PHOTOSYNC_WATCH_SYNCED"
                )
            else:

                async def watch() -> list[str] | None:
                    return await resolve_watch_list(s, graph, demo_ids)

                scanner = DriftScanner(
                    graph,
                    sharepoint,
                    store,
                    self.clock,
                    timedelta(hours=s.drift_grace_h),
                    checkpoint=ScanCheckpoint(store.engine),
                )
                self._background(
                    "drift-scan",
                    leased_scans(
                        scanner,
                        notifier,
                        watch,
                        timedelta(minutes=s.scan_interval_min),
                        leases,
                        owner,
                        ttl,
                        self._stop,
                    ),
                    # not cancelled: on shutdown the scan stops between users (a query cancelled half-way can
                    # leave a pooled connection behind) and the checkpoint keeps what it did
                )
        helpdesk = HelpdeskPolicy(graph, helpdesk_group, s.helpdesk_teams)
        bot = PhotoSyncBot(photos, store, options, self.clock, helpdesk, UserResolver(graph), optouts)
        adapter.on_turn_error = bot.on_error
        endpoint = MessagesEndpoint(adapter, bot, validator, metrics)
        return Runtime(
            s,
            http,
            store,
            graph,
            sharepoint,
            photos,
            adapter,
            bot,
            endpoint,
            bot_tokens,
            metrics,
            notifier,
            outbox,
            demo_app,
        )

    async def _start_demo_server(self, demo_app: web.Application) -> str:
        runner = web.AppRunner(demo_app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self._cleanups.append(runner.cleanup)
        server = site._server
        assert server is not None
        port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        return f"http://127.0.0.1:{port}"

    def _background(self, name: str, work: Coroutine[Any, Any, None], *, cancel: bool = False) -> None:
        """Run `work` until shutdown: it returns once `self._stop` is set, or is cancelled (`cancel=True`)."""
        task = asyncio.create_task(work, name=name)

        async def stop() -> None:
            self._stop.set()
            if cancel:
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

        self._cleanups.append(stop)

    async def __aexit__(self, *exc: object) -> None:
        for cleanup in reversed(self._cleanups):
            await cleanup()
