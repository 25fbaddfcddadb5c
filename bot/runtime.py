"""What one bot process holds while it runs, built from settings by small named builders.

`RuntimeContext` (an async context manager; `create_app` and `python -m bot scan` use it) opens the store and the
HTTP clients, picks the Graph backend (the demo tenant's loopback server, imported only in demo mode, or
Microsoft Graph with msal), sets up inbound authentication, wires the services and the turn handler, and starts
the background jobs. Everything it starts is closed in reverse order by one `AsyncExitStack`.

Adding a service: build it in `_services` and give `Runtime` a field. Adding a background job: one entry in
`_background_jobs`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from bot.graph import GraphClient, SharePointClient
from bot.graph.backend import GraphBackend
from bot.graph.http import graph_http_client
from bot.graph.retry import RetryPolicy
from bot.graph.tokens import MsalTokenProvider, TokenProvider, load_certificate
from bot.metrics import Metrics
from bot.services.delivery import OFFERS_SYNC_KEY
from bot.services.helpdesk import HelpdeskPolicy, UserResolver
from bot.services.link_sender import SyncLinkSender
from bot.services.notices import NoticeSender, TeamsRateLimiter
from bot.services.notify import DriftNotifier
from bot.services.photos import PhotoService
from bot.services.profiles import ProfileReader
from bot.services.replicas import (
    leased_notice_sender,
    leased_retention,
    leased_scans,
    leased_sync_checks,
    replica_id,
)
from bot.services.scan import DriftScanner
from bot.services.sync_cards import SyncCardBook
from bot.services.sync_links import NOTICE_LINK_TTL, SyncLinks
from bot.services.sync_start import SyncStarter
from bot.services.sync_verify import SCHEDULE, SyncVerifier
from bot.services.watch import configured, resolve_watch_list
from bot.settings import AppType, Settings
from bot.startup import StartupError, database_failure
from bot.store import OptOuts, Store
from bot.store.leases import Leases
from bot.store.migrate import SchemaOutOfDate
from bot.store.outbox import Outbox, OutboxItem
from bot.store.scan_checkpoint import ScanCheckpoint
from bot.store.sync_cards import SyncCard, SyncCards
from bot.store.sync_checks import SyncChecks
from bot.teams.adapter import PhotoSyncAdapter
from bot.teams.auth import ChannelTokenValidator
from bot.teams.bot import BotOptions, PhotoSyncBot
from bot.teams.connector import ConnectorSender, connector_session
from bot.teams.endpoint import MessagesEndpoint
from bot.teams.sso import build_sso

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
# Jobs whose unfinished work stays due in the database: cancelled at shutdown instead of waited for.
CANCEL_ON_STOP = frozenset({"sync-checks"})


def remember_sync_card(
    sync_cards: SyncCardBook | None, clock: Clock
) -> Callable[[OutboxItem, str], Awaitable[None]]:
    """After a queued card that offers someone the sync was posted: remember it, so the sync's progress and
    outcome replace it (a notice, or the card a helpdesk sent)."""

    async def remember(item: OutboxItem, activity_id: str) -> None:
        user_id = item.payload.get(OFFERS_SYNC_KEY)
        if sync_cards is not None and isinstance(user_id, str) and activity_id:
            card = SyncCard(user_id, item.conversation_id, item.service_url, activity_id, clock())
            sync_cards.remember(card)

    return remember


@dataclass(frozen=True, slots=True)
class InboundAuth:
    """How requests to the bot are checked, and how its replies authenticate (both None: anonymous)."""

    validator: ChannelTokenValidator | None
    bot_tokens: TokenProvider | None


@dataclass(kw_only=True)
class Runtime:
    """Everything the running bot holds; built by `RuntimeContext`, reachable as `app[RUNTIME]`."""

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
    backend: GraphBackend
    sync: SyncStarter
    verifier: SyncVerifier

    @property
    def demo_app(self) -> web.Application | None:
        app: web.Application | None = self.backend.demo_app
        return app


async def open_store(settings: Settings) -> Store:
    store = Store.from_url(
        settings.database_url,
        schema=settings.database_schema or None,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
    )
    try:
        await store.open(migrate=settings.migrate_on_start)
    except SchemaOutOfDate as exc:
        await store.close()
        raise StartupError(str(exc)) from exc
    except (OSError, SQLAlchemyError) as exc:
        await store.close()  # a failed open still holds a pool (and SQLite's thread): close it here
        raise StartupError(database_failure(settings.database_url, exc)) from exc
    return store


async def graph_backend(
    settings: Settings, store: Store, clock: Clock, msal_http_client: Any, stack: contextlib.AsyncExitStack
) -> GraphBackend:
    """The demo tenant (no Graph credentials) or Microsoft Graph."""
    if settings.demo:
        from bot.demo.backend import start_demo_backend  # demo code is loaded only in demo mode

        try:
            return await start_demo_backend(settings, store, clock, stack)
        except ValueError as exc:  # a PHOTOSYNC_DEMO_TENANT file that is not a valid tenant
            raise StartupError(f"PHOTOSYNC_DEMO_TENANT: {exc}") from exc
    credential: Any = (
        load_certificate(settings.certificate_path)
        if settings.certificate_path is not None
        else settings.client_secret.get_secret_value()
    )
    tokens = MsalTokenProvider(
        f"{settings.login_url}/{settings.tenant_id}",
        settings.client_id,
        credential,
        http_client=msal_http_client,
    )
    return GraphBackend(
        graph_url=settings.graph_url,
        sharepoint_url=settings.sharepoint_url,
        tokens=tokens,
        tenant_id=settings.serves_tenant,
        tenant_name=settings.sharepoint_url.split("//", 1)[-1].split(".", 1)[0],
        helpdesk_group=settings.helpdesk_group_id,
    )


def inbound_auth(
    settings: Settings, http: httpx.AsyncClient, clock: Clock, msal_http_client: Any
) -> InboundAuth:
    """Channel-token validation and the bot's own outbound token, from the bot registration (if any)."""
    if settings.anonymous:
        return InboundAuth(None, None)
    authority = "botframework.com" if settings.app_type is AppType.MULTI_TENANT else settings.app_tenant_id
    bot_tokens = MsalTokenProvider(
        f"{settings.login_url}/{authority}",
        settings.app_id,
        settings.app_password.get_secret_value(),
        http_client=msal_http_client,
    )
    validator = ChannelTokenValidator(settings.openid_metadata_url, settings.app_id, http, clock=clock)
    return InboundAuth(validator, bot_tokens)


