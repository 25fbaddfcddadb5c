"""Teams SSO: the click starts SharePoint's sync as the user. Real HTTP end to end: the bot's /api/messages with
real channel JWTs, the user's Entra token minted by the loopback identity server and checked by the bot against
its JWKS, msal's on-behalf-of grant answered by the same server, and the demo SharePoint recording whose
delegated token asked for whose photo."""

from __future__ import annotations

import itertools
import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from bot import manifest as teams_app
from bot.app import create_app
from bot.settings import Settings, describe_error
from tests.clock import FakeClock
from tests.fakes.connector import ConnectorServer
from tests.fakes.identity import IdentityServer

from .conftest import ADELE, APP_ID, APP_SECRET, MEGAN, TENANT_ID, TeamsWorld, make_settings
from .test_manifest import _validator

CONNECTION = "PhotoSyncSSO"
APP_ID_URI = f"api://botid-{APP_ID}"
PUBLIC_URL = "https://bot.contoso.example"
ADELE_UPN = "adelev@contoso.onmicrosoft.com"
OTHER_TENANT = "0b9d5c3a-6f1e-4a2b-8c7d-9e0f1a2b3c4d"


def sso_env(identity: IdentityServer, **extra: Any) -> dict[str, Any]:
    return {
        "PHOTOSYNC_PUBLIC_URL": PUBLIC_URL,
        "PHOTOSYNC_SSO_CONNECTION": CONNECTION,
        "PHOTOSYNC_SSO_APP_ID_URI": APP_ID_URI,
        "PHOTOSYNC_SSO_OPENID_METADATA_URL": identity.sso_metadata_url(TENANT_ID),
        "PHOTOSYNC_DEMO_SYNC_SECONDS": "0",
        **extra,
    }


async def _world(
    aiohttp_client: Any,
    tmp_path: Path,
    identity: IdentityServer,
    connector: ConnectorServer,
    clock: FakeClock | None = None,
) -> TeamsWorld:
    settings = make_settings(tmp_path, identity, **sso_env(identity))
    kwargs: dict[str, Any] = {"msal_http_client": identity.msal_session()}
    if clock is not None:
        kwargs["clock"] = clock
    client = await aiohttp_client(create_app(settings, **kwargs))
    return TeamsWorld(client, identity, connector, itertools.count(1))


def user_token(identity: IdentityServer, user: str = ADELE, **kw: Any) -> str:
    kw.setdefault("upn", ADELE_UPN if user == ADELE else "")
    return identity.mint_user_token(kw.pop("aud", APP_ID_URI), kw.pop("tenant", TENANT_ID), user, **kw)


def exchange(world: TeamsWorld, user: str, token: str, exchange_id: str | None = None) -> dict[str, Any]:
    value = {"id": exchange_id or f"exchange-{uuid.uuid4()}", "connectionName": CONNECTION, "token": token}
    return world.activity(user, None, type="invoke", name="signin/tokenExchange", value=value)


def start_sync(world: TeamsWorld, user: str, token: str | None = None) -> dict[str, Any]:
    body = world.invoke(user, "startSync", {})
    if token is not None:
        body["value"]["authentication"] = {"id": "auth-1", "connectionName": CONNECTION, "token": token}
    return body


def delegated_calls(world: TeamsWorld) -> dict[str, int]:
    return dict(world.graph_state.counters.delegated)


def obo_requests(identity: IdentityServer) -> list[Any]:
    return [r for r in identity.token_log() if r.client_id == APP_ID and "127.0.0.1" in r.scope]


async def _trail(world: TeamsWorld, user: str = ADELE) -> list[tuple[str, str, str, str | None]]:
    rows = await world.runtime.store.audit_trail(target_id=user)
    return [(r.actor_id, r.action, r.outcome, r.detail) for r in rows]


async def test_the_oauth_cards_exchange_starts_the_sync_as_the_user(
    aiohttp_client: Any, tmp_path: Path, identity: IdentityServer, connector: ConnectorServer
) -> None:
    """A click without a token gets the OAuth card; Teams' exchange of the user's token is answered 200, and the
    bot asks SharePoint for the user's own large photo with the user's own (on-behalf-of) token."""
    world = await _world(aiohttp_client, tmp_path, identity, connector)
    click = world.activity(ADELE, None, value={"action": "startSync"})  # the Action.Submit fallback
    assert (await world.post(click)).status == 200
    sent = await world.connector.wait_for_activities(2, timeout=10)
    oauth = sent[0].activity["attachments"][0]  # type: ignore[index]
    assert oauth["contentType"] == "application/vnd.microsoft.card.oauth"
    resource = oauth["content"]["tokenExchangeResource"]
    assert oauth["content"]["connectionName"] == CONNECTION and resource["uri"] == APP_ID_URI
    button = oauth["content"]["buttons"][0]
    assert button["type"] == "signin" and button["value"].startswith(f"{PUBLIC_URL}/sync/")
    waiting = sent[1].activity["attachments"][0]["content"]  # type: ignore[index]
    assert waiting["body"][0]["id"] == "sso-signin"
    assert delegated_calls(world) == {} and await _trail(world) == []

    before = len(obo_requests(identity))
    answer = await world.post(exchange(world, ADELE, user_token(identity), resource["id"]))
    assert answer.status == 200
    assert await answer.json() == {"id": resource["id"], "connectionName": CONNECTION}
    assert len(obo_requests(identity)) == before + 1  # one on-behalf-of exchange, for SharePoint
    assert delegated_calls(world) == {f"userphoto:{ADELE_UPN}|{ADELE}": 1, f"my_properties|{ADELE}": 1}
    assert await _trail(world) == [(ADELE, "sync_start", "started", "as the user (SSO)")]
    check = await world.runtime.verifier.checks.get(ADELE)
    assert check is not None and check.status == "checking"  # the verification runs as after the link
    started = (await world.connector.wait_for_activities(3, timeout=10))[2]
    card = started.activity["attachments"][0]["content"]  # type: ignore[index]
    assert card["body"][0]["id"] == "sso-started"
    assert any(b.get("id") == "sso-stored" for b in card["body"])  # read from GetMyProperties, delegated

    # Teams may send the same exchange again (another client): answered, not started twice
    again = await world.post(exchange(world, ADELE, user_token(identity), resource["id"]))
    assert again.status == 200 and len(await _trail(world)) == 1


