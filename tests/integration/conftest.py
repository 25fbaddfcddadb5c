"""Shared loopback world for bot integration tests: identity server, connector, the bot app (demo tenant)."""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.app import RUNTIME, Runtime, create_app
from bot.demo.server import STATE
from bot.settings import Settings
from bot.store import Store
from tests.cardtools import actions, card_kind, card_text  # noqa: F401 - re-exported for the tests
from tests.fakes.connector import ConnectorServer
from tests.fakes.identity import IdentityServer

APP_ID = "9c1f1f0e-6a44-4e0b-9a43-6a1d6b1c2d3e"
APP_SECRET = "test-bot-secret-value"
TENANT_ID = "7a3c9b1e-2f4d-4e8a-9c6b-1d2e3f4a5b6c"
ADELE = "53d6c7d3-7bc7-4272-b9e3-4eb50bd7b23b"  # stale
ALEX = "005cb079-6306-45e8-9d30-96624b1bdd63"  # pending
MEGAN = "23b90566-9297-4355-b479-c6e30e87b1f2"  # in sync
LEE = "10d477f1-5081-456a-a79f-752efb5453d5"  # no photo
ISAIAH = "2e2d50d5-d303-48e0-a2e4-b2b1f354953c"  # on premises
JOHANNA = "963c75d3-0f41-453b-96af-3c7c703a96fa"  # profile importing
DIEGO = "61d3d9f0-9e5e-40d0-a7c0-6417b073717c"  # sync disabled
NESTOR = "ede3cab1-3da3-4a9e-b29b-52579e39f952"  # SharePoint failing
LYNNE = "eda2fc04-204e-43bf-9ee6-bad796071651"  # change time unknown


@pytest.fixture(scope="session")
def identity() -> Iterator[IdentityServer]:
    with IdentityServer() as server:
        server.register_app(APP_ID, secret=APP_SECRET)
        yield server


@pytest.fixture
def connector(identity: IdentityServer) -> Iterator[ConnectorServer]:
    def check(token: str) -> bool:
        return identity.validate_access_token(token, audience="https://api.botframework.com") is not None

    with ConnectorServer(expected_token_check=check) as server:
        yield server


