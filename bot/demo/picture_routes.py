"""SharePoint's picture routes of the fake server: the pictures SharePoint itself serves for a user.

* `GET /sp/_layouts/15/userphoto.aspx?size=S|M|L&accountname={upn}` (query keys in any case; the account
  as a UPN or a claims name): 200 `image/jpeg` with SharePoint's copy (48, 72 or 240 px square). With no
  picture file, or a placeholder, it serves its grey silhouette with 200, as the real page does. Unknown
  account: 404. The user's SharePoint fault applies.
* `GET /sp/User Photos/Profile Pictures/{account}_{S|M|L}Thumb.jpg`: the thumbnail files `PictureURL`
  points at (on the My Site host in a real tenant): the same bytes, 404 when SharePoint has no file
  (no picture, or only its placeholder).

SharePoint's copy changes only when SharePoint syncs (`ServerState.sync_sharepoint_picture`), never when
the Microsoft 365 photo changes.
"""

from __future__ import annotations

import asyncio
import contextlib
import re

from bot.demo.renditions import SHAREPOINT_SIZES
from bot.demo.routing import Route, route
from bot.demo.state import ServerState, UserState, picture_file_stem
from bot.demo.wire import Call, Reply, delegated_claims, sp_error

_THUMB = re.compile(r"(?P<stem>.+)_(?P<letter>[SML])Thumb\.jpg", re.IGNORECASE)
_NOT_FOUND = b"<html><body><h1>404 NOT FOUND</h1></body></html>"
# Thumbnails change only when SharePoint syncs; the real pages let clients keep them for a while.
_CACHE = {"Cache-Control": "private, max-age=3600"}


def _not_found() -> Reply:
    return Reply(404, _NOT_FOUND, content_type="text/html; charset=utf-8")


def _faulted(state: ServerState, found: UserState) -> Reply | None:
    """The user's SharePoint fault, which every SharePoint answer about them gets."""
    status = found.user.fault("sharepoint")
    if status is None:
        return None
    state.counters.faulted += 1
    return sp_error(
        status,
        "-1, Microsoft.SharePoint.SPException",
        "The service is temporarily unavailable. Please try again later.",
    )


def _file(state: ServerState, found: UserState, letter: str) -> bytes | None:
    """SharePoint's thumbnail file of the user at size `letter`, or None when it has none."""
    copy = found.sp_picture
    if copy.kind == "photo" and copy.face is not None:
        return state.pictures.sharepoint_photo(copy.face, letter)
    if copy.kind == "initials":
        return state.pictures.initials(found.user.display_name, found.seed, letter)
    return None


def _jpeg(data: bytes) -> Reply:
    return Reply(200, data, dict(_CACHE), content_type="image/jpeg")


async def user_photo(state: ServerState, call: Call, m: re.Match[str]) -> Reply:
    query = {k.lower(): v for k, v in call.query.items()}
    account = query.get("accountname", "").strip()
    found = state.user(account.rsplit("|", 1)[-1]) if account else None
    if found is None:
        return _not_found()
    if (fault := _faulted(state, found)) is not None:
        return fault
    # An unknown or missing size gets the medium picture rather than an error, as the page does.
    letter = query.get("size", "M").strip().upper()
    letter = letter if letter in SHAREPOINT_SIZES else "M"
    user = delegated_claims(call)
    if user is not None:
        state.counters.delegated[f"userphoto:{found.user.upn.lower()}|{user['oid']}"] += 1
    # the user's own request: their browser (no token) or a request made with their own delegated token
    own = "Authorization" not in call.headers or (user is not None and user["oid"] == found.user.id)
    if letter == "L" and own and found.sp_profile:
        _sync_later(state, found.user.id)
    # No user profile yet means no picture file either, whatever the tenant file says.
    data = _file(state, found, letter) if found.sp_profile else None
    return _jpeg(data if data is not None else state.pictures.silhouette(letter))


async def profile_picture_file(state: ServerState, call: Call, m: re.Match[str]) -> Reply:
    name = _THUMB.fullmatch(m["file"])
    if name is None:
        return _not_found()
    stem = name["stem"].lower()
    found = next((s for s in state.users.values() if picture_file_stem(s.user.upn) == stem), None)
    if found is None:
        return _not_found()
    if (fault := _faulted(state, found)) is not None:
        return fault
    data = _file(state, found, name["letter"].upper()) if found.sp_profile else None
    return _not_found() if data is None else _jpeg(data)


def _sync_later(state: ServerState, user_id: str) -> None:
    """The user asked for their own large photo: SharePoint fetches the current one, after a while."""
    delay = state.limits.user_sync_s
    if delay is None:
        return

    def sync() -> None:
        with contextlib.suppress(KeyError, ValueError):  # the user left the tenant or lost their profile
            state.sync_sharepoint_picture(user_id)

    asyncio.get_running_loop().call_later(delay, sync)


def picture_routes() -> tuple[Route, ...]:
    return (
        route(
            "GET",
            r"/sp/_layouts/15/userphoto\.aspx",
            "GET /sp/_layouts/15/userphoto.aspx",
            user_photo,
            ignore_case=True,
        ),
        route(
            "GET",
            r"/sp/User(?: |%20)Photos/Profile(?: |%20)Pictures/(?P<file>[^/]+)",
            "GET /sp/User Photos/Profile Pictures/{file}",
            profile_picture_file,
            ignore_case=True,
        ),
    )
