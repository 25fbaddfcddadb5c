"""Safe defaults, tried as an attacker would on loopback: real signed tokens, the real app, real HTTP.

One organisation, helpdesk rights that can't be borrowed, identifiers checked at the edge, nothing a user or
the directory typed turned into markup, no redirect followed, /metrics not on a public port. The settings
rules (no silent anonymous mode) and the slow-client limits are in tests/reliability/test_security_processes.py.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiohttp import web
from pydantic import ValidationError

from bot.app import create_app
from bot.demo.tenant import DEFAULT_TENANT_PATH
from bot.graph import GraphClient, GraphError
from bot.graph.http import graph_http_client
from bot.graph.retry import RetryPolicy
from bot.graph.tokens import StaticTokenProvider
from bot.loopback import is_loopback_url
from bot.settings import Settings
from bot.teams.auth import AuthError, ChannelTokenValidator
from bot.teams.connector import ConnectorError, ConnectorSender, connector_session
from tests.clock import FakeClock
from tests.fakes.connector import ConnectorServer
from tests.fakes.identity import BOT_FRAMEWORK_ISSUER, IdentityServer
from tests.loopback import serving

from .conftest import ADELE, APP_ID, MEGAN, PUBLIC_URL, TENANT_ID, TeamsWorld, card_kind, make_settings
from .test_helpdesk import PATTI, TEAM, ask, channel_message
from .test_sync_link import send_link_as_patti

OTHER_TENANT = "11111111-2222-4333-8444-555555555555"


# --- one organisation -------------------------------------------------------------------------------


def _counts(world: TeamsWorld) -> int:
    return sum(world.graph_state.counters.requests.values())


@pytest.mark.parametrize(
    "tenant",
    [
        {"channelData": {"tenant": {"id": OTHER_TENANT}}, "conversation_tenant": OTHER_TENANT},
        {"channelData": {"tenant": {"id": TENANT_ID}}, "conversation_tenant": OTHER_TENANT},  # they disagree
        {"channelData": {}, "conversation_tenant": None},  # no tenant at all
    ],
    ids=["other-tenant", "disagreeing", "missing"],
)
async def test_another_organisation_is_refused_before_any_graph_call_or_write(
    world: TeamsWorld, tenant: dict[str, Any]
) -> None:
    before = _counts(world)
    body = world.activity(ADELE, "why is my photo old?", channelData=tenant["channelData"])
    body["conversation"]["tenantId"] = tenant["conversation_tenant"]
    if tenant["conversation_tenant"] is None:
        del body["conversation"]["tenantId"]
    response = await world.post(body)
    assert response.status == 403
    assert "organisation" in (await response.json())["error"]
    invoke = world.invoke(ADELE, "diagnose", {"userId": ADELE}, channelData=tenant["channelData"])
    invoke["conversation"]["tenantId"] = tenant["conversation_tenant"] or ""
    assert (await world.post(invoke)).status == 403
    assert _counts(world) == before  # no Graph call
    store = world.runtime.store
    assert await store.personal_conversation(ADELE) is None  # no conversation reference written
    assert await store.audit_trail() == []  # no audit
    assert world.connector.calls() == []


async def test_the_conversation_reference_keeps_the_tenant(world: TeamsWorld) -> None:
    assert (await world.post(world.activity(ADELE, "help"))).status == 200
    record = await world.runtime.store.personal_conversation(ADELE)
    assert record is not None and record.tenant_id == TENANT_ID
    assert record.reference["conversation"]["tenantID"] == TENANT_ID  # botbuilder's spelling of the key


def test_single_tenant_bot_and_graph_must_name_the_same_organisation(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="different organisations"):
        Settings(  # type: ignore[call-arg]
            _env_file=None,
            MicrosoftAppId=APP_ID,
            MicrosoftAppPassword="x",
            MicrosoftAppType="SingleTenant",
            MicrosoftAppTenantId=OTHER_TENANT,
            PHOTOSYNC_TENANT_ID=TENANT_ID,
            PHOTOSYNC_CLIENT_ID="c",
            PHOTOSYNC_CLIENT_SECRET="s",
            PHOTOSYNC_SHAREPOINT_URL="https://contoso.sharepoint.com",
        )


# --- helpdesk rights ----------------------------------------------------------------------------------


def _tenant_with(tmp_path: Path, *users: dict[str, Any], helpdesk_members: list[str]) -> Path:
    data = json.loads(DEFAULT_TENANT_PATH.read_text())
    data["users"].extend(users)
    for group in data["groups"]:
        if group["displayName"] == "Helpdesk":
            group["members"] = helpdesk_members
    path = tmp_path / "tenant.json"
    path.write_text(json.dumps(data))
    return path


GUEST = str(uuid.UUID(int=0x6E57))


@pytest.fixture
async def guest_world(
    aiohttp_client: Any, tmp_path: Path, identity: IdentityServer, connector: ConnectorServer
) -> TeamsWorld:
    """The demo tenant plus a guest who is in the Helpdesk group (an invited external consultant)."""
    guest = {
        "id": GUEST,
        "displayName": "Gus Guest",
        "userPrincipalName": "gus_fabrikam.com#EXT#@contoso.onmicrosoft.com",
        "userType": "Guest",
        "sharepoint": {"profile": False},
    }
    tenant = _tenant_with(tmp_path, guest, helpdesk_members=[PATTI, GUEST])
    settings = make_settings(tmp_path, identity, PHOTOSYNC_DEMO_TENANT=str(tenant))
    client = await aiohttp_client(create_app(settings, msal_http_client=identity.msal_session()))
    return TeamsWorld(client, identity, connector, itertools.count(1))


async def test_a_guest_in_the_helpdesk_group_gets_no_helpdesk_rights(guest_world: TeamsWorld) -> None:
    assert card_kind(await ask(guest_world, GUEST, "check Megan Bowen")) == "refused"
    assert card_kind(await ask(guest_world, PATTI, "check Megan Bowen")) == "diagnosis"  # a member does


async def test_someone_outside_the_directory_gets_no_helpdesk_rights(world: TeamsWorld) -> None:
    """A shared-channel member from another organisation: Graph does not know them in our directory."""
    stranger = str(uuid.uuid4())
    assert card_kind(await ask(world, stranger, "check Megan Bowen")) == "refused"


async def _team_world(
    aiohttp_client: Any, tmp_path: Path, identity: Any, connector: Any, **env: str
) -> TeamsWorld:
    settings = make_settings(tmp_path, identity, PHOTOSYNC_HELPDESK_TEAM_IDS=TEAM, **env)
    client = await aiohttp_client(create_app(settings, msal_http_client=identity.msal_session()))
    return TeamsWorld(client, identity, connector, itertools.count(1000))


async def test_a_helpdesk_team_grants_rights_only_in_its_channels(
    aiohttp_client: Any, tmp_path: Path, identity: IdentityServer, connector: ConnectorServer
) -> None:
    world = await _team_world(aiohttp_client, tmp_path, identity, connector)
    assert card_kind(await ask(world, ADELE, "check Megan Bowen")) == "diagnosis"  # in the team's channel
    # the same team id in a group chat's channelData (forged, or a chat that merely names the team)
    body = channel_message(world, ADELE, "check Megan Bowen")
    body["conversation"]["conversationType"] = "groupChat"
    assert (await world.post(body)).status == 200
    (call,) = world.connector.calls(conversation_id=body["conversation"]["id"])
    assert call.body["attachments"][0]["content"]["body"][0]["id"] == "refused"
    # a card click with the team id in a 1:1 chat
    invoke = world.invoke(ADELE, "diagnose", {"userId": MEGAN}, channelData={"team": {"id": TEAM}})
    response = await world.post(invoke)
    assert response.status == 200 and (await response.json())["value"]["body"][0]["id"] == "refused"


async def test_team_and_group_together_need_both(
    aiohttp_client: Any, tmp_path: Path, identity: IdentityServer, connector: ConnectorServer
) -> None:
    group = json.loads(DEFAULT_TENANT_PATH.read_text())["groups"]
    helpdesk = next(g["id"] for g in group if g["displayName"] == "Helpdesk")
    world = await _team_world(
        aiohttp_client, tmp_path, identity, connector, PHOTOSYNC_HELPDESK_GROUP_ID=helpdesk
    )
    assert (
        card_kind(await ask(world, ADELE, "check Megan Bowen")) == "refused"
    )  # in the channel, not the group
    assert card_kind(await ask(world, PATTI, "check Megan Bowen")) == "diagnosis"  # both


# --- identifiers at the edge ----------------------------------------------------------------------------


async def test_one_user_spelled_four_ways_is_one_cooldown(linked_world: TeamsWorld) -> None:
    world = linked_world
    spellings = [ADELE, ADELE.upper(), "AdeleV@contoso.onmicrosoft.com", "adelev@CONTOSO.onmicrosoft.com"]
    upn = world.graph_state.user(ADELE).user.upn
    assert upn.lower() == spellings[2].lower()
    assert (await world.post(world.activity(ADELE, "hi"))).status == 200  # Adele has a 1:1 chat
    for spelling in spellings:
        assert (await send_link_as_patti(world, spelling))["value"]["body"][0]["id"] == "link-sent"
    trail = [r for r in await world.runtime.store.audit_trail() if r.action == "send_sync_link"]
    assert [(r.target_id, r.outcome) for r in trail] == [(ADELE, "sent")] + [(ADELE, "already_sent")] * 3


async def test_the_cooldown_holds_across_replicas(
    aiohttp_client: Any, tmp_path: Path, identity: IdentityServer, connector: ConnectorServer
) -> None:
    """Two bot replicas on one database, clicked at the same moment: one link sent, one cooldown."""
    settings = make_settings(tmp_path, identity, PHOTOSYNC_PUBLIC_URL=PUBLIC_URL)
    worlds = []
    for n in range(2):
        client = await aiohttp_client(create_app(settings, msal_http_client=identity.msal_session()))
        worlds.append(TeamsWorld(client, identity, connector, itertools.count(n * 100)))
    assert (await worlds[0].post(worlds[0].activity(ADELE, "hi"))).status == 200
    answers = await asyncio.gather(*(send_link_as_patti(w, ADELE) for w in worlds))
    assert [a["value"]["body"][0]["id"] for a in answers] == ["link-sent", "link-sent"]
    trail = await worlds[0].runtime.store.audit_trail(target_id=ADELE)
    assert sorted(r.outcome for r in trail if r.action == "send_sync_link") == ["already_sent", "sent"]


HOSTILE_IDS = [
    "x" * 20_000,
    "../../users/" + MEGAN,
    f"{MEGAN}\r\nX-Injected: 1",
    "<at>Megan</at>",
    "megan@contoso.onmicrosoft.com' or 1 eq 1 or mail eq '",
    {"id": MEGAN},
    ["a"],
    12345,
]


@pytest.mark.parametrize("hostile", HOSTILE_IDS, ids=lambda v: repr(v)[:24])
async def test_hostile_user_ids_are_refused_audited_and_never_reach_graph(
    world: TeamsWorld, hostile: Any
) -> None:
    before = _counts(world)
    for verb in ("sendSyncLink", "diagnose"):
        response = await world.post(world.invoke(ADELE, verb, {"userId": hostile}))
        assert response.status == 200
        assert (await response.json())["value"]["body"][0]["id"] == "refused"
    assert _counts(world) == before
    trail = await world.runtime.store.audit_trail()
    assert [(r.actor_id, r.action, r.outcome) for r in trail] == [
        (ADELE, "sendSyncLink_refused", "refused"),
        (ADELE, "diagnose_refused", "refused"),
    ]
    assert all(r.target_id.startswith("invalid:") and len(r.target_id) <= 64 for r in trail)
    assert all("\n" not in r.target_id and "\r" not in r.target_id for r in trail)


# --- nothing becomes markup -------------------------------------------------------------------------------

EVIL = "[Reset your password](https://evil.example/login) **urgent** <at>IT</at>"


def _text_elements(card: Any) -> Iterator[dict[str, Any]]:
    if isinstance(card, dict):
        if card.get("type") in ("TextBlock", "TextRun", "Fact"):
            yield card
        for value in card.values():
            yield from _text_elements(value)
    elif isinstance(card, list):
        for value in card:
            yield from _text_elements(value)


async def test_a_directory_name_is_shown_as_plain_text_never_as_markdown(
    aiohttp_client: Any, tmp_path: Path, identity: IdentityServer, connector: ConnectorServer
) -> None:
    data = json.loads(DEFAULT_TENANT_PATH.read_text())
    megan = next(u for u in data["users"] if u["id"] == MEGAN)
    megan["displayName"] = EVIL
    path = tmp_path / "tenant.json"
    path.write_text(json.dumps(data))
    settings = make_settings(tmp_path, identity, PHOTOSYNC_DEMO_TENANT=str(path))
    client = await aiohttp_client(create_app(settings, msal_http_client=identity.msal_session()))
    world = TeamsWorld(client, identity, connector, itertools.count(1))
    mention = {"type": "mention", "mentioned": {"id": f"29:{MEGAN}", "name": EVIL, "aadObjectId": MEGAN}}
    cards = [
        await ask(world, PATTI, "check <at>Megan</at>", entities=[{**mention, "text": "<at>Megan</at>"}]),
        await ask(world, PATTI, "check [Resetarits"),  # the query is echoed in not-found / pick-user
    ]
    for card in cards:
        texts = list(_text_elements(card))
        carrying = [e for e in texts if "Reset" in json.dumps(e)]
        assert carrying, card
        for element in carrying:  # only in TextRuns, which no client reads as markdown
            assert element["type"] == "TextRun", element


# --- no redirect followed -----------------------------------------------------------------------------------


@pytest.fixture
async def redirecting() -> AsyncIterator[tuple[str, list[str]]]:
    """A loopback server that answers every request with a 307 to a second loopback server, which records
    what reaches it (nothing must)."""
    reached: list[str] = []

    async def target(request: web.Request) -> web.Response:
        reached.append(request.path)
        return web.json_response({"issuer": "x", "jwks_uri": str(request.url), "keys": [], "id": "1"})

    second = web.Application()
    second.router.add_route("*", "/{tail:.*}", target)
    async with serving(second) as second_base:

        async def redirect(request: web.Request) -> web.Response:
            raise web.HTTPTemporaryRedirect(f"{second_base}{request.path_qs}")

        first = web.Application()
        first.router.add_route("*", "/{tail:.*}", redirect)
        async with serving(first) as base:
            yield base, reached


async def test_no_outbound_client_follows_a_redirect(redirecting: tuple[str, list[str]]) -> None:
    base, reached = redirecting
    # the connector (replies and notices)
    session = connector_session(timeout_s=5)
    try:
        sender = ConnectorSender(session, StaticTokenProvider("t"), max_attempts=1)
        with pytest.raises(ConnectorError) as raised:
            await sender.send(f"{base}/amer/", "a:1", {"type": "message", "text": "hi"}, None)
        assert raised.value.status == 307
    finally:
        await session.close()
    # Graph and SharePoint (one client), and the JWKS fetch (the same client)
    http = graph_http_client(timeout_s=5)
    try:
        graph = GraphClient(http, base, StaticTokenProvider("t"), RetryPolicy(budget_s=2, max_attempts=1))
        with pytest.raises(GraphError):
            await graph.get_user(ADELE)
        validator = ChannelTokenValidator(f"{base}/.well-known/openidconfiguration", APP_ID, http)
        with pytest.raises(AuthError):
            await validator.verify_token("Bearer eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.e30.c2ln")
    finally:
        await http.aclose()
    assert reached == []


@pytest.fixture
def open_connector() -> Iterator[ConnectorServer]:
    """A connector that takes replies without a token (anonymous mode sends none)."""
    with ConnectorServer() as server:
        yield server


async def test_anonymous_mode_answers_only_loopback_service_urls(
    aiohttp_client: Any, tmp_path: Path, open_connector: ConnectorServer
) -> None:
    """No bot registration (the demo on loopback): an activity asking for a reply elsewhere is refused, and
    the sender itself refuses such an address. [::ffff:127.0.0.1] reaches this machine but is not what the
    rule accepts, so the test can't send traffic off the machine even if the rule broke."""
    settings = Settings(_env_file=None, PHOTOSYNC_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'a.db'}")  # type: ignore[call-arg]
    assert settings.anonymous and not settings.insecure
    client = await aiohttp_client(create_app(settings))
    port = open_connector.url.split(":")[2].split("/")[0]
    elsewhere = f"http://[::ffff:127.0.0.1]:{port}/amer/"
    assert not is_loopback_url(elsewhere)
    world = TeamsWorld(client, None, open_connector, itertools.count(1))  # type: ignore[arg-type]
    body = world.activity(ADELE, "help", serviceUrl=elsewhere)
    response = await client.post("/api/messages", json=body)
    assert response.status == 403
    assert open_connector.calls() == []
    good = await client.post("/api/messages", json=world.activity(ADELE, "help"))
    assert good.status == 200
    session = connector_session(timeout_s=5)
    try:
        with pytest.raises(ConnectorError):
            await ConnectorSender(session, None).send(elsewhere, "a:1", {"type": "message"}, None)
    finally:
        await session.close()
    assert len(open_connector.calls()) == 1  # only the loopback reply
    ready = await (await client.get("/readyz")).json()
    assert ready["inbound_auth"] == "anonymous (demo on a loopback address)"


