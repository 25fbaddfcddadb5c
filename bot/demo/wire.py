"""Transport-neutral request/response values of the fake server, and Microsoft's error body shapes.

Handlers take a `Call` and return a `Reply`; the HTTP layer and `$batch` both build `Call`s, so a batch
item goes through exactly the same handler as a direct request (no HTTP self-call).
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from multidict import CIMultiDict, CIMultiDictProxy, MultiDict, MultiDictProxy

GRAPH_JSON = (
    "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"
)
SP_JSON = "application/json;odata=nometadata;streaming=true;charset=utf-8"

# Graph error codes used when a fault or limit gives only a status.
_GRAPH_CODES = {
    400: "BadRequest",
    401: "InvalidAuthenticationToken",
    403: "Authorization_RequestDenied",
    404: "Request_ResourceNotFound",
    409: "Conflict",
    413: "RequestEntityTooLarge",
    429: "TooManyRequests",
    500: "InternalServerError",
    502: "BadGateway",
    503: "ServiceNotAvailable",
    504: "GatewayTimeout",
}


@dataclass(slots=True)
class Call:
    """One request, from HTTP or from a `$batch` item. `path` is absolute: '/v1.0/users/x/photo'."""

    method: str
    path: str
    query: MultiDictProxy[str] = field(default_factory=lambda: MultiDictProxy(MultiDict()))
    headers: CIMultiDictProxy[str] = field(default_factory=lambda: CIMultiDictProxy(CIMultiDict()))
    body: bytes = b""
    origin: str = "https://graph.microsoft.com"  # scheme://host[:port] the client used
    in_batch: bool = False

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "").split(";")[0].strip().lower()

    def json(self) -> Any:
        """The body as JSON; raises ValueError when it isn't."""
        return json.loads(self.body.decode("utf-8")) if self.body else None

    def match_keys(self) -> tuple[str, ...]:
        """What fault patterns are searched in: 'METHOD /path' and, with a query, 'METHOD /path?query'."""
        base = f"{self.method} {self.path}"
        if not self.query:
            return (base,)
        return base, base + "?" + "&".join(f"{k}={v}" for k, v in self.query.items())


@dataclass(slots=True)
class Reply:
    status: int = 200
    body: Any = None  # dict/list -> JSON; bytes -> as is; None -> empty
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = None
    reset: bool = False  # close the connection abruptly instead of answering

    def body_bytes(self) -> bytes:
        if self.body is None:
            return b""
        if isinstance(self.body, bytes | bytearray):
            return bytes(self.body)
        return json.dumps(self.body, separators=(",", ":")).encode("utf-8")

    def media_type(self) -> str | None:
        if self.content_type is not None:
            return self.content_type
        if self.body is None:
            return None
        return "application/octet-stream" if isinstance(self.body, bytes | bytearray) else GRAPH_JSON


def graph_error(
    status: int, code: str | None = None, message: str | None = None, headers: Mapping[str, str] | None = None
) -> Reply:
    """Graph's error body: {"error": {"code", "message", "innerError": {...}}}."""
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    request_id = str(uuid.uuid4())
    body = {
        "error": {
            "code": code or _GRAPH_CODES.get(status, "UnknownError"),
            "message": message or "The request failed.",
            "innerError": {"date": now, "request-id": request_id, "client-request-id": request_id},
        }
    }
    return Reply(status, body, dict(headers or {}), GRAPH_JSON)


def sp_error(status: int, code: str, message: str, headers: Mapping[str, str] | None = None) -> Reply:
    """SharePoint REST's (OData v3) error body: {"odata.error": {"code", "message": {"lang", "value"}}}."""
    body = {"odata.error": {"code": code, "message": {"lang": "en-US", "value": message}}}
    return Reply(status, body, dict(headers or {}), SP_JSON)


def is_sharepoint(path: str) -> bool:
    return path.startswith(("/sp/", "/sp-admin/"))


def iso(dt: datetime | None) -> str | None:
    """Graph's DateTimeOffset form: '2024-01-08T04:28:31Z'."""
    return None if dt is None else dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def retry_after_value(seconds: float) -> str:
    """Retry-After header text: whole seconds as Graph sends them; fractions only for fast tests."""
    return str(int(seconds)) if float(seconds).is_integer() else f"{seconds:g}"


def page_size_error(top: int) -> Reply | None:
    """Graph's answer to a `$top` outside 1..999 (None when it is fine)."""
    if 1 <= top <= 999:
        return None
    return graph_error(
        400,
        "Request_BadRequest",
        f"Invalid page size specified: '{top}'. Must be between 1 and 999 inclusive.",
    )


def delegated_claims(call: Call) -> dict[str, Any] | None:
    """The claims of the call's bearer token when it is a user's delegated token (`scp` and `oid`), else None.
    The demo reads them without checking the signature (it accepts any token; a test's `token_check` checks
    them); never logged."""
    scheme, _, token = call.headers.get("Authorization", "").partition(" ")
    parts = token.strip().split(".")
    if scheme.lower() != "bearer" or len(parts) != 3:
        return None
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(claims, dict) or not isinstance(claims.get("scp"), str) or not claims.get("oid"):
        return None
    return claims
