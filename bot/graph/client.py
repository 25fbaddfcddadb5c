"""Microsoft Graph client: the user + photo metadata in one `$batch`, the tenant photo setting, photo
bytes up and down, helpdesk user search and group checks. Every request goes through `retry.send`.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import collections
import random
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any
from urllib.parse import quote

import httpx

from bot.domain.model import GraphPhoto, PhotoSource, UserProfile
from bot.graph import retry
from bot.graph._util import is_loopback, origin, parse_datetime
from bot.graph.errors import (
    GraphError,
    GraphUnavailable,
    UserNotFound,
)
from bot.graph.retry import RetryPolicy
from bot.graph.tokens import TokenProvider

PUBLIC_GRAPH = "https://graph.microsoft.com"
USER_SELECT = (
    "id,displayName,userPrincipalName,mail,preferredLanguage,onPremisesSyncEnabled,"
    "onPremisesLastSyncDateTime,createdDateTime,userType"
)
PHOTO_SOURCE_TTL_S = 3600.0
PHOTO_SOURCE_FAILURE_TTL_S = 300.0
_USER_MISSING_CODES = {"request_resourcenotfound", "errorUserResolutionFailedUserDoesNotExist".lower()}


def _binary_item(item: dict[str, Any]) -> bytes | None:
    """A `$value` item of a JSON batch: its body comes base64-encoded (None when absent or unreadable)."""
    if item.get("status") != 200 or not isinstance(item.get("body"), str):
        return None
    try:
        return base64.b64decode(item["body"], validate=True)
    except (ValueError, binascii.Error):
        return None


def _path_id(user_id: str) -> str:
    return quote(user_id, safe="@")


def _odata_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _error_code(body: Any) -> str:
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return str(body["error"].get("code") or "")
    return ""


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except (ValueError, UnicodeDecodeError):
        return None


def user_from_json(body: Any) -> UserProfile:
    if not isinstance(body, dict) or not isinstance(body.get("id"), str):
        raise GraphUnavailable("malformed user")
    sync = body.get("onPremisesSyncEnabled")
    return UserProfile(
        id=body["id"],
        display_name=str(body.get("displayName") or ""),
        upn=str(body.get("userPrincipalName") or ""),
        mail=body.get("mail") or None,
        preferred_language=body.get("preferredLanguage") or None,
        on_premises_sync_enabled=sync if isinstance(sync, bool) else None,
        on_premises_last_sync=parse_datetime(body.get("onPremisesLastSyncDateTime")),
        created=parse_datetime(body.get("createdDateTime")),
        user_type=body["userType"] if isinstance(body.get("userType"), str) else None,
    )


def photo_from_json(body: Any) -> GraphPhoto:
    if not isinstance(body, dict) or not isinstance(body.get("@odata.mediaEtag"), str):
        raise GraphUnavailable("malformed photo metadata")

    def num(key: str) -> int | None:
        v = body.get(key)
        return v if isinstance(v, int) and not isinstance(v, bool) else None

    return GraphPhoto(
        etag=body["@odata.mediaEtag"],
        width=num("width"),
        height=num("height"),
        content_type=body.get("@odata.mediaContentType") or None,
    )


class GraphClient:
    def __init__(
        self,
        http: httpx.AsyncClient,
        base_url: str = PUBLIC_GRAPH,
        tokens: TokenProvider | None = None,
        policy: RetryPolicy | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: retry.Sleep = asyncio.sleep,
        rng: Callable[[], float] = random.random,
    ) -> None:
        if tokens is None:
            raise ValueError("tokens is required")
        base = base_url.rstrip("/")
        for suffix in ("/v1.0", "/beta"):
            base = base.removesuffix(suffix)
        self.http = http
        self.base_url = base
        self.tokens = tokens
        self.policy = policy or RetryPolicy()
        self.scope = f"{PUBLIC_GRAPH}/.default" if is_loopback(base) else f"{origin(base)}/.default"
        self._batch_url = httpx.URL(f"{base}/v1.0/$batch")  # parsed once: the drift scan posts it per user
        self.calls: collections.Counter[str] = collections.Counter()  # HTTP requests sent, by kind
        self._clock, self._sleep, self._rng = clock, sleep, rng
        self._source: tuple[PhotoSource, float] | None = None  # (value, expires at)
        self._source_lock = asyncio.Lock()

    # ---- plumbing ------------------------------------------------------------------------------
    async def _send(
        self,
        kind: str,
        method: str,
        path: str,
        *,
        version: str = "v1.0",
        params: dict[str, str] | None = None,
        json_body: Any = None,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
        slot: retry.Slot | None = None,
    ) -> httpx.Response:
        """One logical call with retries; transport failures become GraphUnavailable."""
        token = await self.tokens.token(self.scope)
        all_headers = {"Authorization": f"Bearer {token}", **(headers or {})}
        url: str | httpx.URL = f"{self.base_url}/{version}{path}"
        if path == "/$batch" and version == "v1.0":
            url = self._batch_url

        def build() -> httpx.Request:
            self.calls[kind] += 1
            return self.http.build_request(
                method, url, params=params, json=json_body, content=content, headers=all_headers
            )

        try:
            return await retry.send(
                self.http, build, self.policy, sleep=self._sleep, rng=self._rng, clock=self._clock, slot=slot
            )
        except httpx.HTTPError as exc:
            raise GraphUnavailable(f"{kind}: {type(exc).__name__}") from exc

    def _fail(self, kind: str, response: httpx.Response) -> GraphError:
        code = _error_code(_json(response))
        status = response.status_code
        reason = f"{kind}: HTTP {status}" + (f" {code}" if code else "")
        if status == 404 and code.lower() in _USER_MISSING_CODES:
            return UserNotFound(reason, status=status)
        if status in retry.RETRY_STATUSES or status >= 500:
            return GraphUnavailable(reason, status=status)
        return GraphError(reason, status=status)

    # ---- user + photo ----------------------------------------------------------------------------
    async def get_user_and_photo(
        self, user_id: str, *, slot: asyncio.Semaphore | None = None, thumbnail: str | None = None
    ) -> tuple[UserProfile | None, GraphPhoto | None]:
        """User fields and photo metadata in one `$batch`; only throttled/5xx items are re-sent.

        `slot`: a semaphore bounding the photo requests in flight (the drift scan's 4). A place is held from
        just before the first request is sent until the final answer's headers arrive (waits between rounds
        included), so the body is read and parsed while another call already uses the place."""
        place = retry.Slot(slot)
        try:
            return await self._user_and_photo(user_id, place, thumbnail)
        finally:
            place.give()

    async def _user_and_photo(
        self, user_id: str, place: retry.Slot, thumbnail: str | None = None
    ) -> tuple[UserProfile | None, GraphPhoto | None]:
        uid = _path_id(user_id)
        pending: dict[str, dict[str, Any]] = {
            "user": {"id": "user", "method": "GET", "url": f"/users/{uid}?$select={USER_SELECT}"},
            "photo": {"id": "photo", "method": "GET", "url": f"/users/{uid}/photo"},
        }
        if thumbnail is not None:  # the photo's bytes at a small size, in the same round trip
            pending["thumb"] = {
                "id": "thumb",
                "method": "GET",
                "url": f"/users/{uid}/photos/{thumbnail}/$value",
            }
        done: dict[str, dict[str, Any]] = {}
        deadline = self._clock() + self.policy.budget_s
        rounds = 0
        while pending:
            rounds += 1
            response = await self._send(
                "batch", "POST", "/$batch", json_body={"requests": list(pending.values())}, slot=place
            )
            if response.status_code != 200:
                raise GraphUnavailable(f"batch: HTTP {response.status_code}", status=response.status_code)
            body = _json(response)
            items = body.get("responses") if isinstance(body, dict) else None
            if not isinstance(items, list):
                raise GraphUnavailable("batch: malformed response")
            by_id = {i.get("id"): i for i in items if isinstance(i, dict)}
            waits: list[float] = []
            for item_id in list(pending):
                item = by_id.get(item_id)
                if item is None or not isinstance(item.get("status"), int):
                    raise GraphUnavailable(f"batch: no answer for {item_id}")
                if item["status"] in retry.RETRY_STATUSES:
                    wait = retry.retry_after_seconds(item.get("headers") or {})
                    if wait is not None:
                        waits.append(wait)
                    continue
                done[item_id] = item
                del pending[item_id]
            if not pending:
                break
            delay = max(waits) if waits else self.policy.backoff(rounds - 1, self._rng)
            if rounds >= self.policy.max_attempts or delay > deadline - self._clock():
                statuses = ",".join(f"{k}={by_id[k]['status']}" for k in sorted(pending))
                raise GraphUnavailable(f"batch items still failing: {statuses}")
            await place.take()  # wait to re-send holding the place, as a throttled caller always did
            await self._sleep(delay)
        photo = self._photo_item(done["photo"])
        if photo is not None and "thumb" in done:
            photo = replace(photo, thumbnail=_binary_item(done["thumb"]))
        return self._user_item(done["user"]), photo

    @staticmethod
    def _user_item(item: dict[str, Any]) -> UserProfile:
        status = item["status"]
        if status == 200:
            return user_from_json(item.get("body"))
        code = _error_code(item.get("body"))
        if status == 404:
            raise UserNotFound(f"user: HTTP 404 {code}".rstrip(), status=404)
        raise GraphUnavailable(f"user: HTTP {status} {code}".rstrip(), status=status)

    @staticmethod
    def _photo_item(item: dict[str, Any]) -> GraphPhoto | None:
        status = item["status"]
        if status == 200:
            return photo_from_json(item.get("body"))
        if status == 404:  # ImageNotFound, ErrorEntityNotFound, MailboxNotHostedInExchangeOnline: no photo
            return None
        code = _error_code(item.get("body"))
        raise GraphUnavailable(f"photo: HTTP {status} {code}".rstrip(), status=status)

    # ---- tenant setting --------------------------------------------------------------------------
    async def photo_source(self) -> PhotoSource:
        """Tenant photo update source (beta), cached 1 h; UNKNOWN (cached 5 min) when unreadable."""
        async with self._source_lock:
            now = self._clock()
            if self._source is not None and now < self._source[1]:
                return self._source[0]
            source = await self._read_photo_source()
            ttl = PHOTO_SOURCE_TTL_S if source is not PhotoSource.UNKNOWN else PHOTO_SOURCE_FAILURE_TTL_S
            self._source = (source, self._clock() + ttl)
            return source

    async def _read_photo_source(self) -> PhotoSource:
        try:
            response = await self._send(
                "photo_source", "GET", "/admin/people/photoUpdateSettings", version="beta"
            )
        except GraphError:
            return PhotoSource.UNKNOWN
        body = _json(response) if response.status_code == 200 else None
        value = body.get("source") if isinstance(body, dict) else None
        if isinstance(value, str):
            for member in (PhotoSource.CLOUD, PhotoSource.ON_PREMISES):
                if member.value.lower() == value.lower():
                    return member
        return PhotoSource.UNKNOWN

    # ---- photo bytes -----------------------------------------------------------------------------
    async def photo_thumbnail(
        self, user_id: str, size: str, *, slot: asyncio.Semaphore | None = None
    ) -> bytes | None:
        """The photo's bytes at one of Graph's sizes ("96x96"); None when there is none at that size. One
        photo request: with `slot`, it holds a place there while in flight, like `get_user_and_photo`."""
        place = retry.Slot(slot)
        try:
            path = f"/users/{_path_id(user_id)}/photos/{size}/$value"
            response = await self._send("photo_thumbnail", "GET", path, slot=place)
        finally:
            place.give()
        if response.status_code == 200:
            return response.content
        error = self._fail("photo_thumbnail", response)
        if response.status_code == 404 and not isinstance(error, UserNotFound):
            return None
        raise error

    # ---- helpdesk ----------------------------------------------------------------------------------
    async def get_user(self, user_ref: str) -> UserProfile | None:
        """One user by object id or UPN (None when the directory has no such user)."""
        response = await self._send(
            "get_user", "GET", f"/users/{_path_id(user_ref)}", params={"$select": USER_SELECT}
        )
        if response.status_code == 200:
            return user_from_json(_json(response))
        error = self._fail("get_user", response)
        if response.status_code == 404:
            return None
        raise error

    async def get_manager(self, user_id: str) -> UserProfile | None:
        """The user's manager (None when the directory names none)."""
        response = await self._send(
            "get_manager", "GET", f"/users/{_path_id(user_id)}/manager", params={"$select": USER_SELECT}
        )
        if response.status_code == 200:
            return user_from_json(_json(response))
        error = self._fail("get_manager", response)
        if response.status_code == 404:
            return None
        raise error

    async def find_users(self, query: str, limit: int = 10) -> list[UserProfile]:
        """Exact mail/UPN match for 'x@y'; else display names, given names or surnames starting with the
        query, and for one word also the account name (the UPN before its '@')."""
        query = query.strip()
        if not query:
            return []
        literal = _odata_string(query)
        if "@" in query and " " not in query:
            flt = f"mail eq {literal} or userPrincipalName eq {literal}"
        elif " " in query:
            flt = f"startswith(displayName,{literal})"
        else:
            account = _odata_string(f"{query}@")
            flt = (
                f"startswith(displayName,{literal}) or startswith(givenName,{literal})"
                f" or startswith(surname,{literal}) or startswith(userPrincipalName,{account})"
            )
        params = {"$filter": flt, "$select": USER_SELECT, "$top": str(max(1, min(limit, 999)))}
        response = await self._send("find_users", "GET", "/users", params=params)
        if response.status_code != 200:
            raise self._fail("find_users", response)
        body = _json(response)
        rows = body.get("value") if isinstance(body, dict) else None
        if not isinstance(rows, list):
            raise GraphUnavailable("find_users: malformed response")
        return [user_from_json(r) for r in rows[:limit]]

    async def member_of(self, user_id: str, group_ids: list[str]) -> set[str]:
        """Which of `group_ids` the user is a (transitive) member of; checked 20 at a time."""
        found: set[str] = set()
        wanted = list(dict.fromkeys(group_ids))
        for start in range(0, len(wanted), 20):
            chunk = wanted[start : start + 20]
            response = await self._send(
                "member_of",
                "POST",
                f"/users/{_path_id(user_id)}/checkMemberGroups",
                json_body={"groupIds": chunk},
            )
            if response.status_code != 200:
                error = self._fail("member_of", response)
                if response.status_code == 404:
                    raise UserNotFound(str(error), status=404)
                raise error
            body = _json(response)
            values = body.get("value") if isinstance(body, dict) else None
            if not isinstance(values, list):
                raise GraphUnavailable("member_of: malformed response")
            lower = {g.lower(): g for g in chunk}
            found |= {lower[v.lower()] for v in values if isinstance(v, str) and v.lower() in lower}
        return found

    # ---- Teams app installation (proactive 1:1 on demand) ------------------------------------------
    async def find_catalog_app(self, external_id: str) -> str | None:
        """The tenant app catalog id of the app whose manifest id is `external_id`; None when not there."""
        params = {"$filter": f"externalId eq {_odata_string(external_id)}"}
        response = await self._send("find_catalog_app", "GET", "/appCatalogs/teamsApps", params=params)
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise self._fail("find_catalog_app", response)
        body = _json(response)
        rows = body.get("value") if isinstance(body, dict) else None
        if not isinstance(rows, list):
            raise GraphUnavailable("find_catalog_app: malformed response")
        for row in rows:
            if isinstance(row, dict) and isinstance(row.get("id"), str):
                return row["id"]
        return None

    async def install_app_for_user(self, user_id: str, catalog_app_id: str) -> str | None:
        """Install the catalog app in the user's personal scope; the installation id (409: the existing one)."""
        uid = _path_id(user_id)
        bind = f"{PUBLIC_GRAPH}/v1.0/appCatalogs/teamsApps/{catalog_app_id}"
        response = await self._send(
            "install_app",
            "POST",
            f"/users/{uid}/teamwork/installedApps",
            json_body={"teamsApp@odata.bind": bind},
        )
        if response.status_code in (200, 201):
            body = _json(response)
            if isinstance(body, dict) and isinstance(body.get("id"), str):
                return body["id"]
            return await self._installation_id(user_id, catalog_app_id)
        if response.status_code in (202, 204, 409):  # accepted without a body, or already installed
            return await self._installation_id(user_id, catalog_app_id)
        error = self._fail("install_app", response)
        if response.status_code == 404:
            raise UserNotFound(str(error), status=404)
        raise error

    async def _installation_id(self, user_id: str, catalog_app_id: str) -> str | None:
        params = {"$expand": "teamsApp", "$filter": f"teamsApp/id eq {_odata_string(catalog_app_id)}"}
        response = await self._send(
            "installed_apps", "GET", f"/users/{_path_id(user_id)}/teamwork/installedApps", params=params
        )
        if response.status_code != 200:
            raise self._fail("installed_apps", response)
        body = _json(response)
        rows = body.get("value") if isinstance(body, dict) else None
        if not isinstance(rows, list):
            raise GraphUnavailable("installed_apps: malformed response")
        for row in rows:
            if isinstance(row, dict) and isinstance(row.get("id"), str):
                return row["id"]
        return None

    async def installed_app_chat(self, user_id: str, installation_id: str) -> str | None:
        """The id of the 1:1 chat between the user and the installed app's bot."""
        path = f"/users/{_path_id(user_id)}/teamwork/installedApps/{quote(installation_id, safe='')}/chat"
        response = await self._send("installed_app_chat", "GET", path)
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise self._fail("installed_app_chat", response)
        body = _json(response)
        chat_id = body.get("id") if isinstance(body, dict) else None
        return chat_id if isinstance(chat_id, str) and chat_id else None

    # ---- watch list sources ------------------------------------------------------------------------
    async def _paged_ids(
        self, kind: str, path: str, params: dict[str, str] | None, headers: dict[str, str] | None = None
    ) -> list[str]:
        """Every `id` of a paged collection, following `@odata.nextLink` (which carries its own query)."""
        ids: list[str] = []
        url_path, query = path, params
        while True:
            response = await self._send(kind, "GET", url_path, params=query, headers=headers)
            if response.status_code != 200:
                raise self._fail(kind, response)
            body = _json(response)
            rows = body.get("value") if isinstance(body, dict) else None
            if not isinstance(rows, list):
                raise GraphUnavailable(f"{kind}: malformed response")
            ids += [r["id"] for r in rows if isinstance(r, dict) and isinstance(r.get("id"), str)]
            link = body.get("@odata.nextLink")
            if not isinstance(link, str) or not link:
                return list(dict.fromkeys(ids))
            prefix = f"{self.base_url}/v1.0"
            if not link.startswith(prefix + "/"):
                raise GraphUnavailable(f"{kind}: unexpected nextLink host")
            url_path, query = link[len(prefix) :], None

    async def group_member_ids(self, group_id: str) -> list[str]:
        """Ids of the users in a group, nested groups included (transitive)."""
        path = f"/groups/{_path_id(group_id)}/transitiveMembers/microsoft.graph.user"
        return await self._paged_ids("group_members", path, {"$select": "id", "$top": "999"})

    async def synced_user_ids(self) -> list[str]:
        """Ids of the users synced from on-premises AD (an advanced query: needs ConsistencyLevel and $count)."""
        return await self._paged_ids(
            "synced_users",
            "/users",
            {"$filter": "onPremisesSyncEnabled eq true", "$select": "id", "$count": "true", "$top": "999"},
            headers={"ConsistencyLevel": "eventual"},
        )


__all__ = ["GraphClient"]