class RuntimeContext:
    """Builds the long-lived objects of one bot process (async context manager); `scan` uses it too."""

    def __init__(
        self,
        settings: Settings,
        clock: Clock,
        msal_http_client: Any,
        *,
        run_sender: bool = True,
    ) -> None:
        self.run_sender = run_sender  # the serving bot runs the background jobs; `scan` only queues notices
        self.settings = settings
        self.clock = clock
        self.msal_http_client = msal_http_client
        self._stop = asyncio.Event()
        self._stack = contextlib.AsyncExitStack()

    async def __aenter__(self) -> Runtime:
        try:
            return await self._build()
        except BaseException:
            await self._stack.aclose()
            raise

    async def __aexit__(self, *exc: object) -> None:
        await self._stack.aclose()

    async def _build(self) -> Runtime:
        s, stack = self.settings, self._stack
        metrics = Metrics()
        http = graph_http_client(timeout_s=s.graph_timeout_s, response_hooks=[metrics.on_response])
        stack.push_async_callback(http.aclose)
        store = await open_store(s)
        stack.push_async_callback(store.close)
        backend = await graph_backend(s, store, self.clock, self.msal_http_client, stack)
        metrics.name_services(
            [(backend.graph_url, "graph"), (backend.sharepoint_url, "sharepoint"), (s.login_url, "login")]
        )
        auth = inbound_auth(s, http, self.clock, self.msal_http_client)
        # Replies and notices leave through their own pooled aiohttp session (connector.py says why).
        connector_http = connector_session(timeout_s=s.graph_timeout_s)
        stack.push_async_callback(connector_http.close)
        runtime = self._services(s, metrics, http, store, backend, auth, connector_http)
        if self.run_sender:
            for name, work in self._background_jobs(runtime, auth, connector_http).items():
                self._background(name, work, cancel=name in CANCEL_ON_STOP)
        return runtime

    def _services(
        self,
        s: Settings,
        metrics: Metrics,
        http: httpx.AsyncClient,
        store: Store,
        backend: GraphBackend,
        auth: InboundAuth,
        connector_http: Any,
    ) -> Runtime:
        policy = RetryPolicy(budget_s=s.graph_timeout_s)
        graph = GraphClient(http, backend.graph_url, backend.tokens, policy)
        sharepoint = SharePointClient(http, backend.sharepoint_url, backend.tokens, policy)
        profiles = ProfileReader(graph, sharepoint, store, self.clock, s.profile_cache_s)
        photos = PhotoService(profiles, self.clock)
        sender = ConnectorSender(
            connector_http, auth.bot_tokens, on_answer=_counting(metrics), clock=self.clock
        )
        adapter = PhotoSyncAdapter(sender, s.app_id)
        optouts = OptOuts(store.engine)
        outbox = Outbox(store.engine)
        links = SyncLinks(s.sync_link_secret(), self.clock)
        sync = SyncStarter(links, graph, store, self.clock, backend.sharepoint_url)
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
            sync_link=(lambda user_id: sync.link(s.bot_url, user_id, NOTICE_LINK_TTL)) if s.bot_url else None,
        )
        sync_cards = SyncCardBook(SyncCards(store.engine))
        self._stack.push_async_callback(sync_cards.flush)  # before the store closes (the stack unwinds)
        verifier = SyncVerifier(
            SyncChecks(store.engine),
            graph,
            sharepoint,
            store,
            outbox,
            self.clock,
            notifier.sync_outcome_message,
            # the demo's SharePoint refreshes PHOTOSYNC_DEMO_SYNC_SECONDS after the request: look just after
            first_check=timedelta(seconds=s.demo_sync_s + 2) if s.demo else SCHEDULE[0],
            cards=sync_cards,
            checking_message=notifier.sync_checking_message,
            on_fixed=profiles.forget,
        )
        sync.on_start = verifier.started
        helpdesk = HelpdeskPolicy(
            graph,
            backend.helpdesk_group,
            s.helpdesk_teams,
            clock=self.clock,
            allow_guests=s.helpdesk_allow_guests,
        )
        options = BotOptions(
            demo=s.demo,
            profile_edit_url=s.profile_edit_url,
            default_timezone=s.default_timezone,
            tenant_name=backend.tenant_name,
            default_locale=s.default_locale,
        )
        link_sender = (
            SyncLinkSender(
                store,
                outbox,
                self.clock,
                lambda conversation, requested_by: notifier.sync_link_message(
                    conversation, sync.link(s.bot_url, conversation.user_id, NOTICE_LINK_TTL), requested_by
                ),
            )
            if s.bot_url
            else None
        )
        bot = PhotoSyncBot(
            photos,
            store,
            options,
            self.clock,
            helpdesk,
            UserResolver(graph),
            optouts,
            sync_link=(lambda user_id: sync.link(s.bot_url, user_id)) if s.bot_url else None,
            link_sender=link_sender,
            sync_checks=verifier.checks,
            sync_cards=sync_cards,
        )
        adapter.on_turn_error = bot.on_error
        if s.sso:  # Teams SSO: the click starts the sync as the user (bot/teams/sso.py)
            bot.sso = build_sso(
                s,
                http=http,
                tenant_id=backend.tenant_id,
                sharepoint_url=backend.sharepoint_url,
                starter=sync,
                clock=self.clock,
                msal_http_client=self.msal_http_client,
                context=bot._card_context,
            )
        endpoint = MessagesEndpoint(
            adapter,
            bot,
            auth.validator,
            metrics,
            tenant_id=backend.tenant_id,
            read_timeout_s=s.request_read_s,
        )
        return Runtime(
            settings=s,
            http=http,
            store=store,
            graph=graph,
            sharepoint=sharepoint,
            photos=photos,
            adapter=adapter,
            bot=bot,
            endpoint=endpoint,
            bot_tokens=auth.bot_tokens,
            metrics=metrics,
            notifier=notifier,
            outbox=outbox,
            backend=backend,
            sync=sync,
            verifier=verifier,
        )

    def _background_jobs(
        self, runtime: Runtime, auth: InboundAuth, connector_http: Any
    ) -> dict[str, Coroutine[Any, Any, None]]:
        """The jobs a serving replica runs, each under its lease: one replica at a time does each."""
        s, store, clock = self.settings, runtime.store, self.clock
        leases, owner, ttl = Leases(store.engine), replica_id(), timedelta(seconds=s.lease_s)
        # Notices leave through the durable outbox, which does the retrying (max_attempts=1); one replica sends
        # at a time: Teams' 50/s is per app, not per replica.
        notice_sender = NoticeSender(
            runtime.outbox,
            ConnectorSender(
                connector_http,
                auth.bot_tokens,
                max_attempts=1,
                on_answer=_counting(runtime.metrics),
                clock=clock,
            ),
            TeamsRateLimiter(),
            clock,
            owner=owner,
            lease=ttl,
            on_sent=remember_sync_card(runtime.verifier.cards, clock),
        )
        jobs: dict[str, Coroutine[Any, Any, None]] = {
            "notice-sender": leased_notice_sender(notice_sender, leases, owner, ttl, self._stop, clock=clock),
            "retention": leased_retention(
                store,
                leases,
                owner,
                ttl,
                self._stop,
                audit_days=s.audit_retention_days,
                ledger_days=s.ledger_retention_days,
                outbox_days=s.outbox_retention_days,
                clock=clock,
            ),
            "sync-checks": leased_sync_checks(
                runtime.verifier, leases, owner, ttl, self._stop, every_s=2.0 if s.demo else 15.0, clock=clock
            ),
        }
        scans = self._scheduled_scans(runtime, leases, owner, ttl)
        if scans is not None:
            # not cancelled on shutdown: the scan stops between users (a query cancelled half-way can leave a
            # pooled connection behind) and the checkpoint keeps what it did
            jobs["drift-scan"] = scans
        return jobs

    def _scheduled_scans(
        self, runtime: Runtime, leases: Leases, owner: str, ttl: timedelta
    ) -> Coroutine[Any, Any, None] | None:
        s = self.settings
        if s.scan_interval_min <= 0:
            return None
        demo_ids = list(runtime.backend.demo_user_ids) if runtime.backend.demo_user_ids is not None else None
        if not configured(s) and demo_ids is None:
            log.warning(
                "PHOTOSYNC_SCAN_INTERVAL is set but no watch list: set PHOTOSYNC_WATCH_CSV, "
                "PHOTOSYNC_WATCH_GROUP_ID or PHOTOSYNC_WATCH_SYNCED"
            )
            return None

        async def watch() -> list[str] | None:
            return await resolve_watch_list(s, runtime.graph, demo_ids)

        scanner = DriftScanner(
            runtime.graph,
            runtime.sharepoint,
            runtime.store,
            self.clock,
            timedelta(hours=s.drift_grace_h),
            checkpoint=ScanCheckpoint(runtime.store.engine),
        )
        interval = timedelta(minutes=s.scan_interval_min)
        return leased_scans(
            scanner, runtime.notifier, watch, interval, leases, owner, ttl, self._stop, clock=self.clock
        )

    def _background(self, name: str, work: Coroutine[Any, Any, None], *, cancel: bool = False) -> None:
        """Run `work` until shutdown: it returns once `self._stop` is set, or is cancelled (`cancel`)."""
        task = asyncio.create_task(work, name=name)

        async def stop() -> None:
            self._stop.set()
            if cancel:
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

        self._stack.push_async_callback(stop)


def _counting(metrics: Metrics) -> Callable[[int], None]:
    def count(status: int) -> None:
        metrics.count("connector", status)

    return count
