"""Our reply path to the Bot Connector: one pooled httpx client, a cached bearer token, Teams' retry rules.

The stock path builds msrest clients per turn and sends with `requests` in a thread pool (DESIGN.md: most of
its CPU). This posts the same JSON to the same REST endpoints.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
import random
import time
from typing import Any
from urllib.parse import quote

import httpx

from bot.graph.retry import retry_after_seconds
from bot.graph.tokens import TokenProvider

log = logging.getLogger(__name__)

BOT_FRAMEWORK_SCOPE = "https://api.botframework.com/.default"
RETRY_STATUSES = frozenset({429, 412, 502, 504})  # Teams' documented retryable answers
TOKEN_EXPIRY_MARGIN_S = 300.0  # stop reusing a bearer token this long before its `exp` (msal's own margin)
TOKEN_REUSE_MAX_S = 600.0  # and ask the token provider again at least this often


class ConnectorError(Exception):
    def __init__(self, status: int, code: str | None = None, retry_after: float | None = None) -> None:
        super().__init__(f"connector answered {status} {code or ''}".strip())
        self.status = status
        self.code = code
        self.retry_after = retry_after  # seconds the connector asked us to wait (429), if it said

    @property
    def blocked(self) -> bool:
        """The user blocked or removed the bot: stop messaging them."""
        return self.status == 403 and self.code == "MessageWritesBlocked"


class ConnectorSender:
    def __init__(
        self,
        http: httpx.AsyncClient,
        tokens: TokenProvider | None,
        *,
        max_attempts: int = 4,
        base_delay_s: float = 0.5,
        max_delay_s: float = 8.0,
    ) -> None:
        self.http = http
        self.tokens = tokens  # None: anonymous (local Playground / Emulator without a registration)
        self.max_attempts = max_attempts
        self.base_delay_s = base_delay_s
        self.max_delay_s = max_delay_s
        self._token: str | None = None
        self._token_until = 0.0  # time.time() after which the cached token is not reused

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
        data = response.json() if response.content else {}
        return data if isinstance(data, dict) else {}

    async def _request(self, method: str, url: str, body: dict[str, Any] | None) -> httpx.Response:
        for attempt in range(1, self.max_attempts + 1):
            headers = {}
            if self.tokens is not None:
                headers["Authorization"] = f"Bearer {await self._bearer()}"
            try:
                response = await self.http.request(method, url, json=body, headers=headers)
            except httpx.TransportError as exc:
                if attempt == self.max_attempts:
                    raise ConnectorError(0, type(exc).__name__) from None
                await asyncio.sleep(self._backoff(attempt, None))
                continue
            if response.is_success:
                return response
            if response.status_code == 401:
                self._token = None  # never reuse a token the connector refused
            if response.status_code in RETRY_STATUSES and attempt < self.max_attempts:
                await asyncio.sleep(self._backoff(attempt, retry_after_seconds(response.headers)))
                continue
            raise ConnectorError(
                response.status_code, _error_code(response), retry_after_seconds(response.headers)
            )
        raise AssertionError("unreachable")

    async def _bearer(self) -> str:
        """The Bot Framework token, reused until shortly before it expires.

        The provider (msal) already caches tokens, but asking it costs a worker-thread hop and msal's cache
        search on every send: measured as a visible share of a turn (docs/BENCHMARKS.md). A token whose expiry
        can't be read (not a JWT) is not reused."""
        assert self.tokens is not None
        now = time.time()
        if self._token is not None and now < self._token_until:
            return self._token
        token = await self.tokens.token(BOT_FRAMEWORK_SCOPE)
        exp = _jwt_exp(token)
        self._token = token if exp is not None else None
        self._token_until = min(exp - TOKEN_EXPIRY_MARGIN_S, now + TOKEN_REUSE_MAX_S) if exp is not None else 0.0
        return token

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, self.max_delay_s)
        return random.uniform(0, min(self.max_delay_s, self.base_delay_s * 2 ** (attempt - 1)))  # noqa: S311


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


def _id(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return ""
    return str(data.get("id") or "") if isinstance(data, dict) else ""


def _error_code(response: httpx.Response) -> str | None:
    try:
        data = response.json()
    except ValueError:
        return None
    if isinstance(data, dict) and isinstance(data.get("error"), dict):
        code = data["error"].get("code")
        return str(code) if code else None
    return None
