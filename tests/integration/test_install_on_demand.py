"""Install on demand: a drifted user who never chatted with the bot gets the notice in the chat of a fresh
app installation (Graph installedApps), the chat is stored, and later scans use it without reinstalling."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.app import create_app
from bot.services.scan import DriftScanner

from .conftest import ADELE, APP_ID, TeamsWorld, card_kind, make_settings

MANIFEST_ID = "4b0c7a52-8e1d-4f63-b2a9-5c3d1e7f9a08"
INSTALL = "POST /v1.0/users/{id}/teamwork/installedApps"
CHAT = f"19:{ADELE}_{MANIFEST_ID}@unq.gbl.spaces"


async def scan_and_queue(world: TeamsWorld, users: tuple[str, ...] = (ADELE,)) -> Any:
    """Scan only `users` (the demo tenant has several drifted users) and queue their notices."""
    runtime = world.runtime
    scanner = DriftScanner(
        runtime.graph, runtime.sharepoint, runtime.store, runtime.photos.clock, timedelta(hours=24)
    )
    return await runtime.notifier.enqueue(await scanner.scan(list(users)))


async def _world(
    aiohttp_client: Any, tmp_path: Path, identity: Any, connector: Any, **extra: Any
) -> TeamsWorld:
    settings = make_settings(
        tmp_path,
        identity,
        PHOTOSYNC_INSTALL_ON_DEMAND=True,
        PHOTOSYNC_TEAMS_APP_ID=MANIFEST_ID,
        PHOTOSYNC_SERVICE_URL=connector.url,
        **extra,
    )
    client = await aiohttp_client(create_app(settings, msal_http_client=identity.msal_session()))
    return TeamsWorld(client, identity, connector, itertools.count(1))


@pytest.fixture
async def world(
    aiohttp_client: Any, tmp_path: Path, identity: Any, connector: Any
) -> AsyncIterator[TeamsWorld]:
    yield await _world(aiohttp_client, tmp_path, identity, connector)


async def test_never_chatted_user_gets_the_notice_in_the_installation_chat(world: TeamsWorld) -> None:
    result: Any = await scan_and_queue(world)
    assert result.queued == 1 and result.installed == 1 and ADELE not in result.unreachable
    sent = await world.connector.wait_for_activities(1, timeout=15)
    assert sent[0].route == "send" and sent[0].conversation_id == CHAT
    assert card_kind(sent[0].activity["attachments"][0]["content"]) == "notice"  # type: ignore[index]
    assert sent[0].activity["from"]["id"] == f"28:{APP_ID}"  # type: ignore[index]
    counters = world.graph_state.counters.requests
    assert counters[INSTALL] == 1

    stored = await world.runtime.store.personal_conversation(ADELE)
    assert stored is not None and stored.conversation_id == CHAT and stored.conversation_type == "personal"

    # The next scan goes straight to the stored chat: no second install, nothing re-sent for this photo.
    again: Any = await scan_and_queue(world)
    assert again.installed == 0 and again.already_notified == 1
    assert counters[INSTALL] == 1


async def test_already_installed_app_is_found_after_409(world: TeamsWorld) -> None:
    # Installed earlier (e.g. by an admin policy) but no conversation stored: Graph answers 409.
    state = world.graph_state
    from bot.demo.teams_routes import _installation_id, catalog_id

    cid = catalog_id(MANIFEST_ID)
    state.teams_catalog[cid] = MANIFEST_ID
    state.installed_apps[ADELE.lower()] = {cid: _installation_id(ADELE, cid)}
    result: Any = await scan_and_queue(world)
    assert result.queued == 1 and result.installed == 1
    assert state.counters.requests[INSTALL] == 1
    assert state.counters.requests["GET /v1.0/users/{id}/teamwork/installedApps"] == 1
    sent = await world.connector.wait_for_activities(1, timeout=15)
    assert sent[0].conversation_id == CHAT


@pytest.mark.parametrize("status", [403, 404])  # not allowed / the user is gone (left, or no Teams license)
async def test_install_refused_leaves_the_user_unreachable(world: TeamsWorld, status: int) -> None:
    world.graph_state.faults.add(
        r"^POST /v1\.0/users/[^/]+/teamwork/installedApps$", status=status, times=None
    )
    result: Any = await scan_and_queue(world)
    assert result.queued == 0 and result.installed == 0 and ADELE in result.unreachable
    assert await world.runtime.store.personal_conversation(ADELE) is None


async def test_app_missing_from_the_catalog_leaves_the_user_unreachable(world: TeamsWorld) -> None:
    body = b'{"value": []}'
    world.graph_state.faults.add(r"^GET /v1\.0/appCatalogs/teamsApps", status=200, times=None, body=body)
    result: Any = await scan_and_queue(world)
    assert result.queued == 0 and ADELE in result.unreachable
    assert world.graph_state.counters.requests[INSTALL] == 0


async def test_a_user_whose_language_is_unknown_gets_the_organisation_language(
    aiohttp_client: Any, tmp_path: Path, identity: Any, connector: Any
) -> None:
    world = await _world(aiohttp_client, tmp_path, identity, connector, PHOTOSYNC_LOCALE="nl-NL")
    result: Any = await scan_and_queue(world)
    assert result.queued == 1 and result.installed == 1
    sent = await world.connector.wait_for_activities(1, timeout=15)
    card = sent[0].activity["attachments"][0]["content"]  # type: ignore[index]
    assert card_kind(card) == "notice"
    assert "Je foto in SharePoint is verouderd" in str(card)
