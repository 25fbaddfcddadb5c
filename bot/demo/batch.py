"""Graph JSON batching (`POST /v1.0/$batch`), as https://learn.microsoft.com/graph/json-batching describes:

* at most 20 requests, else 400 for the whole batch; ids must be unique;
* each item runs through the same route handlers as a direct request (same counters, faults, latency and
  photo concurrency limit), so one item can be 429 while the batch is 200;
* items run concurrently unless some use `dependsOn` (then in the given order);
* responses come back in a shuffled (seeded) order, matched by `id`;
* binary bodies (`$value`) are base64 strings, JSON bodies are objects.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import re
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from multidict import CIMultiDict, CIMultiDictProxy, MultiDict, MultiDictProxy

from bot.demo.state import ServerState
from bot.demo.wire import Call, Reply, graph_error

MAX_BATCH = 20
Execute = Callable[[Call], Awaitable[Reply]]


def _item_call(parent: Call, version: str, item: dict[str, Any]) -> Call | Reply:
    url = item["url"]
    if "://" in url:
        return graph_error(400, "BadRequest", "Batch request URLs must be relative, like '/users/{id}'.")
    parts = urlsplit(url if url.startswith("/") else "/" + url)
    path = f"/{version}{unquote(parts.path)}"
    query = MultiDictProxy(MultiDict(parse_qsl(parts.query, keep_blank_values=True)))
    raw_headers = item.get("headers") or {}
    if not isinstance(raw_headers, dict):
        return graph_error(400, "BadRequest", "Batch request headers must be an object.")
    headers = CIMultiDict({str(k): str(v) for k, v in raw_headers.items()})
    body = b""
    if "body" in item and item["body"] is not None:
        raw = item["body"]
        content_type = headers.get("Content-Type", "").lower()
        if isinstance(raw, dict | list):
            body = json.dumps(raw).encode()
            headers.setdefault("Content-Type", "application/json")
        elif isinstance(raw, str) and "json" not in content_type:
            try:
                body = base64.b64decode(raw, validate=True)
            except (binascii.Error, ValueError):
                return graph_error(400, "BadRequest", "A binary batch body must be base64-encoded.")
        else:
            body = str(raw).encode()
    return Call(
        method=str(item["method"]).upper(),
        path=path,
        query=query,
        headers=CIMultiDictProxy(headers),
        body=body,
        origin=parent.origin,
        in_batch=True,
    )


def _item_response(item_id: str, reply: Reply) -> dict[str, Any]:
    headers = dict(reply.headers)
    media = reply.media_type()
    if media:
        headers["Content-Type"] = media
    out: dict[str, Any] = {"id": item_id, "status": reply.status, "headers": headers}
    if reply.body is None:
        return out
    if isinstance(reply.body, bytes | bytearray):
        if "json" in (media or ""):
            try:
                out["body"] = json.loads(reply.body)
                return out
            except ValueError:
                pass
        out["body"] = base64.b64encode(bytes(reply.body)).decode("ascii")
    else:
        out["body"] = reply.body
    return out


async def run_batch(state: ServerState, call: Call, m: re.Match[str], execute: Execute) -> Reply:
    if call.in_batch:
        return graph_error(400, "BadRequest", "A batch request cannot contain another batch.")
    try:
        payload = call.json()
    except ValueError:
        return graph_error(400, "BadRequest", "Invalid batch payload format: the body is not JSON.")
    requests = payload.get("requests") if isinstance(payload, dict) else None
    if not isinstance(requests, list) or not requests:
        return graph_error(
            400, "BadRequest", "Invalid batch payload format: 'requests' must be a non-empty list."
        )
    if len(requests) > MAX_BATCH:
        return graph_error(
            400,
            "BadRequest",
            f"The number of batch requests ({len(requests)}) exceeds the maximum of {MAX_BATCH}.",
        )
    ids: list[str] = []
    for item in requests:
        fields = ("id", "method", "url")
        if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in fields):
            return graph_error(400, "BadRequest", "Each batch request needs string 'id', 'method' and 'url'.")
        ids.append(item["id"])
    if len(set(ids)) != len(ids):
        return graph_error(400, "BadRequest", "Batch request ids must be unique.")
    state.counters.batch_requests += 1
    state.counters.batch_items += len(requests)
    version = m["ver"]

    async def one(item: dict[str, Any]) -> Reply:
        sub = _item_call(call, version, item)
        return sub if isinstance(sub, Reply) else await execute(sub)

    if any(item.get("dependsOn") for item in requests):
        replies = [await one(item) for item in requests]
    else:
        replies = list(await asyncio.gather(*(one(item) for item in requests)))
    if any(r.reset for r in replies):
        return Reply(reset=True)
    responses = [_item_response(i, r) for i, r in zip(ids, replies, strict=True)]
    state.rng.shuffle(responses)
    return Reply(200, {"responses": responses})
