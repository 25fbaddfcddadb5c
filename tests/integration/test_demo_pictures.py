"""The demo tenant's faces over real HTTP: Graph's portraits and SharePoint's own copies (userphoto.aspx and
the Profile Pictures files), judged with bot.pictures the way the bot compares them."""

from __future__ import annotations

import copy
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from PIL import Image

from bot.demo.portraits import portrait
from bot.demo.renditions import portrait_seed
from bot.demo.server import STATE, ServerState, create_graph_app, sp_picture_timestamp
from bot.demo.synthetic import synthetic_tenant
from bot.demo.tenant import DEFAULT_TENANT_PATH, DemoTenant
from bot.pictures import PictureVerdict, compare, decode
from tests.fakes.threaded import ThreadedServer

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
ADELE = "53d6c7d3-7bc7-4272-b9e3-4eb50bd7b23b"
MEGAN = "23b90566-9297-4355-b479-c6e30e87b1f2"
LEE = "10d477f1-5081-456a-a79f-752efb5453d5"
JOHANNA = "963c75d3-0f41-453b-96af-3c7c703a96fa"
NESTOR = "ede3cab1-3da3-4a9e-b29b-52579e39f952"
PATTI = "de567967-bfef-48e7-bcdc-95bab6a08f07"
FILES = "/sp/User%20Photos/Profile%20Pictures"
# What the comparison must say for each SharePoint picture (a "none" user gets userphoto.aspx's silhouette).
VERDICT_OF = {
    "current": PictureVerdict.SAME,
    "previous": PictureVerdict.DIFFERENT,
    "placeholder": PictureVerdict.PLACEHOLDER,
    "initials": PictureVerdict.PLACEHOLDER,
    "none": PictureVerdict.PLACEHOLDER,
}
# The README's demo table, user by user: what SharePoint shows against the Microsoft 365 photo.
DEMO_VERDICTS: dict[str, PictureVerdict | int] = {
    "Adele Vance": PictureVerdict.DIFFERENT,
    "Alex Wilber": PictureVerdict.DIFFERENT,
    "Megan Bowen": PictureVerdict.SAME,
    "Lee Gu": PictureVerdict.PLACEHOLDER,  # no Microsoft 365 photo; SharePoint's silhouette
    "Isaiah Langer": PictureVerdict.DIFFERENT,
    "Johanna Lorenz": PictureVerdict.PLACEHOLDER,
    "Diego Siciliani": PictureVerdict.DIFFERENT,
    "Nestor Wilke": 503,
    "Lynne Robbins": PictureVerdict.DIFFERENT,
    "Patti Fernandez": PictureVerdict.PLACEHOLDER,
}


@pytest.fixture
def tenant() -> DemoTenant:
    return DemoTenant.load(now=NOW)


@pytest.fixture
def server(tenant: DemoTenant) -> Iterator[ThreadedServer]:
    srv = ThreadedServer(lambda: create_graph_app(tenant)).start()
    yield srv
    srv.stop()


def state_of(srv: ThreadedServer) -> ServerState:
    assert srv.app is not None
    return srv.app[STATE]


def client(srv: ThreadedServer) -> httpx.AsyncClient:
    headers = {"Authorization": "Bearer test-token"}
    return httpx.AsyncClient(base_url=srv.url, headers=headers, trust_env=False, timeout=10)


def userphoto(upn: str, size: str = "M") -> str:
    return f"/sp/_layouts/15/userphoto.aspx?size={size}&accountname={upn}"


async def verdict(c: httpx.AsyncClient, user_id: str, upn: str) -> PictureVerdict:
    """bot.pictures' verdict: Graph's 96 px photo against SharePoint's M picture."""
    graph = await c.get(f"/v1.0/users/{user_id}/photos/96x96/$value")
    sharepoint = await c.get(userphoto(upn))
    assert sharepoint.status_code == 200, sharepoint.text
    m365 = decode(graph.content) if graph.status_code == 200 else None
    return compare(m365, decode(sharepoint.content)).verdict


def jpeg_quality_tables(quality: int) -> dict[int, list[int]]:
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "JPEG", quality=quality)
    with Image.open(out) as img:
        return dict(img.quantization)  # type: ignore[attr-defined]


