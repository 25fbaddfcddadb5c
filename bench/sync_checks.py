"""The sync checks' scheduler at a backlog: what one pass of the `sync-checks` job costs with 10,000 pending
checks, against the same pass with 50 pending (measured in the same run).

    python -m bench.sync_checks [--checks 10000] [--baseline 50] [--passes 6] [--postgres [URL]]

For each database (SQLite in a temp dir; PostgreSQL too with `--postgres`, or when PHOTOSYNC_TEST_POSTGRES_URL
is set: a fresh schema, dropped afterwards) and each size (`--baseline`, then `--checks`):
  1. a fresh store is seeded with that many pending checks: started uniformly over the last 72 hours, each
     next due at the first step of its schedule (`SyncVerifier.next_check`) after `--lag` seconds ago, as if
     no pass had run for that long (a restart, a deploy); the baseline's checks are all due, so its first pass
     claims as many as the big one's;
  2. `--passes` passes of the job's loop body (bot/services/replicas.py: take the lease, then the real
     `SyncVerifier.run_pass`, with the real `SyncChecks`, `Store` and `Outbox`), the clock fixed (injected):
     the due checks are worked through, at most 50 a pass, until a pass finds nothing due;
  3. the claim query alone (`SyncChecks.due`), repeated, with and without anything due.
Graph and SharePoint are an in-process fake (an httpx `MockTransport` speaking their wire format: the user,
the 96x96 photo, the picture SharePoint shows, a different one, so every look reschedules) that answers at
once, so a pass costs what the scheduler, the real clients and the picture comparison cost, not a network.
Nothing leaves the process but the PostgreSQL connection.

Per pass: CPU ms (this process's user + system time: SQLite runs inside it, PostgreSQL's server does not),
SQL statements (SQLAlchemy's `before_cursor_execute`, by kind and table), checks claimed and their outcomes,
the most photo requests in flight at once. Then the claim query's plan (SQLite: EXPLAIN QUERY PLAN and the
virtual-machine steps it takes, against the same query forced to scan the table; PostgreSQL: EXPLAIN ANALYZE,
rows read and buffers).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import io
import json
import os
import random
import re
import sqlite3
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from PIL import Image
from sqlalchemy import event, insert, text
from sqlalchemy.ext.asyncio import create_async_engine

from bench.calls import statement_kind
from bot.graph import GraphClient, SharePointClient
from bot.graph.retry import RetryPolicy
from bot.graph.tokens import StaticTokenProvider
from bot.services.replicas import replica_id
from bot.services.sync_verify import PASS_LIMIT, WINDOW, PassResult, SyncVerifier
from bot.store import Store
from bot.store.leases import SYNC_CHECKS, Leases
from bot.store.outbox import Outbox
from bot.store.sync_checks import CHECKING, SyncCheck, SyncChecks
from bot.store.tables import sync_checks

GRAPH = "http://127.0.0.1:9"  # never connected to: the MockTransport answers
T = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)  # the injected clock's time, fixed during the passes
CLAIM_REPEATS = 50


def _jpeg(colour: tuple[int, int, int], size: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (size, size), colour).save(out, "JPEG", quality=85)
    return out.getvalue()


def _batch_answer(item_id: str, body: Any) -> dict[str, Any]:
    return {"id": item_id, "status": 200, "headers": {}, "body": body}


class FakeTenant:
    """Graph's user and 96x96 photo, and SharePoint's picture, for any user id; answered at once (one
    event-loop turn, so concurrent requests do overlap and are counted in flight)."""

    def __init__(self) -> None:
        self.m365 = _jpeg((40, 90, 160), 96)
        self.shown = _jpeg((200, 120, 40), 120)  # an older picture: not the same, so the check goes on
        self.requests: Counter[str] = Counter()
        self.photo_in_flight = 0
        self.max_photo_in_flight = 0

    async def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/v1.0/$batch":  # the user, the photo's metadata and its 96x96 bytes in one round trip
            self.requests["graph batch"] += 1
            self.photo_in_flight += 1
            self.max_photo_in_flight = max(self.max_photo_in_flight, self.photo_in_flight)
            try:
                await asyncio.sleep(0)
            finally:
                self.photo_in_flight -= 1
            answers = [self._batch_item(item) for item in json.loads(request.content)["requests"]]
            return httpx.Response(200, json={"responses": answers})
        if path.endswith("/_layouts/15/userphoto.aspx"):
            self.requests["sharepoint"] += 1
            await asyncio.sleep(0)
            return httpx.Response(200, content=self.shown, headers={"Content-Type": "image/jpeg"})
        return httpx.Response(404, json={"error": {"code": "Request_ResourceNotFound"}})

    def _batch_item(self, item: dict[str, Any]) -> dict[str, Any]:
        uid = item["url"].split("/")[2].split("?")[0]
        if item["id"] == "user":
            body = {"id": uid, "displayName": "Bench User", "userPrincipalName": f"{uid[-12:]}@bench.example"}
            return _batch_answer("user", body)
        if item["id"] == "photo":
            return _batch_answer("photo", {"@odata.mediaEtag": 'W/"bench"', "width": 96, "height": 96})
        return _batch_answer(item["id"], base64.b64encode(self.m365).decode())


@dataclass
class PassFigures:
    claimed: int
    result: PassResult
    cpu_ms: float
    wall_ms: float
    sql: Counter[str]
    photo_in_flight: int


@dataclass
class Run:
    db: str
    pending: int
    due_at_start: int
    passes: list[PassFigures] = field(default_factory=list)
    claim_cpu_ms: float = 0.0  # the claim query alone, something due
    claim_idle_cpu_ms: float = 0.0  # the claim query alone, nothing due
    writes_cpu_ms: float = (
        0.0  # 50 reschedules alone (`SyncChecks.checked`: one UPDATE, one transaction each)
    )
    plan: list[str] = field(default_factory=list)


def _user(n: int) -> str:
    return f"00000000-0000-4000-9000-{n:012d}"


def seed_rows(
    pending: int, lag: timedelta, verifier: SyncVerifier, all_due: bool, seed: int = 7
) -> list[dict[str, Any]]:
    rng = random.Random(seed)  # the same backlog every run (not security)
    rows = []
    for n in range(pending):
        started = T - timedelta(seconds=rng.uniform(0, WINDOW.total_seconds()))
        check = SyncCheck(_user(n), started, started, 0, CHECKING)
        next_at = verifier.next_check(check, T - lag)
        if all_due:
            next_at = min(next_at, T - timedelta(seconds=rng.uniform(1, lag.total_seconds())))
        rows.append(
            {
                "user_id": check.user_id,
                "started_at": started,
                "next_check_at": next_at,
                "checks": 0,
                "status": CHECKING,
            }
        )
    return rows


@contextlib.asynccontextmanager
async def database(kind: str, tmp: Path, pg_url: str | None, name: str) -> AsyncIterator[Store]:
    if kind == "sqlite":
        store = Store.from_url(f"sqlite+aiosqlite:///{tmp / f'{name}.db'}")
        await store.open()
        try:
            yield store
        finally:
            await store.close()
        return
    assert pg_url is not None
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(pg_url)
    try:
        async with admin.begin() as conn:
            await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        store = Store.from_url(pg_url, schema=schema)
        await store.open()
        try:
            yield store
        finally:
            await store.close()
    finally:
        async with admin.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        await admin.dispose()


async def measure(
    kind: str, pending: int, lag: timedelta, passes: int, all_due: bool, tmp: Path, pg_url: str | None
) -> Run:
    fake = FakeTenant()
    http = httpx.AsyncClient(transport=httpx.MockTransport(fake.handle))
    name = f"{'baseline' if all_due else 'backlog'}-{pending}"
    async with http, database(kind, tmp, pg_url, name) as store:
        tokens = StaticTokenProvider("bench")
        policy = RetryPolicy(budget_s=10.0)
        checks = SyncChecks(store.engine)
        verifier = SyncVerifier(
            checks,
            GraphClient(http, GRAPH, tokens, policy),
            SharePointClient(http, f"{GRAPH}/sp", tokens, policy),
            store,
            Outbox(store.engine),
            lambda: T,
            lambda conversation, evidence, fixed: {"type": "message"},
        )
        rows = seed_rows(pending, lag, verifier, all_due)
        async with store.engine.begin() as conn:
            for i in range(0, len(rows), 1000):
                await conn.execute(insert(sync_checks), rows[i : i + 1000])
        if kind == "postgres":
            async with store.engine.begin() as conn:
                await conn.execute(text("ANALYZE sync_checks"))
        run = Run(kind, pending, sum(1 for r in rows if r["next_check_at"] <= T))

        sql: Counter[str] = Counter()
        claims: dict[str, tuple[str, Any]] = {}  # the claim query as the driver got it, by phase
        phase = "pass"

        def statement(conn: Any, cursor: Any, stmt: str, params: Any, context: Any, many: bool) -> None:
            kind_ = statement_kind(stmt)
            sql[kind_] += 1
            if kind_ == "SELECT sync_checks":
                claims.setdefault(phase, (stmt, params))

        event.listen(store.engine.sync_engine, "before_cursor_execute", statement)
        leases, owner = Leases(store.engine), replica_id()
        for _ in range(passes):
            sql.clear()
            fake.max_photo_in_flight = 0
            c0, w0 = time.process_time(), time.perf_counter()
            if not await leases.acquire(SYNC_CHECKS, owner, T, timedelta(seconds=60)):
                raise RuntimeError("lease held elsewhere")
            result = await verifier.run_pass()
            cpu, wall = time.process_time() - c0, time.perf_counter() - w0
            run.passes.append(
                PassFigures(
                    result.looked, result, 1000 * cpu, 1000 * wall, Counter(sql), fake.max_photo_in_flight
                )
            )

        phase = "nothing due"  # 100 hours earlier: before any check's first step
        run.claim_idle_cpu_ms = await _claim_cpu(checks, T - timedelta(hours=100))
        phase = "all due"  # 80 hours later: every pending check is due, the pass takes the 50 earliest
        run.claim_cpu_ms = await _claim_cpu(checks, T + timedelta(hours=80))
        event.remove(store.engine.sync_engine, "before_cursor_execute", statement)
        run.plan = await explain(kind, store, tmp / f"{name}.db", claims)
        due = await checks.due(T + timedelta(hours=80), PASS_LIMIT)
        c0 = time.process_time()
        for check in due:
            await checks.checked(check, T + timedelta(hours=81))
        run.writes_cpu_ms = 1000 * (time.process_time() - c0)
    return run


async def _claim_cpu(checks: SyncChecks, now: datetime) -> float:
    await checks.due(now, PASS_LIMIT)  # warm
    c0 = time.process_time()
    for _ in range(CLAIM_REPEATS):
        await checks.due(now, PASS_LIMIT)
    return 1000 * (time.process_time() - c0) / CLAIM_REPEATS


async def explain(kind: str, store: Store, path: Path, claims: dict[str, tuple[str, Any]]) -> list[str]:
    """How the database runs the pass's claim query, with the parameters a pass gave it: nothing due, and every
    pending check due."""
    lines = []
    if kind == "sqlite":
        stmt, params = claims["all due"]
        async with store.engine.connect() as conn:
            plan = (await conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {stmt}", tuple(params))).all()
        lines.append(f"plan: {' / '.join(str(row[-1]) for row in plan)}")
        # The work it does, in SQLite virtual-machine steps, against the same query made to scan the table.
        with contextlib.closing(sqlite3.connect(path)) as raw:
            for label, (stmt, params) in claims.items():
                if label == "pass":
                    continue
                scan = stmt.replace("FROM sync_checks", "FROM sync_checks NOT INDEXED", 1)
                figures = [_vm_steps(raw, sql, params) for sql in (stmt, scan)]
                lines.append(
                    f"{label}: {figures[0][0]} VM steps with the index, {figures[1][0]} scanning the table; "
                    f"{figures[0][1]} rows returned"
                )
        return lines
    for label, (stmt, params) in claims.items():
        if label == "pass":
            continue
        async with store.engine.connect() as conn:
            raw_plan = (
                await conn.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {stmt}", tuple(params))
            ).scalar_one()
        root = (json.loads(raw_plan) if isinstance(raw_plan, str) else raw_plan)[0]["Plan"]
        lines.append(f"{label}: " + " <- ".join(_pg_nodes(root)))
    return lines


def _pg_nodes(node: dict[str, Any]) -> list[str]:
    """Each plan node, outermost first: rows it gave, rows it read (its filter's rejects included), buffers."""
    read = node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0)
    on = f" on {node['Index Name']}" if "Index Name" in node else ""
    line = (
        f"{node['Node Type']}{on} ({node.get('Actual Rows')} rows out, {read} read, "
        f"{node.get('Shared Hit Blocks', 0)} buffers)"
    )
    return [line] + [inner for child in node.get("Plans", []) for inner in _pg_nodes(child)]


