"""SharePoint Online user profile REST routes of the fake server.

Served under `/sp` (the tenant's root site, https://{tenant}.sharepoint.com) and `/sp-admin`
(https://{tenant}-admin.sharepoint.com). Shapes follow SharePoint's OData v3 JSON:

* `Accept: application/json;odata=nometadata` -> plain objects (what PhotoSync asks for);
* `odata=verbose` -> `{"d": {...}}` with `results` arrays; anything else -> minimal metadata.
* An account without a user profile (import pending, or unknown) -> 200 `{"odata.null": true}`; SharePoint
  returns a null PersonProperties object (CSOM: `ServerObjectIsNull`), not a 404.
* `SPS-PictureTimestamp` -> whole seconds since 0001-01-01 UTC as a decimal string ("63783110969"), the
  value also appended to `PictureUrl` as `?t=`.
"""

from __future__ import annotations

import re
import uuid
from typing import Any
from urllib.parse import quote

from bot.demo.routing import Route, route
from bot.demo.state import ServerState, UserState, my_site_host
from bot.demo.wire import SP_JSON, Call, Reply, delegated_claims, sp_error

CLAIMS_PREFIX = "i:0#.f|membership|"
_ARG = re.compile(r"(\w+)\s*=\s*('(?:[^']|'')*'|@\w+)")
_BAD_QUERY = "-1, Microsoft.SharePoint.Client.InvalidClientQueryException"
_USER_NOT_FOUND = "-2146233088, Microsoft.Office.Server.UserProfiles.UserNotFoundException"


def account_name(upn: str) -> str:
    return CLAIMS_PREFIX + upn.lower()


def _upn_of(account: str) -> str:
    return account.rsplit("|", 1)[-1].strip()


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == "'":
        return value[1:-1].replace("''", "'")
    return value


def _args(call: Call, raw: str) -> dict[str, str] | Reply:
    """Function arguments, inline ('...') or as aliases (@v) resolved from the query string."""
    out: dict[str, str] = {}
    for name, value in _ARG.findall(raw):
        if value.startswith("@"):
            alias = call.query.get(value)
            if alias is None:
                return sp_error(400, _BAD_QUERY, f"The parameter alias {value} is not defined in the query.")
            value = alias
        out[name.lower()] = _unquote(value)
    return out


def _flavour(call: Call) -> str:
    accept = call.headers.get("Accept", "").lower()
    if "odata=verbose" in accept:
        return "verbose"
    return "nometadata" if "odata=nometadata" in accept else "minimal"


def _null(call: Call, function: str) -> Reply:
    flavour = _flavour(call)
    if flavour == "verbose":
        return Reply(200, {"d": {function: None}}, content_type=SP_JSON)
    body: dict[str, Any] = {"odata.null": True}
    if flavour == "minimal":
        body = {"odata.metadata": f"{call.origin}/{_site(call)}/_api/$metadata#Edm.Null", **body}
    return Reply(200, body, content_type=SP_JSON)


def _site(call: Call) -> str:
    return call.path.split("/", 2)[1]


def _profile(state: ServerState, account: str) -> UserState | Reply | None:
    """The user whose profile exists, None for no profile, or the per-user fault reply."""
    found = state.user(_upn_of(account))
    if found is None:
        return None
    status = found.user.fault("sharepoint")
    if status is not None:
        state.counters.faulted += 1
        return sp_error(
            status,
            "-1, Microsoft.SharePoint.SPException",
            "The service is temporarily unavailable. Please try again later.",
        )
    return found if found.sp_profile else None


