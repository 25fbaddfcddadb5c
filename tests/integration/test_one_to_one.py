"""The whole 1:1 flow over loopback: real JWTs in, real Graph/SharePoint wire formats, real connector out."""

from __future__ import annotations

import pytest

from .conftest import (
    ADELE,
    ALEX,
    APP_ID,
    DIEGO,
    ISAIAH,
    JOHANNA,
    LEE,
    LYNNE,
    MEGAN,
    NESTOR,
    PUBLIC_URL,
    TeamsWorld,
    actions,
    card_kind,
    card_text,
)

VERBS = lambda card: {a.get("verb") for a in actions(card) if a["type"] == "Action.Execute"}  # noqa: E731


async def test_why_is_my_photo_old_answers_with_a_diagnosis_card(world: TeamsWorld) -> None:
    body = world.activity(ADELE, "why is my photo old?")
    response = await world.post(body)
    assert response.status == 200
    calls = world.connector.calls(route="reply")
    assert len(calls) == 1
    call = calls[0]
    assert call.conversation_id == body["conversation"]["id"]
    assert call.activity_id == body["id"]  # a reply to the user's message
    card = await world.reply_card()
    assert card_kind(card) == "diagnosis"
    assert "resyncPhoto" not in VERBS(card)  # no Graph re-upload: SharePoint's sync starts with the user
    assert "Demo" in card_text(card)  # demo footer
    open_urls = [a["url"] for a in actions(card) if a["type"] == "Action.OpenUrl"]
    assert any(ADELE in url and "editprofile" in url for url in open_urls)


async def test_dutch_question_gets_a_dutch_card(world: TeamsWorld) -> None:
    await world.post(world.activity(ADELE, "waarom is mijn foto oud?", locale="nl-NL"))
    card = await world.reply_card()
    assert card_kind(card) == "diagnosis"
    text = card_text(card)
    assert "foto" in text.lower() and "SharePoint" in text
    assert "Why" not in text


async def test_dutch_words_without_locale_still_get_dutch(world: TeamsWorld) -> None:
    await world.post(world.activity(ADELE, "waarom is mijn profielfoto verouderd", locale=None))
    card = await world.reply_card()
    assert "foto" in card_text(card).lower()


@pytest.mark.parametrize(
    ("user", "kind", "sync"),
    [
        (ADELE, "diagnosis", True),
        (ALEX, "diagnosis", True),  # within the usual window: starting the sync still helps
        (MEGAN, "diagnosis", False),
        (LEE, "diagnosis", False),
        (ISAIAH, "diagnosis", False),
        (JOHANNA, "diagnosis", False),
        (DIEGO, "diagnosis", False),
        (LYNNE, "diagnosis", True),
        (NESTOR, "error", False),
    ],
)
async def test_every_demo_case(linked_world: TeamsWorld, user: str, kind: str, sync: bool) -> None:
    await linked_world.post(linked_world.activity(user, "my profile picture is outdated"))
    card = await linked_world.reply_card()
    assert card_kind(card) == kind
    links = [a["url"] for a in actions(card) if a["type"] == "Action.OpenUrl" and "/sync/" in a["url"]]
    assert bool(links) is sync
    assert all(url.startswith(f"{PUBLIC_URL}/sync/") for url in links)
    assert "resyncPhoto" not in VERBS(card)


async def test_a_card_offering_the_sync_refreshes_for_its_reader(linked_world: TeamsWorld) -> None:
    """Universal Actions: while starting the sync can help, Teams refreshes the card (a `diagnose`) whenever its
    reader looks at it; the refresh is answered with the current card, and Megan's in-sync card has none."""
    body = linked_world.activity(ADELE, "why is my photo old?")
    await linked_world.post(body)
    card = await linked_world.reply_card()
    assert card["refresh"] == {
        "action": {"type": "Action.Execute", "verb": "diagnose", "data": {"action": "diagnose"}},
        "userIds": [body["from"]["id"]],
    }
    refreshed = linked_world.invoke(ADELE, "diagnose", {"action": "diagnose"})
    refreshed["value"]["trigger"] = "automatic"
    answer = await (await linked_world.post(refreshed)).json()
    assert card_kind(answer["value"]) == "diagnosis" and answer["value"]["refresh"] == card["refresh"]
    await linked_world.post(linked_world.activity(MEGAN, "why is my photo old?"))
    assert "refresh" not in await linked_world.reply_card(n=2)


