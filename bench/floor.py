"""The per-turn work a Bot Framework bot cannot skip, timed piece by piece in one process (no network, no load).

    python -m bench.floor

Each piece runs 300 times, 5 repeats, best repeat kept (so a busy machine inflates it least); µs per call:
  * RS256 channel-token validation exactly as bot/teams/auth.py does it (PyJWT header read + decode with the
    signature, audience, issuer and expiry checks) with a 2048-bit key like the Bot Framework's;
  * ours: the real `ChannelTokenValidator.validate`, first sight of a token and remembered (auth.py);
  * `Activity().deserialize` of the incoming activity (botbuilder's TurnContext needs an Activity) vs ours,
    `activity_from_json` (adapter.py);
  * the reply's JSON: our `activity_json` (bot/teams/adapter.py) vs msrest's `Activity.serialize()`;
  * `TurnContext` creation + `send_activity` bookkeeping (deep copy of the reply, conversation reference);
  * the diagnosis card (cards/): from its template (per turn) and typed models built + dumped every time;
  * language understanding (bot/domain/intents.py): p50/p99 of one uncached `classify` over every corpus
    message, and the resident memory `import bot.domain.intents` adds (model included), in a fresh interpreter.
Compare the sum with the bare handler's CPU per turn from `python -m bench.turns` (the ceiling): ours can
only reach X % of bare if its unavoidable work costs at most bare / X.
"""

from __future__ import annotations

import contextlib
import json
import timeit
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import jwt
from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.schema import Activity
from cryptography.hazmat.primitives.asymmetric import rsa

import cards
from bench.common import APP_ID, activity, import_rss_kb
from bot.demo.portraits import portrait
from bot.domain.model import Diagnosis, DiagnosisCase, GraphPhoto, StaleCopy
from bot.services.evidence import m365_picture, picture_evidence, signature
from bot.teams.adapter import CardContent, activity_from_json, activity_json
from bot.teams.auth import ChannelTokenValidator, _SigningKey
from bot.teams.connector import _json_bytes
from cards.diagnosis import _build as build_typed
from cards.diagnosis import _texts as card_texts

ISSUER = "https://api.botframework.com"


def best_us(fn: Callable[[], Any], number: int = 300) -> float:
    return min(timeit.repeat(fn, number=number, repeat=5)) / number * 1e6