async def test_universal_actions_token_starts_it_and_a_click_without_one_asks_to_sign_in(
    aiohttp_client: Any, tmp_path: Path, identity: IdentityServer, connector: ConnectorServer
) -> None:
    world = await _world(aiohttp_client, tmp_path, identity, connector)
    asked = await (await world.post(start_sync(world, ADELE))).json()
    assert asked["statusCode"] == 401 and asked["type"] == "application/vnd.microsoft.activity.loginRequest"
    value = asked["value"]
    assert value["connectionName"] == CONNECTION and value["tokenExchangeResource"]["uri"] == APP_ID_URI
    assert value["tokenExchangeResource"]["id"] and value["text"]
    assert [b["type"] for b in value["buttons"]] == ["signin"]
    assert delegated_calls(world) == {} and await _trail(world) == []

    # Teams sends the action again with the user's token
    answer = await (await world.post(start_sync(world, ADELE, user_token(identity)))).json()
    assert answer["statusCode"] == 200 and answer["value"]["body"][0]["id"] == "sso-started"
    assert delegated_calls(world)[f"userphoto:{ADELE_UPN}|{ADELE}"] == 1
    # a later click finds the delegated token in memory: no new exchange, no sign-in
    before = len(obo_requests(identity))
    again = await (await world.post(start_sync(world, ADELE))).json()
    assert again["statusCode"] == 200 and again["value"]["body"][0]["id"] == "sso-started"
    assert len(obo_requests(identity)) == before
    assert delegated_calls(world)[f"userphoto:{ADELE_UPN}|{ADELE}"] == 2
    assert [row[2] for row in await _trail(world)] == ["started", "started"]


BAD_TOKENS = {
    "expired": lambda identity: user_token(identity, now=time.time() - 7200, lifetime=3600),
    "other_tenant": lambda identity: user_token(identity, tenant=OTHER_TENANT),
    "other_user": lambda identity: user_token(identity, MEGAN),
    "forged": lambda identity: user_token(identity, forged=True),
    "other_app": lambda identity: user_token(identity, aud=f"api://botid-{uuid.uuid4()}"),
    "app_only": lambda identity: identity.issue_access_token(
        APP_ID, APP_ID_URI, tenant_id=TENANT_ID, oid=ADELE
    ),
    "garbage": lambda identity: "not-a-jwt",
}


@pytest.mark.parametrize("kind", sorted(BAD_TOKENS))
async def test_a_token_the_bot_must_not_trust_gets_412_and_no_sharepoint_call(
    kind: str, aiohttp_client: Any, tmp_path: Path, identity: IdentityServer, connector: ConnectorServer
) -> None:
    world = await _world(aiohttp_client, tmp_path, identity, connector)
    before = len(obo_requests(identity))
    answer = await world.post(exchange(world, ADELE, BAD_TOKENS[kind](identity), "exchange-1"))
    assert answer.status == 412
    body = await answer.json()
    assert body["id"] == "exchange-1" and body["connectionName"] == CONNECTION and body["failureDetail"]
    ua = await (await world.post(start_sync(world, ADELE, BAD_TOKENS[kind](identity)))).json()
    assert ua["statusCode"] == 412 and ua["type"] == "application/vnd.microsoft.error.preconditionFailed"
    assert len(obo_requests(identity)) == before  # never sent on
    assert delegated_calls(world) == {} and await _trail(world) == []