# --- /metrics -----------------------------------------------------------------------------------------------


async def test_metrics_need_a_token_or_a_loopback_port(
    aiohttp_client: Any, tmp_path: Path, identity: IdentityServer, connector: ConnectorServer
) -> None:
    public = make_settings(tmp_path, identity, PHOTOSYNC_HOST="0.0.0.0")
    client = await aiohttp_client(create_app(public, msal_http_client=identity.msal_session()))
    assert (await client.get("/metrics")).status == 404  # not served on a public port without a token
    guarded = make_settings(
        tmp_path,
        identity,
        PHOTOSYNC_HOST="0.0.0.0",
        PHOTOSYNC_METRICS_TOKEN="scrape-token-1",
    )
    client = await aiohttp_client(create_app(guarded, msal_http_client=identity.msal_session()))
    assert (await client.get("/metrics")).status == 401
    assert (await client.get("/metrics", headers={"Authorization": "Bearer wrong"})).status == 401
    ok = await client.get("/metrics", headers={"Authorization": "Bearer scrape-token-1"})
    assert ok.status == 200 and "photosync_turns_total" in await ok.text()


async def test_metrics_on_their_own_loopback_listener(
    aiohttp_client: Any, tmp_path: Path, identity: IdentityServer, unused_tcp_port: int
) -> None:
    settings = make_settings(
        tmp_path,
        identity,
        PHOTOSYNC_HOST="0.0.0.0",
        PHOTOSYNC_METRICS_PORT=unused_tcp_port,
    )
    client = await aiohttp_client(create_app(settings, msal_http_client=identity.msal_session()))
    assert (await client.get("/metrics")).status == 404
    async with httpx.AsyncClient(trust_env=False) as http:
        response = await http.get(f"http://127.0.0.1:{unused_tcp_port}/metrics")
    assert response.status_code == 200 and "photosync_turns_total" in response.text


