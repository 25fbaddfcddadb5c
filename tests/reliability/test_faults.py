"""Faults: Graph/SharePoint, the Bot Connector and the database fail; users get honest cards, never a 500,
and the bot recovers by itself once the fault is gone (no restart, no operator).

Graph faults come from the demo Graph/SharePoint server's fault injector (the same wire formats); connector
faults from tests/fakes/connector.py; the database outage is a real PostgreSQL behind a loopback TCP proxy
that is cut (every connection reset, new ones refused) and restored.
"""

from __future__ import annotations

import itertools
import time
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.app import create_app
from tests.cardtools import actions, card_kind
from tests.fakes.connector import ConnectorServer
from tests.fakes.identity import IdentityServer
from tests.integration.conftest import ADELE, MEGAN, TeamsWorld, _postgres_url, make_settings

from .tcpproxy import TcpProxy

ALL = r"."  # every Graph and SharePoint route (demo server patterns search 'METHOD /path')
GRAPH_FAULTS: dict[str, dict[str, Any]] = {
    "graph_429_storm": {"pattern": ALL, "status": 429, "retry_after": 0.2},
    "graph_503": {"pattern": ALL, "status": 503},
    "graph_500_no_retry_after": {"pattern": ALL, "status": 500},
    "graph_timeout": {"pattern": ALL, "status": None, "delay_s": 6.0},  # > the 2 s budget of the tests
    "graph_connection_reset": {"pattern": ALL, "reset": True},
    "graph_malformed_json": {"pattern": ALL, "status": 200, "body": b"{not json"},
    "graph_truncated_json": {
        "pattern": ALL,
        "status": 200,
        "body": b'{"responses": [{"id": "1", "status": 200, "bo',
    },
    "sharepoint_503": {"pattern": r" /sp/", "status": 503},
    "batch_item_429": {"pattern": r"GET /v1\.0/users/[^/]+/photo$", "status": 429, "retry_after": 0.2},
}


async def reply(world: TeamsWorld, n: int = 1) -> dict[str, Any]:
    """The n-th card the bot sent (a generous wait: these tests share 2 cores with other suites)."""
    sent = await world.connector.wait_for_activities(n, timeout=60)
    return sent[n - 1].activity["attachments"][0]["content"]  # type: ignore[index]


def verbs(card: dict[str, Any]) -> list[str]:
    return [str(a.get("verb") or (a.get("data") or {}).get("action")) for a in actions(card)]


@pytest.mark.parametrize("fault", GRAPH_FAULTS, ids=list(GRAPH_FAULTS))
async def test_graph_faults_give_an_honest_card_and_the_bot_recovers(
    world: TeamsWorld, fault: str, figures: Callable[..., None]
) -> None:
    spec = dict(GRAPH_FAULTS[fault])
    world.graph_state.faults.add(spec.pop("pattern"), times=None, **spec)
    started = time.monotonic()
    response = await world.post(world.activity(ADELE, "why is my photo old?"))
    assert response.status == 200
    card = await reply(world)
    answered_s = time.monotonic() - started
    assert card_kind(card) == "error"  # "I couldn't check right now — try again later"
    assert "diagnose" in verbs(card)  # with a Try again button

    click = await world.post(world.invoke(ADELE, "diagnose", {"userId": ADELE}))  # "Try again"
    assert click.status == 200
    assert card_kind((await click.json())["value"]) == "error"  # still honest while the fault lasts
    assert world.graph_state.counters.photo_puts.get(ADELE, 0) == 0

    world.graph_state.faults.clear()  # the fault goes away: the very next question works, no restart
    assert (await world.post(world.activity(ADELE, "why is my photo old?"))).status == 200
    assert card_kind(await reply(world, 2)) == "diagnosis"
    figures(fault=fault, first_answer_s=round(answered_s, 2), card=card_kind(card), recovered=True)


CONNECTOR_FAULTS = {
    "connector_429_storm": {"status": 429, "headers": {"Retry-After": "0"}},
    "connector_412": {"status": 412},
    "connector_502": {"status": 502},
    "connector_503": {"status": 503},
    "connector_500": {"status": 500},
}


