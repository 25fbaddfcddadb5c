"""The token attack table of docs/RELIABILITY.md: every row is a real signed (or forged) JWT sent over HTTP to
the bot, and every attack must get 401 with no reply, no Graph call and no state change. Two control rows
(a valid token, a token expired within the 300 s clock-skew leeway) must get 200, so the table cannot pass by
refusing everything.

`TABLE` is the parameter list of the test *and* the source of the table in the doc
(`python -m bench.reliability --auth-table` prints it).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import jwt
import pytest

from tests.fakes.identity import ATTACKS, BOT_FRAMEWORK_ISSUER, IdentityServer, _json_b64, b64url
from tests.integration.conftest import ADELE, APP_ID, TeamsWorld

Minter = Callable[[IdentityServer, str], str]  # (identity, service_url) -> token


def _real_key(identity: IdentityServer):  # type: ignore[no-untyped-def]
    return identity._key(None)  # the published, msteams-endorsed signing key


def _signed(
    identity: IdentityServer, claims: dict, *, alg: str = "RS256", headers: dict | None = None
) -> str:  # type: ignore[type-arg]
    key = _real_key(identity)
    return jwt.encode(claims, key.private_key, algorithm=alg, headers={"kid": key.kid, **(headers or {})})


def _claims(identity: IdentityServer, service_url: str, **overrides: object) -> dict:  # type: ignore[type-arg]
    """Valid channel claims for our app; `overrides` replace claims, None removes one (`channel_claims` rules)."""
    return identity.channel_claims(APP_ID, service_url, **overrides)


def _embedded_jwk(identity: IdentityServer, service_url: str) -> str:
    # CVE-2018-0114 style: the token carries its own (attacker) public key in the header
    attacker = identity._attacker_key
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(attacker.public_key()))
    return jwt.encode(
        _claims(identity, service_url),
        attacker,
        algorithm="RS256",
        headers={"kid": _real_key(identity).kid, "jwk": jwk},
    )


def _jku(identity: IdentityServer, service_url: str) -> str:
    # header points at an attacker-controlled key set
    return jwt.encode(
        _claims(identity, service_url),
        identity._attacker_key,
        algorithm="RS256",
        headers={"kid": "attacker", "jku": "http://127.0.0.1:9/keys"},
    )


def _signature_stripped(identity: IdentityServer, service_url: str) -> str:
    token = identity.mint(APP_ID, service_url)
    return token.rsplit(".", 1)[0] + "."


def _claims_swapped(identity: IdentityServer, service_url: str) -> str:
    # a valid signature for *other* claims: header.payload of one token, signature of another
    other = identity.mint(APP_ID, service_url, serviceurl="https://smba.evil.invalid/")
    good = identity.mint(APP_ID, service_url)
    return ".".join([*good.split(".")[:2], other.split(".")[2]])


def _no_kid(identity: IdentityServer, service_url: str) -> str:
    key = _real_key(identity)
    return jwt.encode(_claims(identity, service_url), key.private_key, algorithm="RS256")


def _none_lowercase_alg(identity: IdentityServer, service_url: str) -> str:
    head = _json_b64({"alg": "NONE", "typ": "JWT", "kid": _real_key(identity).kid})
    return f"{head}.{_json_b64(_claims(identity, service_url))}."


def _payload_not_json(identity: IdentityServer, service_url: str) -> str:
    head = _json_b64({"alg": "RS256", "typ": "JWT", "kid": _real_key(identity).kid})
    return f"{head}.{b64url(b'not json')}.{b64url(b'x' * 256)}"


def _replayed_other_bot(identity: IdentityServer, service_url: str) -> str:
    # a genuine token Teams minted for *another* bot, replayed at ours with the same serviceUrl
    return identity.mint("0f0f0f0f-1111-2222-3333-444444444444", service_url)


def _fake(name: str) -> Minter:
    return lambda identity, service_url: identity.mint_attack(name, APP_ID, service_url)


# (name, what it is, minter, expected status)
TABLE: list[tuple[str, str, Minter, int]] = [
    *((name, text, _fake(name), 401) for name, text in ATTACKS.items()),
    (
        "replayed_for_another_bot",
        "genuine token of another bot (same channel, same serviceUrl) replayed",
        _replayed_other_bot,
        401,
    ),
    ("alg_NONE_uppercase", "alg=NONE (case variant of none), no signature", _none_lowercase_alg, 401),
    (
        "rs512_real_key",
        "signed by the real key but with RS512 (only RS256 allowed)",
        lambda i, s: _signed(i, _claims(i, s), alg="RS512"),
        401,
    ),
    (
        "ps256_real_key",
        "signed by the real key with PS256",
        lambda i, s: _signed(i, _claims(i, s), alg="PS256"),
        401,
    ),
    ("no_kid", "correct signature, no kid header", _no_kid, 401),
    ("embedded_jwk", "attacker key embedded in the header (jwk), real kid", _embedded_jwk, 401),
    ("jku_header", "attacker key set named in the header (jku)", _jku, 401),
    ("signature_stripped", "valid token with its signature removed", _signature_stripped, 401),
    (
        "signature_from_other_token",
        "header.payload of one token with the signature of another",
        _claims_swapped,
        401,
    ),
    ("missing_exp", "no exp claim", lambda i, s: _signed(i, _claims(i, s, exp=None)), 401),
    ("missing_aud", "no aud claim", lambda i, s: _signed(i, _claims(i, s, aud=None)), 401),
    ("missing_iss", "no iss claim", lambda i, s: _signed(i, _claims(i, s, iss=None)), 401),
    (
        "aud_list_without_ours",
        "aud is a list naming another app only",
        lambda i, s: _signed(i, _claims(i, s, aud=["other-app"])),
        401,
    ),
    (
        "iss_prefix",
        "iss = https://api.botframework.com.evil (prefix match)",
        lambda i, s: _signed(i, _claims(i, s, iss=BOT_FRAMEWORK_ISSUER + ".evil")),
        401,
    ),
    (
        "serviceurl_case",
        "serviceurl differs only in letter case",
        lambda i, s: _signed(i, _claims(i, s, serviceurl=s.upper())),
        401,
    ),
    (
        "expired_beyond_leeway",
        "exp 301 s ago (leeway is 300 s)",
        lambda i, s: _signed(i, _claims(i, s, exp=int(time.time()) - 310, nbf=int(time.time()) - 3600)),
        401,
    ),
    ("payload_not_json", "payload segment is not JSON", _payload_not_json, 401),
    (
        "oversized",
        "an 8 KB token of garbage (the HTTP parser itself refuses headers over 8 KB with 400)",
        lambda i, s: "e" + "A" * 8000,
        401,
    ),
    # controls: must be accepted, so the table cannot pass by refusing everything
    (
        "control_valid",
        "CONTROL: a genuine token for this bot and serviceUrl",
        lambda i, s: i.mint(APP_ID, s),
        200,
    ),
    (
        "control_expired_within_leeway",
        "CONTROL: exp 120 s ago (inside the 300 s leeway)",
        lambda i, s: _signed(i, _claims(i, s, exp=int(time.time()) - 120, nbf=int(time.time()) - 3600)),
        200,
    ),
]


@pytest.mark.parametrize(("name", "what", "mint", "expected"), TABLE, ids=[row[0] for row in TABLE])
async def test_token_attack_table(
    world: TeamsWorld, name: str, what: str, mint: Minter, expected: int, figures: Callable[..., None]
) -> None:
    token = mint(world.identity, world.connector.url)
    response = await world.post(world.activity(ADELE, "why is my photo old?"), token=token)
    assert response.status == expected, f"{name}: {what}"
    if expected == 401:
        assert world.connector.calls() == []
        assert world.graph_state.counters.batch_requests == 0
        assert sum(world.graph_state.counters.requests.values()) == 0
        body = await response.text()
        assert token[:40] not in body
    else:
        await world.connector.wait_for_activities(1, timeout=60)
    figures(row=name, status=response.status)


def markdown_table() -> str:
    """The doc's table, from TABLE itself."""
    lines = ["| # | token | what it is | expected |", "| --- | --- | --- | --- |"]
    for n, (name, what, _, expected) in enumerate(TABLE, 1):
        lines.append(f"| {n} | `{name}` | {what} | {expected} |")
    return "\n".join(lines)
