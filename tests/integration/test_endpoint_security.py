"""Every token failure is a 401; malformed requests are 4xx; nothing yields a 500; no reply leaks."""

from __future__ import annotations

import itertools
import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.app import create_app
from bot.logs import JsonFormatter
from tests.clock import FakeClock
from tests.fakes.connector import ConnectorServer
from tests.fakes.identity import ATTACKS, IdentityServer

from .conftest import ADELE, APP_ID, TeamsWorld, make_settings


@pytest.mark.parametrize("attack", ATTACKS)
async def test_token_attacks_get_401_and_no_reply(world: TeamsWorld, attack: str) -> None:
    token = world.identity.mint_attack(attack, APP_ID, world.connector.url)
    response = await world.post(world.activity(ADELE, "why is my photo old?"), token=token)
    assert response.status == 401
    assert world.connector.calls() == []
    assert world.graph_state.counters.batch_requests == 0


@pytest.mark.parametrize(
    "header",
    [None, "", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "bearer x.y.z", "Bearer " + "a" * 8000],
)
async def test_missing_or_broken_authorization_header_gets_401(world: TeamsWorld, header: str | None) -> None:
    headers = {} if header is None else {"Authorization": header}
    response = await world.client.post("/api/messages", json=world.activity(ADELE, "hi"), headers=headers)
    assert response.status == 401


async def test_token_for_another_service_url_gets_401(world: TeamsWorld) -> None:
    body = world.activity(ADELE, "hi")
    token = world.identity.mint(APP_ID, "https://smba.trafficmanager.net/amer/")
    assert (await world.post(body, token=token)).status == 401


async def test_unknown_kids_refresh_keys_at_most_once_per_interval(world: TeamsWorld) -> None:
    assert (await world.post(world.activity(ADELE, "help"))).status == 200
    validator = world.runtime.endpoint.validator
    assert validator is not None
    before = world.identity.keys_requests
    for _ in range(20):
        token = world.identity.mint_attack("unknown_kid", APP_ID, world.connector.url)
        assert (await world.post(world.activity(ADELE, "help"), token=token)).status == 401
    assert world.identity.keys_requests - before <= 1


async def _token_signed_by_a_new_key(world: TeamsWorld) -> tuple[str, str]:
    """A key the channel just added (the bot has not seen it yet), and a token signed with it: (kid, token)."""
    validator = world.runtime.endpoint.validator
    assert validator is not None
    validator.min_refresh_interval_s = 0  # production waits 30 s between refreshes triggered by unknown kids
    kid = world.identity.add_key()
    return kid, world.identity.mint(APP_ID, world.connector.url, kid=kid)


async def test_rotated_signing_key_is_picked_up(world: TeamsWorld) -> None:
    assert (await world.post(world.activity(ADELE, "help"))).status == 200
    _, token = await _token_signed_by_a_new_key(world)
    assert (await world.post(world.activity(ADELE, "help"), token=token)).status == 200


async def test_a_verified_token_is_checked_cryptographically_once(world: TeamsWorld) -> None:
    validator = world.runtime.endpoint.validator
    assert validator is not None
    token = world.identity.mint(APP_ID, world.connector.url)
    before = validator.signature_checks
    for _ in range(5):
        assert (await world.post(world.activity(ADELE, "help"), token=token)).status == 200
    assert validator.signature_checks - before == 1
    other = world.identity.mint(APP_ID, world.connector.url, jti="another")  # a different token text
    assert (await world.post(world.activity(ADELE, "help"), token=other)).status == 200
    assert validator.signature_checks - before == 2