@dataclass
class TeamsWorld:
    client: TestClient
    identity: IdentityServer
    connector: ConnectorServer
    ids: Iterator[int]

    @property
    def runtime(self) -> Runtime:
        return self.client.app[RUNTIME]

    @property
    def graph_state(self) -> Any:
        demo_app = self.runtime.demo_app
        assert demo_app is not None
        return demo_app[STATE]

    def activity(
        self,
        user_id: str = ADELE,
        text: str | None = "why is my photo old?",
        *,
        type: str = "message",
        locale: str | None = "en-US",
        conversation_type: str = "personal",
        conversation_id: str | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        n = next(self.ids)
        body: dict[str, Any] = {
            "type": type,
            "id": f"act-{n}",
            "timestamp": datetime.now(UTC).isoformat(),
            "serviceUrl": self.connector.url,
            "channelId": "msteams",
            "from": {"id": f"29:{user_id}", "name": "User", "aadObjectId": user_id},
            "recipient": {"id": f"28:{APP_ID}", "name": "PhotoSync"},
            "conversation": {
                "id": conversation_id or f"a:personal;{user_id}@thread.skype",
                "conversationType": conversation_type,
                "tenantId": TENANT_ID,
            },
            "channelData": {"tenant": {"id": TENANT_ID}},
        }
        if text is not None:
            body["text"] = text
        if locale is not None:
            body["locale"] = locale
        body.update(extra)
        return body

    def invoke(self, user_id: str, verb: str, data: dict[str, Any], **extra: Any) -> dict[str, Any]:
        return self.activity(
            user_id,
            None,
            type="invoke",
            name="adaptiveCard/action",
            replyToId="card-1",
            value={"action": {"type": "Action.Execute", "verb": verb, "data": data}},
            **extra,
        )

    def token(self) -> str:
        return self.identity.mint(APP_ID, self.connector.url)

    async def post(self, body: Any, *, token: str | None = None, auth: bool = True, **kw: Any) -> Any:
        headers = kw.pop("headers", {})
        if auth:
            headers["Authorization"] = f"Bearer {token or self.token()}"
        if "data" in kw:
            return await self.client.post("/api/messages", headers=headers, **kw)
        return await self.client.post("/api/messages", json=body, headers=headers, **kw)

    async def reply_card(self, conversation_id: str | None = None, n: int = 1) -> dict[str, Any]:
        """The Adaptive Card of the n-th activity the bot sent (waits for it)."""
        activities = await self.connector.wait_for_activities(n, timeout=10, conversation_id=conversation_id)
        attachments = activities[n - 1].activity["attachments"]  # type: ignore[index]
        return attachments[0]["content"]


def _postgres_url() -> str | None:
    url = os.environ.get("PHOTOSYNC_TEST_POSTGRES_URL")
    if not url and os.environ.get("PHOTOSYNC_REQUIRE_POSTGRES") == "1":
        pytest.fail("PHOTOSYNC_REQUIRE_POSTGRES=1 but PHOTOSYNC_TEST_POSTGRES_URL is not set")
    return url


@contextlib.asynccontextmanager
async def pg_schema(url: str) -> AsyncIterator[str]:
    """A new, empty PostgreSQL schema for one test (dropped afterwards): tests never see each other's rows,
    even when several test runs share the server."""
    name = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_async_engine(url)
    try:
        async with admin.begin() as conn:
            await conn.execute(text(f'CREATE SCHEMA "{name}"'))
        yield name
    finally:
        async with admin.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        await admin.dispose()


@dataclasses.dataclass(frozen=True)
class Database:
    """Where a test's store lives: `url` plus, on PostgreSQL, its own `schema`."""

    kind: str
    url: str
    schema: str | None = None

    def store(self) -> Store:
        return Store.from_url(self.url, schema=self.schema)

    def env(self) -> dict[str, str]:
        """The same database for a bot process."""
        env = {"PHOTOSYNC_DATABASE_URL": self.url}
        if self.schema:
            env["PHOTOSYNC_DATABASE_SCHEMA"] = self.schema
        return env


@contextlib.asynccontextmanager
async def _postgres() -> AsyncIterator[Database]:
    pg = _postgres_url()
    if not pg:
        pytest.skip("PostgreSQL: set PHOTOSYNC_TEST_POSTGRES_URL (CI sets it)")
    async with pg_schema(pg) as schema:
        yield Database("postgres", pg, schema)


@pytest.fixture(params=["sqlite", "postgres"])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """An empty database on SQLite and on the real PostgreSQL (skipped locally without its URL)."""
    if request.param == "sqlite":
        yield Database("sqlite", f"sqlite+aiosqlite:///{tmp_path / 'store.db'}")
        return
    async with _postgres() as db:
        yield db


@pytest.fixture
async def postgres_database() -> AsyncIterator[Database]:
    """Only PostgreSQL (for what only it has: several processes at once, advisory locks, SKIP LOCKED)."""
    async with _postgres() as db:
        yield db


@pytest.fixture
async def fresh_store(database: Database) -> AsyncIterator[Store]:
    """An opened (migrated), empty store on SQLite and on the real PostgreSQL."""
    store = database.store()
    await store.open()
    try:
        yield store
    finally:
        await store.close()


def make_settings(tmp_path: Path, identity: IdentityServer, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "MicrosoftAppId": APP_ID,
        "MicrosoftAppPassword": APP_SECRET,
        "PHOTOSYNC_OPENID_METADATA_URL": identity.openid_metadata_url,
        "PHOTOSYNC_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        "PHOTOSYNC_GRAPH_TIMEOUT": 2.0,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
async def world(
    aiohttp_client: Any, tmp_path: Path, identity: IdentityServer, connector: ConnectorServer
) -> AsyncIterator[TeamsWorld]:
    app = create_app(make_settings(tmp_path, identity), msal_http_client=identity.msal_session())
    client = await aiohttp_client(app)
    yield TeamsWorld(client, identity, connector, itertools.count(1))


PUBLIC_URL = "https://bot.contoso.example"  # the bot's public address: its cards then carry sync links


@pytest.fixture
async def linked_world(
    aiohttp_client: Any, tmp_path: Path, identity: IdentityServer, connector: ConnectorServer
) -> AsyncIterator[TeamsWorld]:
    """`world` with a public address, so cards offer the one-click sync link where it helps."""
    settings = make_settings(tmp_path, identity, PHOTOSYNC_PUBLIC_URL=PUBLIC_URL)
    client = await aiohttp_client(create_app(settings, msal_http_client=identity.msal_session()))
    yield TeamsWorld(client, identity, connector, itertools.count(1))


def new_id() -> str:
    return str(uuid.uuid4())