# ---- every demo user ---------------------------------------------------------------------------------
async def test_every_demo_user_gets_the_verdict_of_their_case(
    server: ThreadedServer, tenant: DemoTenant
) -> None:
    assert {u.display_name for u in tenant.users} == DEMO_VERDICTS.keys()
    async with client(server) as c:
        for user in tenant.users:
            expected = DEMO_VERDICTS[user.display_name]
            if isinstance(expected, int):  # SharePoint failing: every picture answer is the fault
                r = await c.get(userphoto(user.upn))
                assert r.status_code == expected and "odata.error" in r.json()
                continue
            assert VERDICT_OF[user.sharepoint_picture] is expected, user.display_name
            assert await verdict(c, user.id, user.upn) is expected, user.display_name
        # No Microsoft 365 photo and a real SharePoint picture: nothing to compare with.
        sharepoint = decode((await c.get(userphoto("AdeleV@contoso.onmicrosoft.com"))).content)
        assert compare(None, sharepoint).verdict is PictureVerdict.UNKNOWN


async def test_verdicts_hold_at_every_size(server: ThreadedServer) -> None:
    async with client(server) as c:
        for user_id, upn, expected in (
            (MEGAN, "MeganB@contoso.onmicrosoft.com", PictureVerdict.SAME),
            (ADELE, "AdeleV@contoso.onmicrosoft.com", PictureVerdict.DIFFERENT),
            (PATTI, "PattiF@contoso.onmicrosoft.com", PictureVerdict.PLACEHOLDER),
        ):
            for graph_path in ("photo/$value", "photos/48x48/$value", "photos/240x240/$value"):
                m365 = decode((await c.get(f"/v1.0/users/{user_id}/{graph_path}")).content)
                for size in "SML":
                    sharepoint = decode((await c.get(userphoto(upn, size))).content)
                    assert compare(m365, sharepoint).verdict is expected, (upn, graph_path, size)


# ---- userphoto.aspx and the Profile Pictures files ------------------------------------------------------
async def test_userphoto_aspx_wire_format(server: ThreadedServer) -> None:
    q75 = jpeg_quality_tables(75)
    async with client(server) as c:
        for size, side in (("S", 48), ("M", 72), ("L", 240), ("s", 48)):
            r = await c.get(userphoto("MeganB@contoso.onmicrosoft.com", size))
            assert r.status_code == 200 and r.headers["content-type"] == "image/jpeg"
            with Image.open(io.BytesIO(r.content)) as img:  # a square, re-encoded at quality 75
                assert (img.format, img.size) == ("JPEG", (side, side))
                assert dict(img.quantization) == q75  # type: ignore[attr-defined]
        medium = (await c.get(userphoto("MeganB@contoso.onmicrosoft.com"))).content
        # Query keys in any case; the account as a UPN in any case or as a claims name; no size: M.
        for query in (
            "SIZE=M&AccountName=meganb@contoso.onmicrosoft.com",
            "accountname=i:0%23.f|membership|meganb@contoso.onmicrosoft.com",
        ):
            assert (await c.get(f"/sp/_layouts/15/userphoto.aspx?{query}")).content == medium
        for query in ("size=M&accountname=ghost@contoso.onmicrosoft.com", "size=M"):
            assert (await c.get(f"/sp/_layouts/15/userphoto.aspx?{query}")).status_code == 404
        # No picture file (profile still importing): the generic silhouette, with 200, as the page does.
        r = await c.get(userphoto("JohannaL@contoso.onmicrosoft.com"))
        assert (
            r.status_code == 200
            and r.content == (await c.get(userphoto("LeeG@contoso.onmicrosoft.com"))).content
        )
        assert compare(None, decode(r.content)).verdict is PictureVerdict.PLACEHOLDER


