"""Our reply path to the Bot Connector: one pooled aiohttp session, a cached bearer token, Teams' retry rules.

The stock path builds msrest clients per turn and sends with `requests` in a thread pool. This posts the same
JSON to the same REST endpoints. Why aiohttp and not the httpx client the Graph side uses: httpx/httpcore pays
per request for anyio cancel scopes and a readability check of every pooled socket, and the reply post is on
every turn; aiohttp's client, already loaded for the server, does the same post for far less (hot path: see
docs/BENCHMARKS.md).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import aiohttp
import orjson

from bot.clock import Clock, system_clock
from bot.graph.retry import retry_after_seconds
from bot.graph.tokens import TokenProvider
from bot.loopback import is_loopback_url
from bot.services.delivery import RETRY_STATUSES, DeliveryFailed

log = logging.getLogger(__name__)

BOT_FRAMEWORK_SCOPE = "https://api.botframework.com/.default"
TOKEN_EXPIRY_MARGIN_S = 300.0  # stop reusing a bearer token this long before its `exp` (msal's own margin)
TOKEN_REUSE_MAX_S = 600.0  # and ask the token provider again at least this often


class ConnectorError(DeliveryFailed):
    """The connector's refusal (`status`, error `code`, the `retry_after` seconds a 429 asked for), or no
    answer at all (status 0)."""


@dataclass(frozen=True, slots=True)
class ConnectorAnswer:
    status: int
    headers: Mapping[str, str]  # case-insensitive (aiohttp's CIMultiDictProxy)
    content: bytes

    def json(self) -> Any:
        return json.loads(self.content)


def connector_session(
    *, timeout_s: float = 30.0, connect_s: float = 5.0, limit: int = 100
) -> aiohttp.ClientSession:
    """The pooled session replies and notices leave through (create it inside the running event loop).
    No proxy from the environment (`trust_env=False`), keep-alive connections reused across turns."""
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=limit, ttl_dns_cache=300),
        timeout=aiohttp.ClientTimeout(total=timeout_s, sock_connect=connect_s),
        trust_env=False,
        cookie_jar=aiohttp.DummyCookieJar(),  # a stateless REST API: no cookies kept or sent
    )


class ConnectorSender:
    def __init__(
        self,
        http: aiohttp.ClientSession,
        tokens: TokenProvider | None,
        *,
        max_attempts: int = 4,
        base_delay_s: float = 0.5,
        max_delay_s: float = 8.0,
        on_answer: Callable[[int], None] | None = None,
        clock: Clock = system_clock,
    ) -> None:
        self.http = http
        self.clock = clock
        self.on_answer = on_answer  # metrics: called with every HTTP status the connector answered
        self.tokens = tokens  # None: anonymous (local Playground / Emulator without a registration)
        self.max_attempts = max_attempts
        self.base_delay_s = base_delay_s
        self.max_delay_s = max_delay_s
        self._token: str | None = None
        self._token_until = 0.0  # POSIX seconds after which the cached token is not reused

    @staticmethod
    def url(service_url: str, conversation_id: str, activity_id: str | None = None) -> str:
        base = service_url if service_url.endswith("/") else service_url + "/"
        url = f"{base}v3/conversations/{quote(conversation_id, safe='')}/activities"
        return f"{url}/{quote(activity_id, safe='')}" if activity_id else url

    async def send(
        self, service_url: str, conversation_id: str, body: dict[str, Any], reply_to: str | None
    ) -> str:
        response = await self._request("POST", self.url(service_url, conversation_id, reply_to), body)
        return _id(response)

    async def update(
        self, service_url: str, conversation_id: str, activity_id: str, body: dict[str, Any]
    ) -> str:
        response = await self._request("PUT", self.url(service_url, conversation_id, activity_id), body)
        return _id(response) or activity_id

    async def delete(self, service_url: str, conversation_id: str, activity_id: str) -> None:
        await self._request("DELETE", self.url(service_url, conversation_id, activity_id), None)

    async def create_conversation(self, service_url: str, parameters: dict[str, Any]) -> dict[str, Any]:
        base = service_url if service_url.endswith("/") else service_url + "/"
        response = await self._request("POST", f"{base}v3/conversations", parameters)
        try:
            data = response.json() if response.content else {}
        except ValueError:
            data = {}
        return data if isinstance(data, dict) else {}

    async def _request(self, method: str, url: str, body: dict[str, Any] | None) -> ConnectorAnswer:
        if self.tokens is None and not is_loopback_url(url):
            # Without a bot registration nothing proves where a serviceUrl came from: stay on this machine.
            log.warning("reply to a non-loopback service URL refused (no bot registration)")
            raise ConnectorError(0, "NonLoopbackServiceUrl")
        data = None if body is None else _json_bytes(body)
        for attempt in range(1, self.max_attempts + 1):
            headers = {"Content-Type": "application/json"} if data is not None else {}
            if self.tokens is not None:
                headers["Authorization"] = f"Bearer {await self._bearer()}"
            try:
                async with self.http.request(
                    method, url, data=data, headers=headers, allow_redirects=False
                ) as resp:
                    response = ConnectorAnswer(resp.status, resp.headers, await resp.read())
            except (aiohttp.ClientError, TimeoutError) as exc:
                if attempt == self.max_attempts:
                    raise ConnectorError(0, type(exc).__name__) from None
                await asyncio.sleep(self._backoff(attempt, None))
                continue
            if self.on_answer is not None:
                self.on_answer(response.status)
            if 200 <= response.status < 300:
                return response
            if response.status == 401:
                self._token = None  # never reuse a token the connector refused
            if response.status in RETRY_STATUSES and attempt < self.max_attempts:
                await asyncio.sleep(self._backoff(attempt, retry_after_seconds(response.headers)))
                continue
            raise ConnectorError(
                response.status, _error_code(response), retry_after_seconds(response.headers)
            )
        raise AssertionError("unreachable")

    async def _bearer(self) -> str:
        """The Bot Framework token, reused until shortly before it expires.

        The provider (msal) already caches tokens, but asking it costs a worker-thread hop and msal's cache
        search on every send (hot path: see docs/BENCHMARKS.md). A token whose expiry
        can't be read (not a JWT) is not reused."""
        assert self.tokens is not None
        now = self.clock().timestamp()
        if self._token is not None and now < self._token_until:
            return self._token
        token = await self.tokens.token(BOT_FRAMEWORK_SCOPE)
        exp = _jwt_exp(token)
        self._token = token if exp is not None else None
        self._token_until = (
            min(exp - TOKEN_EXPIRY_MARGIN_S, now + TOKEN_REUSE_MAX_S) if exp is not None else 0.0
        )
        return token

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, self.max_delay_s)
        return random.uniform(0, min(self.max_delay_s, self.base_delay_s * 2 ** (attempt - 1)))  # noqa: S311


def _json_bytes(body: dict[str, Any]) -> bytes:
    """The request body as UTF-8 JSON, by orjson (hot path: see docs/BENCHMARKS.md). Anything
    orjson refuses (an int beyond 64 bits, a non-str key) goes through the standard library unchanged."""
    try:
        return orjson.dumps(body)
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return json.dumps(body).encode()


def _jwt_exp(token: str) -> float | None:
    """The `exp` claim of a JWT, read without verification (our own token, only to know when to renew it)."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, binascii.Error):
        return None
    exp = payload.get("exp") if isinstance(payload, dict) else None
    return float(exp) if isinstance(exp, int | float) and not isinstance(exp, bool) else None


def _id(response: ConnectorAnswer) -> str:
    try:
        data = response.json()
    except ValueError:
        return ""
    return str(data.get("id") or "") if isinstance(data, dict) else ""


def _error_code(response: ConnectorAnswer) -> str | None:
    try:
        data = response.json()
    except ValueError:
        return None
    if isinstance(data, dict) and isinstance(data.get("error"), dict):
        code = data["error"].get("code")
        return str(code) if code else None
    return None