@pytest.mark.parametrize("fault", CONNECTOR_FAULTS, ids=list(CONNECTOR_FAULTS))
async def test_connector_faults_never_500_and_the_bot_recovers(
    world: TeamsWorld, fault: str, figures: Callable[..., None]
) -> None:
    spec = CONNECTOR_FAULTS[fault]
    world.connector.fail(spec["status"], times=None, route="reply", headers=spec.get("headers"))
    response = await world.post(world.activity(ADELE, "why is my photo old?"))
    assert response.status == 200  # the turn itself is fine; only the reply could not be delivered
    tries = len(world.connector.calls(route="reply"))
    assert tries >= 2  # retried (429/412/5xx are retryable), then given up: bounded
    world.connector.clear_faults()
    assert (await world.post(world.activity(ADELE, "why is my photo old?"))).status == 200
    card = await reply(world)
    assert card_kind(card) == "diagnosis"
    figures(fault=fault, reply_attempts_while_failing=tries, recovered=True)


async def test_connector_recovers_mid_retry(world: TeamsWorld) -> None:
    world.connector.fail(429, times=2, route="reply", headers={"Retry-After": "0"})
    assert (await world.post(world.activity(ADELE, "why is my photo old?"))).status == 200
    assert card_kind(await reply(world)) == "diagnosis"  # the third try went through
    assert [c.status for c in world.connector.calls(route="reply")] == [429, 429, 201]


# ----------------------------------------------------------------------------------------- database


@pytest.fixture
async def pg_behind_proxy() -> AsyncIterator[tuple[str, TcpProxy]]:
    url = _postgres_url()
    if not url:
        pytest.skip("PostgreSQL: set PHOTOSYNC_TEST_POSTGRES_URL (CI sets it)")
    import asyncpg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    admin_dsn = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"photosync_rel_{uuid.uuid4().hex[:10]}"  # own database: other suites share `test`
    conn = await asyncpg.connect(admin_dsn)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    with TcpProxy(parsed.host or "127.0.0.1", parsed.port or 5432) as proxy:
        yield (
            parsed.set(host="127.0.0.1", port=proxy.port, database=name).render_as_string(
                hide_password=False
            ),
            proxy,
        )
    conn = await asyncpg.connect(admin_dsn)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.mark.postgres
async def test_database_cut_and_restored_honest_cards_then_recovery(
    aiohttp_client: Any,
    tmp_path: Path,
    identity: IdentityServer,
    connector: ConnectorServer,
    pg_behind_proxy: tuple[str, TcpProxy],
    figures: Callable[..., None],
) -> None:
    url, proxy = pg_behind_proxy
    settings = make_settings(tmp_path, identity, PHOTOSYNC_DATABASE_URL=url)
    client = await aiohttp_client(create_app(settings, msal_http_client=identity.msal_session()))
    world = TeamsWorld(client, identity, connector, itertools.count(1))
    assert (await world.post(world.activity(ADELE, "why is my photo old?"))).status == 200
    assert card_kind(await reply(world)) == "diagnosis"
    assert (await client.get("/readyz")).status == 200

    proxy.cut()  # the database goes away: open connections reset, new ones refused
    assert (await client.get("/readyz")).status == 503
    statuses = []
    for user in (MEGAN, ADELE):
        response = await world.post(world.activity(user, "why is my photo old?"))
        statuses.append(response.status)
    click = await world.post(world.invoke(ADELE, "diagnose", {"userId": ADELE}))
    statuses.append(click.status)
    assert all(s == 200 for s in statuses), statuses
    outage_cards = [c.activity["attachments"][0]["content"] for c in world.connector.activities()[1:]]  # type: ignore[index]
    # Megan (never asked before): honest "couldn't answer, try again"; Adele: her state is still in the
    # profile cache (60 s), so she gets her real answer without the database
    assert [card_kind(c) for c in outage_cards] == ["error", "diagnosis"]
    assert card_kind((await click.json())["value"]) == "diagnosis"  # the cached state answers the click too

    proxy.restore()
    restored = time.monotonic()
    assert (await client.get("/readyz")).status == 200
    assert (await world.post(world.activity(MEGAN, "why is my photo old?"))).status == 200
    assert card_kind(await reply(world, 4)) == "diagnosis"
    recovered_s = time.monotonic() - restored
    stop = await world.post(world.invoke(ADELE, "stopNotices", {}))  # a write to the database works again
    assert card_kind((await stop.json())["value"]) == "optout-result"
    figures(outage_statuses=statuses, refused_connections=proxy.refused, recovered_s=round(recovered_s, 2))
