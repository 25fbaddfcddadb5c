"""Drift scan against the demo Graph/SharePoint server on loopback (photo limit on), and the `scan` CLI."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiohttp import web

from bot.demo.server import STATE, GraphLimits, ServerState, create_graph_app
from bot.demo.state import sp_picture_timestamp
from bot.demo.synthetic import synthetic_tenant
from bot.demo.tenant import DemoTenant
from bot.domain.drift import DriftState
from bot.graph import GraphClient, RetryPolicy, SharePointClient, StaticTokenProvider
from bot.scan_cli import add_scan_subcommand, run_scan_command
from bot.services.notify import DriftNotifier
from bot.services.scan import DriftScanner, ScanReport, ScanRow, load_watch_list
from bot.settings import Settings
from bot.store import Store
from tests.fakes.threaded import ThreadedServer

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
ADELE = "53d6c7d3-7bc7-4272-b9e3-4eb50bd7b23b"
FAST = RetryPolicy(max_attempts=4, budget_s=5.0, base_s=0.01, cap_s=0.05)
# What each synthetic case must scan as (changes of profile_importing/sync_disabled users are >= 5 days old).
EXPECTED = {
    "in_sync": DriftState.OK,
    "stale": DriftState.DRIFT,
    "pending": DriftState.PENDING,
    "no_photo": DriftState.NO_PHOTO,
    "change_time_unknown": DriftState.UNKNOWN,
    "profile_importing": DriftState.NOT_SYNCING,  # no SharePoint profile yet: a re-sync cannot help
    "sync_disabled": DriftState.NOT_SYNCING,  # SharePoint does not pull from Exchange
}


class World:
    def __init__(
        self,
        tenant: DemoTenant,
        state: ServerState,
        graph: GraphClient,
        sharepoint: SharePointClient,
        store: Store,
    ) -> None:
        self.tenant, self.state, self.graph, self.sharepoint, self.store = (
            tenant,
            state,
            graph,
            sharepoint,
            store,
        )

    def scanner(self, concurrency: int = 4) -> DriftScanner:
        return DriftScanner(
            self.graph, self.sharepoint, self.store, lambda: NOW, timedelta(hours=24), concurrency
        )


WorldFactory = Callable[[DemoTenant, GraphLimits], Awaitable[World]]


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[WorldFactory]:
    cleanups: list[Callable[[], Awaitable[object]]] = []

    async def make(tenant: DemoTenant, limits: GraphLimits) -> World:
        app = create_graph_app(tenant, limits)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        cleanups.append(runner.cleanup)
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        assert site._server is not None
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        base = f"http://127.0.0.1:{port}"
        http = httpx.AsyncClient(
            trust_env=False,
            timeout=10.0,
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=50),
        )
        cleanups.append(http.aclose)
        tokens = StaticTokenProvider("test")
        store = Store.from_url(f"sqlite+aiosqlite:///{tmp_path / 'scan.db'}")
        await store.open()
        cleanups.append(store.close)
        for user_id, (etag, changed) in tenant.photo_changed_times().items():  # as bot.app seeds it
            await store.seed_photo(user_id, etag, changed, NOW)
        return World(
            tenant,
            app[STATE],
            GraphClient(http, base, tokens, FAST),
            SharePointClient(http, f"{base}/sp", tokens, FAST),
            store,
        )

    yield make
    for cleanup in reversed(cleanups):
        await cleanup()


def _assert_matches_tenant(report: ScanReport, tenant: DemoTenant) -> None:
    assert len(report.rows) == len(tenant.users)
    by_id = {r.user_id: r for r in report.rows}
    for user in tenant.users:
        row = by_id[user.id]
        assert row.upn == user.upn
        assert row.display_name == user.display_name
        assert row.etag == (user.photo.etag if user.photo else None)
        assert row.state is EXPECTED[user.case], (user.case, row)
        if user.photo is not None and user.photo.changed is not None:
            assert row.photo_first_seen == user.photo.changed
        else:
            assert row.photo_first_seen is None
        if user.case != "no_photo":
            assert row.sharepoint_refreshed == (
                user.sharepoint.picture_timestamp.replace(microsecond=0)
                if user.sharepoint.picture_timestamp
                else None
            )


async def test_scan_200_users_within_photo_limit(world: WorldFactory) -> None:
    tenant = synthetic_tenant(200, now=NOW)
    w = await world(tenant, GraphLimits(photo_concurrency=4, latency_s=0.01))
    seen: list[tuple[int, int]] = []
    started = time.monotonic()
    report = await w.scanner().scan([u.id for u in tenant.users], progress=lambda d, t: seen.append((d, t)))
    elapsed = time.monotonic() - started
    counters = w.state.counters
    assert counters.max_photo_in_flight <= 4
    assert counters.max_photo_in_flight == 4  # and the scan actually used the allowance
    assert counters.throttled == 0
    assert counters.faulted == 0
    _assert_matches_tenant(report, tenant)
    assert [r.user_id for r in report.rows] == [u.id for u in tenant.users]  # input order
    assert seen[0] == (0, 200) and seen[-1] == (200, 200)
    assert [d for d, _ in seen] == list(range(201))
    counts = report.counts
    assert sum(counts.values()) == 200
    assert counts[DriftState.DRIFT] > 0 and counts[DriftState.OK] > 0 and counts[DriftState.PENDING] > 0
    # 200 photo calls of >= 10 ms, at most 4 at a time: cannot be faster than 0.5 s (a lower bound the limit
    # implies; how close the scan gets to it is measured in bench.scan, not asserted here)
    assert elapsed >= 0.5
    # every photo version is now in the ledger
    user = next(u for u in tenant.users if u.photo is not None)
    entry = await w.store.ledger_entry(user.id)
    assert entry is not None and entry.etag == user.photo.etag and entry.last_seen_at == NOW


async def test_a_scan_that_keeps_only_what_the_notifier_reads_still_counts_everyone(
    world: WorldFactory,
) -> None:
    tenant = synthetic_tenant(120, now=NOW)
    w = await world(tenant, GraphLimits(photo_concurrency=4))
    report = await w.scanner().scan([u.id for u in tenant.users], keep=DriftNotifier.acts_on)
    wanted = {DriftState.DRIFT, DriftState.NOT_SYNCING}
    expected_kept = [u.id for u in tenant.users if EXPECTED[u.case] in wanted]
    assert 0 < len(expected_kept) < len(tenant.users)
    assert [r.user_id for r in report.rows] == expected_kept  # only those, in input order
    assert all(r.state in wanted for r in report.rows)
    assert report.total == 120
    expected_counts = Counter(EXPECTED[u.case] for u in tenant.users)
    assert report.counts == {s: expected_counts.get(s, 0) for s in DriftState}


async def test_second_scan_keeps_first_seen_and_new_versions_start_pending(world: WorldFactory) -> None:
    tenant = synthetic_tenant(30, now=NOW)
    w = await world(tenant, GraphLimits(photo_concurrency=4))
    first = await w.scanner().scan([u.id for u in tenant.users], progress=None)
    again = await w.scanner().scan([u.id for u in tenant.users], progress=None)
    assert [(r.user_id, r.state, r.photo_first_seen) for r in first.rows] == [
        (r.user_id, r.state, r.photo_first_seen) for r in again.rows
    ]
    # a user changes their photo: the next scan sees a new version, first seen now -> pending
    target = next(u for u in tenant.users if u.case == "in_sync")
    w.state.set_photo(w.state.users[target.id.lower()], b"\xff\xd8new", "image/jpeg", (648, 648))
    third = await w.scanner().scan([target.id], progress=None)
    (row,) = third.rows
    assert row.state is DriftState.PENDING and row.photo_first_seen == NOW and row.etag != target.photo.etag


async def test_retry_after_is_honoured_and_errors_become_unknown(world: WorldFactory) -> None:
    tenant = synthetic_tenant(12, now=NOW)
    w = await world(tenant, GraphLimits(photo_concurrency=4))
    w.state.faults.add(r"GET /v1.0/users/[^/]+/photo$", status=429, times=3, retry_after=0.05)
    missing = "00000000-0000-0000-0000-000000000000"
    report = await w.scanner().scan(
        [*(u.id for u in tenant.users), missing, tenant.users[0].id], progress=None
    )
    assert w.state.counters.faulted == 3
    assert w.state.counters.throttled == 0
    rows = {r.user_id: r for r in report.rows}
    assert len(report.rows) == 13  # duplicate input scanned once
    assert (
        rows[missing].state is DriftState.UNKNOWN
        and rows[missing].detail == "user not found in the directory"
    )
    _assert_matches_tenant(ScanReport(rows=[r for r in report.rows if r.user_id != missing]), tenant)


async def test_scan_by_upn_keys_ledger_by_object_id(world: WorldFactory, tmp_path: Path) -> None:
    tenant = synthetic_tenant(5, now=NOW)
    w = await world(tenant, GraphLimits(photo_concurrency=4))
    csv_path = tmp_path / "export.csv"
    csv_path.write_text(
        "\ufeffuserPrincipalName,department\n" + "".join(f"{u.upn},x\n" for u in tenant.users) + ",blank\n",
        encoding="utf-8",
    )
    watch = load_watch_list(csv_path)
    assert watch == [u.upn for u in tenant.users]
    report = await w.scanner().scan(watch, progress=None)
    assert [r.user_id for r in report.rows] == [u.id for u in tenant.users]


def test_load_watch_list_columns(tmp_path: Path) -> None:
    p = tmp_path / "w.csv"
    p.write_text("User_Id,userPrincipalName\na,a@x\n,b@x\na,a@x\n", encoding="utf-8")
    assert load_watch_list(p) == ["a", "b@x"]
    p.write_text("mail\nx@y\n", encoding="utf-8")
    with pytest.raises(ValueError, match="user_id"):
        load_watch_list(p)


def _cli_args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_scan_subcommand(parser.add_subparsers(dest="command"))
    return parser.parse_args(["scan", *argv])


def test_cli_scan_demo_tenant_lists_adele_as_drift(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "x.json"
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    assert settings.demo
    status = run_scan_command(_cli_args("--dry-run", "--report", str(report)), settings)
    assert status == 0
    out = capsys.readouterr()
    assert "drift scan (demo tenant, dry run): 10 users" in out.out
    assert "Adele Vance" in out.out
    assert "10/10" in out.err  # progress bar
    body = json.loads(report.read_text(encoding="utf-8"))
    rows = {r["user_id"]: r for r in body["rows"]}
    assert rows[ADELE]["state"] == "drift"
    assert body["dry_run"] is True and body["counts"]["drift"] >= 1
    assert sum(body["counts"].values()) == len(body["rows"]) == 10


def test_cli_scan_csv_report_and_watch_list(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    users = tmp_path / "users.csv"
    users.write_text(f"user_id\n{ADELE}\n", encoding="utf-8")
    report = tmp_path / "drift.csv"
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    args = _cli_args("--report", str(report), "--users", str(users), "--no-progress")
    assert run_scan_command(args, settings) == 0
    lines = report.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "user_id,upn,display_name,etag,photo_first_seen,sharepoint_refreshed,state,detail"
    assert len(lines) == 2 and lines[1].startswith(ADELE) and ",drift," in lines[1]
    captured = capsys.readouterr()
    assert "scanning" not in captured.err  # --no-progress
    # Without --dry-run drifted users get a notice queued; Adele never chatted with the bot, so she is reported.
    assert "0 queued" in captured.out and "1 without a chat with the bot" in captured.out


def test_cli_refuses_bad_report_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    assert run_scan_command(_cli_args("--report", str(tmp_path / "x.txt")), settings) == 2
    assert "--report" in capsys.readouterr().err


@contextlib.asynccontextmanager
async def _checkpointed_scan(
    tmp_path: Path, seed: int
) -> AsyncIterator[tuple[DriftScanner, list[str], Any, Any]]:
    """40 synthetic users behind a demo Graph server: (scanner, ids, checkpoint, server). Write batches of 4
    users (the default, 100, would commit all 40 at once: nothing left to interrupt or resume)."""
    from bot.store.scan_checkpoint import ScanCheckpoint

    tenant = synthetic_tenant(40, now=NOW, seed=seed)
    with ThreadedServer(lambda: create_graph_app(tenant, GraphLimits(photo_concurrency=4))) as server:
        store = Store.from_url(f"sqlite+aiosqlite:///{tmp_path / 'scan.db'}")
        await store.open()
        try:
            async with httpx.AsyncClient(trust_env=False) as http:
                graph = GraphClient(http, server.url, StaticTokenProvider("t"), RetryPolicy(budget_s=2))
                sp = SharePointClient(
                    http, f"{server.url}/sp", StaticTokenProvider("t"), RetryPolicy(budget_s=2)
                )
                scanner = DriftScanner(graph, sp, store, lambda: NOW, timedelta(hours=24), 4, batch_size=4)
                yield scanner, [u.id for u in tenant.users], ScanCheckpoint(store.engine), server
        finally:
            await store.close()


async def test_a_crashed_scan_resumes_from_its_checkpoint(tmp_path: Path) -> None:
    class Crash(Exception):
        pass

    def crash_after_15(done: int, total: int) -> None:
        if done >= 15:
            raise Crash

    async with _checkpointed_scan(tmp_path, 3) as (scanner, ids, checkpoint, server):
        with pytest.raises(Crash):
            await scanner.scan(ids, progress=crash_after_15, checkpoint=checkpoint)
        batches_before = server.app[STATE].counters.batch_requests
        report = await scanner.scan(ids, checkpoint=checkpoint)
        rescanned = server.app[STATE].counters.batch_requests - batches_before
    assert report.resumed >= 15
    assert len(report.rows) == 40 and [r.user_id for r in report.rows] == ids
    assert rescanned == 40 - report.resumed  # only the users the crashed run had not finished


async def test_kept_rows_include_resumed_ones(tmp_path: Path) -> None:
    async with _checkpointed_scan(tmp_path, 3) as (scanner, ids, checkpoint, _):
        chosen = set(ids[::3])  # users on both sides of the interruption

        def keep(row: ScanRow) -> bool:
            return row.user_id in chosen

        full = await scanner.scan(ids)  # the reference: every row
        stop = asyncio.Event()
        first = await scanner.scan(
            ids,
            progress=lambda done, _: done >= 12 and stop.set(),
            checkpoint=checkpoint,
            stop=stop,
            keep=keep,
        )
        second = await scanner.scan(ids, checkpoint=checkpoint, keep=keep)
    assert first.interrupted and 12 <= second.resumed < 40
    got = [r.user_id for r in first.rows]
    assert set(got) <= chosen and got == sorted(got, key=ids.index)  # kept ones only, in input order
    assert [r.user_id for r in second.rows] == [i for i in ids if i in chosen]  # resumed + new, input order
    assert [r.state for r in second.rows] == [r.state for r in full.rows if r.user_id in chosen]
    assert second.counts == full.counts and second.total == full.total == 40


async def test_a_scan_stopped_for_shutdown_ends_between_users_and_resumes(tmp_path: Path) -> None:
    import asyncio

    stop = asyncio.Event()

    def shutdown_after_10(done: int, total: int) -> None:
        if done >= 10:
            stop.set()

    async with _checkpointed_scan(tmp_path, 4) as (scanner, ids, checkpoint, _):
        first = await scanner.scan(ids, progress=shutdown_after_10, checkpoint=checkpoint, stop=stop)
        second = await scanner.scan(ids, checkpoint=checkpoint)
    assert first.interrupted and 10 <= len(first.rows) < 40
    assert not second.interrupted and second.resumed == len(first.rows)  # every finished user was kept
    assert [r.user_id for r in second.rows] == ids


def test_cli_scan_waits_its_turn_while_a_replica_scans(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bot replica holds the drift-scan lease: the command refuses (exit 3) instead of doubling the photo
    requests in flight; once the lease is free it scans and gives the lease back."""
    import asyncio
    from datetime import UTC, datetime, timedelta

    from bot.store.leases import DRIFT_SCAN, Leases

    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    settings = Settings(database_url=url)

    async def lease(action: str) -> object:
        store = Store.from_url(url)
        await store.open()
        try:
            leases = Leases(store.engine)
            now = datetime.now(UTC)
            if action == "take":
                return await leases.acquire(DRIFT_SCAN, "replica-1", now, timedelta(minutes=5))
            if action == "give":
                return await leases.release(DRIFT_SCAN, "replica-1", now)
            return await leases.holder(DRIFT_SCAN, now)
        finally:
            await store.close()

    assert asyncio.run(lease("take"))
    assert run_scan_command(_cli_args("--dry-run", "--no-progress"), settings) == 3
    assert "another drift scan is running" in capsys.readouterr().err
    assert asyncio.run(lease("give"))
    assert run_scan_command(_cli_args("--dry-run", "--no-progress"), settings) == 0
    assert asyncio.run(lease("holder")) is None  # released after the scan