def _vm_steps(raw: sqlite3.Connection, sql: str, params: Any) -> tuple[int, int]:
    steps = 0

    def tick() -> int:
        nonlocal steps
        steps += 1
        return 0

    raw.set_progress_handler(tick, 1)
    try:
        found = len(raw.execute(sql, tuple(params)).fetchall())
    finally:
        raw.set_progress_handler(None, 1)
    return steps, found


def report(run: Run) -> None:
    print(f"\n[{run.db}] {run.pending} pending checks, {run.due_at_start} due at the start")
    for i, p in enumerate(run.passes, 1):
        r = p.result
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(p.sql.items()))
        print(
            f"  pass {i}: claimed={p.claimed} rescheduled={r.rescheduled} expired={r.expired} fixed={r.fixed} "
            f"unreadable={r.unreadable} sql={sum(p.sql.values())} claim_sql={p.sql['SELECT sync_checks']} "
            f"cpu_ms={p.cpu_ms:.2f} wall_ms={p.wall_ms:.2f} photo_in_flight={p.photo_in_flight}  ({kinds})"
        )
    print(
        f"  claim query alone: {run.claim_cpu_ms:.3f} ms CPU claiming {min(PASS_LIMIT, run.pending)}, "
        f"{run.claim_idle_cpu_ms:.3f} ms with nothing due (mean of {CLAIM_REPEATS}); "
        f"{min(PASS_LIMIT, run.pending)} reschedule writes alone: {run.writes_cpu_ms:.2f} ms CPU"
    )
    for line in run.plan:
        print(f"  {line}")


