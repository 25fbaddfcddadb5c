"""Route table and the one execution path every request and every `$batch` item takes:
count -> injected fault -> route -> photo concurrency limit -> latency -> handler.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.demo.faults import Fault
from bot.demo.state import ServerState
from bot.demo.wire import SP_JSON, Call, Reply, graph_error, is_sharepoint, retry_after_value, sp_error

Handler = Callable[[ServerState, Call, "re.Match[str]"], Awaitable[Reply]]


@dataclass(frozen=True, slots=True)
class Route:
    method: str  # "GET", "POST", ... ; several as "PUT|PATCH"
    pattern: re.Pattern[str]  # full match against the absolute path
    key: str  # counter key, e.g. "GET /v1.0/users/{id}/photo"
    handler: Handler
    photo: bool = False  # falls under the Outlook photo concurrency limit
    latency: bool = True  # gets `limits.latency_s` ($batch does not: its items do)

    def allows(self, method: str) -> bool:
        return method in self.method.split("|")


def route(
    method: str,
    regex: str,
    key: str,
    handler: Handler,
    *,
    photo: bool = False,
    latency: bool = True,
    ignore_case: bool = False,
) -> Route:
    flags = re.IGNORECASE if ignore_case else 0
    return Route(method, re.compile(regex, flags), key, handler, photo, latency)


def find(routes: tuple[Route, ...], call: Call) -> tuple[Route, re.Match[str]] | Reply:
    path_matched = False
    for r in routes:
        m = r.pattern.fullmatch(call.path)
        if m is None:
            continue
        path_matched = True
        if r.allows(call.method):
            return r, m
    if path_matched:
        if is_sharepoint(call.path):
            return sp_error(
                405,
                "-1, Microsoft.SharePoint.Client.ClientServiceException",
                f"The HTTP method '{call.method}' cannot be used to access the resource.",
            )
        return graph_error(405, "Request_BadRequest", f"The HTTP method '{call.method}' is not allowed.")
    if is_sharepoint(call.path):
        return sp_error(
            404, "-1, Microsoft.SharePoint.Client.InvalidClientQueryException", "The expression is not valid."
        )
    segment = call.path.rstrip("/").rsplit("/", 1)[-1]
    return graph_error(400, "BadRequest", f"Resource not found for the segment '{segment}'.")


def fault_reply(call: Call, fault: Fault) -> Reply:
    assert fault.status is not None
    headers = {} if fault.retry_after is None else {"Retry-After": retry_after_value(fault.retry_after)}
    if fault.body is not None:
        content_type = SP_JSON if is_sharepoint(call.path) else "application/json"
        return Reply(fault.status, fault.body, headers, content_type)
    if is_sharepoint(call.path):
        return sp_error(fault.status, "-1, Microsoft.SharePoint.SPException", "Injected fault.", headers)
    return graph_error(fault.status, message="Injected fault.", headers=headers)


async def execute(state: ServerState, routes: tuple[Route, ...], call: Call) -> Reply:
    counters = state.counters
    found = find(routes, call)
    counters.requests[found[0].key if isinstance(found, tuple) else f"{call.method} ?"] += 1
    fault = state.faults.take(call.match_keys())
    if fault is not None:
        if fault.delay_s:
            await asyncio.sleep(fault.delay_s)
        if fault.reset:
            counters.faulted += 1
            return Reply(reset=True)
        if fault.status is not None:
            counters.faulted += 1
            return fault_reply(call, fault)
    if not isinstance(found, tuple):
        return found
    r, match = found
    limit = state.limits.photo_concurrency
    if r.photo and limit is not None and counters.photo_in_flight >= limit:
        counters.throttled += 1
        return graph_error(
            429,
            "ApplicationThrottled",
            "Application is over its MailboxConcurrency limit.",
            {"Retry-After": retry_after_value(state.limits.retry_after_s)},
        )
    if r.photo:
        counters.photo_in_flight += 1
        counters.max_photo_in_flight = max(counters.max_photo_in_flight, counters.photo_in_flight)
    try:
        if r.latency and state.limits.latency_s > 0:
            await asyncio.sleep(state.limits.latency_s)
        return await r.handler(state, call, match)
    finally:
        if r.photo:
            counters.photo_in_flight -= 1
