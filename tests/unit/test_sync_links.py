"""Sync links: signed, short-lived, for one user; anything changed or late is refused."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.services.sync_links import LINK_TTL, SyncLinks
from tests.clock import FakeClock

ADELE = "53d6c7d3-7bc7-4272-b9e3-4eb50bd7b23b"
MEGAN = "23b90566-9297-4355-b479-c6e30e87b1f2"


def test_a_link_names_its_user_until_it_expires() -> None:
    clock = FakeClock()
    links = SyncLinks(b"k" * 32, clock)
    token = links.token(ADELE.upper())
    assert links.user(token) == ADELE
    clock.advance(LINK_TTL - timedelta(seconds=1))
    assert links.user(token) == ADELE
    clock.advance(timedelta(seconds=1))
    assert links.user(token) is None


def test_a_changed_link_is_refused() -> None:
    clock = FakeClock()
    links = SyncLinks(b"k" * 32, clock)
    token = links.token(ADELE)
    oid, expires, signature = token.split(".")
    forged = [
        f"{MEGAN}.{expires}.{signature}",  # another user
        f"{oid}.{int(expires) + 3600}.{signature}",  # a later expiry
        f"{oid}.{expires}.{signature[:-1]}{'B' if signature.endswith('A') else 'A'}",  # a changed signature
        SyncLinks(b"x" * 32, clock).token(ADELE),  # another key
        "",
        "a.b",
        "x" * 500,
        f"../{oid}.{expires}.{signature}",
    ]
    assert [links.user(t) for t in forged] == [None] * len(forged)


def test_links_are_made_for_object_ids_only() -> None:
    links = SyncLinks(b"k" * 32, FakeClock())
    with pytest.raises(ValueError):
        links.token("https://evil.example/")
    with pytest.raises(ValueError):
        SyncLinks(b"short", FakeClock())
