"""The fast reply path sends exactly what msrest's serializer would, and reuses tokens safely."""

from __future__ import annotations

import base64
import contextlib
import copy
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web
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
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from msrest.serialization import Model

import cards
from bot.domain.model import Diagnosis, DiagnosisCase, StaleCopy
from bot.teams.adapter import CardContent, CardReply, activity_from_json, activity_json
from bot.teams.connector import ConnectorError, ConnectorSender, _json_bytes, _jwt_exp, connector_session
from tests.loopback import serving
from tests.reliability.hostile import activities as hostile_activities

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
    ctx = cards.CardContext(
        locale="nl-NL",
        tz=ZoneInfo("Europe/Amsterdam"),
        now=now,
        demo=True,
        profile_edit_url="https://example.invalid/edit",
    )
    stale = Diagnosis(
        DiagnosisCase.STALE,
        "u",
        "Adele",
        "adele@x",
        StaleCopy.SHAREPOINT,
        True,
        True,
        now - timedelta(days=4),
        now - timedelta(days=9),
        now - timedelta(days=3),
        now - timedelta(days=1),
        timedelta(days=3),
    )
    return [
        cards.diagnosis_card(stale, ctx),
        cards.help_card(ctx),
        cards.error_card(ctx, reason_key="generic"),
    ]


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
    plain = Activity(
        type="message", text="hi", attachments=[Attachment(content_type="text/plain", content="s")]
    )
    assert activity_json(plain) == plain.serialize()
    assert (
        activity_json(Activity(type="message", text="hi")) == Activity(type="message", text="hi").serialize()
    )


@pytest.mark.parametrize(
    "make",
    [
        lambda: Activity().deserialize(INCOMING),  # everything an incoming Teams message carries
        lambda: Activity(type=ActivityTypes.typing),
        lambda: Activity(
            type="message", text="", locale="en-US", channel_data={"notification": {"alert": True}}
        ),
        lambda: MessageFactory.suggested_actions([CardAction(type="imBack", title="a", value="a")], "pick"),
        lambda: Activity(type="message", text="t", timestamp=datetime(2026, 11, 25, tzinfo=UTC)),
        lambda: Activity(
            type="message", entities=[Mention(mentioned=ChannelAccount(id="1"), text="<at>x</at>")]
        ),
        lambda: Activity(
            type="message", entities=[Entity(type="clientInfo")], members_added=[ChannelAccount(id="m")]
        ),
    ],
)
def test_other_activities_json_equals_msrest(make: Any) -> None:
    assert activity_json(make()) == make().serialize()


def test_card_content_is_shared_not_copied() -> None:
    content = CardContent(_cards()[1])
    reply = _reply(content)
    assert copy.deepcopy(reply).attachments[0].content is content


class _Recorder:
    """The adapter side of TurnContext: records what botbuilder hands over for sending."""

    def __init__(self) -> None:
        self.sent: list[Activity] = []

    async def send_activities(self, context: Any, activities: list[Activity]) -> list[Any]:
        self.sent.extend(activities)
        return [None] * len(activities)


async def _through_turn_context(reply: Activity) -> Activity:
    recorder = _Recorder()
    await TurnContext(recorder, Activity().deserialize(INCOMING)).send_activity(reply)  # type: ignore[arg-type]
    return recorder.sent[0]


@pytest.mark.parametrize("index", range(3))
async def test_card_reply_sends_what_message_factory_sends(index: int) -> None:
    card = _cards()[index]
    ours = CardReply.of(card)
    sent = await _through_turn_context(ours)
    stock = await _through_turn_context(MessageFactory.attachment(CardFactory.adaptive_card(card)))
    assert activity_json(sent) == activity_json(stock) == stock.serialize()
    # The shallow copy kept the reply itself untouched: TurnContext assigned its fields on the copy only.
    assert ours.conversation is None and ours.recipient is None and sent is not ours
    assert sent.conversation is not None and sent.recipient is not None
    assert sent.attachments[0].content == card


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
    """`n` sends through a real aiohttp session to a loopback connector answering `status`; the bearers seen."""
    seen: list[str] = []

    async def answer(request: web.Request) -> web.Response:
        seen.append(request.headers["Authorization"])
        assert await request.json() == {"type": "message"}
        return web.json_response({"id": "1"}, status=status)

    app = web.Application()
    app.router.add_post("/v3/conversations/{conversation}/activities", answer)
    async with serving(app) as base, connector_session(timeout_s=5.0) as http:
        sender = ConnectorSender(http, tokens, max_attempts=1)
        for _ in range(n):
            with contextlib.suppress(ConnectorError):  # the 401 case
                await sender.send(f"{base}/", "c", {"type": "message"}, None)
    assert len(seen) == n
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


# ------------------------------------------------------------------ inbound: activity_from_json == msrest