def compare(base: Run, big: Run) -> None:
    def idle(run: Run) -> PassFigures | None:
        return next((p for p in run.passes if p.claimed == 0), None)

    print(f"\n[{big.db}] {big.pending} pending vs {base.pending} pending (the baseline, same run)")
    a, b = base.passes[0], big.passes[0]
    if a.claimed and b.claimed:
        each_a, each_b = a.cpu_ms / a.claimed, b.cpu_ms / b.claimed
        print(
            f"  first pass: claimed {b.claimed} vs {a.claimed}; CPU {b.cpu_ms:.2f} vs {a.cpu_ms:.2f} ms, per claimed "
            f"check {each_b:.2f} vs {each_a:.2f} ms = {each_b / each_a:.2f}x; "
            f"SQL statements {sum(b.sql.values())} vs {sum(a.sql.values())}"
        )
    a_idle, b_idle = idle(base), idle(big)
    if a_idle is None or b_idle is None:
        print("  pass with nothing due: not reached (raise --passes)")
    else:
        print(
            f"  pass with nothing due: CPU {b_idle.cpu_ms:.2f} vs {a_idle.cpu_ms:.2f} ms = "
            f"{b_idle.cpu_ms / max(a_idle.cpu_ms, 1e-9):.2f}x; "
            f"SQL statements {sum(b_idle.sql.values())} vs {sum(a_idle.sql.values())}"
        )
    print(
        f"  claim query alone: {big.claim_cpu_ms:.3f} vs {base.claim_cpu_ms:.3f} ms = "
        f"{big.claim_cpu_ms / max(base.claim_cpu_ms, 1e-9):.2f}x claiming the most; "
        f"{big.claim_idle_cpu_ms:.3f} vs {base.claim_idle_cpu_ms:.3f} ms = "
        f"{big.claim_idle_cpu_ms / max(base.claim_idle_cpu_ms, 1e-9):.2f}x with nothing due"
    )


