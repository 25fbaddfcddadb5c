"""Small helpers shared by the Graph and SharePoint clients."""

from __future__ import annotations

import ipaddress
import re
from datetime import UTC, datetime
from urllib.parse import urlsplit

_FRACTION = re.compile(r"(\.\d{6})\d+")


def origin(base_url: str) -> str:
    parts = urlsplit(base_url)
    if not parts.scheme or not parts.netloc:
        raise ValueError(f"not an absolute URL: {base_url!r}")
    return f"{parts.scheme}://{parts.netloc}"


def is_loopback(base_url: str) -> bool:
    host = (urlsplit(base_url).hostname or "").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_datetime(value: object) -> datetime | None:
    """Graph's ISO 8601 (up to 7 fraction digits, 'Z') -> aware UTC; None for missing or garbage."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = _FRACTION.sub(r"\1", value.strip())
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        return None
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)