@pytest.mark.parametrize("user", [ADELE, MEGAN, ISAIAH])
async def test_a_re_sync_click_on_an_older_card_is_answered_with_the_check_and_uploads_nothing(
    linked_world: TeamsWorld, user: str
) -> None:
    """Cards sent before the sync link had a "Re-sync my photo" button: a click gets today's answer (the
    diagnosis, with the sync link where it helps), through Action.Execute and the Action.Submit fallback."""
    etag_before = linked_world.graph_state.user(user).photo.etag
    response = await linked_world.post(linked_world.invoke(user, "resyncPhoto", {"userId": user}))
    payload = await response.json()
    assert payload["statusCode"] == 200 and card_kind(payload["value"]) == "diagnosis"
    body = linked_world.activity(user, None, value={"action": "resyncPhoto", "userId": user})
    assert (await linked_world.post(body)).status == 200
    assert card_kind(await linked_world.reply_card()) == "diagnosis"
    assert linked_world.graph_state.counters.photo_puts.get(user, 0) == 0
    assert linked_world.graph_state.user(user).photo.etag == etag_before


async def test_an_older_re_sync_click_naming_another_user_is_refused_and_audited(world: TeamsWorld) -> None:
    response = await world.post(world.invoke(ADELE, "resyncPhoto", {"userId": MEGAN}))
    payload = await response.json()
    assert card_kind(payload["value"]) == "refused"
    assert "Megan" not in card_text(payload["value"])
    trail = await world.runtime.store.audit_trail(target_id=MEGAN)
    assert [(r.actor_id, r.action, r.outcome) for r in trail] == [(ADELE, "helpdesk_lookup", "refused")]


async def test_installation_sends_a_welcome_card_and_stores_the_reference(world: TeamsWorld) -> None:
    body = world.activity(ALEX, None, type="installationUpdate", action="add")
    assert (await world.post(body)).status == 200
    card = await world.reply_card()
    assert card_kind(card) == "welcome"
    record = await world.runtime.store.personal_conversation(ALEX)
    assert record is not None
    assert record.conversation_id == body["conversation"]["id"]
    assert record.service_url == world.connector.url
    assert record.reference["conversation"]["id"] == body["conversation"]["id"]


@pytest.mark.parametrize(
    ("text", "kind"), [("help", "help"), ("hulp", "help"), ("what's the weather", "unknown")]
)
async def test_help_and_anything_else(world: TeamsWorld, text: str, kind: str) -> None:
    await world.post(world.activity(MEGAN, text))
    assert card_kind(await world.reply_card()) == kind


async def test_bot_token_is_fetched_once_for_many_turns(world: TeamsWorld) -> None:
    before = world.identity.token_requests(client_id=APP_ID)
    for _ in range(5):
        assert (await world.post(world.activity(MEGAN, "help"))).status == 200
    assert world.identity.token_requests(client_id=APP_ID) - before <= 1
    tokens = {call.bearer_token for call in world.connector.calls()}
    assert len(tokens) == 1


async def test_one_batch_and_one_sharepoint_call_per_diagnosis(world: TeamsWorld) -> None:
    counters = world.graph_state.counters
    batches, sp = counters.batch_requests, _sharepoint_calls(counters)
    await world.post(world.activity(ALEX, "why is my photo old"))
    await world.reply_card()
    assert counters.batch_requests - batches == 1
    assert _sharepoint_calls(counters) - sp == 1


