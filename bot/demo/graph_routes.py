"""Microsoft Graph routes of the fake server: users, photos, group checks, the beta photo settings."""

from __future__ import annotations

import base64
import re
from typing import Any
from urllib.parse import urlencode

from bot.demo.jpeg import jpeg_size
from bot.demo.odata_query import QueryError, parse_filter, parse_search
from bot.demo.routing import Route, route
from bot.demo.state import ServerState, UserState
from bot.demo.tenant import DemoUser
from bot.demo.wire import Call, Reply, graph_error, iso, page_size_error

GRAPH = "https://graph.microsoft.com"
MAX_PHOTO_BYTES = 4 * 1024 * 1024
HD_SIZES = (48, 64, 96, 120, 240, 360, 432, 504, 648)
DEFAULT_USER_PROPS = (
    "businessPhones",
    "displayName",
    "givenName",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
    "id",
)


def _version(call: Call) -> str:
    return call.path.split("/", 2)[1]


def user_json(s: UserState) -> dict[str, Any]:
    """All properties the fake knows; the default (no $select) set is DEFAULT_USER_PROPS."""
    u = s.user
    immutable = base64.b64encode(u.id.encode()[:16]).decode() if u.on_premises_sync_enabled else None
    return {
        "businessPhones": [],
        "displayName": u.display_name,
        "givenName": u.given_name,
        "jobTitle": None,
        "mail": u.mail,
        "mobilePhone": None,
        "officeLocation": None,
        "preferredLanguage": u.preferred_language,
        "surname": u.surname,
        "userPrincipalName": u.upn,
        "id": u.id,
        "accountEnabled": True,
        "createdDateTime": iso(u.created),
        "mailNickname": u.upn.split("@")[0],
        "onPremisesSyncEnabled": u.on_premises_sync_enabled,
        "onPremisesLastSyncDateTime": iso(u.on_premises_last_sync),
        "onPremisesImmutableId": immutable,
        "userType": u.user_type,
    }