async def test_a_remembered_token_is_still_held_to_the_activity(world: TeamsWorld) -> None:
    """Remembering a verified token skips only the token-alone checks: serviceUrl and channel still count."""
    token = world.identity.mint(APP_ID, world.connector.url)
    assert (await world.post(world.activity(ADELE, "help"), token=token)).status == 200
    moved = world.activity(ADELE, "help")
    moved["serviceUrl"] = "https://smba.trafficmanager.net/amer/"
    assert (await world.post(moved, token=token)).status == 401
    other_channel = world.activity(ADELE, "help")
    other_channel["channelId"] = "webchat"  # the key is endorsed for msteams only
    assert (await world.post(other_channel, token=token)).status == 401
    assert (await world.post(world.activity(ADELE, "help"), token=token)).status == 200
    assert [c.method for c in world.connector.calls()].count("POST") == 2


async def test_a_remembered_token_expires_with_its_leeway(
    aiohttp_client: Any, tmp_path: Path, identity: IdentityServer, connector: ConnectorServer
) -> None:
    """The validator reads the app's clock: a remembered verdict ends at exp + 300 s leeway, to the second."""
    clock = FakeClock(datetime.now(UTC).replace(microsecond=0))
    app = create_app(make_settings(tmp_path, identity), clock=clock, msal_http_client=identity.msal_session())
    world = TeamsWorld(await aiohttp_client(app), identity, connector, itertools.count(1))
    now = int(clock().timestamp())
    token = world.identity.mint(APP_ID, world.connector.url, iat=now - 3600, nbf=now - 3600, exp=now)
    assert (await world.post(world.activity(ADELE, "help"), token=token)).status == 200
    clock.advance(299)
    assert (await world.post(world.activity(ADELE, "help"), token=token)).status == 200  # remembered
    clock.advance(1)
    assert (await world.post(world.activity(ADELE, "help"), token=token)).status == 401


async def test_a_key_removed_from_the_jwks_ends_its_remembered_tokens(world: TeamsWorld) -> None:
    kid, token = await _token_signed_by_a_new_key(world)
    assert (await world.post(world.activity(ADELE, "help"), token=token)).status == 200
    world.identity.publish_key(kid, False)  # the channel retires the key ...
    unknown = world.identity.mint_attack("unknown_kid", APP_ID, world.connector.url)
    assert (await world.post(world.activity(ADELE, "help"), token=unknown)).status == 401  # ... we refresh
    assert (await world.post(world.activity(ADELE, "help"), token=token)).status == 401


@pytest.mark.parametrize(
    ("content_type", "data", "status"),
    [
        ("text/plain", b'{"type":"message"}', 415),
        ("application/x-www-form-urlencoded", b"type=message", 415),
        ("application/json", b"{not json", 400),
        ("application/json", b"", 400),
        ("application/json", b"\xff\xfe\x00", 400),
        ("application/json", b"[]", 400),
        ("application/json", b'"a string"', 400),
        ("application/json", b"null", 400),
        ("application/json", b'{"type": 5}', 400),
        ("application/json", b'{"type": "message"}', 400),
        (
            "application/json",
            b'{"type": "message", "serviceUrl": "ftp://x", "conversation": {"id": "c"}}',
            400,
        ),
        ("application/json", b'{"type": "message", "serviceUrl": "https://x/", "conversation": "c"}', 400),
    ],
)
async def test_malformed_requests_get_4xx(
    world: TeamsWorld, content_type: str, data: bytes, status: int
) -> None:
    response = await world.post(None, data=data, headers={"Content-Type": content_type})
    assert response.status == status


async def test_oversized_body_gets_413(world: TeamsWorld) -> None:
    body = world.activity(ADELE, "x" * (world.runtime.settings.max_body_bytes + 10))
    response = await world.post(body)
    assert response.status == 413


async def test_deeply_nested_body_gets_400(world: TeamsWorld) -> None:
    nested: object = "x"
    for _ in range(200):
        nested = {"a": nested}
    body = world.activity(ADELE, "hi", channelData=nested)
    assert (await world.post(body)).status == 400