async def test_picture_url_serves_the_m_thumbnail_file(server: ThreadedServer) -> None:
    async with client(server) as c:
        body = (
            await c.get(
                "/sp/_api/SP.UserProfiles.PeopleManager/GetPropertiesFor(accountName=@v)",
                params={"@v": "'i:0#.f|membership|adelev@contoso.onmicrosoft.com'"},
                headers={"Accept": "application/json;odata=nometadata"},
            )
        ).json()
        url = next(p["Value"] for p in body["UserProfileProperties"] if p["Key"] == "PictureURL")
        path = "/sp/" + url.split(":443/", 1)[1]
        r = await c.get(path)
        assert r.status_code == 200 and r.headers["content-type"] == "image/jpeg"
        assert r.content == (await c.get(userphoto("AdeleV@contoso.onmicrosoft.com", "M"))).content
        for letter in "SL":
            thumb = await c.get(path.replace("_MThumb", f"_{letter}Thumb"))
            assert thumb.content == (await c.get(userphoto("AdeleV@contoso.onmicrosoft.com", letter))).content
        # No file: a placeholder (Lee, Patti) or no picture at all (Johanna); unknown names.
        for stem in (
            "leeg_contoso_onmicrosoft_com",
            "pattif_contoso_onmicrosoft_com",
            "johannal_contoso_onmicrosoft_com",
            "ghost_contoso_onmicrosoft_com",
        ):
            assert (await c.get(f"{FILES}/{stem}_MThumb.jpg")).status_code == 404, stem
        assert (await c.get(f"{FILES}/adelev_contoso_onmicrosoft_com.png")).status_code == 404
        assert (await c.get(f"{FILES}/nestorw_contoso_onmicrosoft_com_MThumb.jpg")).status_code == 503


# ---- state changes ---------------------------------------------------------------------------------------
async def test_new_photo_leaves_sharepoint_behind_until_it_syncs(server: ThreadedServer) -> None:
    state = state_of(server)
    megan = state.users[MEGAN]
    upn = "MeganB@contoso.onmicrosoft.com"
    async with client(server) as c:
        graph_before = (await c.get(f"/v1.0/users/{MEGAN}/photo/$value")).content
        sharepoint_before = (await c.get(userphoto(upn))).content
        assert await verdict(c, MEGAN, upn) is PictureVerdict.SAME
        etag = state.set_photo(megan)  # Megan takes a new photo: her next portrait
        graph_after = (await c.get(f"/v1.0/users/{MEGAN}/photo/$value")).content
        assert graph_after == portrait(portrait_seed(MEGAN), variant=2, size=648) != graph_before
        assert (await c.get(f"/v1.0/users/{MEGAN}/photo")).json()["@odata.mediaEtag"] == etag
        assert (await c.get(userphoto(upn))).content == sharepoint_before  # SharePoint does not follow
        assert await verdict(c, MEGAN, upn) is PictureVerdict.DIFFERENT
        state.clock = lambda: NOW + timedelta(hours=5)
        state.sync_sharepoint_picture(MEGAN)
        assert await verdict(c, MEGAN, upn) is PictureVerdict.SAME
        assert megan.sp_props["SPS-PictureTimestamp"] == sp_picture_timestamp(NOW + timedelta(hours=5))
        assert megan.sp_props["SPS-PicturePlaceholderState"] == "0"
        # A placeholder user syncs to their photo; the profile's placeholder state follows.
        state.sync_sharepoint_picture(PATTI)
        assert await verdict(c, PATTI, "PattiF@contoso.onmicrosoft.com") is PictureVerdict.SAME
        assert state.users[PATTI].sp_props["SPS-PicturePlaceholderState"] == "0"
        assert (await c.get(f"{FILES}/pattif_contoso_onmicrosoft_com_MThumb.jpg")).status_code == 200
    # No Microsoft 365 photo: SharePoint keeps its placeholder; no profile or no user: nothing to sync.
    state.sync_sharepoint_picture(LEE)
    assert state.users[LEE].sp_props["SPS-PicturePlaceholderState"] == "1"
    assert state.users[LEE].sp_props["PictureURL"].endswith("/leeg_contoso_onmicrosoft_com_MThumb.jpg")
    with pytest.raises(ValueError, match="no SharePoint user profile"):
        state.sync_sharepoint_picture(JOHANNA)
    with pytest.raises(KeyError):
        state.sync_sharepoint_picture("ghost@contoso.onmicrosoft.com")