def _select(call: Call, full: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    raw = call.query.get("$select")
    if not raw:
        return {k: full[k] for k in DEFAULT_USER_PROPS}, None
    by_lower = {k.lower(): k for k in full}
    wanted = [by_lower[n.strip().lower()] for n in raw.split(",") if n.strip().lower() in by_lower]
    return {k: full[k] for k in wanted}, ",".join(wanted)


def _resolve(state: ServerState, ref: str) -> UserState | Reply:
    ref = ref.strip()
    if ref.startswith("('") and ref.endswith("')"):
        ref = ref[2:-2].replace("''", "'")
    found = state.user(ref)
    if found is None:
        return graph_error(
            404,
            "Request_ResourceNotFound",
            f"Resource '{ref}' does not exist or one of its queried reference-property "
            "objects are not present.",
        )
    status = found.user.fault("graph")
    if status is not None:
        state.counters.faulted += 1
        return graph_error(status, message=f"Injected per-user Graph fault for {found.user.upn}.")
    return found


async def get_user(state: ServerState, call: Call, m: re.Match[str]) -> Reply:
    found = _resolve(state, m["user"])
    if isinstance(found, Reply):
        return found
    body, selected = _select(call, user_json(found))
    ctx = f"users({selected})" if selected else "users"
    return Reply(200, {"@odata.context": f"{GRAPH}/{_version(call)}/$metadata#{ctx}/$entity", **body})


async def get_manager(state: ServerState, call: Call, m: re.Match[str]) -> Reply:
    found = _resolve(state, m["user"])
    if isinstance(found, Reply):
        return found
    manager = state.user(found.user.manager_id) if found.user.manager_id else None
    if manager is None:
        return graph_error(
            404,
            "Request_ResourceNotFound",
            "Resource 'manager' does not exist or one of its queried reference-property objects are not "
            "present.",
        )
    body, _ = _select(call, user_json(manager))
    return Reply(
        200,
        {
            "@odata.context": f"{GRAPH}/{_version(call)}/$metadata#directoryObjects/$entity",
            "@odata.type": "#microsoft.graph.user",
            **body,
        },
    )


async def list_users(state: ServerState, call: Call, m: re.Match[str]) -> Reply:
    users: list[DemoUser] = [s.user for s in state.users.values()]
    try:
        if f := call.query.get("$filter"):
            pred = parse_filter(f)
            users = [u for u in users if pred(u)]
        if q := call.query.get("$search"):
            if call.headers.get("ConsistencyLevel", "").lower() != "eventual":
                return graph_error(
                    400,
                    "Request_UnsupportedQuery",
                    "Request with $search query parameter only works through MSGraph with a "
                    "special request header: 'ConsistencyLevel: eventual'",
                )
            pred = parse_search(q)
            users = [u for u in users if pred(u)]
        top = int(call.query.get("$top", "100"))
        skip = int(call.query.get("$skiptoken", "0"))
    except QueryError as exc:
        return graph_error(400, "Request_UnsupportedQuery", str(exc))
    except ValueError:
        return graph_error(400, "BadRequest", "Invalid $top or $skiptoken.")
    if (too_big := page_size_error(top)) is not None:
        return too_big
    order = call.query.get("$orderby", "").strip().lower()
    if order.startswith("displayname"):
        users.sort(key=lambda u: u.display_name.lower(), reverse=order.endswith(" desc"))
    page = users[skip : skip + top]
    rows = []
    selected: str | None = None
    for u in page:
        row, selected = _select(call, user_json(state.users[u.id.lower()]))
        rows.append(row)
    ctx = f"users({selected})" if selected else "users"
    body: dict[str, Any] = {"@odata.context": f"{GRAPH}/{_version(call)}/$metadata#{ctx}"}
    if call.query.get("$count", "").lower() == "true":
        body["@odata.count"] = len(users)
    if skip + top < len(users):
        query = {k: v for k, v in call.query.items() if k != "$skiptoken"} | {"$skiptoken": str(skip + top)}
        body["@odata.nextLink"] = f"{call.origin}{call.path}?{urlencode(query)}"
    body["value"] = rows
    return Reply(200, body)


def _photo_meta(call: Call, s: UserState, side: int | None = None) -> dict[str, Any]:
    p = s.photo
    assert p is not None
    width, height = (side, side) if side else (p.width, p.height)
    return {
        "@odata.context": f"{GRAPH}/{_version(call)}/$metadata#users('{s.user.id}')/photo/$entity",
        "@odata.mediaContentType": p.content_type,
        "@odata.mediaEtag": p.etag,
        "id": f"{width}x{height}",
        "width": width,
        "height": height,
    }


def _no_photo() -> Reply:
    return graph_error(404, "ImageNotFound", "The photo wasn't found.")


async def get_photo(state: ServerState, call: Call, m: re.Match[str]) -> Reply:
    found = _resolve(state, m["user"])
    if isinstance(found, Reply):
        return found
    return _no_photo() if found.photo is None else Reply(200, _photo_meta(call, found))


async def get_photo_value(state: ServerState, call: Call, m: re.Match[str]) -> Reply:
    found = _resolve(state, m["user"])
    if isinstance(found, Reply):
        return found
    face = found.face()
    if found.photo is None or face is None:
        return _no_photo()
    return Reply(200, state.pictures.graph_photo(face), content_type=found.photo.content_type)


def _sizes(s: UserState) -> list[int]:
    assert s.photo is not None
    side = min(s.photo.width, s.photo.height)
    return [n for n in HD_SIZES if n <= side] or [side]


async def list_photos(state: ServerState, call: Call, m: re.Match[str]) -> Reply:
    found = _resolve(state, m["user"])
    if isinstance(found, Reply):
        return found
    rows = (
        []
        if found.photo is None
        else [
            {k: v for k, v in _photo_meta(call, found, n).items() if k != "@odata.context"}
            for n in _sizes(found)
        ]
    )
    ctx = f"{GRAPH}/{_version(call)}/$metadata#users('{found.user.id}')/photos"
    return Reply(200, {"@odata.context": ctx, "value": rows})


async def get_sized_photo(state: ServerState, call: Call, m: re.Match[str]) -> Reply:
    found = _resolve(state, m["user"])
    if isinstance(found, Reply):
        return found
    size = re.fullmatch(r"(\d+)[xX](\d+)", m["size"])
    face = found.face()
    # Like Graph: only the sizes at or below the uploaded photo's exist (ImageNotFound above it).
    if face is None or size is None or size[1] != size[2] or int(size[1]) not in _sizes(found):
        return _no_photo()
    side = int(size[1])
    if not m["value"]:
        return Reply(200, _photo_meta(call, found, side))
    return Reply(200, state.pictures.graph_photo(face, side), content_type="image/jpeg")


async def put_photo_value(state: ServerState, call: Call, m: re.Match[str]) -> Reply:
    found = _resolve(state, m["user"])
    if isinstance(found, Reply):
        return found
    if call.content_type != "image/jpeg":
        return graph_error(400, "BadRequest", "Content-Type must be image/jpeg.")
    if not call.body:
        return graph_error(400, "BadRequest", "The request body is empty.")
    if len(call.body) > MAX_PHOTO_BYTES:
        return graph_error(413, "RequestEntityTooLarge", "The photo is larger than 4 MB.")
    if state.tenant.photo_update_source == "onPremises" and found.user.on_premises_sync_enabled:
        return graph_error(
            403,
            "Authorization_RequestDenied",
            "Photo updates for this user are managed on-premises (photoUpdateSettings.source is onPremises).",
        )
    state.set_photo(found, call.body, "image/jpeg", jpeg_size(call.body))
    return Reply(200)


async def check_member_groups(state: ServerState, call: Call, m: re.Match[str]) -> Reply:
    found = _resolve(state, m["user"])
    if isinstance(found, Reply):
        return found
    try:
        ids = (call.json() or {}).get("groupIds")
    except (ValueError, AttributeError):
        ids = None
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids) or not 1 <= len(ids) <= 20:
        return graph_error(400, "Request_BadRequest", "groupIds must be a list of 1 to 20 group ids.")
    mine = {g.id.lower() for g in state.groups() if found.user.id in g.members}
    ctx = f"{GRAPH}/{_version(call)}/$metadata#Collection(Edm.String)"
    return Reply(200, {"@odata.context": ctx, "value": [i for i in ids if i.lower() in mine]})