def _properties(state: ServerState, s: UserState) -> list[tuple[str, str]]:
    u = s.user
    personal = u.upn.lower().replace("@", "_").replace(".", "_")
    base = [
        ("UserProfile_GUID", str(uuid.uuid5(uuid.NAMESPACE_URL, f"sp-profile:{u.id}"))),
        ("SID", f"i:0h.f|membership|{uuid.uuid5(uuid.NAMESPACE_OID, u.id).hex[:16]}@live.com"),
        ("AccountName", account_name(u.upn)),
        ("FirstName", u.given_name or ""),
        ("LastName", u.surname or ""),
        ("PreferredName", u.display_name),
        ("WorkPhone", ""),
        ("Department", ""),
        ("Title", ""),
        ("SPS-JobTitle", ""),
        ("Manager", ""),
        ("AboutMe", ""),
        ("PersonalSpace", f"/personal/{personal}/"),
        ("PictureURL", ""),
        ("UserName", u.upn),
        ("SPS-UserPrincipalName", u.upn),
        ("WorkEmail", u.mail or ""),
        ("SPS-PictureTimestamp", ""),
        ("SPS-PicturePlaceholderState", ""),
        ("SPS-PictureExchangeSyncState", ""),
        ("SPS-MUILanguages", u.preferred_language or ""),
    ]
    known = {k for k, _ in base}
    merged = [(k, s.sp_props.get(k, v)) for k, v in base]
    return merged + [(k, v) for k, v in s.sp_props.items() if k not in known]


def person_json(state: ServerState, s: UserState, flavour: str, call: Call) -> dict[str, Any]:
    u = s.user
    my = my_site_host(state.tenant.sharepoint_host)
    props = _properties(state, s)
    values = dict(props)
    picture, stamp = values.get("PictureURL", ""), values.get("SPS-PictureTimestamp", "")
    account = account_name(u.upn)
    personal = u.upn.lower().replace("@", "_").replace(".", "_")
    kv: list[dict[str, Any]] = [{"Key": k, "Value": v, "ValueType": "Edm.String"} for k, v in props]

    def coll(items: list[Any]) -> Any:
        return {"results": items} if flavour == "verbose" else items

    body: dict[str, Any] = {
        "AccountName": account,
        "DirectReports": coll([]),
        "DisplayName": u.display_name,
        "Email": u.mail,
        "ExtendedManagers": coll([]),
        "ExtendedReports": coll([account]),
        "IsFollowed": False,
        "LatestPost": None,
        "Peers": coll([]),
        "PersonalSiteHostUrl": f"https://{my}:443/",
        "PersonalUrl": f"https://{my}/personal/{personal}/",
        "PictureUrl": (f"{picture}?t={stamp}" if stamp else picture) or None,
        "Title": None,
        "UserProfileProperties": coll(kv),
        "UserUrl": f"https://{my}:443/Person.aspx?accountname={quote(account, safe='')}",
    }
    site = f"{call.origin}/{_site(call)}/_api"
    if flavour == "verbose":
        meta = {
            "id": f"{site}/sp.userprofiles.peoplemanager/getpropertiesfor(accountName=@v)",
            "uri": f"{site}/sp.userprofiles.peoplemanager/getpropertiesfor(accountName=@v)",
            "type": "SP.UserProfiles.PersonProperties",
        }
        for item in kv:
            item["__metadata"] = {"type": "SP.KeyValue"}
        return {"d": {"__metadata": meta, **body}}
    if flavour == "minimal":
        return {
            "odata.metadata": f"{site}/$metadata#SP.ApiData.PersonPropertiess/@Element",
            "odata.type": "SP.UserProfiles.PersonProperties",
            "odata.id": f"{site}/sp.userprofiles.peoplemanager/getpropertiesfor(accountName=@v)",
            "odata.editLink": "sp.userprofiles.peoplemanager/getpropertiesfor(accountName=@v)",
            **body,
        }
    return body


async def get_properties_for(state: ServerState, call: Call, m: re.Match[str]) -> Reply:
    args = _args(call, m["args"])
    if isinstance(args, Reply):
        return args
    if "accountname" not in args:
        return sp_error(
            400, _BAD_QUERY, "The parameter accountName does not exist in method GetPropertiesFor."
        )
    found = _profile(state, args["accountname"])
    if isinstance(found, Reply):
        return found
    if found is None:
        return _null(call, "GetPropertiesFor")
    return Reply(200, person_json(state, found, _flavour(call), call), content_type=SP_JSON)


