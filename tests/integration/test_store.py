"""The store on SQLite and on a real PostgreSQL (URL from PHOTOSYNC_TEST_POSTGRES_URL)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.store import AuditRecord, ConversationRecord, Store

from .conftest import Database

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def store(fresh_store: Store) -> Store:
    return fresh_store


async def test_ping(store: Store) -> None:
    assert await store.ping()


async def test_photo_ledger_tracks_versions(store: Store) -> None:
    first = await store.observe_photo("u1", "e1", T0)
    assert (first.etag, first.known_change, first.first_seen_at) == ("e1", False, T0)
    same = await store.observe_photo("u1", "e1", T0 + timedelta(hours=1))
    assert same.first_seen_at == T0 and same.last_seen_at == T0 + timedelta(hours=1)
    new = await store.observe_photo("u1", "e2", T0 + timedelta(hours=5))
    assert new.known_change and new.previous_etag == "e1"
    assert new.previous_seen_at == T0 + timedelta(hours=1)
    assert new.first_seen_at == T0 + timedelta(hours=5)
    assert new.first_seen_at.tzinfo is not None


async def test_seed_photo_sets_a_known_change(store: Store) -> None:
    await store.seed_photo("u2", "e9", T0 - timedelta(days=3), T0)
    entry = await store.ledger_entry("u2")
    assert entry is not None and entry.known_change and entry.first_seen_at == T0 - timedelta(days=3)


async def test_conversation_reference_roundtrip_and_upsert(store: Store) -> None:
    record = ConversationRecord(
        user_id="u1",
        conversation_id="a:1;personal@thread",
        conversation_type="personal",
        service_url="https://smba.trafficmanager.net/emea/",
        channel_id="msteams",
        tenant_id="t",
        bot_id="28:bot",
        locale="nl-NL",
        updated_at=T0,
        reference={"conversation": {"id": "a:1;personal@thread"}},
    )
    await store.save_conversation(record)
    await store.save_conversation(
        ConversationRecord(**{**{k: getattr(record, k) for k in record.__slots__}, "locale": "en-US"})
    )
    got = await store.personal_conversation("u1")
    assert got is not None and got.locale == "en-US" and got.reference == record.reference
    assert await store.personal_conversation("nobody") is None


async def test_audit_and_cooldown_lookup(store: Store) -> None:
    await store.audit(AuditRecord(T0, "a", "b", "send_sync_link", "requested", None, "cid"))
    await store.audit(AuditRecord(T0 + timedelta(minutes=1), "a", "b", "send_sync_link", "cooldown"))
    found = await store.last_audit("b", "send_sync_link", "requested", T0 - timedelta(minutes=5))
    assert found is not None and found.correlation_id == "cid"
    assert await store.last_audit("b", "send_sync_link", "requested", T0 + timedelta(seconds=1)) is None
    assert [r.outcome for r in await store.audit_trail(target_id="b")] == ["requested", "cooldown"]


async def test_concurrent_observations_are_safe(store: Store) -> None:
    await store.observe_photo("u3", "e1", T0)
    await asyncio.gather(*(store.observe_photo("u3", "e1", T0 + timedelta(seconds=i)) for i in range(10)))
    entry = await store.ledger_entry("u3")
    assert entry is not None and entry.etag == "e1"


async def test_replicas_writing_the_same_new_rows_at_once_never_fail(database: Database) -> None:
    """Several processes (here: engines) first-write the same user at the same moment: conversation reference,
    ledger seed, first sighting and opt-out all end up as one row, with no IntegrityError."""
    from bot.store import OptOuts

    stores = [database.store() for _ in range(6)]
    try:
        await stores[0].open()
        record = ConversationRecord(
            user_id="u-race",
            conversation_id="a:race",
            conversation_type="personal",
            service_url="http://127.0.0.1:9/",
            channel_id="msteams",
            tenant_id=None,
            bot_id="28:b",
            locale="nl-NL",
            updated_at=T0,
            reference={},
        )
        for _ in range(3):  # a few rounds: the race is real only if the writes overlap
            await asyncio.gather(*(s.save_conversation(record) for s in stores))
            await asyncio.gather(*(s.seed_photo("u-seed", "e1", T0 - timedelta(days=1), T0) for s in stores))
            await asyncio.gather(*(s.observe_photo(f"u-new-{_}", "e1", T0) for s in stores))
            await asyncio.gather(*(OptOuts(s.engine).set("u-race", True, T0) for s in stores))
        assert (await stores[0].personal_conversation("u-race")) is not None
        assert (await stores[0].ledger_entry("u-seed")) is not None
        assert (await stores[0].ledger_entry("u-new-2")) is not None
        assert await OptOuts(stores[0].engine).is_opted_out("u-race")
    finally:
        for s in stores:
            await s.close()


async def test_a_new_etag_with_the_same_picture_is_the_same_photo_version(store: Store) -> None:
    """Graph gives every re-upload a new etag; the ledger judges versions by the picture's signature."""
    t0 = datetime(2026, 3, 1, 9, tzinfo=UTC)
    first = await store.observe_photo("u1", 'W/"a"', t0, "f0f0f0f0f0f0f0f0")
    assert first.first_seen_at == t0 and first.picture == "f0f0f0f0f0f0f0f0"
    # the same picture uploaded again (a re-encode moves a bit or two of the hash): same version
    again = await store.observe_photo("u1", 'W/"b"', t0 + timedelta(days=1), "f0f0f0f0f0f0f0f1")
    assert (again.etag, again.first_seen_at, again.known_change) == ('W/"b"', t0, False)
    # another picture: a new version from now on
    other = await store.observe_photo("u1", 'W/"c"', t0 + timedelta(days=2), "0f0f0f0f0f0f0f0f")
    assert (other.first_seen_at, other.known_change, other.previous_etag) == (
        t0 + timedelta(days=2),
        True,
        'W/"b"',
    )
    # without a signature (a metadata-only scan) a new etag is a new version, as before
    unseen = await store.observe_photo("u1", 'W/"d"', t0 + timedelta(days=3))
    assert unseen.first_seen_at == t0 + timedelta(days=3) and unseen.known_change


async def test_sync_checks_one_schedule_per_user_due_in_order_bounded(store: Store) -> None:
    from bot.store.sync_checks import CHECKING, FIXED, SyncChecks

    checks = SyncChecks(store.engine)
    for i, user in enumerate(["u1", "u2", "u3"]):
        await checks.start(user, T0, T0 + timedelta(minutes=5 - i))
    assert [c.user_id for c in await checks.due(T0 + timedelta(minutes=10), limit=2)] == ["u3", "u2"]
    assert await checks.due(T0, limit=10) == []
    first = await checks.get("u1")
    assert first is not None
    await checks.start("u1", T0 + timedelta(hours=1), T0 + timedelta(hours=2))  # started again: one schedule
    await checks.finish(first, FIXED, T0 + timedelta(hours=1))  # the old schedule's outcome changes nothing
    again = await checks.get("u1")
    assert again is not None and (again.status, again.started_at, again.checks) == (
        CHECKING,
        T0 + timedelta(hours=1),
        0,
    )
    await checks.checked(again, T0 + timedelta(hours=3))
    await checks.finish((await checks.get("u1")), FIXED, T0 + timedelta(hours=3))  # type: ignore[arg-type]
    done = await checks.get("u1")
    assert done is not None and (done.status, done.checks) == (FIXED, 2)
    assert [c.user_id for c in await checks.due(T0 + timedelta(days=9), limit=10)] == ["u3", "u2"]