# --- cheaper hostile traffic --------------------------------------------------------------------------------


async def test_a_forged_token_is_refused_before_the_body_is_read(world: TeamsWorld) -> None:
    forged = world.identity.mint_attack("bad_signature", APP_ID, world.connector.url)
    json_type = {"Content-Type": "application/json"}
    response = await world.post(None, token=forged, data=b"{not json at all" * 1000, headers=dict(json_type))
    assert response.status == 401  # not 400: the body was never parsed
    response = await world.post(None, auth=False, data=b"{not json", headers=dict(json_type))
    assert response.status == 401


# --- signing-key refreshes ------------------------------------------------------------------------------------


@pytest.fixture
async def key_server(identity: IdentityServer) -> AsyncIterator[tuple[str, dict[str, Any]]]:
    """The channel's metadata + JWKS on loopback, with a switch to make it fail, and hit counters."""
    state: dict[str, Any] = {"down": False, "hits": 0}

    async def metadata(request: web.Request) -> web.Response:
        state["hits"] += 1
        if state["down"]:
            return web.json_response({"error": "unavailable"}, status=503)
        return web.json_response({"issuer": BOT_FRAMEWORK_ISSUER, "jwks_uri": f"{request.url.origin()}/keys"})

    async def keys(request: web.Request) -> web.Response:
        return web.json_response(identity.jwks())

    app = web.Application()
    app.router.add_get("/meta", metadata)
    app.router.add_get("/keys", keys)
    async with serving(app) as base:
        yield f"{base}/meta", state


