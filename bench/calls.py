"""Outbound calls per turn: Graph and SharePoint counted at the bot's own pooled httpx client (every round trip
it makes there), connector posts counted by the fake connector (the bot posts them through its aiohttp session).

    python -m bench.calls [--turns 20]

Runs the bot in-process (aiohttp AppRunner on 127.0.0.1) with the loopback IdentityServer and the fake
ConnectorServer from tests/fakes, then, after a warm-up turn per user:
  1. token requests per turn (IdentityServer.token_requests) with default settings;
  2. with PHOTOSYNC_PROFILE_CACHE_SECONDS=0, per diagnosis: Graph round trips (split into `$batch` and
     direct), SharePoint calls, and `$batch` items, for every demo case, plus the demo server's counters;
  3. the same with the default cache (same user again: the warm path).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import aiohttp
import httpx
from aiohttp import web

from bench.common import ADELE, APP_ID, APP_SECRET, MESSAGE, activity, free_port
from bot.app import RUNTIME, create_app
from bot.demo.server import STATE
from bot.settings import Settings
from tests.fakes.connector import ConnectorServer
from tests.fakes.identity import IdentityServer

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


class Bot:
    def __init__(self, identity: IdentityServer, connector: ConnectorServer, db: Path, **env: Any) -> None:
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            MicrosoftAppId=APP_ID,
            MicrosoftAppPassword=APP_SECRET,
            PHOTOSYNC_OPENID_METADATA_URL=identity.openid_metadata_url,
            PHOTOSYNC_DATABASE_URL=f"sqlite+aiosqlite:///{db}",
            PHOTOSYNC_LOG_LEVEL="WARNING",
            **env,
        )
        self.app = create_app(settings, msal_http_client=identity.msal_session())
        self.identity, self.connector = identity, connector
        self.calls: Counter[str] = Counter()
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


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.calls", description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=20)
    args = parser.parse_args()
    asyncio.run(main_async(max(1, min(args.turns, 200))))


if __name__ == "__main__":
    main()
