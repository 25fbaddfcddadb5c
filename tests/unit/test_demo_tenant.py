"""The demo tenant file: typed loading, relative times, validation errors, synthetic tenants, and the
small helpers the fake server builds on (JPEG writer, SPS-PictureTimestamp, $filter parsing)."""

from __future__ import annotations

import dataclasses
import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.demo.jpeg import flat_jpeg, jpeg_size
from bot.demo.odata_query import QueryError, parse_filter, parse_search
from bot.demo.state import parse_sp_picture_timestamp, sp_picture_timestamp
from bot.demo.synthetic import synthetic_tenant
from bot.demo.tenant import DEFAULT_TENANT_PATH, SYNTHETIC_NAMESPACE, DemoTenant

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
ADELE = "53d6c7d3-7bc7-4272-b9e3-4eb50bd7b23b"
LEE = "10d477f1-5081-456a-a79f-752efb5453d5"
ISAIAH = "2e2d50d5-d303-48e0-a2e4-b2b1f354953c"
JOHANNA = "963c75d3-0f41-453b-96af-3c7c703a96fa"
NESTOR = "ede3cab1-3da3-4a9e-b29b-52579e39f952"
LYNNE = "eda2fc04-204e-43bf-9ee6-bad796071651"
PATTI = "de567967-bfef-48e7-bcdc-95bab6a08f07"


@pytest.fixture(scope="module")
def tenant() -> DemoTenant:
    return DemoTenant.load(now=NOW)


def _raw() -> dict[str, Any]:
    raw: dict[str, Any] = json.loads(DEFAULT_TENANT_PATH.read_text(encoding="utf-8"))
    return raw


def test_loads_packaged_tenant(tenant: DemoTenant) -> None:
    assert tenant.id == "7a3c9b1e-2f4d-4e8a-9c6b-1d2e3f4a5b6c"
    assert tenant.photo_update_source == "onPremises"
    assert tenant.sharepoint_host == "contoso.sharepoint.com"
    assert len(tenant.users) == 10
    assert tenant.loaded_at == NOW
    cases = {u.case for u in tenant.users}
    assert {
        "stale",
        "pending",
        "in_sync",
        "no_photo",
        "on_premises",
        "profile_importing",
        "sync_disabled",
        "unavailable",
        "change_time_unknown",
    } <= cases


def test_relative_times_resolve_against_now(tenant: DemoTenant) -> None:
    adele = tenant.user(ADELE)
    assert adele is not None and adele.photo is not None
    assert adele.photo.changed == NOW - timedelta(days=4)
    assert adele.sharepoint.picture_timestamp == NOW - timedelta(days=60)
    assert adele.created == NOW - timedelta(days=400)
    isaiah = tenant.user(ISAIAH)
    assert isaiah is not None
    assert isaiah.on_premises_last_sync == NOW - timedelta(minutes=25)
    assert isaiah.on_premises_sync_enabled is True
    alex = tenant.user("AlexW@contoso.onmicrosoft.com")
    assert alex is not None and alex.photo is not None
    assert alex.photo.changed == NOW - timedelta(hours=3)


def test_user_states_from_file(tenant: DemoTenant) -> None:
    lee, johanna, nestor, lynne = (tenant.user(i) for i in (LEE, JOHANNA, NESTOR, LYNNE))
    assert lee is not None and lee.photo is None and lee.sharepoint.placeholder_state == 1
    assert johanna is not None and johanna.sharepoint.profile is False
    assert nestor is not None and nestor.fault("sharepoint") == 503 and nestor.fault("graph") is None
    assert lynne is not None and lynne.photo is not None and lynne.photo.changed is None
    patti = tenant.user("pattif@CONTOSO.onmicrosoft.com")  # upn lookup is case-insensitive
    assert patti is not None and patti.role == "helpdesk"
    assert (patti.given_name, patti.surname) == ("Patti", "Fernandez")
    assert tenant.groups[0].display_name == "Helpdesk" and tenant.groups[0].members == (PATTI,)
    assert tenant.user("nobody@contoso.onmicrosoft.com") is None


def test_photo_changed_times_only_known_changes(tenant: DemoTenant) -> None:
    times = tenant.photo_changed_times()
    assert times[ADELE] == ('W/"adele-photo-v2"', NOW - timedelta(days=4))
    assert LEE not in times  # no photo
    assert LYNNE not in times  # change time unknown
    assert len(times) == 8


