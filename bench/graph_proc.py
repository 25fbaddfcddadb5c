"""A lean fake Microsoft Graph + SharePoint for the drift-scan benchmark (own process, own event loop).

`python -m bench.graph_proc PORT LATENCY_MS [PHOTO_LIMIT] [RETRY_AFTER_S]`

Serves any number of synthetic users (no tenant file: everything derives from the id) in the wire formats
the bot's real clients speak:

    POST /v1.0/$batch          user item (`/users/{id}?$select=...`) + photo item (`/users/{id}/photo`),
                               answered concurrently, in shuffled order, each item throttled on its own
    GET  /sp/_api/SP.UserProfiles.PeopleManager/GetPropertiesFor(accountName=@v)?@v='i:0%23.f|membership|UPN'
    GET  /bench/stats          counters (JSON)

Limits, as Graph states them (docs/DOMAIN.md): at most PHOTO_LIMIT (default 4) photo requests in flight per
app; the next one is answered 429 with `Retry-After: RETRY_AFTER_S` (default 1) and does not count. Every
photo request, user read and SharePoint read takes LATENCY_MS, counted from the moment its handler starts (the
fake's own work on the request is inside it, as a real server's is), so the bound users x latency / limit is
what the fake really allows. The timers are precise: the event loop polls with select(), whose timeout has
microsecond resolution (epoll's is 1 ms, rounded up, which would put a nominal 10 ms $batch out of the bound's
reach), and every answer is built before the wait, so the fake's own work is inside the latency it was given,
never on top of it (floors: see docs/BENCHMARKS.md).
Users: id `00000000-0000-4000-8000-{n:012d}`, UPN `user{n}@bench.example`; every 10th has no photo, the
rest a photo whose etag derives from n; SharePoint pictures refreshed 2 days ago (every 3rd: 30 days ago).
"""

from __future__ import annotations

import asyncio
import json
import random
import selectors
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote

from aiohttp import web

ID_PREFIX = "00000000-0000-4000-8000-"
_SP_EPOCH = datetime(1, 1, 1, tzinfo=UTC)


def user_id(n: int) -> str:
    return f"{ID_PREFIX}{n:012d}"


