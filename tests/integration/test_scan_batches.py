"""The drift scan's write-behind batches: the same ledger and drift rows as the per-user path, on SQLite
and on the real PostgreSQL; a crash or a cancellation loses at most one batch and the next scan resumes; `stop`
flushes what is finished; batched and single observations from several replicas at once never fail."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import random
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from bot.demo.server import STATE, GraphLimits, create_graph_app
from bot.demo.synthetic import synthetic_tenant
from bot.demo.tenant import DemoTenant
from bot.domain.drift import DriftState, assess
from bot.domain.model import SharePointPicture
from bot.graph import GraphClient, GraphError, RetryPolicy, SharePointClient, StaticTokenProvider
from bot.services.scan import DriftScanner, ScanRow, drift_detail, failure_detail
from bot.store import LedgerEntry, Store
from bot.store.scan_checkpoint import ScanCheckpoint, scan_results
from bot.store.tables import photo_ledger
from tests.fakes.threaded import ThreadedServer

from .conftest import Database, pg_schema

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
GRACE = timedelta(hours=24)
FAST = RetryPolicy(max_attempts=3, budget_s=2.0, base_s=0.01, cap_s=0.02)
MISSING = "00000000-0000-0000-0000-000000000000"


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


# What is checked here is how the metadata pass batches its writes; the picture pass over the drift candidates
# that follows it is tested in test_scan.py.
MetadataScanner = functools.partial(DriftScanner, compare_pictures=False)


async def reference_scan(
    graph: GraphClient, sharepoint: SharePointClient, store: Store, clock: Clock, user_ids: list[str]
) -> list[ScanRow]:
    """The per-user path as it was before write-behind (one user at a time: observe_photo, then SharePoint,
    then record_drift), kept here as the reference the batches must match."""
    rows: list[ScanRow] = []
    for user_id in dict.fromkeys(user_ids):
        try:
            user, photo = await graph.get_user_and_photo(user_id)
        except GraphError as exc:
            rows.append(
                ScanRow(user_id, None, None, None, None, None, DriftState.UNKNOWN, failure_detail(exc))
            )
            continue
        now = clock()
        assert user is not None
        uid, upn, name = user.id, user.upn, user.display_name
        if photo is None:
            rows.append(ScanRow(uid, upn, name, None, None, None, DriftState.NO_PHOTO))
            continue
        entry = await store.observe_photo(uid, photo.etag, now)
        first_seen = entry.first_seen_at if entry.known_change else None
        previous_seen = entry.previous_seen_at if entry.known_change else None
        try:
            picture = await sharepoint.picture(upn)
        except GraphError as exc:
            rows.append(
                ScanRow(uid, upn, name, photo.etag, first_seen, None, DriftState.UNKNOWN, failure_detail(exc))
            )
            continue
        placeholder = picture.placeholder_state not in (0, None)
        syncing = picture.profile_found and picture.exchange_sync_state != 0
        state = assess(
            first_seen,
            picture.timestamp,
            placeholder,
            now,
            GRACE,
            photo_previous_seen=previous_seen,
            sharepoint_syncing=syncing,
        )
        await store.record_drift(uid, state.value, picture.timestamp, now)
        detail = drift_detail(first_seen, picture, placeholder=placeholder)
        rows.append(ScanRow(uid, upn, name, photo.etag, first_seen, picture.timestamp, state, detail))
    return rows


async def ledger_rows(store: Store) -> list[dict[str, Any]]:
    async with store.engine.connect() as conn:
        result = await conn.execute(select(photo_ledger).order_by(photo_ledger.c.user_id))
        return [dict(row) for row in result.mappings()]


async def saved_users(store: Store) -> set[str]:
    async with store.engine.connect() as conn:
        return {row[0] for row in await conn.execute(select(scan_results.c.user_id))}


@contextlib.asynccontextmanager
async def two_stores(database: Database, tmp_path: Path) -> AsyncIterator[tuple[Store, Store]]:
    """Two empty, opened stores of the same kind (SQLite files, or PostgreSQL schemas)."""
    async with contextlib.AsyncExitStack() as stack:
        if database.kind == "sqlite":
            stores = [
                Store.from_url(f"sqlite+aiosqlite:///{tmp_path / f'{n}.db'}") for n in ("ref", "batched")
            ]
        else:
            other = await stack.enter_async_context(pg_schema(database.url))
            stores = [database.store(), Store.from_url(database.url, schema=other)]
        for store in stores:
            await store.open()
            stack.push_async_callback(store.close)
        yield stores[0], stores[1]


@contextlib.asynccontextmanager
async def demo_graph(
    tenant: DemoTenant,
) -> AsyncIterator[tuple[ThreadedServer, GraphClient, SharePointClient]]:
    with ThreadedServer(lambda: create_graph_app(tenant, GraphLimits(photo_concurrency=4))) as server:
        async with httpx.AsyncClient(trust_env=False, timeout=10.0) as http:
            tokens = StaticTokenProvider("t")
            yield (
                server,
                GraphClient(http, server.url, tokens, FAST),
                SharePointClient(http, f"{server.url}/sp", tokens, FAST),
            )


async def seed(store: Store, tenant: DemoTenant) -> None:
    for user_id, (etag, changed) in tenant.photo_changed_times().items():  # as bot.app seeds it
        await store.seed_photo(user_id, etag, changed, NOW)


async def test_batches_write_the_same_ledger_and_drift_rows_as_the_per_user_path(
    database: Database, tmp_path: Path
) -> None:
    tenant = synthetic_tenant(60, now=NOW, seed=7)
    with_photo = [u for u in tenant.users if u.photo is not None]
    # a UPN next to its user's id (one user sighted twice, in one batch), a missing user, a SharePoint failure
    watch = [u.id for u in tenant.users] + [with_photo[3].upn, MISSING]
    async with (
        two_stores(database, tmp_path) as (ref_store, store),
        demo_graph(tenant) as (server, graph, sp),
    ):
        server.app[STATE].faults.add(
            f"GetPropertiesFor.*{with_photo[5].upn.split('@')[0]}", status=503, times=None
        )
        for s in (ref_store, store):
            await seed(s, tenant)
        clock = Clock(NOW)
        scanner = MetadataScanner(graph, sp, store, clock, GRACE, batch_size=7)
        states: set[DriftState] = set()
        for round_ in range(3):
            expected = await reference_scan(graph, sp, ref_store, clock, watch)
            report = await scanner.scan(watch, checkpoint=ScanCheckpoint(store.engine))
            assert report.rows == expected, round_
            assert await ledger_rows(store) == await ledger_rows(ref_store), round_
            states |= {r.state for r in report.rows}
            # next round: a day later, three users changed their photo (new versions, then pending/known)
            clock.now += timedelta(days=1)
            state = server.app[STATE]
            for user in with_photo[round_ * 3 : round_ * 3 + 3]:
                state.set_photo(
                    state.users[user.id.lower()], b"\xff\xd8" + bytes([round_]), "image/jpeg", (96, 96)
                )
        assert {DriftState.OK, DriftState.PENDING, DriftState.DRIFT, DriftState.UNKNOWN} <= states
        assert any(r.detail == "SharePoint could not be read (try the scan again later)" for r in report.rows)
        assert any(r.detail == "user not found in the directory" for r in report.rows)


async def test_observe_photos_equals_observe_photo_one_by_one(database: Database, tmp_path: Path) -> None:
    t0 = NOW
    sightings = [
        ("u-new", "e1", t0 + timedelta(minutes=1)),
        ("u-same", "e1", t0 + timedelta(minutes=2)),
        ("u-changed", "e2", t0 + timedelta(minutes=3)),
        ("u-new", "e1", t0 + timedelta(minutes=4)),  # twice in one batch: the second sees the first
        ("u-twice-changed", "e2", t0 + timedelta(minutes=5)),
        ("u-twice-changed", "e3", t0 + timedelta(minutes=6)),
        ("u-new-changed", "e1", t0 + timedelta(minutes=7)),
        ("u-new-changed", "e9", t0 + timedelta(minutes=8)),
    ]
    async with two_stores(database, tmp_path) as (ref, store):
        for s in (ref, store):
            for user_id in ("u-same", "u-changed", "u-twice-changed"):
                await s.observe_photo(user_id, "e1", t0 - timedelta(days=2))
                await s.observe_photo(user_id, "e1", t0 - timedelta(days=1))
            await s.record_drift("u-same", "ok", t0 - timedelta(days=3), t0 - timedelta(days=1))
            await s.record_drift("u-changed", "drift", t0 - timedelta(days=3), t0 - timedelta(days=1))
        expected = [await ref.observe_photo(*sighting) for sighting in sightings]
        got = await store.observe_photos(sightings)
        assert got == expected
        assert all(isinstance(e, LedgerEntry) for e in got)
        assert await ledger_rows(store) == await ledger_rows(ref)
        verdicts = [
            ("u-new", "pending", None, t0),
            ("u-changed", "unknown", t0 - timedelta(hours=1), t0),
            ("u-nobody", "drift", None, t0),
        ]  # no ledger row: nothing written, like record_drift
        for verdict in verdicts:
            await ref.record_drift(*verdict)
        await store.record_drifts(verdicts)
        assert await ledger_rows(store) == await ledger_rows(ref)
        assert await store.observe_photos([]) == []
        await store.record_drifts([])


async def test_checkpoint_save_many_keeps_the_first_row(database: Database) -> None:
    store = database.store()
    await store.open()
    try:
        checkpoint = ScanCheckpoint(store.engine)
        run_id, _ = await checkpoint.open_run(["a", "b", "c"], NOW)
        await checkpoint.save(run_id, "a", {"n": 1})
        await checkpoint.save_many(run_id, {"a": {"n": 2}, "b": {"n": 2}})
        async with store.engine.begin() as conn:  # inside a caller's transaction too
            await checkpoint.save_many(run_id, {"b": {"n": 3}, "c": {"n": 3}}, conn=conn)
        await checkpoint.save_many(run_id, {})
        _, done = await checkpoint.open_run(["a", "b", "c"], NOW)
        assert done == {"a": {"n": 1}, "b": {"n": 2}, "c": {"n": 3}}
    finally:
        await store.close()


@contextlib.asynccontextmanager
async def scan_world(
    tmp_path: Path, n: int = 60
) -> AsyncIterator[tuple[ThreadedServer, GraphClient, SharePointClient, Store, list[str]]]:
    tenant = synthetic_tenant(n, now=NOW, seed=11)
    store = Store.from_url(f"sqlite+aiosqlite:///{tmp_path / 'scan.db'}")
    await store.open()
    try:
        await seed(store, tenant)
        async with demo_graph(tenant) as (server, graph, sp):
            yield server, graph, sp, store, [u.id for u in tenant.users]
    finally:
        await store.close()


class FailingSharePoint:
    """The real client, but the `nth` picture read (and every one after) raises `error`, not a GraphError: a
    bug or a dying process, which ends the scan."""

    def __init__(self, real: SharePointClient, nth: int, error: BaseException) -> None:
        self.real, self.nth, self.error, self.calls = real, nth, error, 0

    async def picture(self, upn: str) -> SharePointPicture:
        self.calls += 1
        if self.calls >= self.nth:
            raise self.error
        return await self.real.picture(upn)


async def test_a_crash_loses_at_most_one_batch_and_the_rerun_resumes(tmp_path: Path) -> None:
    batch = 5

    class Crash(Exception):
        pass

    async with scan_world(tmp_path) as (server, graph, sp, store, ids):
        checkpoint = ScanCheckpoint(store.engine)
        failing = FailingSharePoint(sp, 30, Crash())
        scanner = MetadataScanner(
            graph,
            failing,
            store,
            Clock(NOW),
            GRACE,
            batch_size=batch,  # type: ignore[arg-type]
            checkpoint=checkpoint,
        )
        done: list[int] = []
        with pytest.raises(Crash):
            await scanner.scan(ids, progress=lambda d, t: done.append(d))
        counters = server.app[STATE].counters
        read_first = counters.batch_requests  # users whose Graph read was made by the crashed scan
        saved = await saved_users(store)
        # progress counts the committed users; a commit under way when the crash came still lands
        assert done[-1] <= len(saved) <= done[-1] + batch
        # the unsaved users: at most one batch, plus those still being read when the crash came (16 workers)
        assert read_first - len(saved) <= batch + scanner.concurrency * 4
        photo_users = {r["user_id"] for r in await ledger_rows(store)}
        rerun = MetadataScanner(graph, sp, store, Clock(NOW), GRACE, batch_size=batch, checkpoint=checkpoint)
        report = await rerun.scan(ids)
        assert report.resumed == len(saved)
        assert counters.batch_requests - read_first == len(ids) - len(saved)  # only the unsaved users again
        assert [r.user_id for r in report.rows] == ids
        assert await saved_users(store) == set()  # finished: the checkpoint is closed
        assert photo_users <= {r["user_id"] for r in await ledger_rows(store)}


async def test_a_cancelled_scan_leaves_the_store_usable_and_resumes(tmp_path: Path) -> None:
    """Cancelled mid-flight (a lost lease, a timeout): the write under way completes, the store closes without
    hanging, and the next scan resumes from what was saved."""
    batch = 4
    async with scan_world(tmp_path) as (_, graph, sp, store, ids):
        checkpoint = ScanCheckpoint(store.engine)
        scanner = MetadataScanner(
            graph, sp, store, Clock(NOW), GRACE, batch_size=batch, checkpoint=checkpoint
        )
        reached = asyncio.Event()
        done: list[int] = []

        def progress(d: int, t: int) -> None:
            done.append(d)
            if d >= 12:
                reached.set()

        task = asyncio.create_task(scanner.scan(ids, progress=progress))
        await asyncio.wait_for(reached.wait(), 60)  # a hang guard, not a speed target
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        saved = await saved_users(store)
        assert done[-1] <= len(saved) <= done[-1] + batch  # a commit under way at the cancel still lands
        report = await scanner.scan(ids)
        assert report.resumed == len(saved) and not report.interrupted
        assert [r.user_id for r in report.rows] == ids
    # the store was closed by scan_world after a cancelled scan: nothing left hanging (this test ends)


async def test_stop_commits_every_finished_user_before_scan_returns(tmp_path: Path) -> None:
    """With a flush interval far longer than the test, only the final flush can save the users: `stop` must
    make scan() commit them (ledger and checkpoint) before it returns."""
    stop = asyncio.Event()
    async with scan_world(tmp_path) as (_, graph, sp, store, ids):

        class StopWhileReading:
            calls = 0

            async def picture(self, upn: str) -> SharePointPicture:
                StopWhileReading.calls += 1
                if StopWhileReading.calls == 10:
                    stop.set()  # shutdown arrives while users are being read
                return await sp.picture(upn)

        checkpoint = ScanCheckpoint(store.engine)
        scanner = MetadataScanner(
            graph,
            StopWhileReading(),
            store,
            Clock(NOW),
            GRACE,  # type: ignore[arg-type]
            batch_size=1000,
            flush_interval=3600,
            checkpoint=checkpoint,
        )
        seen: list[int] = []
        report = await scanner.scan(ids, progress=lambda d, t: seen.append(d), stop=stop)
        assert report.interrupted and 10 <= len(report.rows) < len(ids)
        assert seen[-1] == len(report.rows)
        assert await saved_users(store) == {r.user_id for r in report.rows}
        ledger = {r["user_id"]: r for r in await ledger_rows(store)}
        for row in report.rows:
            if row.etag is not None:
                assert ledger[row.user_id]["last_seen_at"] == NOW and ledger[row.user_id]["etag"] == row.etag
            if row.sharepoint_refreshed is not None or row.state in (DriftState.OK, DriftState.DRIFT):
                assert ledger[row.user_id]["drift_state"] == row.state.value
        again = await scanner.scan(ids)
        assert again.resumed == len(report.rows) and not again.interrupted


async def test_replicas_observing_at_once_never_fail(database: Database) -> None:
    """Batched (the scan) and single (a question) sightings of the same users from several replicas at once:
    every call succeeds, one row per user, first sighting kept; overlapping batches in different orders do
    not deadlock on PostgreSQL (rows are locked in one order)."""
    stores = [database.store() for _ in range(6)]
    try:
        await stores[0].open()
        rng = random.Random(5)
        existing = [f"u-old-{i}" for i in range(40)]
        await stores[0].observe_photos([(u, "e1", NOW) for u in existing])
        for round_ in range(20):  # the deadlock this guards against showed up about once in ten rounds
            new = [f"u-new-{round_}-{i}" for i in range(30)]
            at = NOW + timedelta(minutes=round_ + 1)
            calls: list[Callable[[], Any]] = []
            for s in stores[:3]:
                users = existing + new
                rng.shuffle(users)
                calls.append(lambda s=s, users=users, at=at: s.observe_photos([(u, "e1", at) for u in users]))
            for s in stores[3:]:
                calls += [
                    lambda s=s, u=u, at=at: s.observe_photo(u, "e1", at)
                    for u in rng.sample(existing + new, 10)
                ]
            results = await asyncio.gather(*(call() for call in calls))
            assert all(r is not None for r in results)
            rows = {r["user_id"]: r for r in await ledger_rows(stores[0])}
            for u in new:
                assert (
                    rows[u]["etag"] == "e1" and rows[u]["first_seen_at"] == at and not rows[u]["known_change"]
                )
            for u in existing:
                assert rows[u]["first_seen_at"] == NOW and rows[u]["last_seen_at"] == at
    finally:
        for s in stores:
            await s.close()


@pytest.mark.parametrize("batch_size", [1, 3, 100])
async def test_progress_and_rows_in_input_order_whatever_the_batch(tmp_path: Path, batch_size: int) -> None:
    async with scan_world(tmp_path, 25) as (_, graph, sp, store, ids):
        scanner = MetadataScanner(graph, sp, store, Clock(NOW), GRACE, batch_size=batch_size)
        seen: list[tuple[int, int]] = []
        report = await scanner.scan(list(reversed(ids)), progress=lambda d, t: seen.append((d, t)))
        assert [r.user_id for r in report.rows] == list(reversed(ids))
        assert seen == [(d, 25) for d in range(26)]


def test_batch_settings_are_checked() -> None:
    args: tuple[Any, ...] = (None, None, None, Clock(NOW))
    with pytest.raises(ValueError, match="batch_size"):
        MetadataScanner(*args, batch_size=0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="flush_interval"):
        MetadataScanner(*args, flush_interval=0)  # type: ignore[arg-type]
