"""The loopback fakes speak the real wire formats: proven with the real clients.

(a) PyJWT validates a minted channel token with the JWKS fetched over HTTP; every attack variant fails for
    its intended reason.
(b) botframework-connector's own inbound validation, pointed at the fake, accepts a good token and rejects
    every attack (and: it does not refresh its key cache on an unknown kid).
(c) msal (secret and certificate credentials) gets tokens through MsalLoopbackSession; the second call is
    served from msal's cache.
(d) the fake connector records replies posted with httpx and with botframework's ConnectorClient, injects
    faults, checks bearer tokens and enforces the Teams rate limits.

An autouse guard fails any test that resolves or connects to anything but a loopback IP literal.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import socket
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import jwt
import msal
import pytest
from botbuilder.schema import Activity, ChannelAccount, ConversationAccount
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import (
    BotFrameworkAuthenticationFactory,
    ChannelValidation,
    JwtTokenExtractor,
    MicrosoftAppCredentials,
    PasswordServiceClientCredentialFactory,
)

from tests.fakes.connector import ConnectorServer
from tests.fakes.identity import (
    ATTACKS,
    BOT_FRAMEWORK_ISSUER,
    BOT_FRAMEWORK_SCOPE,
    BOT_FRAMEWORK_TENANT_ID,
    IdentityServer,
    LoopbackViolation,
    MsalLoopbackSession,
    b64url,
    make_certificate,
)

APP_ID = "3b9a1e52-7c4d-4f0a-9e2b-6d8c5a1f0e37"
APP_SECRET = "fake-secret~value"
TENANT_ID = "5f0e2c8a-1b3d-4e6f-8a9b-0c1d2e3f4a5b"
GRAPH = "https://graph.microsoft.com"
# Only a claim value here; nothing ever connects to it (the guard below would fail the test).
SERVICE_URL = "https://smba.trafficmanager.net/amer/"
CHANNEL_THREAD = "19:3f2a8c0d4b@thread.tacv2;messageid=1700000000123"
PERSONAL_CHAT = "a:1Xf0-pQ_r3sT@unq.gbl.spaces"


# --------------------------------------------------------------------------- network guard
def _loopback(host: object) -> bool:
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode()
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Record (and refuse) any name resolution or connection that is not a loopback IP literal."""
    breaches: list[str] = []
    real_getaddrinfo = socket.getaddrinfo
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not _loopback(host):
            breaches.append(f"getaddrinfo({host!r})")
            raise OSError(f"network rule: no resolution of {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    def check(sock: socket.socket, address: Any) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address[0]):
            breaches.append(f"connect({address!r})")
            raise OSError(f"network rule: no connection to {address!r}")

    def connect(sock: socket.socket, address: Any) -> None:
        check(sock, address)
        return real_connect(sock, address)

    def connect_ex(sock: socket.socket, address: Any) -> int:
        check(sock, address)
        return real_connect_ex(sock, address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    yield
    assert not breaches, f"non-loopback network access: {breaches}"


# --------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def identity_server() -> Iterator[IdentityServer]:
    with IdentityServer() as server:
        server.register_app(APP_ID, secret=APP_SECRET)
        yield server


@pytest.fixture
def idp(identity_server: IdentityServer) -> IdentityServer:
    identity_server.reset_counters()
    identity_server.clear_token_faults()
    return identity_server


@pytest.fixture
def bf_uses_fake(idp: IdentityServer, monkeypatch: pytest.MonkeyPatch) -> IdentityServer:
    """Point botframework-connector's channel validation at the fake; monkeypatch restores both after."""
    monkeypatch.setattr(ChannelValidation, "open_id_metadata_endpoint", idp.openid_metadata_url)
    monkeypatch.setattr(JwtTokenExtractor, "metadataCache", {})
    return idp


@pytest.fixture
def connector() -> Iterator[ConnectorServer]:
    with ConnectorServer() as server:
        yield server


def msal_app(idp: IdentityServer, credential: Any, tenant: str = "botframework.com", client_id: str = APP_ID):
    return msal.ConfidentialClientApplication(
        client_id,
        client_credential=credential,
        authority=idp.authority(tenant),
        http_client=MsalLoopbackSession(idp.url),
    )


# --------------------------------------------------------------------------- (a) PyJWT + JWKS over HTTP
class Rejected(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def fetch_channel_jwks(idp: IdentityServer) -> dict[str, Any]:
    with httpx.Client(trust_env=False) as client:
        metadata = client.get(idp.openid_metadata_url).raise_for_status().json()
        assert metadata["issuer"] == BOT_FRAMEWORK_ISSUER
        assert metadata["id_token_signing_alg_values_supported"] == ["RS256"]
        return client.get(metadata["jwks_uri"]).raise_for_status().json()


def validate_like_bot_framework(
    token: str, jwks: dict[str, Any], app_id: str, service_url: str, channel_id: str = "msteams"
) -> dict[str, Any]:
    """The checks Bot Framework documents for channel tokens, done with PyJWT."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.DecodeError as exc:
        raise Rejected("malformed") from exc
    key = next((k for k in jwks["keys"] if k["kid"] == header.get("kid")), None)
    if key is None:
        raise Rejected("unknown_kid")
    if channel_id not in key.get("endorsements", []):
        raise Rejected("endorsement")
    try:
        claims = jwt.decode(
            token,
            jwt.PyJWK(key).key,
            algorithms=["RS256"],
            audience=app_id,
            issuer=BOT_FRAMEWORK_ISSUER,
            leeway=300,
            options={"require": ["exp", "nbf", "iss", "aud"]},
        )
    except jwt.InvalidAlgorithmError as exc:
        raise Rejected("algorithm") from exc
    except jwt.InvalidSignatureError as exc:
        raise Rejected("signature") from exc
    except jwt.ExpiredSignatureError as exc:
        raise Rejected("expired") from exc
    except jwt.ImmatureSignatureError as exc:
        raise Rejected("not_yet_valid") from exc
    except jwt.InvalidAudienceError as exc:
        raise Rejected("audience") from exc
    except jwt.InvalidIssuerError as exc:
        raise Rejected("issuer") from exc
    if claims.get("serviceurl") != service_url:
        raise Rejected("serviceurl")
    return claims


EXPECTED_REJECTION = {
    "expired": "expired",
    "not_yet_valid": "not_yet_valid",
    "wrong_audience": "audience",
    "other_bot": "audience",
    "wrong_issuer": "issuer",
    "serviceurl_mismatch": "serviceurl",
    "serviceurl_trailing_slash": "serviceurl",
    "missing_serviceurl": "serviceurl",
    "unknown_kid": "unknown_kid",
    "bad_signature": "signature",
    "alg_none": "algorithm",
    "hs256_with_public_key": "algorithm",
    "garbage": "malformed",
    "unendorsed": "endorsement",
}


def test_attack_table_covers_every_attack() -> None:
    assert set(EXPECTED_REJECTION) == set(ATTACKS)


def test_pyjwt_accepts_minted_token_with_jwks_over_http(idp: IdentityServer) -> None:
    jwks = fetch_channel_jwks(idp)
    assert idp.metadata_requests == 1 and idp.keys_requests == 1
    key = next(k for k in jwks["keys"] if k["kid"] == idp.kid)
    assert key["kty"] == "RSA" and key["endorsements"] == ["msteams"]

    token = idp.mint(APP_ID, SERVICE_URL)
    assert jwt.get_unverified_header(token) == {"alg": "RS256", "kid": idp.kid, "typ": "JWT"}
    claims = validate_like_bot_framework(token, jwks, APP_ID, SERVICE_URL)
    assert claims["iss"] == BOT_FRAMEWORK_ISSUER and claims["aud"] == APP_ID
    assert claims["serviceurl"] == SERVICE_URL
    assert {"nbf", "exp", "iat"} <= claims.keys() and "ver" not in claims and "appid" not in claims


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_pyjwt_rejects_each_attack_for_its_reason(idp: IdentityServer, attack: str) -> None:
    jwks = fetch_channel_jwks(idp)
    token = idp.mint_attack(attack, APP_ID, SERVICE_URL)
    with pytest.raises(Rejected) as rejected:
        validate_like_bot_framework(token, jwks, APP_ID, SERVICE_URL)
    assert rejected.value.reason == EXPECTED_REJECTION[attack]


def test_hs256_attack_is_a_valid_hmac_over_the_public_pem(idp: IdentityServer) -> None:
    """The algorithm-confusion token really is what a naive HS256 verifier would accept."""
    token = idp.mint_attack("hs256_with_public_key", APP_ID, SERVICE_URL)
    head, payload, signature = token.split(".")
    pem = idp.public_key_pem()
    expected = b64url(hmac.new(pem, f"{head}.{payload}".encode(), hashlib.sha256).digest())
    assert signature == expected


# --------------------------------------------------------------------------- (b) botframework-connector
def teams_activity(service_url: str = SERVICE_URL, channel_id: str = "msteams") -> Activity:
    return Activity(
        type="message",
        id="1700000000001",
        channel_id=channel_id,
        service_url=service_url,
        text="hello",
        from_property=ChannelAccount(id="29:1user", aad_object_id="00000000-0000-0000-0000-0000000000a1"),
        recipient=ChannelAccount(id=f"28:{APP_ID}"),
        conversation=ConversationAccount(id=PERSONAL_CHAT, conversation_type="personal", tenant_id=TENANT_ID),
    )


async def bf_authenticate(token: str, activity: Activity | None = None) -> Any:
    auth = BotFrameworkAuthenticationFactory.create(
        credential_factory=PasswordServiceClientCredentialFactory(APP_ID, APP_SECRET)
    )
    return await auth.authenticate_request(activity or teams_activity(), f"Bearer {token}")


async def test_botframework_accepts_good_token_from_fake(bf_uses_fake: IdentityServer) -> None:
    idp = bf_uses_fake
    result = await bf_authenticate(idp.mint(APP_ID, SERVICE_URL))
    assert result.claims_identity.is_authenticated
    assert result.claims_identity.claims["aud"] == APP_ID
    assert result.audience == "https://api.botframework.com"
    await bf_authenticate(idp.mint(APP_ID, SERVICE_URL))
    assert (idp.metadata_requests, idp.keys_requests) == (1, 1)  # botframework caches metadata + keys


@pytest.mark.parametrize("attack", list(ATTACKS))
async def test_botframework_rejects_each_attack(bf_uses_fake: IdentityServer, attack: str) -> None:
    token = bf_uses_fake.mint_attack(attack, APP_ID, SERVICE_URL)
    with pytest.raises(Exception):  # noqa: B017 - the stock SDK raises a different type per check
        await bf_authenticate(token)


async def test_botframework_does_not_refresh_keys_on_unknown_kid(bf_uses_fake: IdentityServer) -> None:
    """Characterisation of botframework-connector 4.17: `_OpenIdMetadata._find` raises IndexError for an
    unknown kid before its 'refresh on miss' branch can run, so a rotated-in key is refused until the cache
    (24 h) expires or is cleared."""
    idp = bf_uses_fake
    await bf_authenticate(idp.mint(APP_ID, SERVICE_URL))
    new_kid = idp.add_key()
    try:
        with pytest.raises(IndexError):
            await bf_authenticate(idp.mint(APP_ID, SERVICE_URL, kid=new_kid))
        assert idp.keys_requests == 1
        JwtTokenExtractor.metadataCache.clear()  # the fixture's own dict
        result = await bf_authenticate(idp.mint(APP_ID, SERVICE_URL, kid=new_kid))
        assert result.claims_identity.is_authenticated
        assert idp.keys_requests == 2
    finally:
        idp.publish_key(new_kid, published=False)


# --------------------------------------------------------------------------- (c) msal
def test_msal_secret_flow_and_cache(idp: IdentityServer) -> None:
    app = msal_app(idp, APP_SECRET)
    first = app.acquire_token_for_client([BOT_FRAMEWORK_SCOPE])
    assert first["token_type"] == "Bearer" and first["expires_in"] == 3600, first
    assert first["token_source"] == "identity_provider"
    claims = idp.validate_access_token(first["access_token"], audience="https://api.botframework.com")
    assert claims is not None
    assert (
        claims["appid"] == APP_ID and claims["tid"] == BOT_FRAMEWORK_TENANT_ID and claims["appidacr"] == "1"
    )

    second = app.acquire_token_for_client([BOT_FRAMEWORK_SCOPE])
    assert second["token_source"] == "cache" and second["access_token"] == first["access_token"]
    # MicrosoftAppCredentials asks acquire_token_silent(account=None) first: no HTTP either
    assert app.acquire_token_silent([BOT_FRAMEWORK_SCOPE], account=None) is None
    assert idp.token_requests(APP_ID, BOT_FRAMEWORK_SCOPE) == 1
    # tenant discovery once per msal app; msal went to the GUID token endpoint the discovery advertised
    assert idp.hits() == {"tenant_discovery": 1, "token": 1}
    assert idp.token_log()[0].tenant == BOT_FRAMEWORK_TENANT_ID
    assert idp.token_log()[0].headers["x-client-sku"] == "MSAL.Python"


def test_msal_wrong_secret_gets_aadsts_error(idp: IdentityServer) -> None:
    result = msal_app(idp, "not-the-secret").acquire_token_for_client([BOT_FRAMEWORK_SCOPE])
    assert result["error"] == "invalid_client"
    assert result["error_codes"] == [7000215]
    assert result["error_description"].startswith("AADSTS7000215: ")
    assert idp.token_log()[-1].status == 401
    assert "access_token" not in result
    assert idp.hits()["instance_discovery"] == 1  # msal looks up authority aliases after a token error


@pytest.mark.parametrize("sha256", [False, True], ids=["sha1-thumbprint", "sha256-public-certificate"])
def test_msal_certificate_flow(idp: IdentityServer, sha256: bool) -> None:
    cert = make_certificate("photosync-sharepoint")
    client_id = f"cert-app-{int(sha256)}"
    idp.register_app(client_id, certificate=cert, tenants=[TENANT_ID], roles={GRAPH: ["User.Read.All"]})
    app = msal_app(idp, cert.msal_credential(sha256=sha256), tenant=TENANT_ID, client_id=client_id)
    first = app.acquire_token_for_client([f"{GRAPH}/.default"])
    assert "access_token" in first, first
    claims = idp.validate_access_token(first["access_token"], audience=GRAPH, tenant=TENANT_ID)
    assert claims is not None
    assert claims["appidacr"] == "2" and claims["roles"] == ["User.Read.All"] and claims["idtyp"] == "app"
    assert app.acquire_token_for_client([f"{GRAPH}/.default"])["token_source"] == "cache"
    assert idp.token_requests(client_id) == 1
    assert idp.token_log()[-1].auth == "certificate"


def test_msal_unregistered_certificate_is_refused(idp: IdentityServer) -> None:
    idp.register_app("cert-app-x", certificate=make_certificate(), tenants=[TENANT_ID])
    stranger = make_certificate("stranger")
    result = msal_app(
        idp, stranger.msal_credential(), tenant=TENANT_ID, client_id="cert-app-x"
    ).acquire_token_for_client([f"{GRAPH}/.default"])
    assert result["error"] == "invalid_client" and result["error_codes"] == [700027]


def test_msal_refusals_for_common_authority_and_unknown_app(idp: IdentityServer) -> None:
    with pytest.warns(DeprecationWarning, match="/common or /organizations"):  # msal itself warns too
        common = msal_app(idp, APP_SECRET, tenant="common").acquire_token_for_client([BOT_FRAMEWORK_SCOPE])
    assert common["error_codes"] == [50059]
    unknown = msal_app(idp, "x", client_id="nobody").acquire_token_for_client([BOT_FRAMEWORK_SCOPE])
    assert unknown["error"] == "unauthorized_client" and unknown["error_codes"] == [700016]
    assert idp.token_requests(APP_ID) == 1 and idp.token_requests("nobody") == 1


def test_access_token_validation_rejects_foreign_and_expired_tokens(idp: IdentityServer) -> None:
    good = idp.issue_access_token(APP_ID, "https://api.botframework.com")
    assert idp.validate_access_token(good, audience="https://api.botframework.com") is not None
    assert idp.validate_access_token(good, audience=GRAPH) is None
    assert idp.validate_access_token(good, tenant=TENANT_ID) is None
    now = int(time.time())
    assert idp.validate_access_token(idp.issue_access_token(APP_ID, GRAPH, exp=now - 10)) is None
    channel_token = idp.mint(APP_ID, SERVICE_URL)  # signed by a channel key, not the Entra key
    assert idp.validate_access_token(channel_token) is None
    assert idp.validate_access_token("not-a-jwt") is None


def test_msal_loopback_session_refuses_non_loopback(idp: IdentityServer) -> None:
    session = MsalLoopbackSession(idp.url)
    assert session.trust_env is False
    for url in (
        "https://example.com/",
        "http://localhost:9/",
        "http://10.0.0.1/",
        "https://login.microsoftonline.us/x",
    ):
        with pytest.raises(LoopbackViolation):
            session.get(url)
    assert session.rewrite("https://login.microsoftonline.com/t/oauth2/v2.0/token?x=1") == (
        f"{idp.url}/t/oauth2/v2.0/token?x=1"
    )
    with pytest.raises(LoopbackViolation):  # an authority on a host the session does not map
        msal.ConfidentialClientApplication(
            APP_ID,
            client_credential=APP_SECRET,
            authority="https://login.microsoftonline.us/x",
            http_client=session,
        )


def test_msal_token_endpoint_fault_injection_and_msal_http_cache(idp: IdentityServer) -> None:
    """msal raises MsalServiceError on a 5xx (no error dict) and replays 429/5xx (Retry-After, default 5 s)
    and 400 answers (60 s) from its own HTTP cache, per msal app: the fake sees one request."""
    idp.fail_token_requests(503, times=None)
    app = msal_app(idp, APP_SECRET)
    for _ in range(2):
        with pytest.raises(msal.exceptions.MsalServiceError, match="503"):
            app.acquire_token_for_client([BOT_FRAMEWORK_SCOPE])
    assert idp.token_requests() == 1

    idp.clear_token_faults()
    idp.fail_token_requests(429, times=1, headers={"Retry-After": "30"})
    throttled_app = msal_app(idp, APP_SECRET)
    for _ in range(2):
        throttled = throttled_app.acquire_token_for_client([BOT_FRAMEWORK_SCOPE])
        assert throttled["error"] == "temporarily_unavailable"
    assert idp.token_requests() == 2
    assert [e.status for e in idp.token_log()] == [503, 429]
    # a fresh msal app has a fresh HTTP cache and the fault is used up
    assert "access_token" in msal_app(idp, APP_SECRET).acquire_token_for_client([BOT_FRAMEWORK_SCOPE])


# --------------------------------------------------------------------------- (d) connector
def test_reply_posted_with_httpx_is_recorded(connector: ConnectorServer) -> None:
    assert connector.url.endswith("/amer/")
    conversation, reply_to = quote(CHANNEL_THREAD, safe=""), quote("1:reply-to", safe="")
    url = f"{connector.url}v3/conversations/{conversation}/activities/{reply_to}"
    body = {"type": "message", "text": "Your photo is in sync.", "replyToId": "1:reply-to"}
    response = httpx.post(url, json=body, headers={"Authorization": "Bearer abc"}, trust_env=False)
    assert response.status_code == 201
    new_id = response.json()["id"]

    (call,) = connector.calls()
    assert (call.method, call.route, call.status) == ("POST", "reply", 201)
    assert call.conversation_id == CHANNEL_THREAD and call.activity_id == "1:reply-to"
    assert "%3A" in call.path and "%3B" in call.path and "%40" in call.path  # still encoded on the wire
    assert call.bearer_token == "abc" and call.headers["authorization"] == "Bearer abc"
    assert call.body == body and call.response == {"id": new_id}
    assert [a.text for a in connector.activities()] == ["Your photo is in sync."]


def test_requests_outside_the_prefix_are_recorded_as_unknown(connector: ConnectorServer) -> None:
    wrong = f"{connector.base_url}/v3/conversations/{quote(PERSONAL_CHAT, safe='')}/activities"
    response = httpx.post(wrong, json={"type": "message"}, trust_env=False)
    assert response.status_code == 404
    assert [(c.route, c.status) for c in connector.calls()] == [("unknown", 404)]
    assert connector.activities() == []


def test_fault_injection_by_route_and_conversation(connector: ConnectorServer) -> None:
    connector.fail(429, times=2, route="send", headers={"Retry-After": "1"})
    blocked = "a:blocked-user"
    connector.fail(403, times=None, conversation_id=blocked, body={"error": {"code": "MessageWritesBlocked"}})

    def send(conversation_id: str) -> httpx.Response:
        url = f"{connector.url}v3/conversations/{quote(conversation_id, safe='')}/activities"
        return httpx.post(url, json={"type": "message", "text": "hi"}, trust_env=False)

    first, second, third = send(PERSONAL_CHAT), send(PERSONAL_CHAT), send(PERSONAL_CHAT)
    assert [first.status_code, second.status_code, third.status_code] == [429, 429, 201]
    assert first.headers["Retry-After"] == "1"
    for _ in range(2):
        refused = send(blocked)
        assert refused.status_code == 403
        assert refused.json() == {"error": {"code": "MessageWritesBlocked"}}
    assert len(connector.activities()) == 1
    assert [c.status for c in connector.calls(conversation_id=blocked)] == [403, 403]


def test_expected_token_check(idp: IdentityServer) -> None:
    def check(token: str) -> bool:
        return idp.validate_access_token(token, audience="https://api.botframework.com") is not None

    with ConnectorServer(expected_token_check=check) as server:
        url = f"{server.url}v3/conversations/{quote(PERSONAL_CHAT, safe='')}/activities"
        body = {"type": "message", "text": "hi"}
        assert httpx.post(url, json=body, trust_env=False).status_code == 401
        foreign = idp.issue_access_token(APP_ID, GRAPH)
        denied = httpx.post(url, json=body, headers={"Authorization": f"Bearer {foreign}"}, trust_env=False)
        assert denied.status_code == 401
        assert denied.json() == {"message": "Authorization has been denied for this request."}
        good = idp.issue_access_token(APP_ID, "https://api.botframework.com")
        accepted = httpx.post(url, json=body, headers={"Authorization": f"Bearer {good}"}, trust_env=False)
        assert accepted.status_code == 201
        assert [c.status for c in server.calls()] == [401, 401, 201]


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_rate_limits_per_conversation() -> None:
    clock = FakeClock()
    with (
        ConnectorServer(enforce_rate_limits=True, clock=clock) as server,
        httpx.Client(trust_env=False) as http,
    ):
        url = f"{server.url}v3/conversations/{quote(PERSONAL_CHAT, safe='')}/activities"

        def send() -> httpx.Response:
            return http.post(url, json={"type": "message", "text": "x"})

        assert [send().status_code for _ in range(8)] == [201] * 7 + [429]  # 7 per 1 s
        assert server.violation_count == 1
        (violation,) = server.violations()
        assert (violation.scope, violation.window, violation.limit) == ("conversation", 1.0, 7)
        assert server.calls()[-1].headers is not None
        clock.now += 1.01
        assert send().status_code == 201  # 8th within 2 s is still allowed
        clock.now += 0.01
        throttled = send()
        assert throttled.status_code == 429  # 8 per 2 s
        assert int(throttled.headers["Retry-After"]) >= 1
        assert server.violations()[-1].window == 2.0
        other = f"{server.url}v3/conversations/{quote(CHANNEL_THREAD, safe='')}/activities"
        assert http.post(other, json={"type": "message"}).status_code == 201  # other thread unaffected
        assert len(server.activities()) == 9


def test_rate_limit_per_app() -> None:
    clock = FakeClock()
    with (
        ConnectorServer(enforce_rate_limits=True, clock=clock) as server,
        httpx.Client(trust_env=False) as http,
    ):
        statuses = [
            http.post(
                f"{server.url}v3/conversations/a:user-{i}/activities", json={"type": "message"}
            ).status_code
            for i in range(51)
        ]
        assert statuses == [201] * 50 + [429]
        assert [(v.scope, v.limit) for v in server.violations()] == [("app", 50)]
        clock.now += 1.0
        assert http.post(f"{server.url}v3/conversations/a:user-0/activities", json={}).status_code == 201


def test_rate_limits_are_off_by_default(connector: ConnectorServer) -> None:
    with httpx.Client(trust_env=False) as http:
        url = f"{connector.url}v3/conversations/{quote(PERSONAL_CHAT, safe='')}/activities"
        assert {http.post(url, json={"type": "message"}).status_code for _ in range(20)} == {201}
    assert connector.violation_count == 0


async def test_wait_for_activities_does_not_block_the_loop(connector: ConnectorServer) -> None:
    url = f"{connector.url}v3/conversations/{quote(PERSONAL_CHAT, safe='')}/activities"
    async with httpx.AsyncClient(trust_env=False) as http:

        async def later() -> None:
            await asyncio.sleep(0)  # let the wait start first
            await http.post(url, json={"type": "message", "text": "one"})
            await http.post(url, json={"type": "message", "text": "two"})

        sender = asyncio.create_task(later())  # runs on this loop: proves wait_for_activities yields
        got = await connector.wait_for_activities(2, timeout=5)
        await sender
    assert [a.text for a in got] == ["one", "two"]
    with pytest.raises(TimeoutError):
        await connector.wait_for_activities(3, timeout=0.05)


def test_members_and_teams_routes(connector: ConnectorServer) -> None:
    member = {"id": "29:1user", "name": "Ada", "aadObjectId": "00000000-0000-0000-0000-0000000000a1"}
    connector.set_members(PERSONAL_CHAT, [member])
    connector.set_team(
        "19:team@thread.tacv2", name="Photos", channels=[{"id": "19:c2@thread.tacv2", "name": "Ops"}]
    )
    conv = quote(PERSONAL_CHAT, safe="")
    with httpx.Client(base_url=connector.url, trust_env=False) as http:
        assert http.get(f"v3/conversations/{conv}/members").json() == [member]
        assert http.get(f"v3/conversations/{conv}/members/{member['aadObjectId']}").json() == member
        missing = http.get(f"v3/conversations/{conv}/members/29:nobody")
        assert missing.status_code == 404
        assert missing.json()["error"]["code"] == "MemberNotFoundInConversation"
        paged = http.get(f"v3/conversations/{conv}/pagedmembers", params={"pageSize": 1}).json()
        assert paged == {"members": [member], "continuationToken": None}
        channels = http.get(f"v3/teams/{quote('19:team@thread.tacv2', safe='')}/conversations").json()
        assert [c["name"] for c in channels["conversations"]] == [None, "Ops"]
        created = http.post("v3/conversations", json={"isGroup": False, "members": [{"id": "29:1user"}]})
        assert created.status_code == 201 and created.json()["id"].startswith("a:")
    assert [c.route for c in connector.calls()] == [
        "members",
        "member",
        "member",
        "paged_members",
        "team_conversations",
        "create_conversation",
    ]


async def test_botframework_connector_client_with_fake_tokens(idp: IdentityServer) -> None:
    """botframework's own ConnectorClient + MicrosoftAppCredentials (sharing one msal app that talks to the
    fake) against the fake connector, which checks the bearer token: URL building with the prefix, id
    encoding, token reuse."""

    def check(token: str) -> bool:
        claims = idp.validate_access_token(token, audience="https://api.botframework.com")
        return claims is not None and claims["appid"] == APP_ID

    credentials = MicrosoftAppCredentials(APP_ID, APP_SECRET)
    assert credentials.oauth_endpoint == "https://login.microsoftonline.com/botframework.com"
    credentials.app = msal_app(idp, APP_SECRET)  # what a credentials factory should do once per authority

    with ConnectorServer(expected_token_check=check) as server:
        server.set_members(CHANNEL_THREAD, [{"id": "29:1user", "name": "Ada"}])
        async with ConnectorClient(credentials, base_url=server.url) as client:
            reply = Activity(type="message", text="done", reply_to_id="1:incoming")
            sent = await client.conversations.reply_to_activity(CHANNEL_THREAD, "1:incoming", reply)
            again = await client.conversations.send_to_conversation(
                CHANNEL_THREAD, Activity(type="message", text="again")
            )
            member = await client.conversations.get_conversation_member(CHANNEL_THREAD, "29:1user")
        calls = server.calls()
    assert [c.route for c in calls] == ["reply", "send", "member"]
    assert all(c.status in (200, 201) for c in calls), [(c.route, c.status) for c in calls]
    assert calls[0].path.startswith("/amer/v3/conversations/19%3A")
    assert calls[0].conversation_id == CHANNEL_THREAD and calls[0].activity_id == "1:incoming"
    assert calls[0].body["text"] == "done" and sent.id == calls[0].response["id"]
    assert again.id and member.name == "Ada"
    assert idp.token_requests(APP_ID, BOT_FRAMEWORK_SCOPE) == 1  # three calls, one token


def test_update_delete_and_injected_latency(connector: ConnectorServer) -> None:
    activity = f"v3/conversations/{quote(CHANNEL_THREAD, safe='')}/activities/{quote('1:card', safe='')}"
    connector.delay(0.2, route="update")
    with httpx.Client(base_url=connector.url, trust_env=False) as http:
        started = time.monotonic()
        updated = http.put(activity, json={"type": "message", "text": "refreshed card"})
        assert time.monotonic() - started >= 0.2
        assert (updated.status_code, updated.json()) == (200, {"id": "1:card"})
        assert http.delete(activity).status_code == 200
    update, delete = connector.calls()
    assert (update.route, update.activity_id, update.text) == ("update", "1:card", "refreshed card")
    assert (delete.route, delete.body, delete.response) == ("delete", None, None)
    assert [a.route for a in connector.activities()] == ["update"]
