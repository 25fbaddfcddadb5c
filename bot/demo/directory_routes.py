"""Directory routes of the fake server that build a watch list: a group's transitive user members.

Synced users need no route of their own: `GET /users?$filter=onPremisesSyncEnabled eq true` is served by
`graph_routes.list_users` (see `odata_query.FILTERABLE`).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from bot.demo.routing import Route, route
from bot.demo.state import ServerState
from bot.demo.wire import Call, Reply, graph_error, page_size_error

GRAPH = "https://graph.microsoft.com"


async def group_user_members(state: ServerState, call: Call, m: re.Match[str]) -> Reply:
    ref = m["group"].strip().lower()
    group = next((g for g in state.groups() if g.id.lower() == ref), None)
    if group is None:
        return graph_error(
            404,
            "Request_ResourceNotFound",
            f"Resource '{m['group']}' does not exist or one of its queried reference-property "
            "objects are not present.",
        )
    try:
        top = int(call.query.get("$top", "100"))
        skip = int(call.query.get("$skiptoken", "0"))
    except ValueError:
        return graph_error(400, "BadRequest", "Invalid $top or $skiptoken.")
    if (too_big := page_size_error(top)) is not None:
        return too_big
    members = [s.user for uid in group.members if (s := state.user(uid)) is not None]
    select = [n.strip() for n in call.query.get("$select", "").split(",") if n.strip()]
    rows: list[dict[str, Any]] = []
    for u in members[skip : skip + top]:
        full = {
            "@odata.type": "#microsoft.graph.user",
            "id": u.id,
            "displayName": u.display_name,
            "userPrincipalName": u.upn,
            "mail": u.mail,
        }
        rows.append(
            {
                k: v
                for k, v in full.items()
                if not select or k == "@odata.type" or k.lower() in {s.lower() for s in select}
            }
        )
    ver = call.path.split("/", 2)[1]
    body: dict[str, Any] = {"@odata.context": f"{GRAPH}/{ver}/$metadata#users"}
    if skip + top < len(members):
        query = {k: v for k, v in call.query.items() if k != "$skiptoken"} | {"$skiptoken": str(skip + top)}
        body["@odata.nextLink"] = f"{call.origin}{call.path}?{urlencode(query)}"
    body["value"] = rows
    return Reply(200, body)


def directory_routes() -> tuple[Route, ...]:
    routes: list[Route] = []
    for ver in ("v1.0", "beta"):
        v = re.escape(ver)
        routes.append(
            route(
                "GET",
                rf"/{v}/groups/(?P<group>[^/]+)/transitiveMembers/microsoft\.graph\.user",
                f"GET /{ver}/groups/{{id}}/transitiveMembers/microsoft.graph.user",
                group_user_members,
            )
        )
    return tuple(routes)
