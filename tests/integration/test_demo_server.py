"""The demo tenant's fake Graph/SharePoint over real HTTP on loopback (ThreadedServer + httpx)."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from PIL import Image

from bot.demo.jpeg import flat_jpeg, jpeg_size
from bot.demo.portraits import portrait
from bot.demo.renditions import portrait_seed
from bot.demo.server import STATE, GraphLimits, ServerState, create_graph_app
from bot.demo.synthetic import synthetic_tenant
from bot.demo.tenant import DEFAULT_TENANT_PATH, DemoTenant
from tests.fakes.threaded import ThreadedServer

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
ADELE = "53d6c7d3-7bc7-4272-b9e3-4eb50bd7b23b"
LEE = "10d477f1-5081-456a-a79f-752efb5453d5"
ISAIAH = "2e2d50d5-d303-48e0-a2e4-b2b1f354953c"
PATTI = "de567967-bfef-48e7-bcdc-95bab6a08f07"
HELPDESK = "4173ae94-81bb-4525-bacb-717911cd5748"
NOMETA = {"Accept": "application/json;odata=nometadata"}
PM = "/sp/_api/SP.UserProfiles.PeopleManager"


def props_for(upn: str) -> str:
    return f"{PM}/GetPropertiesFor(accountName=@v)?@v='i:0%23.f|membership|{upn}'"


Serve = Callable[..., ThreadedServer]


@pytest.fixture
def tenant() -> DemoTenant:
    return DemoTenant.load(now=NOW)


@pytest.fixture
def serve(tenant: DemoTenant) -> Iterator[Serve]:
    servers: list[ThreadedServer] = []

    def start(limits: GraphLimits | None = None, t: DemoTenant | None = None) -> ThreadedServer:
        srv = ThreadedServer(lambda: create_graph_app(t or tenant, limits)).start()
        servers.append(srv)
        return srv

    yield start
    for srv in servers:
        srv.stop()


@pytest.fixture
def server(serve: Serve) -> ThreadedServer:
    return serve()


def state_of(srv: ThreadedServer) -> ServerState:
    assert srv.app is not None
    return srv.app[STATE]


TOKEN = "test-token"


def client(srv: ThreadedServer, token: str | None = TOKEN) -> httpx.AsyncClient:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.AsyncClient(base_url=srv.url, headers=headers, trust_env=False, timeout=10)


# ---- auth --------------------------------------------------------------------------------------------
async def test_missing_token_is_401(serve: Serve) -> None:
    srv = serve(GraphLimits(token_check=lambda t: t == "good"))
    async with client(srv, token=None) as c:
        r = await c.get(f"/v1.0/users/{ADELE}")
        assert r.status_code == 401
        assert r.json()["error"]["code"] == "InvalidAuthenticationToken"
        r = await c.get(props_for("AdeleV@contoso.onmicrosoft.com"), headers=NOMETA)
        assert r.status_code == 401
        assert 'client_id="00000003-0000-0ff1-ce00-000000000000"' in r.headers["WWW-Authenticate"]
    async with client(srv, token="forged") as c:
        r = await c.get(f"/v1.0/users/{ADELE}")
        assert r.status_code == 401 and r.json()["error"]["code"] == "InvalidAuthenticationToken"
    async with client(srv, token="good") as c:
        assert (await c.get(f"/v1.0/users/{ADELE}")).status_code == 200


# ---- users --------------------------------------------------------------------------------------------
async def test_get_user_by_id_and_upn_with_select(server: ThreadedServer) -> None:
    async with client(server) as c:
        r = await c.get(f"/v1.0/users/{ADELE}")
        assert r.status_code == 200
        body = r.json()
        assert body["@odata.context"] == "https://graph.microsoft.com/v1.0/$metadata#users/$entity"
        assert (
            body["displayName"] == "Adele Vance"
            and body["userPrincipalName"] == "AdeleV@contoso.onmicrosoft.com"
        )
        assert "onPremisesSyncEnabled" not in body  # not in Graph's default property set
        r = await c.get(
            "/v1.0/users/isaiahl@contoso.onmicrosoft.com",
            params={
                "$select": "id,displayName,onPremisesSyncEnabled,onPremisesLastSyncDateTime,"
                "createdDateTime,preferredLanguage"
            },
        )
        body = r.json()
        assert set(body) == {
            "@odata.context",
            "id",
            "displayName",
            "onPremisesSyncEnabled",
            "onPremisesLastSyncDateTime",
            "createdDateTime",
            "preferredLanguage",
        }
        assert body["id"] == ISAIAH and body["onPremisesSyncEnabled"] is True
        assert body["onPremisesLastSyncDateTime"] == (NOW - timedelta(minutes=25)).strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        )
        r = await c.get("/v1.0/users/ghost@contoso.onmicrosoft.com")
        assert r.status_code == 404 and r.json()["error"]["code"] == "Request_ResourceNotFound"
        assert "request-id" in r.headers


async def test_user_search_filter_and_paging(server: ThreadedServer) -> None:
    async with client(server) as c:
        r = await c.get(
            "/v1.0/users", params={"$filter": "startswith(displayName,'a')", "$select": "id,displayName"}
        )
        assert {u["displayName"] for u in r.json()["value"]} == {"Adele Vance", "Alex Wilber"}
        r = await c.get("/v1.0/users", params={"$filter": "startswith(givenName,'meg')"})
        assert [u["id"] for u in r.json()["value"]] == ["23b90566-9297-4355-b479-c6e30e87b1f2"]
        for clause in (
            "mail eq 'LeeG@contoso.onmicrosoft.com'",
            "userPrincipalName eq 'leeg@contoso.onmicrosoft.com'",
        ):
            r = await c.get("/v1.0/users", params={"$filter": clause})
            assert [u["id"] for u in r.json()["value"]] == [LEE]
        r = await c.get("/v1.0/users", params={"$filter": "jobTitle eq 'boss'"})
        assert r.status_code == 400 and r.json()["error"]["code"] == "Request_UnsupportedQuery"
        r = await c.get("/v1.0/users", params={"$search": '"displayName:vance"'})
        assert r.status_code == 400  # $search needs ConsistencyLevel: eventual
        r = await c.get(
            "/v1.0/users",
            params={"$search": '"displayName:vance"', "$count": "true"},
            headers={"ConsistencyLevel": "eventual"},
        )
        assert r.status_code == 200 and r.json()["@odata.count"] == 1
        assert r.json()["value"][0]["id"] == ADELE
        r = await c.get("/v1.0/users", params={"$top": "4", "$select": "id"})
        page = r.json()
        assert len(page["value"]) == 4
        seen = [u["id"] for u in page["value"]]
        while "@odata.nextLink" in page:
            page = (await c.get(page["@odata.nextLink"])).json()
            seen += [u["id"] for u in page["value"]]
        assert len(seen) == len(set(seen)) == 10


async def test_groups(server: ThreadedServer) -> None:
    async with client(server) as c:
        other = "00000000-0000-0000-0000-000000000001"
        r = await c.post(f"/v1.0/users/{PATTI}/checkMemberGroups", json={"groupIds": [HELPDESK, other]})
        assert r.status_code == 200 and r.json()["value"] == [HELPDESK]
        r = await c.post(f"/v1.0/users/{ADELE}/checkMemberGroups", json={"groupIds": [HELPDESK]})
        assert r.json()["value"] == []
        r = await c.post(f"/v1.0/users/{ADELE}/checkMemberGroups", json={"groupIds": [other] * 21})
        assert r.status_code == 400
        r = await c.get(f"/v1.0/users/{PATTI}/transitiveMemberOf")
        (group,) = r.json()["value"]
        assert group["@odata.type"] == "#microsoft.graph.group" and group["displayName"] == "Helpdesk"
        assert (await c.get(f"/v1.0/users/{ADELE}/transitiveMemberOf")).json()["value"] == []


async def test_beta_photo_update_settings(server: ThreadedServer) -> None:
    async with client(server) as c:
        r = await c.get("/beta/admin/people/photoUpdateSettings")
        assert r.status_code == 200
        assert {k: v for k, v in r.json().items() if k != "@odata.context"} == {
            "source": "onPremises",
            "allowedRoles": [],
        }


# ---- photos ---------------------------------------------------------------------------------------------
async def test_photo_metadata_value_and_sizes(server: ThreadedServer) -> None:
    async with client(server) as c:
        r = await c.get(f"/v1.0/users/{ADELE}/photo")
        meta = r.json()
        assert meta["@odata.mediaContentType"] == "image/jpeg"
        assert meta["@odata.mediaEtag"] == 'W/"adele-photo-v2"'
        assert (meta["id"], meta["width"], meta["height"]) == ("648x648", 648, 648)
        r = await c.get(f"/v1.0/users/{ADELE}/photo/$value")
        assert r.status_code == 200 and r.headers["content-type"] == "image/jpeg"
        assert jpeg_size(r.content) == (648, 648)
        # The user's portrait (the person fixed by the user id), photo session 1, at the photo's size.
        assert r.content == portrait(portrait_seed(ADELE), variant=1, size=648)
        with Image.open(io.BytesIO(r.content)) as img:
            assert (img.format, img.mode, img.size) == ("JPEG", "RGB", (648, 648))
        other = (await c.get("/v1.0/users/AlexW@contoso.onmicrosoft.com/photo/$value")).content
        assert jpeg_size(other) == (504, 504) and other != r.content
        r = await c.get(f"/v1.0/users/{ISAIAH}/photos")
        assert [p["id"] for p in r.json()["value"]] == ["48x48", "64x64", "96x96"]
        r = await c.get(f"/v1.0/users/{ISAIAH}/photos/64x64/$value")
        assert r.headers["content-type"] == "image/jpeg" and jpeg_size(r.content) == (64, 64)
        for size in ("120x120", "240x240"):  # larger than the upload: ImageNotFound, as Graph answers
            r = await c.get(f"/v1.0/users/{ISAIAH}/photos/{size}/$value")
            assert r.status_code == 404 and r.json()["error"]["code"] == "ImageNotFound"
        assert (await c.get(f"/v1.0/users/{ISAIAH}/photos/240x240")).status_code == 404
        r = await c.get(f"/beta/users/{ADELE}/photos")
        ids = [p["id"] for p in r.json()["value"]]
        assert ids[:5] == ["48x48", "64x64", "96x96", "120x120", "240x240"] and ids[-1] == "648x648"
        for side in (48, 64, 96, 120, 240, 648):
            r = await c.get(f"/beta/users/{ADELE}/photos/{side}x{side}/$value")
            assert r.status_code == 200 and jpeg_size(r.content) == (side, side)
        for path in (f"/v1.0/users/{LEE}/photo", f"/v1.0/users/{LEE}/photo/$value"):
            r = await c.get(path)
            assert r.status_code == 404 and r.json()["error"]["code"] == "ImageNotFound"
        r = await c.get("/v1.0/users/ghost@contoso.onmicrosoft.com/photo")
        assert r.status_code == 404 and r.json()["error"]["code"] == "Request_ResourceNotFound"


async def test_photo_put_changes_etag(server: ThreadedServer, tenant: DemoTenant) -> None:
    jpeg = flat_jpeg(300, 300, (1, 2, 3))
    async with client(server) as c:
        before = (await c.get(f"/v1.0/users/{ADELE}/photo")).json()["@odata.mediaEtag"]
        r = await c.put(
            f"/v1.0/users/{ADELE}/photo/$value", content=jpeg, headers={"Content-Type": "image/jpeg"}
        )
        assert r.status_code == 200
        meta = (await c.get(f"/v1.0/users/{ADELE}/photo")).json()
        assert meta["@odata.mediaEtag"] != before and meta["id"] == "300x300"
        assert (await c.get(f"/v1.0/users/{ADELE}/photo/$value")).content == jpeg
        r = await c.patch(
            f"/v1.0/users/{ADELE}/photo/$value", content=jpeg, headers={"Content-Type": "image/jpeg"}
        )
        assert r.status_code == 200
        assert (await c.get(f"/v1.0/users/{ADELE}/photo")).json()["@odata.mediaEtag"] != meta[
            "@odata.mediaEtag"
        ]
        r = await c.put(
            f"/v1.0/users/{ADELE}/photo/$value", content=jpeg, headers={"Content-Type": "text/plain"}
        )
        assert r.status_code == 400
        big = jpeg + b"\0" * (4 * 1024 * 1024)
        r = await c.put(
            f"/v1.0/users/{ADELE}/photo/$value", content=big, headers={"Content-Type": "image/jpeg"}
        )
        assert r.status_code == 413
        # Photo source onPremises: a directory-synced user's photo can't be changed in the cloud.
        r = await c.put(
            f"/v1.0/users/{ISAIAH}/photo/$value", content=jpeg, headers={"Content-Type": "image/jpeg"}
        )
        assert r.status_code == 403
    assert state_of(server).counters.photo_puts == {ADELE: 2}
    adele = tenant.user(ADELE)
    assert adele is not None and adele.photo is not None and adele.photo.etag == 'W/"adele-photo-v2"'


# ---- SharePoint -------------------------------------------------------------------------------------------
async def test_sharepoint_profile_shape(server: ThreadedServer) -> None:
    async with client(server) as c:
        r = await c.get(props_for("AdeleV@contoso.onmicrosoft.com"), headers=NOMETA)
        assert r.status_code == 200
        body = r.json()
        assert body["AccountName"] == "i:0#.f|membership|adelev@contoso.onmicrosoft.com"
        assert body["DisplayName"] == "Adele Vance"
        props = {p["Key"]: p["Value"] for p in body["UserProfileProperties"]}
        assert all(p["ValueType"] == "Edm.String" for p in body["UserProfileProperties"])
        stamp = (NOW - timedelta(days=60) - datetime(1, 1, 1, tzinfo=UTC)) // timedelta(seconds=1)
        assert props["SPS-PictureTimestamp"] == str(stamp)
        assert props["SPS-PicturePlaceholderState"] == "0" and props["SPS-PictureExchangeSyncState"] == "1"
        assert props["PictureURL"] == (
            "https://contoso-my.sharepoint.com:443/User%20Photos/Profile%20Pictures/"
            "adelev_contoso_onmicrosoft_com_MThumb.jpg"
        )
        assert body["PictureUrl"] == f"{props['PictureURL']}?t={stamp}"
        assert {"UserProfile_GUID", "AccountName", "FirstName", "LastName", "WorkEmail"} <= props.keys()
        # No picture yet: empty values, no PictureUrl.
        lee = (await c.get(props_for("LeeG@contoso.onmicrosoft.com"), headers=NOMETA)).json()
        lee_props = {p["Key"]: p["Value"] for p in lee["UserProfileProperties"]}
        assert lee["PictureUrl"] is None and lee_props["SPS-PictureTimestamp"] == ""
        # Verbose flavour and the single-property function.
        r = await c.get(
            props_for("AdeleV@contoso.onmicrosoft.com"), headers={"Accept": "application/json;odata=verbose"}
        )
        assert r.json()["d"]["UserProfileProperties"]["results"]
        r = await c.get(
            f"{PM}/GetUserProfilePropertyFor(accountName=@v,propertyName='SPS-PictureTimestamp')",
            params={"@v": "'i:0#.f|membership|adelev@contoso.onmicrosoft.com'"},
            headers=NOMETA,
        )
        assert r.json() == {"value": str(stamp)}


async def test_sharepoint_no_profile_and_unknown_account(server: ThreadedServer) -> None:
    async with client(server) as c:
        for upn in ("JohannaL@contoso.onmicrosoft.com", "ghost@contoso.onmicrosoft.com"):
            r = await c.get(props_for(upn), headers=NOMETA)
            assert r.status_code == 200 and r.json() == {"odata.null": True}


async def test_sharepoint_per_user_fault(server: ThreadedServer) -> None:
    async with client(server) as c:
        for _ in range(2):  # always, not once
            r = await c.get(props_for("NestorW@contoso.onmicrosoft.com"), headers=NOMETA)
            assert r.status_code == 503
            assert "odata.error" in r.json()
        assert (await c.get(f"/v1.0/users/{'ede3cab1-3da3-4a9e-b29b-52579e39f952'}/photo")).status_code == 200


async def test_sharepoint_set_single_value(server: ThreadedServer) -> None:
    url = "/sp-admin/_api/SP.UserProfiles.PeopleManager/SetSingleValueProfileProperty"
    payload = {
        "accountName": "i:0#.f|membership|adelev@contoso.onmicrosoft.com",
        "propertyName": "SPS-PicturePlaceholderState",
        "propertyValue": "1",
    }
    async with client(server) as c:
        r = await c.post(url, json=payload, headers=NOMETA)
        assert r.status_code == 200 and r.json() == {"odata.null": True}
        body = (await c.get(props_for("AdeleV@contoso.onmicrosoft.com"), headers=NOMETA)).json()
        props = {p["Key"]: p["Value"] for p in body["UserProfileProperties"]}
        assert props["SPS-PicturePlaceholderState"] == "1"
        r = await c.post(
            url,
            json=payload | {"accountName": "i:0#.f|membership|johannal@contoso.onmicrosoft.com"},
            headers=NOMETA,
        )
        assert r.status_code == 500 and "User Not Found" in r.json()["odata.error"]["message"]["value"]
        r = await c.post(url, json={"accountName": payload["accountName"]}, headers=NOMETA)
        assert r.status_code == 400
    assert state_of(server).counters.sp_property_sets == {
        "adelev@contoso.onmicrosoft.com|SPS-PicturePlaceholderState": 1
    }


# ---- $batch ------------------------------------------------------------------------------------------------
async def test_batch_out_of_order_with_base64_values(serve: Serve) -> None:
    srv = serve(GraphLimits(seed=3))
    requests: list[dict[str, Any]] = [
        {"id": str(i), "method": "GET", "url": f"/users/{ADELE}"} for i in range(8)
    ]
    requests += [
        {"id": "photo", "method": "GET", "url": f"/users/{ADELE}/photo"},
        {"id": "bytes", "method": "GET", "url": f"/users/{ADELE}/photo/$value"},
        {"id": "sized", "method": "GET", "url": f"/users/{ADELE}/photos/96x96/$value"},
        {"id": "none", "method": "GET", "url": f"/users/{LEE}/photo/$value"},
        {
            "id": "groups",
            "method": "POST",
            "url": f"/users/{PATTI}/checkMemberGroups",
            "headers": {"Content-Type": "application/json"},
            "body": {"groupIds": [HELPDESK]},
        },
    ]
    async with client(srv) as c:
        r = await c.post("/v1.0/$batch", json={"requests": requests})
        assert r.status_code == 200
        responses = r.json()["responses"]
        assert sorted(x["id"] for x in responses) == sorted(q["id"] for q in requests)
        assert [x["id"] for x in responses] != [q["id"] for q in requests]  # shuffled
        by_id = {x["id"]: x for x in responses}
        assert by_id["photo"]["body"]["@odata.mediaEtag"] == 'W/"adele-photo-v2"'
        assert by_id["bytes"]["headers"]["Content-Type"] == "image/jpeg"
        assert jpeg_size(base64.b64decode(by_id["bytes"]["body"])) == (648, 648)
        # Binary bodies come back base64-encoded with their Content-Type: the same bytes as a direct GET.
        for item, path in (("bytes", "photo/$value"), ("sized", "photos/96x96/$value")):
            assert by_id[item]["status"] == 200 and by_id[item]["headers"]["Content-Type"] == "image/jpeg"
            direct = (await c.get(f"/v1.0/users/{ADELE}/{path}")).content
            assert base64.b64decode(by_id[item]["body"], validate=True) == direct
        with Image.open(io.BytesIO(base64.b64decode(by_id["sized"]["body"]))) as img:
            assert img.size == (96, 96)
        assert by_id["none"]["status"] == 404 and by_id["none"]["body"]["error"]["code"] == "ImageNotFound"
        assert by_id["groups"]["body"]["value"] == [HELPDESK]
        # A photo upload inside a batch: base64 body.
        put = {
            "id": "1",
            "method": "PUT",
            "url": f"/users/{ADELE}/photo/$value",
            "headers": {"Content-Type": "image/jpeg"},
            "body": base64.b64encode(flat_jpeg(96, 96, (9, 9, 9))).decode(),
        }
        r = await c.post("/v1.0/$batch", json={"requests": [put]})
        assert r.json()["responses"][0]["status"] == 200
        assert (await c.get(f"/v1.0/users/{ADELE}/photo")).json()["id"] == "96x96"
    counters = state_of(srv).counters
    assert (counters.batch_requests, counters.batch_items) == (2, 14)
    assert counters.requests["GET /v1.0/users/{id}"] == 8


async def test_batch_limits(server: ThreadedServer) -> None:
    async with client(server) as c:
        too_many = [{"id": str(i), "method": "GET", "url": f"/users/{ADELE}"} for i in range(21)]
        r = await c.post("/v1.0/$batch", json={"requests": too_many})
        assert r.status_code == 400 and r.json()["error"]["code"] == "BadRequest"
        dup = [{"id": "1", "method": "GET", "url": f"/users/{ADELE}"}] * 2
        assert (await c.post("/v1.0/$batch", json={"requests": dup})).status_code == 400
        assert (await c.post("/v1.0/$batch", content=b"nope")).status_code == 400
    assert state_of(server).counters.batch_requests == 0


async def test_batch_items_throttled_individually(serve: Serve) -> None:
    srv = serve(GraphLimits(photo_concurrency=4, latency_s=0.2, retry_after_s=2))
    requests = [{"id": str(i), "method": "GET", "url": f"/users/{ADELE}/photo"} for i in range(10)]
    async with client(srv) as c:
        r = await c.post("/v1.0/$batch", json={"requests": requests})
        assert r.status_code == 200
        statuses = [x["status"] for x in r.json()["responses"]]
        assert statuses.count(200) == 4 and statuses.count(429) == 6
        throttled = next(x for x in r.json()["responses"] if x["status"] == 429)
        assert throttled["headers"]["Retry-After"] == "2"
        assert throttled["body"]["error"]["code"] == "ApplicationThrottled"
    assert state_of(srv).counters.max_photo_in_flight == 4


# ---- limits, latency and faults ---------------------------------------------------------------------
async def test_photo_concurrency_limit(serve: Serve) -> None:
    srv = serve(GraphLimits(photo_concurrency=4, latency_s=0.2, retry_after_s=1))
    async with client(srv) as c:
        paths = [
            f"/v1.0/users/{ADELE}/photo",
            f"/v1.0/users/{ADELE}/photo/$value",
            f"/v1.0/users/{ISAIAH}/photos",
        ]
        results = await asyncio.gather(*(c.get(paths[i % 3]) for i in range(12)))
        throttled = [r for r in results if r.status_code == 429]
        assert throttled and all(r.headers["Retry-After"] == "1" for r in throttled)
        assert sum(r.status_code == 200 for r in results) >= 4
        # Non-photo routes are not limited.
        others = await asyncio.gather(*(c.get(f"/v1.0/users/{ADELE}") for _ in range(8)))
        assert all(r.status_code == 200 for r in others)
    counters = state_of(srv).counters
    assert counters.max_photo_in_flight == 4
    assert counters.throttled == len(throttled) and counters.photo_in_flight == 0


async def test_latency_is_added(serve: Serve) -> None:
    srv = serve(GraphLimits(latency_s=0.15))
    async with client(srv) as c:
        start = time.perf_counter()
        assert (await c.get(f"/v1.0/users/{ADELE}")).status_code == 200
        assert time.perf_counter() - start >= 0.15


async def test_injected_faults(server: ThreadedServer) -> None:
    faults = state_of(server).faults
    photo = f"/v1.0/users/{ADELE}/photo"
    faults.add(r"GET /v1\.0/users/[^/]+/photo$", status=503, times=2, retry_after=3)
    faults.add(r"GET /v1\.0/users/[^/]+/photo$", status=429, retry_after=1)
    async with client(server) as c:
        first, second, third, fourth = [await c.get(photo) for _ in range(4)]
        assert (first.status_code, second.status_code, third.status_code, fourth.status_code) == (
            503,
            503,
            429,
            200,
        )
        assert first.headers["Retry-After"] == "3" and first.json()["error"]["code"] == "ServiceNotAvailable"

        faults.add(r"GET /v1\.0/users/", status=200, body=b"not json")
        r = await c.get(f"/v1.0/users/{ADELE}")
        assert r.status_code == 200
        with pytest.raises(ValueError):
            r.json()

        faults.add(r"GET /sp/", reset=True)
        with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
            await c.get(props_for("AdeleV@contoso.onmicrosoft.com"), headers=NOMETA)

        faults.add(r"GET /v1\.0/users/[^/]+$", status=None, delay_s=0.2)
        start = time.perf_counter()
        r = await c.get(f"/v1.0/users/{ADELE}")
        assert r.status_code == 200 and time.perf_counter() - start >= 0.2

        # Query strings can be matched, and faults reach single $batch items.
        faults.add(r"\$filter=startswith", status=500)
        assert (
            await c.get("/v1.0/users", params={"$filter": "startswith(displayName,'a')"})
        ).status_code == 500
        faults.add(rf"GET /v1\.0/users/{LEE}$", status=504)
        r = await c.post(
            "/v1.0/$batch",
            json={
                "requests": [
                    {"id": "a", "method": "GET", "url": f"/users/{ADELE}"},
                    {"id": "l", "method": "GET", "url": f"/users/{LEE}"},
                ]
            },
        )
        assert {x["id"]: x["status"] for x in r.json()["responses"]} == {"a": 200, "l": 504}

        faults.add(r"POST /v1\.0/\$batch", reset=True)
        with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
            await c.post(
                "/v1.0/$batch", json={"requests": [{"id": "a", "method": "GET", "url": f"/users/{ADELE}"}]}
            )
        assert (await c.get(photo)).status_code == 200  # the server survives resets
    assert faults.pending() == []
    assert faults.fired_total == 9
    assert state_of(server).counters.faulted == 8  # the delay-only fault answered normally


def test_fault_api_validation() -> None:
    from bot.demo.faults import FaultInjector

    faults = FaultInjector()
    with pytest.raises(ValueError):
        faults.add("x", times=0)
    with pytest.raises(ValueError):
        faults.add("x", status=None)
    forever = faults.add("GET /x", times=None)
    for _ in range(5):
        assert faults.take(("GET /x",)) is forever
    assert faults.take(("GET /y",)) is None


def test_unknown_route_answers_like_graph(server: ThreadedServer) -> None:
    with httpx.Client(base_url=server.url, headers={"Authorization": "Bearer t"}, trust_env=False) as c:
        r = c.get("/v1.0/nonsense")
        assert r.status_code == 400 and "nonsense" in r.json()["error"]["message"]
        assert c.delete(f"/v1.0/users/{ADELE}").status_code == 405


def _synthetic_server(serve: Serve) -> tuple[ThreadedServer, Any]:
    t = synthetic_tenant(50, NOW, seed=1)
    return serve(t=t), t


async def test_synthetic_tenant_is_served(serve: Serve) -> None:
    srv, t = _synthetic_server(serve)
    user = next(u for u in t.users if u.photo is not None)
    async with client(srv) as c:
        r = await c.get(f"/v1.0/users/{user.id}/photo")
        assert r.json()["@odata.mediaEtag"] == user.photo.etag
        r = await c.get("/v1.0/users", params={"$top": "999", "$select": "id"})
        assert len(r.json()["value"]) == 50


async def test_per_user_graph_fault_from_tenant_data(serve: Serve) -> None:
    raw = json.loads(DEFAULT_TENANT_PATH.read_text(encoding="utf-8"))
    raw["users"][0]["fault"] = {"graph": 500}  # Adele
    srv = serve(t=DemoTenant.from_dict(raw, now=NOW))
    async with client(srv) as c:
        assert (await c.get(f"/v1.0/users/{ADELE}/photo")).status_code == 500
        assert (await c.get(f"/v1.0/users/{ADELE}")).status_code == 500
        assert (await c.get(props_for("AdeleV@contoso.onmicrosoft.com"), headers=NOMETA)).status_code == 200
        assert (await c.get(f"/v1.0/users/{LEE}")).status_code == 200