def main() -> None:
    service_url = "https://smba.trafficmanager.net/amer/"
    body = activity(1, service_url)
    raw = json.dumps(body).encode()
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = datetime.now(UTC)
    token = jwt.encode(
        {
            "iss": ISSUER,
            "aud": APP_ID,
            "serviceurl": service_url,
            "nbf": now,
            "exp": now + timedelta(hours=1),
        },
        key,
        algorithm="RS256",
        headers={"kid": "k1"},
    )
    public = key.public_key()

    def validate() -> None:  # bot/teams/auth.py ChannelTokenValidator.validate, minus the key lookup
        jwt.get_unverified_header(token)
        jwt.decode(
            token,
            public,
            algorithms=["RS256"],
            audience=APP_ID,
            issuer=ISSUER,
            leeway=300,
            options={"require": ["exp", "iss", "aud"]},
        )

    validator = ChannelTokenValidator("https://unused.invalid/", APP_ID, None)  # type: ignore[arg-type]
    validator._keys = {
        "k1": _SigningKey(public, None, ())
    }  # keys as a refresh would leave them (no network here)
    validator._issuer, validator._fetched_at = ISSUER, validator.clock().timestamp()
    authorization = f"Bearer {token}"

    def ours_validate(remembered: bool) -> None:  # the real ChannelTokenValidator.validate
        if not remembered:
            validator._verified.clear()
        coro = validator.validate(authorization, service_url, "msteams")
        with contextlib.suppress(StopIteration):
            coro.send(None)

    incoming = Activity().deserialize(body)
    reference = TurnContext.get_conversation_reference(incoming)
    ctx = cards.CardContext(
        locale="en-US", tz=ZoneInfo("UTC"), now=now, demo=True, profile_edit_url="https://example.invalid/"
    )
    diagnosis = Diagnosis(
        DiagnosisCase.STALE,
        "u",
        "Adele Vance",
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
    card = cards.diagnosis_card(diagnosis, ctx)

    def reply(content: dict[str, Any]) -> Activity:
        return TurnContext.apply_conversation_reference(
            MessageFactory.attachment(CardFactory.adaptive_card(content)), reference
        )

    shared, plain = reply(CardContent(card)), reply(card)

    class _Adapter:  # TurnContext only needs something with send_activities for this measurement
        async def send_activities(self, context: Any, activities: Any) -> list[Any]:
            return []

    def typed_card() -> dict[str, Any]:  # what diagnosis_card did before its template (cards/template.py)
        shape, texts = card_texts(diagnosis, ctx, "self", None, None)
        return build_typed(shape, texts)

    def turn_bookkeeping() -> None:
        context = TurnContext(_Adapter(), incoming)  # type: ignore[arg-type]
        coro = context.send_activity(MessageFactory.attachment(CardFactory.adaptive_card(CardContent(card))))
        with contextlib.suppress(StopIteration):
            coro.send(None)

    graph_bytes = portrait(3, variant=1, size=96, quality=85)  # Graph's 96x96 and SharePoint's M (72 px)
    sharepoint_bytes = portrait(3, variant=0, size=72, quality=75)
    graph_photo = GraphPhoto(etag='W/"x"', thumbnail=graph_bytes)

    def pictures_of_a_diagnosis() -> None:  # bot/services/evidence.py, as ProfileReader runs it per diagnosis
        m365 = m365_picture(graph_photo)
        signature(m365)
        picture_evidence("u", graph_photo, m365, sharepoint_bytes)

    rows = [
        ("json.loads of the activity (bare does this too)", best_us(lambda: json.loads(raw))),
        ("RS256 token validation (PyJWT, as auth.py)", best_us(validate)),
        ("Activity().deserialize (msrest)", best_us(lambda: Activity().deserialize(body))),
        ("ours: token, first sight (ChannelTokenValidator)", best_us(lambda: ours_validate(False))),
        ("ours: token, remembered (ChannelTokenValidator)", best_us(lambda: ours_validate(True))),
        ("ours: activity_from_json", best_us(lambda: activity_from_json(body))),
        ("TurnContext + send_activity bookkeeping", best_us(turn_bookkeeping)),
        ("diagnosis card, typed models built + dumped every time", best_us(typed_card)),
        (
            "ours: diagnosis card from its template (cards/)",
            best_us(lambda: cards.diagnosis_card(diagnosis, ctx)),
        ),
        ("reply JSON: activity_json (ours)", best_us(lambda: activity_json(shared))),
        ("reply JSON: Activity.serialize() (msrest, before)", best_us(lambda: plain.serialize())),
        (
            "json.dumps of the reply body (before)",
            best_us(lambda: json.dumps(activity_json(shared)).encode()),
        ),
        (
            "ours: reply body bytes (orjson, connector.py)",
            best_us(lambda: _json_bytes(activity_json(shared))),
        ),
        (
            "pictures: decode both, compare, sign, 2 thumbnails (per uncached diagnosis)",
            best_us(pictures_of_a_diagnosis),
        ),
    ]
    width = max(len(name) for name, _ in rows)
    for name, us in rows:
        print(f"{name:<{width}}  {us:9.1f} µs")
    us = dict(rows)
    stock_floor = sum(
        us[n]
        for n in (
            "RS256 token validation (PyJWT, as auth.py)",
            "Activity().deserialize (msrest)",
            "TurnContext + send_activity bookkeeping",
            "diagnosis card, typed models built + dumped every time",
        )
    )
    ours_floor = sum(
        us[n]
        for n in (
            "json.loads of the activity (bare does this too)",
            "ours: token, remembered (ChannelTokenValidator)",
            "ours: activity_from_json",
            "TurnContext + send_activity bookkeeping",
            "ours: diagnosis card from its template (cards/)",
            "ours: reply body bytes (orjson, connector.py)",
        )
    )
    print(
        f"\nper turn, token + deserialize + TurnContext + card, msrest and PyJWT every time: {stock_floor / 1000:.3f} ms"
    )
    print(
        f"per turn, ours (json.loads, remembered token, activity_from_json, TurnContext, card, orjson body): {ours_floor / 1000:.3f} ms"
    )
    print(
        "On top comes what bare does too (aiohttp server + client post). 40 % of bare needs ours' whole turn CPU"
    )
    print("<= 2.5 x bare's; compare with bench.turns' CPU ms/turn column.")
    language_floor()


def language_floor(repeats: int = 5) -> None:
    """Classifying one message without the cache (every corpus text, `repeats` times), and its memory."""
    import time

    from bot.domain.intents import _classify
    from bot.domain.language.corpus import rows

    texts = [row.text for row in rows()]
    times: list[float] = []
    for _ in range(repeats):
        for text in texts:
            start = time.perf_counter_ns()
            _classify(text)
            times.append((time.perf_counter_ns() - start) / 1000)
    times.sort()
    p50, p99 = times[len(times) // 2], times[int(len(times) * 0.99)]
    # html, json, re, unicodedata, importlib.resources: the bot has these loaded anyway
    before, after = import_rss_kb("bot.domain.intents", "html, json, re, unicodedata, importlib.resources")
    added_mb = (after - before) / 1024
    print(
        f"\nlanguage: classify (uncached) over {len(texts)} corpus messages x {repeats}: "
        f"p50 {p50:.0f} µs, p99 {p99:.0f} µs, max {times[-1]:.0f} µs"
    )
    print(
        f"language: resident memory added by `import bot.domain.intents` (model included): {added_mb:.1f} MB"
    )


if __name__ == "__main__":
    main()
