"""Hostile activities for /api/messages and the invoke path (hypothesis strategies) and the fuzz loop.

Every generated request carries a *valid* channel token (minted by the loopback IdentityServer for the
activity's serviceUrl), so hostile bodies reach the bot's turn code instead of stopping at auth. The caller
is always ADELE (not helpdesk); every other demo user is a potential victim: forged ids in invoke data,
mentions, conversation ids and channelData name them. After a run:
- no response is 500 and no request fails at the transport level (the server never crashed);
- no turn failed with an unhandled exception (the bot's `on_error` would hide it behind a 200 + error card:
  the fuzz counts "turn failed" log records instead);
- no cross-user effect: no Graph photo PUT for any victim, no audit row with a victim as target that is not
  a refusal.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import tests.hypothesis_profile  # noqa: F401 - deadline-free hypothesis (bench.reliability runs outside pytest)
from bot.app import RUNTIME, create_app
from bot.demo.server import STATE
from tests.fakes.connector import ConnectorServer
from tests.fakes.identity import IdentityServer
from tests.fakes.threaded import ThreadedServer
from tests.integration.conftest import ADELE, APP_ID, TENANT_ID, make_settings

ATTACKER = ADELE
VICTIMS = {
    "005cb079-6306-45e8-9d30-96624b1bdd63": "Alex Wilber",
    "23b90566-9297-4355-b479-c6e30e87b1f2": "Megan Bowen",
    "10d477f1-5081-456a-a79f-752efb5453d5": "Lee Gu",
    "2e2d50d5-d303-48e0-a2e4-b2b1f354953c": "Isaiah Langer",
    "963c75d3-0f41-453b-96af-3c7c703a96fa": "Johanna Lorenz",
    "61d3d9f0-9e5e-40d0-a7c0-6417b073717c": "Diego Siciliani",
    "ede3cab1-3da3-4a9e-b29b-52579e39f952": "Nestor Wilke",
    "eda2fc04-204e-43bf-9ee6-bad796071651": "Lynne Robbins",
    "de567967-bfef-48e7-bcdc-95bab6a08f07": "Patti Fernandez",
}
VERBS = [
    "resyncPhoto",
    "sendSyncLink",
    "diagnose",
    "stopNotices",
    "startNotices",
    "chatWith",
    "pickUser",
    "",
    "x" * 300,
]

# ------------------------------------------------------------------------------------------ strategies
forged_id = st.sampled_from(
    [
        *VICTIMS,
        ATTACKER,
        "",
        "00000000-0000-0000-0000-000000000000",
        "../../admin",
        "29:" + next(iter(VICTIMS)),
        "8:orgid:" + next(iter(VICTIMS)),
        "%00",
        "*",
    ]
)
# Activity types both fuzzers send (messages and invokes twice as often), plus one made up each time.
KINDS = [
    "message",
    "message",
    "invoke",
    "invoke",
    "conversationUpdate",
    "installationUpdate",
    "messageReaction",
    "event",
]
# What people type, and what breaks naive code (both fuzzers draw from these).
PHRASES = [
    "why is my photo old?",
    "waarom is mijn foto oud?",
    "check megan@contoso.com",
    "why is Megan's photo old?",
    "check @Megan Bowen",
    "stop",
    "start",
    "help",
    "geen meldingen meer",
    "resync",
    "check *",
    "check %",
    "check ' OR 1=1 --",
    'check "Megan',
    "check " + "a" * 5000,
]
ODD_STRINGS = ["\ud800", "\udfff\ud800", "\x00", "\u202e\u2066", "<at>PhotoSync</at>"]
small_text = st.one_of(
    st.text(max_size=50),
    st.text(alphabet=st.characters(codec=None, categories=None), max_size=30),  # lone surrogates included
    st.sampled_from([*ODD_STRINGS, "é" * 5]),
    st.sampled_from(PHRASES),
)
huge_text = st.builds(
    lambda n, c: c * n, st.sampled_from([1_000, 20_000, 120_000, 300_000]), st.sampled_from("xé😀\x00")
)
bad_text = small_text
message_text = st.one_of(*[small_text] * 15, huge_text)  # an oversized body now and then (413)
scalar = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), bad_text)


def _containers(kids: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.lists(kids, max_size=4), st.dictionaries(st.text(max_size=10), kids, max_size=4))


json_value = st.recursive(scalar, _containers, max_leaves=12)


def deep(depth: int, leaf: Any) -> Any:
    value = leaf
    for i in range(depth):
        value = {"a": value} if i % 2 else [value]
    return value


deep_value = st.builds(deep, st.integers(1, 120), scalar)
hostile = st.one_of(json_value, deep_value, bad_text, forged_id)

mention = st.fixed_dictionaries(
    {"type": st.sampled_from(["mention", "Mention", "clientInfo", "weird/unknown", ""])},
    optional={
        "mentioned": st.one_of(
            st.fixed_dictionaries({"id": forged_id}, optional={"name": bad_text}), hostile
        ),
        "text": st.one_of(bad_text, hostile),
        "locale": hostile,
        "timezone": st.one_of(
            st.sampled_from(["Europe/Amsterdam", "Mars/Olympus", "", "../../etc/passwd"]), hostile
        ),
    },
)
action_data = st.dictionaries(
    st.sampled_from(["userId", "targetId", "helpdesk", "action", "upn", "user", "isHelpdesk", "etag"]),
    st.one_of(forged_id, hostile),
    max_size=4,
)
invoke_value = st.one_of(
    st.fixed_dictionaries(
        {
            "action": st.fixed_dictionaries(
                {"type": st.sampled_from(["Action.Execute", "Action.Submit", ""])},
                optional={
                    "verb": st.one_of(st.sampled_from(VERBS), hostile),
                    "data": st.one_of(action_data, hostile),
                },
            )
        }
    ),
    st.builds(lambda verb, data: {"action": verb, **data}, st.sampled_from(VERBS), action_data),  # Submit
    hostile,
)

FIELDS = [
    "type",
    "text",
    "from",
    "recipient",
    "conversation",
    "entities",
    "value",
    "channelData",
    "locale",
    "name",
    "replyToId",
    "localTimezone",
    "attachments",
    "id",
    "timestamp",
    "channelId",
    "textFormat",
    "membersAdded",
    "membersRemoved",
    "action",
    "relatesTo",
    "summary",
    "label",
    "speak",
]


def attacker_activity(kind: str, service_url: str) -> dict[str, Any]:
    """The well-formed 1:1 activity from the attacker that both fuzzers then mutate."""
    return {
        "type": kind,
        "id": "act-1",
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": {"id": f"29:{ATTACKER}", "aadObjectId": ATTACKER},
        "recipient": {"id": f"28:{APP_ID}"},
        "conversation": {
            "id": f"a:personal;{ATTACKER}",
            "conversationType": "personal",
            "tenantId": TENANT_ID,
        },
        "locale": "en-US",
    }


@st.composite
def activities(draw: st.DrawFn, service_url: str) -> dict[str, Any]:
    # How often each kind and each mutation happens is decided by a seeded Random, not by hypothesis' own
    # draws: hypothesis favours boundary values and first choices, which would skew every stated share.
    odds = draw(st.randoms(use_true_random=True))
    kind = odds.choice([*KINDS, "other"])
    body = attacker_activity(kind if kind != "other" else draw(st.text(min_size=1, max_size=20)), service_url)
    if kind == "invoke":
        body["name"] = draw(
            st.sampled_from(["adaptiveCard/action", "composeExtension/query", "task/fetch", "x"])
        )
        body["value"] = draw(invoke_value)
    else:
        body["text"] = draw(message_text)
        if odds.random() < 0.5:
            body["value"] = draw(invoke_value)
    if odds.random() < 0.5:
        body["entities"] = draw(st.lists(mention, max_size=4))
    if odds.random() < 0.5:
        conv_type = draw(st.sampled_from(["channel", "groupChat", "personal", "", "x"]))
        # mostly our own organisation (another one is refused at the door, before any turn code runs)
        tenant = TENANT_ID if odds.random() < 0.8 else draw(bad_text)
        body["conversation"] = {
            "id": draw(st.one_of(st.sampled_from([f"a:personal;{v}" for v in VICTIMS]), bad_text)),
            "conversationType": conv_type,
            "tenantId": tenant,
        }
        if odds.random() < 0.8:
            body["channelData"] = {"team": {"id": draw(bad_text)}, "tenant": {"id": tenant}}
        else:
            body["channelData"] = draw(hostile)
    if odds.random() < 1 / 3:  # wrong types anywhere (a third of the time: the rest goes deeper)
        for name in draw(st.lists(st.sampled_from(FIELDS), min_size=1, max_size=3)):
            body[name] = draw(hostile)
    if odds.random() < 0.1:  # the caller itself, in a wrong shape (never another user)
        not_victim = hostile.filter(lambda v: not (isinstance(v, str) and v in VICTIMS))
        body["from"] = draw(
            st.one_of(not_victim, st.fixed_dictionaries({"id": bad_text, "aadObjectId": not_victim}))
        )
    return body


raw_bodies = st.one_of(
    st.binary(max_size=200),
    st.sampled_from(
        [
            b"",
            b"{",
            b"[]",
            b"null",
            b"\xff\xfe",
            b'{"type":"message"',
            b"\xef\xbb\xbf{}",
            b'{"type":"message","text":"\\ud800"}',
            b"{" * 10_000,
            b"[" * 50_000,
        ]
    ),
)

# ------------------------------------------------------------------------------------------ fast generator
# The same grammar as the strategies above, drawn with `random.Random(seed)`: ~100x cheaper per activity than
# hypothesis, for the >= 100,000-activity run (hypothesis keeps shrinking for the CI-sized run).
_PHRASES = [*PHRASES, *ODD_STRINGS, "", " "]
_FORGED = [
    *VICTIMS,
    ATTACKER,
    "",
    "00000000-0000-0000-0000-000000000000",
    "../../admin",
    "%00",
    "*",
    "29:" + next(iter(VICTIMS)),
    "8:orgid:" + next(iter(VICTIMS)),
]
_RAW = [
    b"",
    b"{",
    b"[]",
    b"null",
    b"\xff\xfe",
    b'{"type":"message"',
    b"\xef\xbb\xbf{}",
    b"{" * 10_000,
    b"[" * 50_000,
    b'{"type":"message","text":"\\ud800"}',
    b"\xed\xa0\x80",
]


class FastHostile:
    def __init__(self, seed: int, service_url: str) -> None:
        import random

        self.r = random.Random(seed)
        self.url = service_url

    def text(self) -> str:
        r = self.r
        pick = r.randrange(5)
        if pick == 0:
            return "".join(chr(r.randrange(0x20, 0x2FFF)) for _ in range(r.randrange(30)))
        if pick == 1:
            return "".join(chr(r.randrange(0, 0x10FFFF)) for _ in range(r.randrange(1, 12)))  # surrogates too
        return r.choice(_PHRASES)

    def scalar(self) -> Any:
        r = self.r
        return r.choice(
            [
                None,
                True,
                False,
                r.randrange(-(2**70), 2**70),
                r.random() * 1e308,
                self.text(),
                r.choice(_FORGED),
            ]
        )

    def value(self, depth: int = 0) -> Any:
        r = self.r
        pick = r.randrange(8)
        if pick == 0 and depth < 3:
            return [self.value(depth + 1) for _ in range(r.randrange(4))]
        if pick == 1 and depth < 3:
            return {self.text()[:10]: self.value(depth + 1) for _ in range(r.randrange(4))}
        if pick == 2:
            return deep(r.randrange(1, 120), self.scalar())
        return self.scalar()

    def action(self) -> Any:
        r = self.r
        data = {
            r.choice(
                ["userId", "targetId", "helpdesk", "action", "upn", "user", "isHelpdesk", "etag"]
            ): r.choice([r.choice(_FORGED), self.value()])
            for _ in range(r.randrange(5))
        }
        verb = r.choice(VERBS) if r.random() < 0.8 else self.value()
        pick = r.randrange(4)
        if pick == 0:
            return {"action": verb, **data}  # Action.Submit shape
        if pick == 1:
            return self.value()
        return {
            "action": {
                "type": r.choice(["Action.Execute", "Action.Submit", ""]),
                "verb": verb,
                "data": data if r.random() < 0.9 else self.value(),
            }
        }

    def activity(self) -> dict[str, Any] | bytes:
        r = self.r
        if r.random() < 0.1:
            return r.choice(_RAW) if r.random() < 0.5 else r.randbytes(r.randrange(200))
        kind = r.choice([*KINDS, self.text() or "x"])
        body = attacker_activity(kind, self.url)
        if kind == "invoke":
            body["name"] = r.choice(
                ["adaptiveCard/action", "adaptiveCard/action", "composeExtension/query", "x"]
            )
            body["value"] = self.action()
        else:
            body["text"] = (
                self.text() if r.random() < 0.97 else r.choice("xé😀") * r.choice([20_000, 300_000])
            )
            if r.random() < 0.3:
                body["value"] = self.action()
        if r.random() < 0.5:
            body["entities"] = [
                {
                    "type": r.choice(["mention", "clientInfo", "weird/unknown", ""]),
                    "mentioned": {"id": r.choice(_FORGED), "name": self.text()}
                    if r.random() < 0.8
                    else self.value(),
                    "text": self.text(),
                    "timezone": r.choice(["Europe/Amsterdam", "Mars/Olympus", "", self.text()]),
                }
                for _ in range(r.randrange(4))
            ]
        if r.random() < 0.3:
            body["conversation"] = {
                "id": r.choice([f"a:personal;{v}" for v in VICTIMS] + [self.text()]),
                "conversationType": r.choice(["channel", "groupChat", "personal", "", "x"]),
                "tenantId": r.choice([TENANT_ID, TENANT_ID, TENANT_ID, self.text()]),
            }
            tenant = body["conversation"]["tenantId"]
            body["channelData"] = {"team": {"id": self.text()}, "tenant": {"id": tenant}}
        if r.random() < 0.3:
            for name in r.sample(FIELDS, r.randrange(1, 4)):
                body[name] = self.value()
        if r.random() < 0.05:  # the caller in a broken shape (the channel-signed caller is never a victim)
            identity = self.value()
            identity = "not-a-victim" if isinstance(identity, str) and identity in VICTIMS else identity
            body["from"] = self.value() if r.random() < 0.5 else {"id": self.text(), "aadObjectId": identity}
            if isinstance(body["from"], str) and body["from"] in VICTIMS:
                body["from"] = "not-a-victim"
        return body


# ------------------------------------------------------------------------------------------ target


class _FailedTurns(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass
class FuzzResult:
    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    transport_errors: int = 0
    failed_turns: int = 0
    victim_puts: int = 0
    victim_audit_not_refused: int = 0
    examples: dict[str, Any] = field(default_factory=dict)  # first offending body per kind
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return (
            self.statuses[500] == 0
            and self.transport_errors == 0
            and self.failed_turns == 0
            and self.victim_puts == 0
            and self.victim_audit_not_refused == 0
        )

    def figures(self) -> dict[str, Any]:
        """What a fuzz run reports (docs/RELIABILITY.md reads these)."""
        return {
            "requests": self.requests,
            "statuses": dict(sorted(self.statuses.items())),
            "transport_errors": self.transport_errors,
            "failed_turns": self.failed_turns,
            "victim_puts": self.victim_puts,
            "victim_audit_not_refused": self.victim_audit_not_refused,
            "seconds": round(self.seconds, 1),
            "examples": self.examples,
        }


class FuzzTarget:
    """The real bot app (demo tenant, strict auth) served on loopback in its own thread."""

    def __init__(self, tmp: Path, identity: IdentityServer, connector: ConnectorServer) -> None:
        self.identity = identity
        self.connector = connector
        settings_ = make_settings(tmp, identity, PHOTOSYNC_GRAPH_TIMEOUT=1.0)
        self.server = ThreadedServer(lambda: create_app(settings_, msal_http_client=identity.msal_session()))
        self.tokens: dict[str, str] = {}
        self._lock = threading.Lock()
        self.failed = _FailedTurns()

    def __enter__(self) -> FuzzTarget:
        self.server.start()
        logging.getLogger("bot").addHandler(self.failed)
        self.http = httpx.Client(base_url=self.server.url, trust_env=False, timeout=30)
        return self

    def __exit__(self, *exc: object) -> None:
        logging.getLogger("bot").removeHandler(self.failed)
        self.http.close()
        self.server.stop()

    @property
    def runtime(self) -> Any:
        assert self.server.app is not None
        return self.server.app[RUNTIME]

    def token(self, service_url: str) -> str:
        token = self.tokens.get(service_url)
        if token is None:
            token = self.tokens[service_url] = self.identity.mint(APP_ID, service_url)
        return token

    def post(self, content: bytes, service_url: str) -> int:
        headers = {"Authorization": f"Bearer {self.token(service_url)}", "Content-Type": "application/json"}
        return self.http.post("/api/messages", content=content, headers=headers).status_code

    def audit_rows(self) -> list[Any]:
        return self.server.call(self.runtime.store.audit_trail(limit=1_000_000))


def encode(body: Any) -> bytes:
    # json.dumps escapes lone surrogates as \ud800: valid JSON text that decodes to an unpaired surrogate
    return json.dumps(body, ensure_ascii=True).encode()


def run_fuzz(
    target: FuzzTarget,
    examples: int,
    *,
    seed: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> FuzzResult:
    result = FuzzResult()
    url = target.connector.url
    started = time.monotonic()

    def send(content: bytes, body: Any) -> None:
        result.requests += 1
        failed_before = len(target.failed.records)
        try:
            status = target.post(content, url)
        except httpx.HTTPError as exc:
            result.transport_errors += 1
            result.examples.setdefault("transport", (repr(exc), body))
            return
        result.statuses[status] += 1
        if status >= 500:
            result.examples.setdefault(str(status), body)
        failed = len(target.failed.records)
        if failed > failed_before:
            result.failed_turns += failed - failed_before
            record = target.failed.records[failed_before]
            reason = repr(record.exc_info[1]) if record.exc_info else record.getMessage()
            result.examples.setdefault(f"failed_turn {reason[:200]}", body)
        if progress is not None and result.requests % 1000 == 0:
            progress(result.requests)

    strategy = st.one_of(*[activities(url)] * 6, raw_bodies)

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=seed is not None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.generate],
        print_blob=False,
    )
    @given(strategy)
    def one(body: Any) -> None:
        send(body if isinstance(body, bytes) else encode(body), body)

    one()
    result.seconds = time.monotonic() - started
    _cross_user(target, result)
    return result


def _fast_worker(args: tuple[str, str, str, int, int, int, int]) -> tuple[Counter[int], int, dict[str, Any]]:
    """One client process: activities i = w, w + workers, ... < examples from FastHostile(seed * 1000 + w)."""
    base, service_url, token, seed, w, workers, examples = args
    gen = FastHostile(seed * 1000 + w, service_url)
    statuses: Counter[int] = Counter()
    transport_errors = 0
    examples_seen: dict[str, Any] = {}
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    with httpx.Client(base_url=base, trust_env=False, timeout=60) as http:
        for _ in range(w, examples, workers):
            body = gen.activity()
            content = body if isinstance(body, bytes) else encode(body)
            try:
                status = http.post("/api/messages", content=content, headers=headers).status_code
            except httpx.HTTPError as exc:
                transport_errors += 1
                examples_seen.setdefault("transport", (repr(exc), repr(body)[:2000]))
                continue
            statuses[status] += 1
            if status >= 500:
                examples_seen.setdefault(str(status), repr(body)[:2000])
    return statuses, transport_errors, examples_seen


def run_fast_fuzz(
    target: FuzzTarget, examples: int, *, seed: int = 8, workers: int = 2, processes: bool = False
) -> FuzzResult:
    """`examples` activities from the seeded grammar fuzzer, posted by `workers` client threads, or client
    processes (`processes=True`: the bot keeps this interpreter to itself; worth it for long runs only)."""
    import multiprocessing
    from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor

    result = FuzzResult()
    url = target.connector.url
    token = target.token(url)
    started = time.monotonic()
    jobs = [(target.server.url, url, token, seed, w, workers, examples) for w in range(workers)]
    pool: Executor = (
        ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
        if processes
        else ThreadPoolExecutor(workers)
    )
    with pool:
        for statuses, transport_errors, seen in pool.map(_fast_worker, jobs):
            result.statuses.update(statuses)
            result.transport_errors += transport_errors
            for key, value in seen.items():
                result.examples.setdefault(key, value)
    result.requests = sum(result.statuses.values()) + result.transport_errors
    result.seconds = time.monotonic() - started
    result.failed_turns = len(target.failed.records)
    for record in target.failed.records[:5]:
        reason = repr(record.exc_info[1]) if record.exc_info else record.getMessage()
        result.examples.setdefault(f"failed_turn {reason[:200]}", None)
    _cross_user(target, result)
    return result


def _cross_user(target: FuzzTarget, result: FuzzResult) -> None:
    state = target.runtime.demo_app[STATE]
    result.victim_puts = sum(state.counters.photo_puts.get(v, 0) for v in VICTIMS)
    # a victim's photo touched by someone else: any audit row about a victim, by another actor, not refused
    bad = [
        r
        for r in target.audit_rows()
        if r.target_id in VICTIMS and r.actor_id != r.target_id and r.outcome != "refused"
    ]
    result.victim_audit_not_refused = len(bad)
    if bad:
        result.examples["victim_audit"] = [(r.action, r.target_id, r.outcome) for r in bad[:5]]