def _tree(value: Any) -> Any:
    """A model tree as plain data, types included (True and 1 differ), for exact comparison."""
    if isinstance(value, Model):
        return (type(value).__name__, {k: _tree(v) for k, v in vars(value).items()})
    if isinstance(value, list):
        return [_tree(v) for v in value]
    if isinstance(value, dict):
        return {k: _tree(v) for k, v in value.items()}
    if isinstance(value, datetime):
        return ("datetime", value.isoformat())  # the instant, the offset and the microseconds
    return (type(value).__name__, value)


def _outcome(parse: Any, body: dict[str, Any]) -> Any:
    try:
        return _tree(parse(copy.deepcopy(body)))
    except Exception as exc:  # both paths must fail alike (the endpoint answers 400)
        return ("raised", type(exc).__name__)


TEAMS_ACTIVITY = {
    "type": "message",
    "id": "1700000000000",
    "timestamp": "2026-11-25T10:00:00.1234567Z",  # 7 fraction digits, as Teams sends them
    "localTimestamp": "2026-11-25T11:00:00.123+01:00",
    "localTimezone": "Europe/Amsterdam",
    "serviceUrl": "https://smba.trafficmanager.net/emea/",
    "channelId": "msteams",
    "from": {"id": "29:1abc", "name": "Adele Vance", "aadObjectId": "87d349ed-44d7-43e1-9a83-5f2406dee5bd"},
    "conversation": {"conversationType": "personal", "tenantId": "t-1", "id": "a:1xyz"},
    "recipient": {"id": "28:bot", "name": "PhotoSync"},
    "textFormat": "plain",
    "locale": "nl-NL",
    "text": "<at>PhotoSync</at> waarom is mijn foto oud?",
    "entities": [
        {"mentioned": {"id": "28:bot", "name": "PhotoSync"}, "text": "<at>PhotoSync</at>", "type": "mention"},
        {
            "locale": "nl-NL",
            "country": "NL",
            "platform": "Web",
            "timezone": "Europe/Amsterdam",
            "type": "clientInfo",
        },
    ],
    "channelData": {"tenant": {"id": "t-1"}, "team": {"id": "19:x"}, "channel": {"id": "19:y"}},
    "attachments": [{"contentType": "text/html", "content": "<div>hi</div>"}],
    "membersAdded": [{"id": "28:bot"}],
    "relatesTo": {"activityId": "1", "conversation": {"id": "a:1"}, "serviceUrl": "https://x/"},
    "value": {
        "action": {"type": "Action.Execute", "verb": "resyncPhoto", "data": {"n": [1, 2.5, True, None]}}
    },
    "listenFor": ["a", None],
    "unknownTopLevel": {"kept": True},
}


@pytest.mark.parametrize(
    "patch",
    [
        {},
        {"timestamp": "not a date"},
        {"timestamp": 5},
        {"text": 5},
        {"historyDisclosed": "yes"},
        {"membersAdded": {"id": "x"}},
        {"membersAdded": [None, {"id": "x"}]},
        {"entities": ["mention"]},
        {"from": "29:1abc"},
        {"suggestedActions": {"actions": [{"type": "imBack", "title": "t", "value": "v"}], "to": ["a"]}},
        {"timestamp": "0000-01-01T00:00:00Z"},
        {"timestamp": "2026-11-25T10:00:00.123456789-05:30"},
        {"timestamp": "2026-13-25T10:00:00Z"},
        {"timestamp": "2026-11-25T24:00:00Z"},
        {"timestamp": "2026-11-25T10:00:00"},
        {"timestamp": "2026-11-25"},
        {"timestamp": "2026-11-25t10:00:00z"},
    ],
)
def test_activity_from_json_builds_what_msrest_builds(patch: dict[str, Any]) -> None:
    body = {**TEAMS_ACTIVITY, **patch}
    assert _outcome(activity_from_json, body) == _outcome(lambda b: Activity().deserialize(b), body)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=hostile_activities("https://smba.trafficmanager.net/emea/"))
def test_activity_from_json_equals_msrest_on_generated_activities(body: dict[str, Any]) -> None:
    assert _outcome(activity_from_json, body) == _outcome(lambda b: Activity().deserialize(b), body)


@settings(max_examples=300, deadline=None)
@given(
    stamp=st.from_regex(
        r"\d{4}-[01]\d-[0-3]\dT[0-2]\d:[0-5]\d:[0-6]\d(\.\d{1,9})?(Z|[+-][01]\d:[0-5]\d)", fullmatch=True
    )
)
def test_activity_from_json_reads_timestamps_as_msrest_does(stamp: str) -> None:
    body = {**TEAMS_ACTIVITY, "timestamp": stamp, "localTimestamp": stamp}
    assert _outcome(activity_from_json, body) == _outcome(lambda b: Activity().deserialize(b), body)


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=8), kids, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(body=st.dictionaries(st.text(max_size=8), _json_values, max_size=5))
def test_request_bodies_are_the_json_of_what_was_sent(body: dict[str, Any]) -> None:
    """orjson writes the bodies; whatever it refuses (ints beyond 64 bits) the standard library writes."""
    assert json.loads(_json_bytes(body)) == body
    assert json.loads(_json_bytes({"card": CardContent(body)})) == {"card": body}