async def get_my_properties(state: ServerState, call: Call, m: re.Match[str]) -> Reply:
    """The signed-in user's own profile: needs their delegated token (an app has no "me": a null answer)."""
    claims = delegated_claims(call)
    if claims is None:
        return _null(call, "GetMyProperties")
    state.counters.delegated[f"my_properties|{claims['oid']}"] += 1
    found = _profile(state, str(claims["oid"]))
    if isinstance(found, Reply):
        return found
    if found is None:
        return _null(call, "GetMyProperties")
    return Reply(200, person_json(state, found, _flavour(call), call), content_type=SP_JSON)


async def get_property_for(state: ServerState, call: Call, m: re.Match[str]) -> Reply:
    args = _args(call, m["args"])
    if isinstance(args, Reply):
        return args
    if "accountname" not in args or "propertyname" not in args:
        return sp_error(
            400, _BAD_QUERY, "GetUserProfilePropertyFor needs the parameters accountName and propertyName."
        )
    found = _profile(state, args["accountname"])
    if isinstance(found, Reply):
        return found
    if found is None:
        return _null(call, "GetUserProfilePropertyFor")
    value = dict(_properties(state, found)).get(args["propertyname"], "")
    flavour = _flavour(call)
    if flavour == "verbose":
        return Reply(200, {"d": {"GetUserProfilePropertyFor": value}}, content_type=SP_JSON)
    body: dict[str, Any] = {"value": value}
    if flavour == "minimal":
        body = {"odata.metadata": f"{call.origin}/{_site(call)}/_api/$metadata#Edm.String", **body}
    return Reply(200, body, content_type=SP_JSON)


async def set_single_value(state: ServerState, call: Call, m: re.Match[str]) -> Reply:
    try:
        payload = call.json()
    except ValueError:
        return sp_error(400, _BAD_QUERY, "Invalid JSON. The request body is not valid JSON.")
    if not isinstance(payload, dict):
        return sp_error(400, _BAD_QUERY, "Invalid JSON. An object was expected.")
    for name in ("accountName", "propertyName", "propertyValue"):
        if name not in payload:
            return sp_error(
                400,
                _BAD_QUERY,
                f"The parameter {name} does not exist in method SetSingleValueProfileProperty.",
            )
    account, prop, value = payload["accountName"], payload["propertyName"], payload["propertyValue"]
    if not isinstance(account, str) or not isinstance(prop, str) or not prop:
        return sp_error(400, _BAD_QUERY, "accountName and propertyName must be strings.")
    found = _profile(state, account)
    if isinstance(found, Reply):
        return found
    if found is None:
        return sp_error(
            500, _USER_NOT_FOUND, "User Not Found: Could not load profile data from the database."
        )
    found.sp_props[prop] = "" if value is None else str(value)
    state.counters.sp_property_sets[f"{found.user.upn.lower()}|{prop}"] += 1
    return _null(call, "SetSingleValueProfileProperty")


def sharepoint_routes() -> tuple[Route, ...]:
    pm = r"/_api/sp\.userprofiles\.peoplemanager"
    return (
        route(
            "GET",
            rf"/(?:sp|sp-admin){pm}/getpropertiesfor\((?P<args>[^)]*)\)",
            "GET /sp/_api/SP.UserProfiles.PeopleManager/GetPropertiesFor",
            get_properties_for,
            ignore_case=True,
        ),
        route(
            "GET",
            rf"/sp{pm}/getmyproperties",
            "GET /sp/_api/SP.UserProfiles.PeopleManager/GetMyProperties",
            get_my_properties,
            ignore_case=True,
        ),
        route(
            "GET",
            rf"/(?:sp|sp-admin){pm}/getuserprofilepropertyfor\((?P<args>[^)]*)\)",
            "GET /sp/_api/SP.UserProfiles.PeopleManager/GetUserProfilePropertyFor",
            get_property_for,
            ignore_case=True,
        ),
        route(
            "POST",
            rf"/sp-admin{pm}/setsinglevalueprofileproperty",
            "POST /sp-admin/_api/SP.UserProfiles.PeopleManager/SetSingleValueProfileProperty",
            set_single_value,
            ignore_case=True,
        ),
    )
