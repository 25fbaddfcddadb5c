"""The fast reply path (issue 7) sends exactly what msrest's serializer would, and reuses tokens safely."""

from __future__ import annotations

import base64
import contextlib
import copy
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    Attachment,
    CardAction,
    ChannelAccount,
    Entity,
    HeroCard,
    Mention,
)

import cards
from bot.domain.model import Diagnosis, DiagnosisCase, StaleCopy
from bot.teams.adapter import CardContent, activity_json
from bot.teams.connector import ConnectorError, ConnectorSender, _jwt_exp

INCOMING = {
    "type": "message",
    "id": "act-1",
    "serviceUrl": "https://smba.trafficmanager.net/amer/",
    "channelId": "msteams",
    "from": {"id": "29:u", "name": "User", "aadObjectId": "u"},
    "recipient": {"id": "28:bot", "name": "PhotoSync"},
    "conversation": {"id": "a:personal;u@thread.skype", "conversationType": "personal", "tenantId": "t"},
    "channelData": {"tenant": {"id": "t"}},
    "text": "why is my photo old?",
    "locale": "nl-NL",
}


def _cards() -> list[dict[str, Any]]:
    now = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    ctx = cards.CardContext(locale="nl-NL", tz=ZoneInfo("Europe/Amsterdam"), now=now, demo=True,
                            profile_edit_url="https://example.invalid/edit")
    stale = Diagnosis(DiagnosisCase.STALE, "u", "Adele", "adele@x", StaleCopy.SHAREPOINT, True, True, True,
                      now - timedelta(days=4), now - timedelta(days=9), now - timedelta(days=3),
                      now - timedelta(days=1), timedelta(days=3))
    return [cards.diagnosis_card(stale, ctx), cards.help_card(ctx), cards.error_card(ctx, reason_key="generic")]


def _reply(content: Any) -> Activity:
    incoming = Activity().deserialize(INCOMING)
    reference = TurnContext.get_conversation_reference(incoming)
    return TurnContext.apply_conversation_reference(
        MessageFactory.attachment(CardFactory.adaptive_card(content)), reference
    )


@pytest.mark.parametrize("index", range(3))
def test_card_reply_json_equals_msrest(index: int) -> None:
    card = _cards()[index]
    expected = _reply(card).serialize()
    for content in (card, CardContent(card)):
        assert json.loads(json.dumps(activity_json(_reply(content)))) == expected


def test_activity_json_leaves_the_activity_unchanged() -> None:
    reply = _reply(_cards()[1])
    before = reply.serialize()
    activity_json(reply)
    assert reply.serialize() == before and reply.attachments and reply.attachments[0].content


def test_non_dict_content_takes_msrest_path() -> None:
    hero = MessageFactory.attachment(CardFactory.hero_card(HeroCard(title="x")))
    assert activity_json(hero) == hero.serialize()
    plain = Activity(type="message", text="hi", attachments=[Attachment(content_type="text/plain", content="s")])
    assert activity_json(plain) == plain.serialize()
    assert activity_json(Activity(type="message", text="hi")) == Activity(type="message", text="hi").serialize()


@pytest.mark.parametrize(
    "make",
    [
        lambda: Activity().deserialize(INCOMING),  # everything an incoming Teams message carries
        lambda: Activity(type=ActivityTypes.typing),
        lambda: Activity(type="message", text="", locale="en-US", channel_data={"notification": {"alert": True}}),
        lambda: MessageFactory.suggested_actions([CardAction(type="imBack", title="a", value="a")], "pick"),
        lambda: Activity(type="message", text="t", timestamp=datetime(2026, 11, 25, tzinfo=UTC)),
        lambda: Activity(type="message", entities=[Mention(mentioned=ChannelAccount(id="1"), text="<at>x</at>")]),
        lambda: Activity(type="message", entities=[Entity(type="clientInfo")], members_added=[ChannelAccount(id="m")]),
    ],
)
def test_other_activities_json_equals_msrest(make: Any) -> None:
    assert activity_json(make()) == make().serialize()


def test_card_content_is_shared_not_copied() -> None:
    content = CardContent(_cards()[1])
    reply = _reply(content)
    assert copy.deepcopy(reply).attachments[0].content is content


def _jwt(payload: dict[str, Any]) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'RS256'})}.{part(payload)}.c2ln"


def test_jwt_exp() -> None:
    assert _jwt_exp(_jwt({"exp": 1_800_000_000})) == 1_800_000_000
    assert _jwt_exp(_jwt({"sub": "x"})) is None
    assert _jwt_exp("opaque-token") is None
    assert _jwt_exp("a.!!!.c") is None


class _Tokens:
    def __init__(self, token: str) -> None:
        self.value, self.calls = token, 0

    async def token(self, scope: str) -> str:
        self.calls += 1
        return self.value


async def _send_times(tokens: _Tokens, n: int, status: int = 201) -> list[str]:
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["Authorization"])
        return httpx.Response(status, json={"id": "1"})

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
        sender = ConnectorSender(http, tokens, max_attempts=1)
        for _ in range(n):
            with contextlib.suppress(ConnectorError):  # the 401 case
                await sender.send("https://smba.example/", "c", {"type": "message"}, None)
    return seen


async def test_connector_reuses_a_jwt_until_near_expiry() -> None:
    far = _Tokens(_jwt({"exp": datetime.now(UTC).timestamp() + 3600}))
    assert len(set(await _send_times(far, 5))) == 1 and far.calls == 1
    near = _Tokens(_jwt({"exp": datetime.now(UTC).timestamp() + 200}))  # inside the 5-minute margin
    await _send_times(near, 3)
    assert near.calls == 3
    opaque = _Tokens("opaque")
    await _send_times(opaque, 3)
    assert opaque.calls == 3


async def test_connector_drops_a_refused_token() -> None:
    tokens = _Tokens(_jwt({"exp": datetime.now(UTC).timestamp() + 3600}))
    await _send_times(tokens, 3, status=401)
    assert tokens.calls == 3