async def member_of(state: ServerState, call: Call, m: re.Match[str]) -> Reply:
    found = _resolve(state, m["user"])
    if isinstance(found, Reply):
        return found
    rows = [
        {
            "@odata.type": "#microsoft.graph.group",
            "id": g.id,
            "displayName": g.display_name,
            "securityEnabled": True,
            "mailEnabled": False,
            "groupTypes": [],
        }
        for g in state.groups()
        if found.user.id in g.members
    ]
    ctx = f"{GRAPH}/{_version(call)}/$metadata#directoryObjects"
    return Reply(200, {"@odata.context": ctx, "value": rows})


async def photo_update_settings(state: ServerState, call: Call, m: re.Match[str]) -> Reply:
    ctx = f"{GRAPH}/beta/$metadata#admin/people/photoUpdateSettings/$entity"
    return Reply(200, {"@odata.context": ctx, "source": state.tenant.photo_update_source, "allowedRoles": []})


def graph_routes() -> tuple[Route, ...]:
    routes: list[Route] = []
    for ver in ("v1.0", "beta"):
        v = re.escape(ver)
        u = rf"/{v}/users/(?P<user>[^/]+)"
        routes += [
            route("GET", rf"/{v}/users", f"GET /{ver}/users", list_users),
            route("GET", u, f"GET /{ver}/users/{{id}}", get_user),
            route("GET", u + "/manager", f"GET /{ver}/users/{{id}}/manager", get_manager),
            route("GET", u + "/photo", f"GET /{ver}/users/{{id}}/photo", get_photo, photo=True),
            route(
                "GET",
                u + r"/photo/\$value",
                f"GET /{ver}/users/{{id}}/photo/$value",
                get_photo_value,
                photo=True,
            ),
            route(
                "PUT|PATCH",
                u + r"/photo/\$value",
                f"PUT /{ver}/users/{{id}}/photo/$value",
                put_photo_value,
                photo=True,
            ),
            route("GET", u + "/photos", f"GET /{ver}/users/{{id}}/photos", list_photos, photo=True),
            route(
                "GET",
                u + r"/photos/(?P<size>[^/]+)(?P<value>/\$value)?",
                f"GET /{ver}/users/{{id}}/photos/{{size}}",
                get_sized_photo,
                photo=True,
            ),
            route(
                "POST",
                u + "/checkMemberGroups",
                f"POST /{ver}/users/{{id}}/checkMemberGroups",
                check_member_groups,
            ),
            route(
                "GET",
                u + "/(?:transitiveMemberOf|memberOf)",
                f"GET /{ver}/users/{{id}}/transitiveMemberOf",
                member_of,
            ),
        ]
    routes.append(
        route(
            "GET",
            r"/beta/admin/people/photoUpdateSettings",
            "GET /beta/admin/people/photoUpdateSettings",
            photo_update_settings,
        )
    )
    return tuple(routes)
