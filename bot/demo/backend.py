"""The demo tenant as the bot's Graph backend: its wire-format server on a loopback port, seeded ledger."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import datetime

from aiohttp import web

from bot.graph.backend import GraphBackend
from bot.graph.tokens import StaticTokenProvider
from bot.settings import Settings
from bot.store import Store

from .server import GraphLimits, create_graph_app
from .tenant import DemoTenant


async def start_demo_backend(
    settings: Settings, store: Store, clock: Callable[[], datetime], stack: contextlib.AsyncExitStack
) -> GraphBackend:
    tenant = DemoTenant.load(settings.demo_tenant, now=clock())
    demo_app = create_graph_app(
        tenant, GraphLimits(latency_s=settings.demo_latency_ms / 1000, user_sync_s=settings.demo_sync_s)
    )
    url = await _serve(demo_app, stack)
    for user_id, (etag, changed) in tenant.photo_changed_times().items():
        await store.seed_photo(user_id, etag, changed, clock())
    demo_group = next((g.id for g in tenant.groups if g.display_name == "Helpdesk"), "")
    return GraphBackend(
        graph_url=url,
        sharepoint_url=f"{url}/sp",
        tokens=StaticTokenProvider("demo"),
        tenant_id=tenant.id,
        tenant_name=tenant.domain.split(".")[0],
        # the demo's Helpdesk group stands in only when no helpdesk is configured at all
        helpdesk_group=settings.helpdesk_group_id or ("" if settings.helpdesk_teams else demo_group),
        demo_app=demo_app,
        demo_user_ids=tuple(u.id for u in tenant.users),
    )


async def _serve(demo_app: web.Application, stack: contextlib.AsyncExitStack) -> str:
    runner = web.AppRunner(demo_app, access_log=None)
    await runner.setup()
    stack.push_async_callback(runner.cleanup)
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server = site._server
    assert server is not None
    port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
    return f"http://127.0.0.1:{port}"