@pytest.mark.parametrize("fault", ["consent_required", "interaction_required"])
async def test_entra_wanting_the_user_back_gets_412_so_teams_shows_sign_in(
    fault: str, aiohttp_client: Any, tmp_path: Path, identity: IdentityServer, connector: ConnectorServer
) -> None:
    world = await _world(aiohttp_client, tmp_path, identity, connector)
    if fault == "consent_required":
        identity.set_consent(APP_ID, [])
    else:
        identity.require_interaction(APP_ID)
    try:
        answer = await world.post(exchange(world, ADELE, user_token(identity)))
        assert answer.status == 412 and (await answer.json())["failureDetail"]
        ua = await (await world.post(start_sync(world, ADELE, user_token(identity)))).json()
        assert ua["statusCode"] == 412
    finally:
        identity.set_consent(APP_ID, None)
        identity.require_interaction(APP_ID, False)
    refused = obo_requests(identity)[-1]
    assert refused.status == 400 and refused.error_code == (65001 if fault == "consent_required" else 50079)
    assert delegated_calls(world) == {} and await _trail(world) == []


async def test_an_assertion_expired_by_entras_clock_is_refused_at_the_token_endpoint(
    aiohttp_client: Any, tmp_path: Path, identity: IdentityServer, connector: ConnectorServer
) -> None:
    """The bot's clock says the token is still good, Entra's says it expired: invalid_grant, then 412."""
    clock = FakeClock(datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2))
    world = await _world(aiohttp_client, tmp_path, identity, connector, clock)
    then = int(clock().timestamp())
    token = user_token(identity, now=then, lifetime=3600)
    channel = identity.mint(APP_ID, connector.url, nbf=then, iat=then)  # valid on the bot's clock too
    answer = await world.post(exchange(world, ADELE, token), token=channel)
    assert answer.status == 412
    refused = obo_requests(identity)[-1]
    assert refused.status == 400 and refused.error_code == 500133
    assert delegated_calls(world) == {} and await _trail(world) == []


async def test_verify_state_is_acknowledged_and_the_user_asked_to_click_again(
    aiohttp_client: Any, tmp_path: Path, identity: IdentityServer, connector: ConnectorServer
) -> None:
    world = await _world(aiohttp_client, tmp_path, identity, connector)
    body = world.activity(ADELE, None, type="invoke", name="signin/verifyState", value={"state": "123456"})
    assert (await world.post(body)).status == 200
    card = await world.reply_card()
    assert card["body"][0]["id"] == "sso-signin" and "signed in" in json.dumps(card)


async def test_without_sso_settings_the_invokes_change_nothing(
    aiohttp_client: Any, tmp_path: Path, identity: IdentityServer, world: TeamsWorld
) -> None:
    assert world.runtime.bot.sso is None
    answer = await world.post(exchange(world, ADELE, user_token(identity)))
    assert answer.status == 200  # acknowledged as any invoke the bot doesn't offer
    assert delegated_calls(world) == {} and await world.runtime.store.audit_trail() == []


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"PHOTOSYNC_SSO_CONNECTION": CONNECTION}, "go together"),
        (
            {"PHOTOSYNC_SSO_CONNECTION": CONNECTION, "PHOTOSYNC_SSO_APP_ID_URI": "https://bot.contoso.com"},
            "PHOTOSYNC_SSO_APP_ID_URI: must be api://",
        ),
        (
            {
                "PHOTOSYNC_SSO_CONNECTION": CONNECTION,
                "PHOTOSYNC_SSO_APP_ID_URI": f"api://botid-{uuid.uuid4()}",
            },
            "must end with the bot's MicrosoftAppId",
        ),
        (
            {"PHOTOSYNC_SSO_CONNECTION": "bad/name", "PHOTOSYNC_SSO_APP_ID_URI": APP_ID_URI},
            "PHOTOSYNC_SSO_CONNECTION: must be the Azure Bot OAuth connection name",
        ),
        (
            {
                "MicrosoftAppId": "",
                "MicrosoftAppPassword": "",
                "PHOTOSYNC_SSO_CONNECTION": CONNECTION,
                "PHOTOSYNC_SSO_APP_ID_URI": APP_ID_URI,
            },
            "needs the bot registration",
        ),
    ],
)
def test_sso_settings_are_checked_at_start_up_in_one_line(env: dict[str, str], message: str) -> None:
    values = {"MicrosoftAppId": APP_ID, "MicrosoftAppPassword": APP_SECRET, **env}
    with pytest.raises(ValidationError) as caught:
        Settings(_env_file=None, **values)  # type: ignore[call-arg]
    line = describe_error(caught.value)
    assert message in line and "\n" not in line


def test_the_manifest_declares_sso_only_when_configured() -> None:
    domain = "photosync.contoso.com"
    plain = teams_app.build_manifest(APP_ID, bot_domain=domain, version="1.0.0")
    assert "webApplicationInfo" not in plain
    for uri in (f"api://{domain}/{APP_ID}", f"api://botid-{APP_ID}"):
        sso = teams_app.build_manifest(APP_ID, bot_domain=domain, version="1.0.0", sso_app_id_uri=uri)
        assert sso["webApplicationInfo"] == {"id": APP_ID, "resource": uri}
        assert [e.message for e in _validator("MicrosoftTeams.schema.json").iter_errors(sso)] == []
    with pytest.raises(ValueError, match="api://"):
        teams_app.build_manifest(
            APP_ID, bot_domain=domain, version="1.0.0", sso_app_id_uri=f"api://botid-{uuid.uuid4()}"
        )
