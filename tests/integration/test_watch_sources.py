"""Watch-list sources against the demo Graph server on loopback: group members, synced users, CSV union."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiohttp import web

from bot.demo.server import create_graph_app
from bot.demo.synthetic import synthetic_tenant
from bot.demo.tenant import DemoGroup, DemoTenant
from bot.graph import GraphClient, RetryPolicy, StaticTokenProvider
from bot.graph.errors import GraphError
from bot.scan_cli import add_scan_subcommand, run_scan_command
from bot.services.notify import DriftNotifier
from bot.services.replicas import leased_scans
from bot.services.scan import ScanReport
from bot.services.watch import resolve_watch_list
from bot.settings import Settings
from bot.store import Store
from bot.store.leases import Leases
from tests.clock import FakeClock

FAST = RetryPolicy(max_attempts=2, budget_s=2.0, base_s=0.01, cap_s=0.05)
HELPDESK = "4173ae94-81bb-4525-bacb-717911cd5748"
PATTI = "de567967-bfef-48e7-bcdc-95bab6a08f07"
ISAIAH = "2e2d50d5-d303-48e0-a2e4-b2b1f354953c"
JOHANNA = "963c75d3-0f41-453b-96af-3c7c703a96fa"
ADELE = "53d6c7d3-7bc7-4272-b9e3-4eb50bd7b23b"

GraphFactory = Callable[[DemoTenant], Awaitable[GraphClient]]


@pytest.fixture
async def graph_for() -> AsyncIterator[GraphFactory]:
    cleanups: list[Callable[[], Awaitable[object]]] = []

    async def make(tenant: DemoTenant) -> GraphClient:
        runner = web.AppRunner(create_graph_app(tenant), access_log=None)
        await runner.setup()
        cleanups.append(runner.cleanup)
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        assert site._server is not None
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        http = httpx.AsyncClient(trust_env=False, timeout=10.0)
        cleanups.append(http.aclose)
        return GraphClient(http, f"http://127.0.0.1:{port}", StaticTokenProvider("test"), FAST)

    yield make
    for cleanup in reversed(cleanups):
        await cleanup()


def _settings(tmp_path: Path, **kw: Any) -> Settings:
    return Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'w.db'}", **kw)


async def test_group_members(graph_for: GraphFactory) -> None:
    graph = await graph_for(DemoTenant.load())
    assert await graph.group_member_ids(HELPDESK) == [PATTI]
    assert graph.calls["group_members"] == 1


async def test_unknown_group_is_an_error(graph_for: GraphFactory) -> None:
    graph = await graph_for(DemoTenant.load())
    with pytest.raises(GraphError) as exc:
        await graph.group_member_ids("00000000-0000-0000-0000-000000000000")
    assert exc.value.status == 404


async def test_synced_users(graph_for: GraphFactory) -> None:
    graph = await graph_for(DemoTenant.load())
    assert sorted(await graph.synced_user_ids()) == sorted([ISAIAH, JOHANNA])


async def test_paging_follows_next_link(graph_for: GraphFactory) -> None:
    base = synthetic_tenant(2100)
    users = tuple(
        dataclasses.replace(u, on_premises_sync_enabled=i % 2 == 0) for i, u in enumerate(base.users)
    )
    big = DemoGroup(
        id="11111111-2222-3333-4444-555555555555", display_name="All", members=tuple(u.id for u in users)
    )
    graph = await graph_for(dataclasses.replace(base, users=users, groups=(*base.groups, big)))
    members = await graph.group_member_ids(big.id)
    assert members == [u.id for u in users]
    assert graph.calls["group_members"] == 3  # 999 + 999 + 102
    synced = await graph.synced_user_ids()
    assert sorted(synced) == sorted(u.id for u in users if u.on_premises_sync_enabled)
    assert graph.calls["synced_users"] == 2  # 1050 synced users


async def test_union_dedups_in_order(graph_for: GraphFactory, tmp_path: Path) -> None:
    graph = await graph_for(DemoTenant.load())
    csv_path = tmp_path / "users.csv"
    csv_path.write_text(f"user_id\n{ADELE}\n{ISAIAH}\n", encoding="utf-8")
    settings = _settings(tmp_path, watch_csv=csv_path, watch_group_id=HELPDESK, watch_synced=True)
    got = await resolve_watch_list(settings, graph, ["demo-only"])
    assert got is not None
    assert got[:3] == [ADELE, ISAIAH, PATTI] and got[3:] == [JOHANNA]  # Isaiah (CSV and synced) kept once
    only_group = await resolve_watch_list(_settings(tmp_path, watch_group_id=HELPDESK), graph, ["x"])
    assert only_group == [PATTI]


async def test_fallbacks(graph_for: GraphFactory, tmp_path: Path) -> None:
    graph = await graph_for(DemoTenant.load())
    demo = _settings(tmp_path)
    assert demo.demo
    assert await resolve_watch_list(demo, graph, ["a", "b"]) == ["a", "b"]
    real = _settings(
        tmp_path,
        tenant_id="7a3c9b1e-2f4d-4e8a-9c6b-1d2e3f4a5b6c",
        client_id="c",
        app_id="9c1f1f0e-6a44-4e0b-9a43-6a1d6b1c2d3e",
        app_password="p",
        client_secret="s",
        sharepoint_url="https://contoso.sharepoint.com",
    )
    assert not real.demo
    assert await resolve_watch_list(real, graph, None) is None
    assert graph.calls == {}  # nothing configured: no Graph call


async def test_scheduled_scans_resolve_the_watch_list_each_pass(tmp_path: Path) -> None:
    passes: list[int] = []
    scanned: list[list[str]] = []

    async def watch() -> list[str] | None:
        passes.append(1)
        return None if len(passes) == 1 else ["u1"]

    class Scanner:
        async def scan(self, users: list[str], stop: object = None, keep: object = None) -> ScanReport:
            scanned.append(users)
            return ScanReport()

    class Notifier:
        acts_on = staticmethod(DriftNotifier.acts_on)

        async def enqueue(self, report: ScanReport) -> None:
            return None

    store = Store.from_url(f"sqlite+aiosqlite:///{tmp_path / 'w.db'}")
    await store.open()
    clock = FakeClock()
    stop = asyncio.Event()
    task = asyncio.create_task(
        leased_scans(
            Scanner(),  # type: ignore[arg-type]
            Notifier(),  # type: ignore[arg-type]
            watch,
            timedelta(seconds=0.01),
            Leases(store.engine),
            "me",
            timedelta(seconds=1),
            stop,
            clock=clock,
            wait=clock.wait,
        )
    )
    try:
        await clock.until_parked(1)
        await clock.run_until(lambda: len(scanned) >= 2, "two scheduled scans", step=0.2)
    finally:
        stop.set()
        await asyncio.wait_for(task, 5)
        await store.close()
    assert scanned == [["u1"], ["u1"]] and len(passes) == 3  # the pass without a watch list scanned nothing


def _cli_args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_scan_subcommand(parser.add_subparsers(dest="cmd"))
    return parser.parse_args(["scan", *argv])


def test_scan_cli_uses_group(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = _settings(tmp_path, watch_group_id=HELPDESK, watch_synced=True)
    assert settings.demo
    report = tmp_path / "r.csv"
    assert run_scan_command(_cli_args("--dry-run", "--no-progress", "--report", str(report)), settings) == 0
    assert "3 users" in capsys.readouterr().out
    ids = {line.split(",")[0] for line in report.read_text(encoding="utf-8").splitlines()[1:]}
    assert ids == {PATTI, ISAIAH, JOHANNA}


def test_scan_cli_unknown_group_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = _settings(tmp_path, watch_group_id="00000000-0000-0000-0000-000000000000")
    assert run_scan_command(_cli_args("--dry-run", "--no-progress"), settings) == 2
    assert "watch list:" in capsys.readouterr().err