async def main_async(args: argparse.Namespace, pg_url: str | None) -> None:
    lag = timedelta(seconds=args.lag)
    kinds = ["sqlite"] + (["postgres"] if pg_url else [])
    with tempfile.TemporaryDirectory() as tmp:
        for kind in kinds:
            base = await measure(kind, args.baseline, lag, args.passes, True, Path(tmp), pg_url)
            big = await measure(kind, args.checks, lag, args.passes, False, Path(tmp), pg_url)
            report(base)
            report(big)
            compare(base, big)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.sync_checks", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--checks", type=int, default=10_000, help="pending checks (default 10,000; max 200,000)"
    )
    parser.add_argument(
        "--baseline", type=int, default=PASS_LIMIT, help="pending checks of the baseline (all due)"
    )
    parser.add_argument("--passes", type=int, default=6, help="passes per size (max 50)")
    parser.add_argument(
        "--lag", type=float, default=300.0, help="seconds without a pass before the first one"
    )
    parser.add_argument(
        "--postgres",
        nargs="?",
        const=os.environ.get("PHOTOSYNC_TEST_POSTGRES_URL")
        or "postgresql+asyncpg://postgres@127.0.0.1:5432/test",
        default=os.environ.get("PHOTOSYNC_TEST_POSTGRES_URL"),
        help="also on PostgreSQL (a fresh schema, dropped afterwards); default: PHOTOSYNC_TEST_POSTGRES_URL",
    )
    args = parser.parse_args()
    args.checks = max(1, min(args.checks, 200_000))
    args.baseline = max(1, min(args.baseline, args.checks))
    args.passes = max(1, min(args.passes, 50))
    if args.postgres and not re.match(
        r"postgresql\+asyncpg://[^/]*(127\.\d+\.\d+\.\d+|localhost|\[::1\])[:/]", args.postgres
    ):
        parser.error("--postgres: a postgresql+asyncpg:// URL on a loopback address")
    asyncio.run(main_async(args, args.postgres))


if __name__ == "__main__":
    main()
