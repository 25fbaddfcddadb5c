"""Minimal reproducers of what the fuzzing found (each was a 500 or a failed turn before its fix)."""

from __future__ import annotations

import json

import pytest

from tests.integration.conftest import ADELE, TeamsWorld


async def test_50000_nested_brackets_are_a_400_not_a_recursion_error(world: TeamsWorld) -> None:
    response = await world.post(None, data=b"[" * 50_000, headers={"Content-Type": "application/json"})
    assert response.status == 400


@pytest.mark.parametrize(
    "data",
    [
        b'{"type":"message","text":"\\ud800"}',  # an escaped lone surrogate: valid JSON, not valid Unicode
        b'{"type":"message","text":"\xed\xa0\x80"}',  # the same surrogate as raw (invalid UTF-8) bytes
    ],
)
async def test_lone_surrogates_are_a_400_not_a_failed_turn(world: TeamsWorld, data: bytes) -> None:
    # refused at the endpoint: a lone surrogate cannot be encoded by the store ("surrogates not allowed"), so
    # accepting it would fail the turn half-way
    raw = json.dumps(world.activity(ADELE, "PLACEHOLDER")).encode()
    raw = raw.replace(b'"PLACEHOLDER"', data.split(b'"text":')[1].rstrip(b"}"))
    response = await world.post(None, data=raw, headers={"Content-Type": "application/json"})
    assert response.status == 400
    assert world.connector.calls() == []


async def test_escaped_surrogate_pair_is_fine(world: TeamsWorld) -> None:
    response = await world.post(world.activity(ADELE, "why is my photo old? \U0001f600"))
    assert response.status == 200


@pytest.mark.parametrize(
    "patch",
    [
        {"type": "conversationUpdate", "channelData": "check ' OR 1=1 --"},  # botbuilder: 'str' has no .get
        {"recipient": {}},  # no bot id: the conversation reference could not be stored (NOT NULL)
        {"from": {"aadObjectId": ADELE}},
        {"membersAdded": ["x"]},
        {"entities": ["mention"]},
    ],
)
async def test_shapes_botbuilder_cannot_handle_are_a_400(world: TeamsWorld, patch: dict[str, object]) -> None:
    body = world.activity(ADELE, "hi")
    body.update(patch)
    assert (await world.post(body)).status == 400


@pytest.mark.parametrize("action_type", ["Action.Submit", "", "Action.OpenUrl"])
async def test_adaptive_card_invoke_of_another_action_type_is_an_error_response_not_500(
    world: TeamsWorld, action_type: str
) -> None:
    # botbuilder 4.17 answers these with an error response holding an Exception object, which its own
    # serializer cannot serialize (500 before the fix)
    body = world.activity(
        ADELE,
        None,
        type="invoke",
        name="adaptiveCard/action",
        value={"action": {"type": action_type, "verb": "stopNotices", "data": {}}},
    )
    response = await world.post(body)
    assert response.status < 500
    payload = await response.json()
    assert payload["type"] == "application/vnd.microsoft.error"
    assert payload["statusCode"] == 400 and payload["value"]["code"] == "NotSupported"


@pytest.mark.parametrize("members", ["membersAdded", "membersRemoved"])
async def test_conversation_update_without_channel_data_is_not_a_failed_turn(
    world: TeamsWorld, members: str, caplog: pytest.LogCaptureFixture
) -> None:
    # a missing channelData counts as {}: botbuilder's TeamsActivityHandler does
    # `TeamsChannelData().deserialize(None).team` -> AttributeError inside the turn
    body = world.activity(ADELE, None, type="conversationUpdate", **{members: [{"id": "29:someone"}]})
    body.pop("channelData")
    caplog.set_level("ERROR")
    assert (await world.post(body)).status == 200
    assert [r.getMessage() for r in caplog.records if r.name.startswith("bot")] == []