def test_dataclasses_are_frozen(tenant: DemoTenant) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        tenant.users[0].display_name = "x"  # type: ignore[misc]


def test_iso_times_and_naive_iso_is_utc(tmp_path: Path) -> None:
    raw = _raw()
    raw["users"][0]["createdDateTime"] = "2020-05-06T07:08:09Z"
    raw["users"][1]["createdDateTime"] = "2020-05-06T07:08:09"
    raw["users"][2]["photo"]["changed"] = "-2w"
    path = tmp_path / "t.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    t = DemoTenant.load(path, NOW)
    assert t.users[0].created == datetime(2020, 5, 6, 7, 8, 9, tzinfo=UTC)
    assert t.users[1].created == datetime(2020, 5, 6, 7, 8, 9, tzinfo=UTC)
    photo = t.users[2].photo
    assert photo is not None and photo.changed == NOW - timedelta(weeks=2)


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda r: r["users"][0]["photo"].__setitem__("width", "big"), "users[0].photo.width"),
        (lambda r: r["users"][1].__setitem__("createdDateTime", "yesterday"), "users[1].createdDateTime"),
        (lambda r: r["users"][2]["sharepoint"].pop("profile"), "users[2].sharepoint.profile"),
        (lambda r: r["users"][3].pop("userPrincipalName"), "users[3].userPrincipalName"),
        (lambda r: r["users"][7].__setitem__("fault", {"exchange": 503}), "users[7].fault.exchange"),
        (lambda r: r["users"][7].__setitem__("fault", {"sharepoint": 200}), "users[7].fault.sharepoint"),
        (lambda r: r["tenant"].__setitem__("photoUpdateSource", "cloudy"), "tenant.photoUpdateSource"),
        (lambda r: r["groups"][0]["members"].append("ghost"), "groups[0].members"),
        (lambda r: r["users"][1].__setitem__("id", r["users"][0]["id"]), "users[1]"),
        (lambda r: r.__setitem__("users", {}), "users"),
        (
            lambda r: r["users"][4]["sharepoint"].__setitem__("picture", "stale"),
            "users[4].sharepoint.picture",
        ),
        (lambda r: r["users"][5]["sharepoint"].__setitem__("picture", 1), "users[5].sharepoint.picture"),
        (lambda r: r["users"][0].__setitem__("manager", "ghost"), "users[0].manager"),
        (lambda r: r["users"][0].__setitem__("manager", r["users"][0]["id"]), "users[0].manager"),
    ],
)
def test_bad_data_names_file_and_field(tmp_path: Path, mutate: Any, field: str) -> None:
    raw = _raw()
    mutate(raw)
    path = tmp_path / "broken-tenant.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(ValueError, match=r"broken-tenant\.json") as info:
        DemoTenant.load(path, now=NOW)
    assert field in str(info.value)


