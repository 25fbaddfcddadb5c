"""The pooled HTTP client Graph and SharePoint requests leave through: httpx's API on aiohttp's transport.

`GraphClient`, `SharePointClient`, the retry loop and the metrics hook speak httpx (requests, responses,
event hooks, timeouts, exception classes); the bytes go through an `aiohttp.ClientSession` via the
`httpx-aiohttp` transport. Why: httpcore's pool re-checks every idle keep-alive connection on each request
(`getpeername` + `select` per connection) and runs each I/O step through anyio, a cost that grows with the
connections a drift scan keeps open (scanner CPU per user: see docs/BENCHMARKS.md). The scan runs inside the
serving bot, so its CPU is taken from turns. aiohttp is already loaded for the server and the
connector session.

Create it inside the running event loop (the aiohttp session needs one) and close it with `aclose()`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import httpx
from httpx_aiohttp import AiohttpTransport

ResponseHook = Callable[[httpx.Response], Awaitable[Any]]


def graph_http_client(
    *,
    timeout_s: float = 10.0,
    connect_s: float = 5.0,
    max_connections: int = 100,
    response_hooks: list[ResponseHook] | None = None,
) -> httpx.AsyncClient:
    """One pooled client for Graph, SharePoint and the OpenID metadata reads. No proxy or credentials from
    the environment (`trust_env=False` on both layers), no cookies kept (stateless REST APIs), keep-alive
    connections reused across requests; per request: connect within `connect_s`, each read within
    `timeout_s` (the retry loop's budget bounds the whole call)."""
    session = aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=max_connections, ttl_dns_cache=300),
        trust_env=False,
        cookie_jar=aiohttp.DummyCookieJar(),
    )
    return httpx.AsyncClient(
        transport=AiohttpTransport(client=session),
        event_hooks={"response": list(response_hooks or [])},
        trust_env=False,
        follow_redirects=False,  # a redirect is an answer to report, never a hop to another host
        timeout=httpx.Timeout(timeout_s, connect=connect_s),
    )


__all__ = ["graph_http_client"]
