"""Teams app routes of the fake Graph server: the tenant app catalog and per-user app installations.

Any manifest id (externalId) is in the catalog; its catalog id is derived from it. Installing twice answers
409 like Graph; unknown users answer 404. The chat of an installation is `19:{user}_{externalId}@unq.gbl.spaces`.
"""

from __future__ import annotations

import base64
import re
import uuid
from typing import Any

from bot.demo.graph_routes import GRAPH, _resolve, _version
from bot.demo.routing import Route, route
from bot.demo.state import ServerState
from bot.demo.wire import Call, Reply, graph_error

_NS = uuid.UUID("6f1d2a3e-0b7c-4e59-9a51-2d8f0c7b4e11")
_EXTERNAL = re.compile(r"^\s*externalId\s+eq\s+'((?:[^']|'')*)'\s*$", re.IGNORECASE)
_APP_ID = re.compile(r"^\s*teamsApp/id\s+eq\s+'((?:[^']|'')*)'\s*$", re.IGNORECASE)
_BIND = re.compile(r"/appCatalogs/teamsApps/([^/?#]+)$")


def catalog_id(external_id: str) -> str:
    return str(uuid.uuid5(_NS, external_id.lower()))


def _external_ids(state: ServerState) -> dict[str, str]:
    """Catalog ids seen so far -> their external id (filled by the catalog lookup)."""
    return state.teams_catalog


def _app_json(cid: str, external_id: str) -> dict[str, Any]:
    return {
        "id": cid,
        "externalId": external_id,
        "displayName": "PhotoSync",
        "distributionMethod": "organization",
    }


def _installation_id(user_id: str, cid: str) -> str:
    return base64.urlsafe_b64encode(f"{user_id}##{cid}".encode()).decode().rstrip("=")


async def list_catalog(state: ServerState, call: Call, m: re.Match[str]) -> Reply:
    flt = call.query.get("$filter", "")
    rows: list[dict[str, Any]] = []
    if flt:
        found = _EXTERNAL.match(flt)
        if found is None:
            return graph_error(400, "BadRequest", f"Unsupported $filter: {flt}")
        external = found[1].replace("''", "'")
        cid = catalog_id(external)
        _external_ids(state)[cid] = external
        rows.append(_app_json(cid, external))
    else:
        rows = [_app_json(c, e) for c, e in _external_ids(state).items()]
    return Reply(
        200, {"@odata.context": f"{GRAPH}/{_version(call)}/$metadata#appCatalogs/teamsApps", "value": rows}
    )


async def install_app(state: ServerState, call: Call, m: re.Match[str]) -> Reply:
    found = _resolve(state, m["user"])
    if isinstance(found, Reply):
        return found
    try:
        bind = (call.json() or {}).get("teamsApp@odata.bind")
    except (ValueError, AttributeError):
        bind = None
    target = _BIND.search(bind) if isinstance(bind, str) else None
    if target is None:
        return graph_error(
            400, "BadRequest", "teamsApp@odata.bind must reference appCatalogs/teamsApps/{id}."
        )
    cid = target[1]
    if cid not in _external_ids(state):
        return graph_error(404, "NotFound", f"The app {cid} is not in the tenant app catalog.")
    mine = state.installed_apps.setdefault(found.user.id.lower(), {})
    if cid in mine:
        return graph_error(409, "Conflict", "The app is already installed for this user.")
    mine[cid] = _installation_id(found.user.id, cid)
    return Reply(201, {"id": mine[cid]})


async def list_installed(state: ServerState, call: Call, m: re.Match[str]) -> Reply:
    found = _resolve(state, m["user"])
    if isinstance(found, Reply):
        return found
    mine = state.installed_apps.get(found.user.id.lower(), {})
    wanted: str | None = None
    if flt := call.query.get("$filter", ""):
        matched = _APP_ID.match(flt)
        if matched is None:
            return graph_error(400, "BadRequest", f"Unsupported $filter: {flt}")
        wanted = matched[1].replace("''", "'")
    expand = "teamsapp" in call.query.get("$expand", "").lower()
    rows = []
    for cid, iid in mine.items():
        if wanted is not None and cid != wanted:
            continue
        row: dict[str, Any] = {"id": iid}
        if expand:
            row["teamsApp"] = _app_json(cid, _external_ids(state).get(cid, ""))
        rows.append(row)
    ctx = f"{GRAPH}/{_version(call)}/$metadata#users('{found.user.id}')/teamwork/installedApps"
    return Reply(200, {"@odata.context": ctx, "value": rows})


async def installation_chat(state: ServerState, call: Call, m: re.Match[str]) -> Reply:
    found = _resolve(state, m["user"])
    if isinstance(found, Reply):
        return found
    mine = state.installed_apps.get(found.user.id.lower(), {})
    cid = next((c for c, i in mine.items() if i == m["installation"]), None)
    if cid is None:
        return graph_error(404, "NotFound", "No such app installation for this user.")
    external = _external_ids(state).get(cid, cid)
    chat_id = f"19:{found.user.id}_{external}@unq.gbl.spaces"
    ctx = f"{GRAPH}/{_version(call)}/$metadata#chats/$entity"
    return Reply(200, {"@odata.context": ctx, "id": chat_id, "chatType": "oneOnOne", "topic": None})


def teams_routes() -> tuple[Route, ...]:
    routes: list[Route] = []
    for ver in ("v1.0", "beta"):
        v = re.escape(ver)
        apps = rf"/{v}/users/(?P<user>[^/]+)/teamwork/installedApps"
        routes += [
            route("GET", rf"/{v}/appCatalogs/teamsApps", f"GET /{ver}/appCatalogs/teamsApps", list_catalog),
            route("POST", apps, f"POST /{ver}/users/{{id}}/teamwork/installedApps", install_app),
            route("GET", apps, f"GET /{ver}/users/{{id}}/teamwork/installedApps", list_installed),
            route(
                "GET",
                apps + r"/(?P<installation>[^/]+)/chat",
                f"GET /{ver}/users/{{id}}/teamwork/installedApps/{{id}}/chat",
                installation_chat,
            ),
        ]
    return tuple(routes)