async def test_key_refreshes_back_off_and_keep_verdicts_when_nothing_changed(
    identity: IdentityServer, key_server: tuple[str, dict[str, Any]]
) -> None:
    url, state = key_server
    clock = FakeClock(datetime.now(UTC).replace(microsecond=0))
    http = graph_http_client(timeout_s=5)
    validator = ChannelTokenValidator(url, APP_ID, http, clock=clock)
    token = "Bearer " + identity.mint(
        APP_ID, "https://smba.trafficmanager.net/amer/", exp=int(clock().timestamp()) + 3600 * 30
    )
    try:
        # the key endpoint is down and no keys are loaded: one fetch, then a backoff, not a fetch per request
        state["down"] = True
        for _ in range(20):
            with pytest.raises(AuthError):
                await validator.verify_token(token)
        assert state["hits"] == 1
        clock.advance(1)  # first backoff step
        with pytest.raises(AuthError):
            await validator.verify_token(token)
        assert state["hits"] == 2
        for _ in range(5):
            with pytest.raises(AuthError):
                await validator.verify_token(token)
        assert state["hits"] == 2  # the second wait is longer
        # back up: the next attempt after the backoff loads the keys
        state["down"] = False
        clock.advance(5)
        await validator.verify_token(token)
        assert (state["hits"], validator.signature_checks) == (3, 1)
        # a day later the scheduled refresh fails: the keys stay, and it is retried within seconds, not a day
        clock.advance(timedelta(hours=24, seconds=1))
        state["down"] = True
        await validator.verify_token(token)  # the remembered verdict still stands on the keys we have
        assert state["hits"] == 4
        state["down"] = False
        clock.advance(1)
        await validator.verify_token(token)
        assert state["hits"] == 5 and validator.refreshes == 2
        # the refresh found the same keys: the remembered verdict was kept (no second signature check)
        assert validator.signature_checks == 1
    finally:
        await http.aclose()
