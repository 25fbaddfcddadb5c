"""bot.graph against the demo Graph/SharePoint server and the fake Entra token endpoint (loopback HTTP)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from httpx_aiohttp import AiohttpTransport

from bot.demo.server import STATE, GraphLimits, ServerState, create_graph_app
from bot.demo.tenant import DemoTenant
from bot.domain.model import PhotoSource
from bot.graph import (
    GraphClient,
    GraphError,
    GraphUnavailable,
    MsalTokenProvider,
    RetryPolicy,
    SharePointClient,
    SharePointUnavailable,
    StaticTokenProvider,
    TokenError,
    UserNotFound,
    load_certificate,
)
from bot.graph.http import graph_http_client
from bot.graph.sharepoint import properties_url
from tests.clock import FakeClock
from tests.fakes.identity import IdentityServer, MsalLoopbackSession, make_certificate
from tests.fakes.threaded import ThreadedServer

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
ADELE = "53d6c7d3-7bc7-4272-b9e3-4eb50bd7b23b"
LEE = "10d477f1-5081-456a-a79f-752efb5453d5"
ISAIAH = "2e2d50d5-d303-48e0-a2e4-b2b1f354953c"
JOHANNA_UPN = "JohannaL@contoso.onmicrosoft.com"
NESTOR = "ede3cab1-3da3-4a9e-b29b-52579e39f952"
PATTI = "de567967-bfef-48e7-bcdc-95bab6a08f07"
HELPDESK = "4173ae94-81bb-4525-bacb-717911cd5748"
GRAPH_SCOPE = "https://graph.microsoft.com/.default"
FAST = RetryPolicy(max_attempts=4, budget_s=2.0, base_s=0.01, cap_s=0.05)


@pytest.fixture
def tenant() -> DemoTenant:
    return DemoTenant.load(now=NOW)


@pytest.fixture
def serve(tenant: DemoTenant) -> Iterator[Callable[..., ThreadedServer]]:
    servers: list[ThreadedServer] = []

    def start(limits: GraphLimits | None = None) -> ThreadedServer:
        srv = ThreadedServer(lambda: create_graph_app(tenant, limits)).start()
        servers.append(srv)
        return srv

    yield start
    for srv in servers:
        srv.stop()


@pytest.fixture
def server(serve: Callable[..., ThreadedServer]) -> ThreadedServer:
    return serve()


def state_of(srv: ThreadedServer) -> ServerState:
    assert srv.app is not None
    return srv.app[STATE]


@pytest.fixture(params=["aiohttp", "httpcore"])
async def http(request: pytest.FixtureRequest) -> AsyncIterator[httpx.AsyncClient]:
    """Every client test runs on the bot's own client (httpx on aiohttp's transport, bot/graph/http.py) and on
    httpx's default transport: the clients' behaviour (faults, retries, timeouts) must not depend on it."""
    client = (
        graph_http_client(timeout_s=10)
        if request.param == "aiohttp"
        else httpx.AsyncClient(trust_env=False, timeout=10)
    )
    async with client:
        yield client


def graph(srv: ThreadedServer, http: httpx.AsyncClient, policy: RetryPolicy = FAST, **kw: Any) -> GraphClient:
    return GraphClient(http, srv.url, StaticTokenProvider(), policy, **kw)


def sharepoint(srv: ThreadedServer, http: httpx.AsyncClient, policy: RetryPolicy = FAST) -> SharePointClient:
    return SharePointClient(http, f"{srv.url}/sp", StaticTokenProvider(), policy)


# ---- user + photo in one $batch --------------------------------------------------------------------
async def test_every_demo_user_parses(
    server: ThreadedServer, http: httpx.AsyncClient, tenant: DemoTenant
) -> None:
    g, sp = graph(server, http), sharepoint(server, http)
    for demo in tenant.users:
        user, photo = await g.get_user_and_photo(demo.id)
        assert user is not None
        assert (user.id, user.display_name, user.upn, user.mail) == (
            demo.id,
            demo.display_name,
            demo.upn,
            demo.mail,
        )
        assert user.preferred_language == demo.preferred_language
        assert user.on_premises_sync_enabled == demo.on_premises_sync_enabled
        assert user.on_premises_last_sync == demo.on_premises_last_sync
        assert user.created == demo.created and user.created is not None and user.created.tzinfo is not None
        if demo.photo is None:
            assert photo is None
        else:
            assert photo is not None
            assert (photo.etag, photo.width, photo.height, photo.content_type) == (
                demo.photo.etag,
                demo.photo.width,
                demo.photo.height,
                demo.photo.content_type,
            )
        if demo.id == NESTOR:
            with pytest.raises(SharePointUnavailable):
                await sp.picture(user.upn)
            continue
        picture = await sp.picture(user.upn)
        assert picture.profile_found == demo.sharepoint.profile
        if demo.sharepoint.profile:
            assert picture.timestamp == demo.sharepoint.picture_timestamp
            assert picture.placeholder_state == demo.sharepoint.placeholder_state
            assert picture.exchange_sync_state == demo.sharepoint.exchange_sync_state
            assert (picture.picture_url is None) == (demo.sharepoint.picture_timestamp is None)
    counters = state_of(server).counters
    assert counters.batch_requests == len(tenant.users) == g.calls["batch"]  # exactly one batch per user
    assert counters.batch_items == 2 * len(tenant.users)


async def test_batch_answers_in_any_order(server: ThreadedServer, tenant: DemoTenant) -> None:
    orders: set[tuple[str, ...]] = set()

    async def record(response: httpx.Response) -> None:
        if response.request.url.path.endswith("/$batch"):
            await response.aread()
            orders.add(tuple(r["id"] for r in response.json()["responses"]))

    async with httpx.AsyncClient(trust_env=False, event_hooks={"response": [record]}) as client:
        g = graph(server, client)
        for demo in tenant.users:
            user, _ = await g.get_user_and_photo(demo.id)
            assert user is not None and user.id == demo.id
    assert orders == {("user", "photo"), ("photo", "user")}


async def test_throttled_item_retried_alone_after_retry_after(
    server: ThreadedServer, http: httpx.AsyncClient
) -> None:
    faults = state_of(server).faults
    faults.add(rf"GET /v1\.0/users/{ADELE}/photo$", status=429, times=2, retry_after=0.05)
    sleeps: list[float] = []

    async def sleep(s: float) -> None:  # the wait is recorded, not waited: the fake server has no clock
        sleeps.append(s)

    g = graph(server, http, sleep=sleep)
    user, photo = await g.get_user_and_photo(ADELE)
    assert user is not None and photo is not None and photo.etag == 'W/"adele-photo-v2"'
    assert sleeps == [0.05, 0.05]
    counters = state_of(server).counters
    assert counters.batch_requests == 3 and counters.batch_items == 4  # user once, photo three times
    assert counters.requests["GET /v1.0/users/{id}"] == 1


async def test_batch_503_then_success(server: ThreadedServer, http: httpx.AsyncClient) -> None:
    state_of(server).faults.add(r"POST /v1\.0/\$batch", status=503, retry_after=0.05)
    g = graph(server, http)
    user, photo = await g.get_user_and_photo(ADELE)
    assert user is not None and photo is not None
    assert g.calls["batch"] == 2 and state_of(server).counters.requests["POST /v1.0/$batch"] == 2


@pytest.mark.parametrize("pattern", [r"POST /v1\.0/\$batch", rf"GET /v1\.0/users/{ADELE}$"])
async def test_503_forever_gives_up_within_budget(
    server: ThreadedServer, http: httpx.AsyncClient, pattern: str
) -> None:
    state_of(server).faults.add(pattern, status=503, times=None)
    policy = RetryPolicy(max_attempts=50, budget_s=0.3, base_s=0.05, cap_s=0.1)
    clock = FakeClock()
    g = graph(server, http, policy, clock=clock.monotonic, sleep=clock.elapse)
    with pytest.raises(GraphUnavailable):
        await g.get_user_and_photo(ADELE)
    assert 0 < clock.monotonic() <= 0.3  # it waited to retry, and never past the budget
    assert 2 <= g.calls["batch"] < 50


async def test_malformed_json_is_unavailable(server: ThreadedServer, http: httpx.AsyncClient) -> None:
    state_of(server).faults.add(r"POST /v1\.0/\$batch", status=200, body=b"not json")
    with pytest.raises(GraphUnavailable, match="malformed"):
        await graph(server, http).get_user_and_photo(ADELE)


async def test_connection_reset_is_retried(server: ThreadedServer, http: httpx.AsyncClient) -> None:
    state_of(server).faults.add(r"POST /v1\.0/\$batch", reset=True)
    g = graph(server, http)
    user, _ = await g.get_user_and_photo(ADELE)
    assert user is not None and g.calls["batch"] == 2

    state_of(server).faults.add(r"POST /v1\.0/\$batch", reset=True, times=None)
    with pytest.raises(GraphUnavailable):
        await g.get_user_and_photo(ADELE)


async def test_no_photo_and_unknown_user(server: ThreadedServer, http: httpx.AsyncClient) -> None:
    g = graph(server, http)
    user, photo = await g.get_user_and_photo(LEE)
    assert user is not None and photo is None
    with pytest.raises(UserNotFound):
        await g.get_user_and_photo("00000000-0000-0000-0000-000000000000")
    assert await g.photo_thumbnail(LEE, "96x96") is None


# ---- tenant photo setting ---------------------------------------------------------------------------
async def test_photo_source_cached(server: ThreadedServer, http: httpx.AsyncClient) -> None:
    now = [0.0]
    g = graph(server, http, clock=lambda: now[0])
    assert await g.photo_source() is PhotoSource.ON_PREMISES
    assert await g.photo_source() is PhotoSource.ON_PREMISES
    assert g.calls["photo_source"] == 1
    now[0] += 3601
    state_of(server).faults.add(r"GET /beta/admin/people/photoUpdateSettings", status=403)
    assert await g.photo_source() is PhotoSource.UNKNOWN  # refused: no exception, short cache
    now[0] += 200
    assert await g.photo_source() is PhotoSource.UNKNOWN and g.calls["photo_source"] == 2
    now[0] += 101
    assert await g.photo_source() is PhotoSource.ON_PREMISES and g.calls["photo_source"] == 3


# ---- photo bytes --------------------------------------------------------------------------------------
async def test_photo_thumbnail_reads_the_bytes_and_never_writes(
    server: ThreadedServer, http: httpx.AsyncClient
) -> None:
    g = graph(server, http)
    data = await g.photo_thumbnail(ADELE, "96x96")
    assert data is not None and data[:2] == b"\xff\xd8"
    assert not hasattr(g, "put_photo")  # PhotoSync never re-uploads a photo (docs/DOMAIN.md)
    assert sum(state_of(server).counters.photo_puts.values()) == 0


# ---- helpdesk ------------------------------------------------------------------------------------------
async def test_find_users_and_member_of(server: ThreadedServer, http: httpx.AsyncClient) -> None:
    g = graph(server, http)
    assert [u.id for u in await g.find_users("adelev@contoso.onmicrosoft.com")] == [ADELE]
    assert [u.id for u in await g.find_users("Adele")] == [ADELE]
    assert await g.find_users("O'Brien") == []  # quote escaped: no 400
    assert await g.find_users("  ") == []
    assert len(await g.find_users("", limit=3)) == 0
    assert await g.member_of(PATTI, [HELPDESK, "11111111-1111-1111-1111-111111111111"]) == {HELPDESK}
    assert await g.member_of(ADELE, [HELPDESK]) == set()
    with pytest.raises(UserNotFound):
        await g.member_of("00000000-0000-0000-0000-000000000000", [HELPDESK])


# ---- SharePoint ----------------------------------------------------------------------------------------
async def test_sharepoint_no_profile_unknown_and_odd_upn(
    server: ThreadedServer, http: httpx.AsyncClient
) -> None:
    sp = sharepoint(server, http)
    assert (await sp.picture(JOHANNA_UPN)).profile_found is False
    assert (await sp.picture("o'brien+x@contoso.onmicrosoft.com")).profile_found is False  # no 400
    url = properties_url("https://contoso.sharepoint.com", "o'brien+x@contoso.com")
    assert url.endswith("?@v='i:0%23.f|membership|o%27%27brien%2Bx@contoso.com'")


async def test_sharepoint_per_user_503_is_unavailable(
    server: ThreadedServer, http: httpx.AsyncClient
) -> None:
    sp = sharepoint(server, http)
    with pytest.raises(SharePointUnavailable) as info:
        await sp.picture("NestorW@contoso.onmicrosoft.com")
    assert isinstance(info.value, GraphError) and info.value.status == 503
    assert sp.calls["picture"] == FAST.max_attempts


async def test_sharepoint_reset_then_ok(server: ThreadedServer, http: httpx.AsyncClient) -> None:
    state_of(server).faults.add(r"GET /sp/", reset=True)
    sp = sharepoint(server, http)
    picture = await sp.picture("AdeleV@contoso.onmicrosoft.com")
    assert picture.profile_found and picture.timestamp is not None
    # Two GETs reached the server: the reset one and its retry. Ours on httpcore; on aiohttp the transport
    # itself sends an idempotent GET once more when its connection drops, so the client counts one call.
    assert state_of(server).counters.faulted == 1
    assert sp.calls["picture"] == (1 if isinstance(http._transport, AiohttpTransport) else 2)


def test_scopes() -> None:
    http = httpx.AsyncClient(trust_env=False)
    tokens = StaticTokenProvider()
    assert GraphClient(http, "http://127.0.0.1:1234", tokens).scope == GRAPH_SCOPE
    assert (
        GraphClient(http, "https://graph.microsoft.us/v1.0/", tokens).scope
        == "https://graph.microsoft.us/.default"
    )
    g = GraphClient(http, "https://graph.microsoft.com", tokens)
    assert g.scope == GRAPH_SCOPE and g.base_url == "https://graph.microsoft.com"
    sp = SharePointClient(http, "https://contoso.sharepoint.com/", tokens)
    assert sp.scope == "https://contoso.sharepoint.com/.default"


# ---- msal tokens -----------------------------------------------------------------------------------------
class ThreadRecordingSession(MsalLoopbackSession):
    def __init__(self, target_url: str) -> None:
        super().__init__(target_url)
        self.threads: set[int] = set()

    def send(self, request: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        self.threads.add(threading.get_ident())
        return super().send(request, **kwargs)


@pytest.fixture(scope="module")
def idp() -> Iterator[IdentityServer]:
    with IdentityServer() as server:
        yield server


async def _ticking(coro: Any) -> tuple[Any, int]:
    ticks = 0
    done = False

    async def tick() -> None:
        nonlocal ticks
        while not done:
            ticks += 1
            await asyncio.sleep(0)

    ticker = asyncio.create_task(tick())
    try:
        result = await coro
    finally:
        done = True
        await ticker
    return result, ticks


@pytest.mark.parametrize("kind", ["secret", "certificate"])
async def test_msal_provider_caches_and_does_not_block(
    idp: IdentityServer, tmp_path: Path, kind: str
) -> None:
    client_id = f"photosync-{kind}"
    credential: str | dict[str, str]
    if kind == "secret":
        idp.register_app(client_id, secret="s3cret-value")
        credential = "s3cret-value"
    else:
        cert = make_certificate("photosync")
        idp.register_app(client_id, certificate=cert)
        pem = tmp_path / "app.pem"
        pem.write_text(cert.private_key_pem + cert.certificate_pem)
        credential = load_certificate(pem)
        assert credential["thumbprint"] == cert.thumbprint
        assert "BEGIN CERTIFICATE" in credential["public_certificate"]
    session = ThreadRecordingSession(idp.url)
    provider = MsalTokenProvider(idp.authority(), client_id, credential, http_client=session)
    first, ticks = await _ticking(provider.token(GRAPH_SCOPE))
    assert ticks > 1  # the loop kept running while msal did blocking HTTP
    assert threading.get_ident() not in session.threads  # msal ran in a worker thread
    assert await provider.token(GRAPH_SCOPE) == first
    assert idp.token_requests(client_id) == 1  # second call from msal's cache
    assert idp.validate_access_token(first, audience="https://graph.microsoft.com") is not None

    # The token works against the demo Graph when it checks tokens for real.
    srv = ThreadedServer(
        lambda: create_graph_app(
            DemoTenant.load(now=NOW),
            GraphLimits(token_check=lambda t: idp.validate_access_token(t) is not None),
        )
    ).start()
    try:
        async with httpx.AsyncClient(trust_env=False) as http:
            user, _ = await GraphClient(http, srv.url, provider, FAST).get_user_and_photo(ADELE)
            assert user is not None
            with pytest.raises(GraphError):
                forged = GraphClient(http, srv.url, StaticTokenProvider("forged"), FAST)
                await forged.get_user_and_photo(ADELE)
    finally:
        srv.stop()
    assert idp.token_requests(client_id) == 1


async def test_msal_provider_error_has_no_secret(idp: IdentityServer) -> None:
    idp.register_app("photosync-wrong", secret="the-real-one")
    provider = MsalTokenProvider(
        idp.authority(), "photosync-wrong", "wrong-secret-value", http_client=idp.msal_session()
    )
    with pytest.raises(TokenError) as info:
        await provider.token(GRAPH_SCOPE)
    assert "wrong-secret-value" not in str(info.value) and "the-real-one" not in str(info.value)
    assert "invalid_client" in str(info.value)