def _sharepoint_calls(counters: object) -> int:
    requests = getattr(counters, "requests")  # noqa: B009
    return sum(n for key, n in requests.items() if "GetPropertiesFor" in key)


async def test_graph_failing_gives_an_honest_try_again_card(world: TeamsWorld) -> None:
    world.graph_state.faults.add(r"POST /v1\.0/\$batch", status=503, times=None, retry_after=0.05)
    response = await world.post(world.activity(ADELE, "why is my photo old?"))
    assert response.status == 200
    card = await world.reply_card()
    assert card_kind(card) == "error"
    assert "diagnose" in VERBS(card)  # a "try again" button


async def test_malformed_graph_json_gives_the_error_card(world: TeamsWorld) -> None:
    world.graph_state.faults.add(r"POST /v1\.0/\$batch", status=200, times=None, body=b"{not json")
    await world.post(world.activity(ADELE, "why is my photo old?"))
    assert card_kind(await world.reply_card()) == "error"


async def test_connector_throttling_is_retried(world: TeamsWorld) -> None:
    world.connector.fail(429, times=1, headers={"Retry-After": "0"})
    assert (await world.post(world.activity(MEGAN, "help"))).status == 200
    sent = [c for c in world.connector.calls() if c.status < 300]
    assert len(sent) == 1


async def test_metrics_count_turns_outbound_calls_and_sync_starts(world: TeamsWorld) -> None:
    await world.post(world.activity(ADELE, "why is my photo old?"))
    await world.post(world.invoke(ADELE, "diagnose", {"userId": ADELE}))
    assert (await world.client.get("/sync/not-a-token", allow_redirects=False)).status == 410
    await world.post(world.activity(ADELE, "hi"), token="garbage")
    await world.post(world.activity(ADELE, "hi", type="<script>"))
    text = await (await world.client.get("/metrics")).text()
    assert 'photosync_turns_total{activity_type="message",status="200"} 1.0' in text
    assert 'photosync_turns_total{activity_type="invoke",status="200"} 1.0' in text
    # a refused token is answered before the body is read: its activity type is unknown
    assert 'photosync_turns_total{activity_type="unknown",status="401"} 1.0' in text
    assert "<script>" not in text  # labels stay bounded
    assert 'photosync_sync_starts_total{outcome="link_gone"} 1.0' in text
    assert 'photosync_outbound_requests_total{service="graph",status="200"}' in text
    assert 'photosync_outbound_requests_total{service="sharepoint",status="200"}' in text
    assert 'photosync_outbound_requests_total{service="connector",status="20' in text  # replies (aiohttp)
    assert "photosync_turn_seconds_bucket" in text


async def test_health_and_readiness(world: TeamsWorld) -> None:
    assert (await world.client.get("/healthz")).status == 200
    ready = await world.client.get("/readyz")
    assert ready.status == 200 and (await ready.json())["status"] == "ready"


async def test_concurrent_turns_on_sqlite_never_fail_with_a_locked_database(world: TeamsWorld) -> None:
    import asyncio

    users = [ADELE, ALEX, MEGAN, LEE, ISAIAH, JOHANNA, DIEGO, LYNNE]
    bodies = [world.activity(u, "help", conversation_id=f"a:conv-{i}") for i in range(4) for u in users]
    statuses = await asyncio.gather(*(world.post(b) for b in bodies))
    assert [r.status for r in statuses] == [200] * len(bodies)
    sent = await world.connector.wait_for_activities(len(bodies), timeout=15)
    kinds = {card_kind(a.activity["attachments"][0]["content"]) for a in sent}  # type: ignore[index]
    assert kinds == {"help"}  # no "error" card from a locked database
    # a second round with nothing new writes no references (no write contention on the hot path)
    await world.post(world.activity(ADELE, "help", conversation_id="a:conv-0"))
    record = await world.runtime.store.personal_conversation(ADELE)
    assert record is not None