@pytest.mark.parametrize(
    "patch",
    [
        {"text": 12},
        {"from": "someone"},
        {"entities": {"type": "mention"}},
        {"locale": ["nl"]},
    ],
)
async def test_wrongly_typed_fields_get_400(world: TeamsWorld, patch: dict[str, object]) -> None:
    body = world.activity(ADELE, "hi")
    body.update(patch)
    assert (await world.post(body)).status == 400


async def test_unknown_activity_types_and_entities_are_ignored(world: TeamsWorld) -> None:
    assert (await world.post(world.activity(ADELE, None, type="somethingNew"))).status == 200
    assert (await world.post(world.activity(ADELE, None, type="typing"))).status == 200
    body = world.activity(
        ADELE,
        "why is my photo old?",
        entities=[
            {"type": "clientInfo", "locale": "en-US", "timezone": "Europe/Amsterdam"},
            {"type": "weird/unknown", "payload": {"x": [1, 2, 3]}},
            {"type": "mention"},  # a mention without mentioned/text (seen from Copilot)
        ],
    )
    assert (await world.post(body)).status == 200
    await world.reply_card()


@pytest.mark.parametrize(
    "value",
    [
        None,
        "string",
        {"action": "nope"},
        {"action": {"type": "Action.Execute"}},
        {"action": {"type": "Action.Execute", "verb": "deleteEverything", "data": {}}},
        {"action": {"type": "Action.Execute", "verb": "resyncPhoto", "data": "not a dict"}},
        {"action": {"type": "Action.Execute", "verb": "resyncPhoto", "data": {"userId": 12}}},
    ],
)
async def test_hostile_invokes_never_500(world: TeamsWorld, value: object) -> None:
    body = world.activity(ADELE, None, type="invoke", name="adaptiveCard/action", value=value)
    response = await world.post(body)
    assert response.status < 500
    assert world.graph_state.counters.photo_puts.get(ADELE, 0) <= 1


async def test_unknown_invoke_name_is_not_a_500(world: TeamsWorld) -> None:
    body = world.activity(ADELE, None, type="invoke", name="composeExtension/query", value={})
    assert (await world.post(body)).status < 500


async def test_secrets_never_reach_the_logs(world: TeamsWorld, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")
    token = world.token()
    await world.post(world.activity(ADELE, "why is my photo old?"), token=token)
    await world.post(
        world.activity(ADELE, "x"), token=world.identity.mint_attack("expired", APP_ID, world.connector.url)
    )
    await world.reply_card()
    text = "\n".join(r.getMessage() + json.dumps(vars(r), default=str) for r in caplog.records)
    assert token not in text
    assert token.split(".")[2] not in text
    assert world.runtime.settings.app_password.get_secret_value() not in text
    assert world.runtime.settings.redacted()["app_password"] == "***"


async def test_every_turn_logs_a_correlation_id(world: TeamsWorld) -> None:
    """A request without x-ms-correlation-id gets a fresh id (unique per turn); one that brings it keeps it."""
    lines: list[dict[str, object]] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(json.loads(self.format(record)))

    handler = Collect(level=logging.INFO)
    handler.setFormatter(JsonFormatter())
    endpoint_log = logging.getLogger("bot.teams.endpoint")
    endpoint_log.addHandler(handler)
    level = endpoint_log.level
    endpoint_log.setLevel(logging.INFO)
    try:
        for n in range(3):
            assert (await world.post(world.activity(ADELE, f"hello {n}"))).status == 200
        given = {"x-ms-correlation-id": "from-the-channel-42"}
        assert (await world.post(world.activity(ADELE, "hello"), headers=given)).status == 200
    finally:
        endpoint_log.removeHandler(handler)
        endpoint_log.setLevel(level)
    ids = [line.get("correlation_id") for line in lines if line["msg"] == "turn"]
    assert len(ids) == 4
    assert ids[3] == "from-the-channel-42"
    made = ids[:3]
    assert all(isinstance(i, str) and len(i) == 16 for i in made), made
    assert len(set(made)) == 3