def test_unreadable_file_and_naive_now(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.json"):
        DemoTenant.load(bad, now=NOW)
    with pytest.raises(ValueError, match=r"missing\.json"):
        DemoTenant.load(tmp_path / "missing.json", now=NOW)
    with pytest.raises(ValueError, match="timezone-aware"):
        DemoTenant.load(now=datetime(2025, 1, 1))


def test_synthetic_is_deterministic_with_a_mix() -> None:
    a = synthetic_tenant(500, NOW, seed=7)
    b = synthetic_tenant(500, NOW, seed=7)
    assert a == b
    assert len(a.users) == 500
    assert a.users[3].id == str(uuid.uuid5(SYNTHETIC_NAMESPACE, "user-3"))
    assert len({u.upn for u in a.users}) == 500
    counts: dict[str | None, int] = {}
    for u in a.users:
        counts[u.case] = counts.get(u.case, 0) + 1
    assert counts["in_sync"] > 300  # mostly in sync
    assert {"stale", "pending", "no_photo"} <= counts.keys()
    for u in a.users:
        if u.case == "in_sync":
            assert u.photo is not None and u.photo.changed is not None
            assert u.sharepoint.picture_timestamp is not None
            assert u.sharepoint.picture_timestamp > u.photo.changed
        if u.case == "stale":
            assert u.photo is not None and u.photo.changed is not None
            assert u.sharepoint.picture_timestamp is not None
            assert u.sharepoint.picture_timestamp < u.photo.changed
    assert synthetic_tenant(500, NOW, seed=8) != a
    assert a.users[0].id == synthetic_tenant(5, NOW, seed=8).users[0].id  # ids depend on index only


def test_sharepoint_picture_is_explicit_and_agrees_with_the_derived_default(tenant: DemoTenant) -> None:
    assert {u.display_name: u.sharepoint.picture for u in tenant.users} == {
        "Adele Vance": "previous",
        "Alex Wilber": "previous",
        "Megan Bowen": "current",
        "Lee Gu": "placeholder",
        "Isaiah Langer": "previous",
        "Johanna Lorenz": "none",
        "Diego Siciliani": "previous",
        "Nestor Wilke": "current",
        "Lynne Robbins": "previous",
        "Patti Fernandez": "placeholder",
    }
    raw = _raw()
    for user in raw["users"]:
        del user["sharepoint"]["picture"]
    derived = DemoTenant.from_dict(raw, now=NOW)
    assert all(u.sharepoint.picture is None for u in derived.users)
    assert [u.sharepoint_picture for u in derived.users] == [u.sharepoint_picture for u in tenant.users]


def test_bad_picture_error_lists_the_choices() -> None:
    raw = _raw()
    raw["users"][0]["sharepoint"]["picture"] = "old"
    with pytest.raises(
        ValueError, match=r"users\[0\]\.sharepoint\.picture: expected one of .*'previous'.*'old'"
    ):
        DemoTenant.from_dict(raw, now=NOW)


def test_synthetic_pictures_follow_the_cases() -> None:
    expected = {
        "in_sync": "current",
        "no_photo": "placeholder",
        "profile_importing": "none",
        "stale": "previous",
        "pending": "previous",
        "change_time_unknown": "previous",
        "sync_disabled": "previous",
    }
    users = synthetic_tenant(300, NOW, seed=1).users
    assert {u.case for u in users} == expected.keys()
    assert all(u.sharepoint_picture == expected[u.case] for u in users if u.case)


def test_flat_jpeg_is_a_jpeg_of_the_requested_size() -> None:
    data = flat_jpeg(648, 648, (10, 200, 30), "demo")
    assert data.startswith(b"\xff\xd8\xff\xe0") and data.endswith(b"\xff\xd9")
    assert jpeg_size(data) == (648, 648)
    assert jpeg_size(flat_jpeg(13, 7, (0, 0, 0))) == (13, 7)
    assert len(data) < 20_000
    assert jpeg_size(b"not a jpeg") is None


def test_sps_picture_timestamp_format() -> None:
    # A value seen in a real GetPropertiesFor answer, and its PictureUrl '?t=' twin.
    assert parse_sp_picture_timestamp("63783110969") == datetime(2022, 3, 17, 10, 49, 29, tzinfo=UTC)
    assert sp_picture_timestamp(datetime(2022, 3, 17, 10, 49, 29, tzinfo=UTC)) == "63783110969"
    assert parse_sp_picture_timestamp("") is None


def test_filter_and_search_parsing(tenant: DemoTenant) -> None:
    def names(pred: Any) -> set[str]:
        return {u.display_name for u in tenant.users if pred(u)}

    assert names(parse_filter("startswith(displayName,'a')")) == {"Adele Vance", "Alex Wilber"}
    assert names(parse_filter("startswith(givenName,'LEE') or mail eq 'megANB@contoso.onmicrosoft.com'")) == {
        "Lee Gu",
        "Megan Bowen",
    }
    assert names(parse_filter("onPremisesSyncEnabled eq true and startswith(displayName,'I')")) == {
        "Isaiah Langer"
    }
    assert names(parse_search('"displayName:vance"')) == {"Adele Vance"}
    assert names(parse_search('"displayName:lee" OR "displayName:megan"')) == {"Lee Gu", "Megan Bowen"}
    with pytest.raises(QueryError):
        parse_filter("jobTitle eq 'x'")
    with pytest.raises(QueryError):
        parse_filter("contains(displayName,'a')")


def test_demo_users_have_managers_in_the_tenant(tenant: DemoTenant) -> None:
    ids = {u.id for u in tenant.users}
    managed = [u for u in tenant.users if u.manager_id is not None]
    assert len(managed) >= 5
    assert all(u.manager_id in ids and u.manager_id != u.id for u in managed)