class FakeGraph:
    def __init__(self, latency_s: float, photo_limit: int, retry_after_s: float) -> None:
        self.latency_s = latency_s
        self.photo_limit = photo_limit
        self.retry_after = f"{retry_after_s:g}"
        self.rng = random.Random(0)  # shuffles $batch answers (not security)
        self.in_flight = 0
        self.stats: dict[str, int] = {
            "batches": 0,
            "photo_requests": 0,  # every photo item received, throttled ones included
            "photo_ok": 0,
            "throttled": 0,
            "max_in_flight": 0,
            "user_requests": 0,
            "sharepoint_requests": 0,
            "unauthorized": 0,
            "batch_service_us": 0,  # summed time from a $batch's arrival (handler start) to its answer built
        }
        now = datetime.now(UTC)
        self.sp_recent = str(int((now - timedelta(days=2) - _SP_EPOCH).total_seconds()))
        self.sp_old = str(int((now - timedelta(days=30) - _SP_EPOCH).total_seconds()))

    @staticmethod
    def _number(uid: str) -> int | None:
        if not uid.startswith(ID_PREFIX):
            return None
        try:
            return int(uid[len(ID_PREFIX) :])
        except ValueError:
            return None

    def _deadline(self) -> float:
        return asyncio.get_running_loop().time() + self.latency_s

    async def _latency(self, deadline: float) -> None:
        remaining = deadline - asyncio.get_running_loop().time()
        if remaining > 0:
            await asyncio.sleep(remaining)

    def _user(self, uid: str) -> tuple[int, dict[str, Any], dict[str, str]]:
        self.stats["user_requests"] += 1
        n = self._number(uid)
        if n is None:
            return 404, {"error": {"code": "Request_ResourceNotFound", "message": "no such user"}}, {}
        body = {
            "id": uid,
            "displayName": f"Bench User {n}",
            "userPrincipalName": f"user{n}@bench.example",
            "mail": f"user{n}@bench.example",
            "preferredLanguage": "en-US",
            "onPremisesSyncEnabled": None,
            "onPremisesLastSyncDateTime": None,
            "createdDateTime": "2024-01-01T00:00:00Z",
        }
        return 200, body, {}

    def _photo(self, uid: str) -> tuple[int, dict[str, Any], dict[str, str]]:
        """Takes a place in flight (the caller gives it back at the deadline), or answers 429."""
        self.stats["photo_requests"] += 1
        if self.in_flight >= self.photo_limit:
            self.stats["throttled"] += 1
            body = {"error": {"code": "ApplicationThrottled", "message": "MailboxConcurrency limit"}}
            return 429, body, {"Retry-After": self.retry_after}
        self.in_flight += 1
        self.stats["max_in_flight"] = max(self.stats["max_in_flight"], self.in_flight)
        self.stats["photo_ok"] += 1
        n = self._number(uid)
        if n is None or n % 10 == 0:
            return 404, {"error": {"code": "ImageNotFound", "message": "The photo wasn't found."}}, {}
        body = {
            "@odata.mediaContentType": "image/jpeg",
            "@odata.mediaEtag": f'W/"bench{n:012d}"',
            "id": "240x240",
            "width": 240,
            "height": 240,
        }
        return 200, body, {}

    def _item(self, item: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        """The item's answer, and whether it holds a photo place until the batch's deadline."""
        url = str(item.get("url", ""))
        path = unquote(url.split("?", 1)[0]).strip("/").split("/")
        photo = len(path) == 3 and path[0] == "users" and path[2] == "photo"
        if photo:
            status, body, headers = self._photo(path[1])
        elif len(path) == 2 and path[0] == "users":
            status, body, headers = self._user(path[1])
        else:
            status, body, headers = 400, {"error": {"code": "BadRequest", "message": url}}, {}
        headers = {**headers, "Content-Type": "application/json"}
        return {
            "id": item.get("id"),
            "status": status,
            "headers": headers,
            "body": body,
        }, photo and status != 429

    async def batch(self, request: web.Request) -> web.Response:
        """Every item is answered at the batch's deadline (handler start + latency), in shuffled order; the
        answer is built before the wait, so the fake's own work never adds to the latency it was given."""
        if not request.headers.get("Authorization", "").startswith("Bearer "):
            self.stats["unauthorized"] += 1
            return web.json_response({"error": {"code": "InvalidAuthenticationToken"}}, status=401)
        self.stats["batches"] += 1
        started = time.perf_counter()
        deadline = self._deadline()
        payload = await request.json()
        answers = [self._item(i) for i in payload["requests"]]
        holding = sum(1 for _, photo in answers if photo)
        responses = [a for a, _ in answers]
        self.rng.shuffle(responses)
        response = web.json_response({"responses": responses})
        try:
            await self._latency(deadline)
        finally:
            self.in_flight -= holding
        self.stats["batch_service_us"] += int((time.perf_counter() - started) * 1e6)
        return response

    async def sharepoint(self, request: web.Request) -> web.Response:
        if not request.headers.get("Authorization", "").startswith("Bearer "):
            self.stats["unauthorized"] += 1
            return web.json_response({"error": "unauthorized"}, status=401)
        self.stats["sharepoint_requests"] += 1
        deadline = self._deadline()
        account = request.query.get("@v", "").strip("'")
        upn = account.rsplit("|", 1)[-1]
        local = upn.split("@", 1)[0]
        n = int(local[4:]) if local.startswith("user") and local[4:].isdigit() else None
        if n is None:
            response = web.json_response({"odata.null": True})
        else:
            props = [
                {
                    "Key": "PictureURL",
                    "Value": f"https://bench-my.sharepoint.example/User%20Photos/{n}_MThumb.jpg",
                },
                {"Key": "SPS-PictureTimestamp", "Value": self.sp_old if n % 3 == 0 else self.sp_recent},
                {"Key": "SPS-PicturePlaceholderState", "Value": "0"},
                {"Key": "SPS-PictureExchangeSyncState", "Value": "1"},
            ]
            response = web.Response(
                text=json.dumps({"UserProfileProperties": props}),
                content_type="application/json",
                charset="utf-8",
            )
        await self._latency(deadline)  # the answer was built first: the fake's work is inside the latency
        return response

    async def stats_handler(self, request: web.Request) -> web.Response:
        return web.json_response({**self.stats, "in_flight": self.in_flight})

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v1.0/$batch", self.batch)
        app.router.add_get("/sp/_api/{tail:.*}", self.sharepoint)
        app.router.add_get("/bench/stats", self.stats_handler)
        return app


def main() -> None:
    port, latency_ms = int(sys.argv[1]), float(sys.argv[2])
    limit = int(sys.argv[3]) if len(sys.argv) > 3 else 4
    retry_after = float(sys.argv[4]) if len(sys.argv) > 4 else 1.0
    fake = FakeGraph(latency_ms / 1000, limit, retry_after)
    loop = asyncio.SelectorEventLoop(selectors.SelectSelector())  # microsecond timers (see the docstring)
    web.run_app(fake.app(), host="127.0.0.1", port=port, access_log=None, print=None, loop=loop)


if __name__ == "__main__":
    main()
