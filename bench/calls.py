"""Outbound calls per turn: Graph and SharePoint counted at the bot's own pooled httpx client (every round trip
it makes there), connector posts counted by the fake connector (the bot posts them through its aiohttp session).

    python -m bench.calls [--turns 20]

Runs the bot in-process (aiohttp AppRunner on 127.0.0.1) with the loopback IdentityServer and the fake
ConnectorServer from tests/fakes, then, after a warm-up turn per user:
  1. token requests per turn (IdentityServer.token_requests) with default settings;
  2. with PHOTOSYNC_PROFILE_CACHE_SECONDS=0, per diagnosis: Graph round trips (split into `$batch` and
     direct), SharePoint calls, and `$batch` items, for every demo case, plus the demo server's counters;
  3. the same with the default cache (same user again: the warm path);
  4. the sync (`--sync-only` for this part alone), against Graph and SharePoint on a loopback demo server that
     checks app-only tokens, which the bot gets from the IdentityServer through msal (not the demo's static
     token), with an injected clock: per opening of a user's one-click link (`GET /sync/{token}`) and per
     pass of the sync checks (the `sync-checks` job's loop body: take the lease, `SyncVerifier.run_pass`) with
     one due check, still syncing and fixed: Graph round trips, SharePoint calls, token requests and SQL
     statements (counted with SQLAlchemy's `before_cursor_execute`, only those the measured request or pass
     runs; the bot's own `sync-checks` job is cancelled first, as at shutdown, so no other pass interferes).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import contextvars
import dataclasses
import re
import tempfile
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import httpx
from aiohttp import web
from sqlalchemy import event

from bench.common import ADELE, APP_ID, APP_SECRET, MESSAGE, activity, free_port
from bot.app import RUNTIME, create_app
from bot.clock import Clock, system_clock
from bot.demo.server import STATE, GraphLimits, create_graph_app
from bot.demo.tenant import DemoTenant
from bot.services.replicas import replica_id
from bot.services.sync_verify import PassResult
from bot.settings import Settings
from bot.store.leases import SYNC_CHECKS, Leases
from tests.clock import FakeClock
from tests.fakes.connector import ConnectorServer
from tests.fakes.identity import IdentityServer

# The Graph app the bot reads the tenant with in the sync rows (app-only tokens through msal).
GRAPH_CLIENT_ID = "5b1d2c3e-8f70-4a6b-9c1d-2e3f4a5b6c7d"
GRAPH_SECRET = "test-graph-secret-value"  # noqa: S105 - the loopback fake's test secret
# Set while the measured work runs: only its SQL statements are counted (background jobs run beside it).
MEASURED: contextvars.ContextVar[bool] = contextvars.ContextVar("measured", default=False)
_TABLE_AFTER = {
    "SELECT": r"\bFROM\s+",
    "INSERT": r"\bINTO\s+",
    "UPDATE": r"^\s*UPDATE\s+",
    "DELETE": r"\bFROM\s+",
}

USERS = {
    "stale (Adele)": ADELE,
    "pending (Alex)": "005cb079-6306-45e8-9d30-96624b1bdd63",
    "in sync (Megan)": "23b90566-9297-4355-b479-c6e30e87b1f2",
    "no photo (Lee)": "10d477f1-5081-456a-a79f-752efb5453d5",
    "on-premises (Isaiah)": "2e2d50d5-d303-48e0-a2e4-b2b1f354953c",
    "importing (Johanna)": "963c75d3-0f41-453b-96af-3c7c703a96fa",
    "sync disabled (Diego)": "61d3d9f0-9e5e-40d0-a7c0-6417b073717c",
    "SP failing (Nestor)": "ede3cab1-3da3-4a9e-b29b-52579e39f952",
    "change unknown (Lynne)": "eda2fc04-204e-43bf-9ee6-bad796071651",
}


def statement_kind(statement: str) -> str:
    """What a statement does, to which table: "INSERT audit", "SELECT sync_checks", ..."""
    verb = statement.split(None, 1)[0].upper()
    after = _TABLE_AFTER.get(verb)
    m = re.search(after + r'(?:"?\w+"?\.)?"?(\w+)', statement, re.I) if after else None
    return f"{verb} {m[1]}" if m else verb


@web.middleware
async def _measure_sync_links(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    if not request.path.startswith("/sync/"):
        return await handler(request)
    mark = MEASURED.set(True)
    try:
        return await handler(request)
    finally:
        MEASURED.reset(mark)


class Bot:
    def __init__(
        self,
        identity: IdentityServer,
        connector: ConnectorServer,
        db: Path,
        *,
        clock: Clock = system_clock,
        **env: Any,
    ) -> None:
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            MicrosoftAppId=APP_ID,
            MicrosoftAppPassword=APP_SECRET,
            PHOTOSYNC_OPENID_METADATA_URL=identity.openid_metadata_url,
            PHOTOSYNC_DATABASE_URL=f"sqlite+aiosqlite:///{db}",
            PHOTOSYNC_LOG_LEVEL="WARNING",
            **env,
        )
        self.app = create_app(settings, clock=clock, msal_http_client=identity.msal_session())
        self.app.middlewares.append(_measure_sync_links)
        self.identity, self.connector = identity, connector
        self.calls: Counter[str] = Counter()
        self.sql: Counter[str] = Counter()  # statements of the measured work (MEASURED), by kind and table
        self.n = 0

    async def __aenter__(self) -> Bot:
        self.runner = web.AppRunner(self.app, access_log=None)
        await self.runner.setup()
        self.port = free_port()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()
        runtime = self.app[RUNTIME]

        async def hook(request: httpx.Request) -> None:
            path = request.url.path
            if path.startswith("/sp"):
                self.calls["sharepoint"] += 1
            elif path.endswith("/$batch"):
                self.calls["graph $batch"] += 1
            else:
                self.calls["graph direct"] += 1

        runtime.http.event_hooks["request"].append(hook)

        def statement(conn: Any, cursor: Any, text: str, params: Any, context: Any, many: bool) -> None:
            if MEASURED.get():
                self.sql[statement_kind(text)] += 1

        event.listen(runtime.store.engine.sync_engine, "before_cursor_execute", statement)
        self.session = aiohttp.ClientSession(trust_env=False)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.session.close()
        await self.runner.cleanup()

    @property
    def counters(self) -> Any:
        return self.app[RUNTIME].demo_app[STATE].counters  # type: ignore[index]

    async def turn(self, user_id: str) -> int:
        self.n += 1
        service_url = self.connector.url
        body = activity(self.n, service_url, user_id, MESSAGE)
        token = self.identity.mint(APP_ID, service_url)
        posts = len(self.connector.calls())
        async with self.session.post(
            f"http://127.0.0.1:{self.port}/api/messages",
            json=body,
            headers={"Authorization": f"Bearer {token}"},
        ) as resp:
            await resp.read()
        self.calls["connector"] += (
            len(self.connector.calls()) - posts
        )  # the reply is posted before the answer
        return resp.status


def per(counter: Counter[str], n: int) -> str:
    keys = ("graph $batch", "graph direct", "sharepoint", "connector")
    return "  ".join(f"{k}={counter[k] / n:.2f}" for k in keys)


async def main_async(turns: int) -> None:
    with IdentityServer() as identity, ConnectorServer() as connector, tempfile.TemporaryDirectory() as tmp:
        identity.register_app(APP_ID, secret=APP_SECRET)

        async with Bot(identity, connector, Path(tmp) / "a.db") as bot:
            await bot.turn(ADELE)  # warm-up: first token, metadata, JWKS
            t0 = identity.token_requests()
            statuses = Counter([await bot.turn(ADELE) for _ in range(turns)])
            tokens = identity.token_requests() - t0
            print(
                f"[default settings] token requests per turn after warm-up: {tokens / turns:.3f} "
                f"({tokens} in {turns} turns; statuses {dict(statuses)}); "
                f"metadata GETs {identity.metadata_requests}, JWKS GETs {identity.keys_requests}"
            )
            bot.calls.clear()
            for _ in range(turns):
                await bot.turn(ADELE)
            print(f"[default cache, same user, warm] per turn: {per(bot.calls, turns)}")

        async with Bot(identity, connector, Path(tmp) / "b.db", PHOTOSYNC_PROFILE_CACHE_SECONDS=0) as bot:
            for uid in USERS.values():
                await bot.turn(uid)  # warm-up
            print(f"\n[PHOTOSYNC_PROFILE_CACHE_SECONDS=0] per diagnosis ({turns} turns per case)")
            total: Counter[str] = Counter()
            b0, i0 = bot.counters.batch_requests, bot.counters.batch_items
            for case, uid in USERS.items():
                bot.calls.clear()
                t0 = identity.token_requests()
                for _ in range(turns):
                    await bot.turn(uid)
                total.update(bot.calls)
                print(
                    f"  {case:<24} {per(bot.calls, turns)}  tokens={(identity.token_requests() - t0) / turns:.2f}"
                )
            n = turns * len(USERS)
            print(f"  {'ALL':<24} {per(total, n)}")
            print(
                f"  demo server: $batch requests/diagnosis={(bot.counters.batch_requests - b0) / n:.2f} "
                f"items/$batch={(bot.counters.batch_items - i0) / max(bot.counters.batch_requests - b0, 1):.2f}"
            )
            print(f"  demo server routes (cumulative incl. warm-up): {dict(bot.counters.requests)}")


class Tally:
    """What a series of sync starts or check passes cost, added up over `n`."""

    def __init__(self) -> None:
        self.n = 0
        self.calls: Counter[str] = Counter()
        self.sql: Counter[str] = Counter()
        self.tokens = 0

    def line(self, label: str) -> str:
        n = max(self.n, 1)
        sql = ", ".join(f"{k} {v / n:.2f}" for k, v in sorted(self.sql.items()))
        return (
            f"  {label:<34} n={self.n:<3} {per(self.calls, n)}  tokens={self.tokens / n:.2f}  "
            f"sql={sum(self.sql.values()) / n:.2f} ({sql})"
        )


@contextlib.contextmanager
def tallied(bot: Bot, tally: Tally) -> Iterator[None]:
    """Count what the bot does inside the block into `tally` (Graph/SharePoint at its HTTP client, the Graph
    app's token requests at the IdentityServer, SQL statements of the MEASURED work)."""
    bot.calls.clear()
    bot.sql.clear()
    t0 = bot.identity.token_requests(GRAPH_CLIENT_ID)
    yield
    tally.n += 1
    tally.calls.update(bot.calls)
    tally.sql.update(bot.sql)
    tally.tokens += bot.identity.token_requests(GRAPH_CLIENT_ID) - t0


async def _serve_graph(identity: IdentityServer, now: datetime) -> tuple[web.AppRunner, str]:
    """The demo tenant's Graph + SharePoint on a loopback port, accepting only the IdentityServer's tokens; a
    user's own request for their large photo makes its SharePoint show the current photo right after."""
    limits = GraphLimits(token_check=lambda t: identity.validate_access_token(t) is not None, user_sync_s=0.0)
    runner = web.AppRunner(create_graph_app(DemoTenant.load(now=now), limits), access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, f"http://127.0.0.1:{port}"


async def _stop_own_sync_checks() -> None:
    """Cancel the bot's `sync-checks` job, as shutdown does (it gives its lease back): the measured passes
    are the only ones."""
    job = next(t for t in asyncio.all_tasks() if t.get_name() == "sync-checks")
    job.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await job


async def sync_async(n: int) -> None:
    clock = FakeClock(datetime.now(UTC).replace(microsecond=0))
    with IdentityServer() as identity, ConnectorServer() as connector, tempfile.TemporaryDirectory() as tmp:
        identity.register_app(APP_ID, secret=APP_SECRET)
        identity.register_app(GRAPH_CLIENT_ID, secret=GRAPH_SECRET)
        graph, graph_url = await _serve_graph(identity, clock())
        tenant = DemoTenant.load(now=clock())
        env = {
            "PHOTOSYNC_TENANT_ID": tenant.id,
            "PHOTOSYNC_CLIENT_ID": GRAPH_CLIENT_ID,
            "PHOTOSYNC_CLIENT_SECRET": GRAPH_SECRET,
            "PHOTOSYNC_GRAPH_URL": graph_url,
            "PHOTOSYNC_SHAREPOINT_URL": f"{graph_url}/sp",
        }
        try:
            async with Bot(identity, connector, Path(tmp) / "sync.db", clock=clock, **env) as bot:
                await _stop_own_sync_checks()
                runtime = bot.app[RUNTIME]
                leases, owner = Leases(runtime.store.engine), replica_id()
                ttl = timedelta(seconds=runtime.settings.lease_s)
                first_check = runtime.verifier.first_check + timedelta(seconds=1)

                async def open_link(user_id: str) -> str:
                    url = f"http://127.0.0.1:{bot.port}/sync/{runtime.sync.links.token(user_id)}"
                    async with bot.session.get(url, allow_redirects=False) as resp:
                        await resp.read()
                    if resp.status != 302:
                        raise RuntimeError(f"GET /sync/...: HTTP {resp.status}")
                    return resp.headers["Location"]

                async def check_pass() -> PassResult:
                    """One turn of the `sync-checks` job's loop (bot/services/replicas.py)."""
                    mark = MEASURED.set(True)
                    try:
                        if not await leases.acquire(SYNC_CHECKS, owner, clock(), ttl):
                            raise RuntimeError("the sync-checks lease is held elsewhere")
                        return await runtime.verifier.run_pass()
                    finally:
                        MEASURED.reset(mark)

                cold_start, cold_pass, start, waiting, fixed = Tally(), Tally(), Tally(), Tally(), Tally()
                outcomes: Counter[str] = Counter()

                def note(result: PassResult) -> None:
                    outcomes.update({k: v for k, v in dataclasses.asdict(result).items() if v})

                with tallied(bot, cold_start):
                    await open_link(ADELE)
                clock.advance(first_check)
                with tallied(bot, cold_pass):
                    note(await check_pass())
                if await bot.turn(ADELE) != 200:  # the 1:1 chat the outcome is told in
                    raise RuntimeError("the turn failed")
                for _ in range(n):
                    with tallied(bot, start):
                        await open_link(ADELE)
                    clock.advance(first_check)
                    with tallied(bot, waiting):
                        note(await check_pass())
                # The user's browser follows the redirect: the demo SharePoint shows the new photo.
                target = await open_link(ADELE)
                async with aiohttp.ClientSession(trust_env=False) as browser, browser.get(target) as resp:
                    await resp.read()
                await asyncio.sleep(0.05)  # the demo SharePoint refreshes "0 s" later, on its own loop turn
                clock.advance(first_check)
                with tallied(bot, fixed):
                    note(await check_pass())
        finally:
            await graph.cleanup()
    print("\n[sync] Graph and SharePoint on a loopback demo server, app-only tokens through msal")
    print(cold_start.line("link opened, first of the process"))
    print(start.line("link opened (GET /sync/{token})"))
    print(cold_pass.line("check pass, first of the process"))
    print(waiting.line("check pass, 1 due, still syncing"))
    print(fixed.line("check pass, 1 due, fixed + told"))
    print(f"  pass outcomes: {dict(outcomes)}; connector posts (the notice sender): {len(connector.calls())}")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.calls", description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=20)
    parser.add_argument(
        "--sync-only", action="store_true", help="only the sync rows (link opened, check pass)"
    )
    args = parser.parse_args()
    turns = max(1, min(args.turns, 200))
    if not args.sync_only:
        asyncio.run(main_async(turns))
    asyncio.run(sync_async(turns))


if __name__ == "__main__":
    main()