async def test_drift_candidates_are_judged_by_their_pictures(world: WorldFactory) -> None:
    """The metadata names the candidates; the picture SharePoint shows decides. A user whose SharePoint picture
    timestamp is old but who already shows the current photo (a script reset the timestamp) is not drift."""
    tenant = DemoTenant.load(now=NOW)
    w = await world(tenant, GraphLimits(photo_concurrency=4))
    stale = [u for u in tenant.users if u.case == "stale"]
    assert stale, "the demo tenant has stale users"
    cleared = stale[0]
    w.state.sync_sharepoint_picture(cleared.id)  # SharePoint now shows the current photo ...
    w.state.users[cleared.id.lower()].sp_props["SPS-PictureTimestamp"] = sp_picture_timestamp(
        NOW - timedelta(days=90)
    )
    before = dict(w.state.counters.requests)
    report = await w.scanner().scan([u.id for u in tenant.users])
    by_id = {r.user_id: r for r in report.rows}
    row = by_id[cleared.id]
    assert (row.state, row.detail) == (DriftState.OK, "pictures match")  # ... whatever its timestamp says
    assert report.cleared_by_pictures == 1
    assert (await w.store.ledger_entry(cleared.id)).drift_state == DriftState.OK.value  # type: ignore[union-attr]
    for user in stale[1:]:
        kept = by_id[user.id]
        assert kept.state is DriftState.DRIFT and kept.pictures is not None
        assert kept.pictures.verdict.value in ("different", "placeholder")
        assert kept.pictures.m365_thumbnail and kept.pictures.sharepoint_thumbnail
    # only the candidates' pictures were fetched, one small photo each
    thumbnails = sum(n for key, n in w.state.counters.requests.items() if "photos/{size}" in key) - sum(
        n for key, n in before.items() if "photos/{size}" in key
    )
    assert thumbnails == len(
        [r for r in report.rows if r.pictures is not None or r.detail == "pictures match"]
    )
    assert w.state.counters.max_photo_in_flight <= 4 and w.state.counters.throttled == 0


async def test_the_picture_pass_can_be_turned_off(world: WorldFactory) -> None:
    tenant = DemoTenant.load(now=NOW)
    w = await world(tenant, GraphLimits())
    scanner = DriftScanner(
        w.graph, w.sharepoint, w.store, lambda: NOW, timedelta(hours=24), compare_pictures=False
    )
    report = await scanner.scan([u.id for u in tenant.users])
    assert all(r.pictures is None for r in report.rows) and report.cleared_by_pictures == 0