async def test_uploaded_photo_is_served_and_resized_but_not_copied(server: ThreadedServer) -> None:
    upload = portrait(4242, variant=0, size=300)  # someone else's face
    upn = "MeganB@contoso.onmicrosoft.com"
    async with client(server) as c:
        r = await c.put(
            f"/v1.0/users/{MEGAN}/photo/$value", content=upload, headers={"Content-Type": "image/jpeg"}
        )
        assert r.status_code == 200
        assert (await c.get(f"/v1.0/users/{MEGAN}/photo/$value")).content == upload
        sized = (await c.get(f"/v1.0/users/{MEGAN}/photos/96x96/$value")).content
        assert compare(decode(upload), decode(sized)).verdict is PictureVerdict.SAME  # resized from it
        assert (await c.get(f"/v1.0/users/{MEGAN}/photos/360x360/$value")).status_code == 404
        assert await verdict(c, MEGAN, upn) is PictureVerdict.DIFFERENT
        state_of(server).sync_sharepoint_picture(MEGAN)
        sharepoint = decode((await c.get(userphoto(upn, "L"))).content)
        assert compare(decode(upload), sharepoint).verdict is PictureVerdict.SAME
    # An upload Pillow cannot read still gives every size a picture (the next portrait stands in).
    state_of(server).set_photo(state_of(server).users[MEGAN], b"\xff\xd8junk", "image/jpeg", (96, 96))
    async with client(server) as c:
        r = await c.get(f"/v1.0/users/{MEGAN}/photos/48x48/$value")
        assert r.status_code == 200 and decode(r.content) is not None


async def test_faults_still_apply_to_pictures(server: ThreadedServer) -> None:
    state = state_of(server)
    state.faults.add(r"GET /sp/_layouts/15/userphoto\.aspx", status=429, retry_after=1)
    state.faults.add(r"GET /v1\.0/users/[^/]+/photos/96x96/\$value", status=503)
    async with client(server) as c:
        r = await c.get(userphoto("MeganB@contoso.onmicrosoft.com"))
        assert r.status_code == 429 and r.headers["Retry-After"] == "1"
        assert (await c.get(f"/v1.0/users/{MEGAN}/photos/96x96/$value")).status_code == 503
        assert await verdict(c, MEGAN, "MeganB@contoso.onmicrosoft.com") is PictureVerdict.SAME
        for _ in range(2):  # the per-user SharePoint fault: always
            assert (await c.get(userphoto("NestorW@contoso.onmicrosoft.com"))).status_code == 503
        assert (await c.get(f"/v1.0/users/{NESTOR}/photos/96x96/$value")).status_code == 200


# ---- other tenants ---------------------------------------------------------------------------------------
def _raw_tenant() -> dict[str, Any]:
    raw: dict[str, Any] = json.loads(DEFAULT_TENANT_PATH.read_text(encoding="utf-8"))
    return copy.deepcopy(raw)


async def test_initials_and_derived_pictures_are_served() -> None:
    raw = _raw_tenant()
    for user in raw["users"]:
        user["sharepoint"].pop("picture", None)  # every user's picture derived from the other fields
    raw["users"][0]["sharepoint"]["picture"] = "initials"  # Adele
    tenant = DemoTenant.from_dict(raw, now=NOW)
    with ThreadedServer(lambda: create_graph_app(tenant)) as srv:
        async with client(srv) as c:
            for user in tenant.users:
                if user.fault("sharepoint") is None:
                    expected = VERDICT_OF[user.sharepoint_picture]
                    assert await verdict(c, user.id, user.upn) is expected, user.display_name
            r = await c.get(f"{FILES}/adelev_contoso_onmicrosoft_com_LThumb.jpg")
            assert r.status_code == 200 and decode(r.content) is not None


async def test_synthetic_tenant_pictures_follow_their_cases() -> None:
    tenant = synthetic_tenant(40, now=NOW, seed=2)
    with ThreadedServer(lambda: create_graph_app(tenant)) as srv:
        async with client(srv) as c:
            for user in tenant.users:
                expected = VERDICT_OF[user.sharepoint_picture]
                assert await verdict(c, user.id, user.upn) is expected, (user.case, user.display_name)


async def test_generated_pictures_are_cached(server: ThreadedServer) -> None:
    pictures = state_of(server).pictures
    paths = [f"/v1.0/users/{ADELE}/photos/96x96/$value", userphoto("AdeleV@contoso.onmicrosoft.com")]
    async with client(server) as c:
        first = [(await c.get(p)).content for p in paths]
        generated = pictures.generated
        assert generated == 2
        for _ in range(3):
            assert [(await c.get(p)).content for p in paths] == first
        assert pictures.generated == generated
