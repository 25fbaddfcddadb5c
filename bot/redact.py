"""Passwords out of database URLs and DSNs, for anything that prints one (settings, start-up errors, CLIs)."""

from __future__ import annotations

import re

_URL_PASSWORD = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<user>[^:@/?#]*):[^/?#]*@")
_QUERY_SECRET = re.compile(r"(?i)(?P<key>\b(?:password|passwd|pwd|secret|sslpassword|token)=)[^&;\s]*")
_DSN_SECRET = re.compile(r"(?i)(?P<key>\b(?:password|passwd|pwd)\s*=\s*)(?:'(?:[^'\\]|\\.)*'|[^\s;&]*)")


def redact_url(url: str) -> str:
    """A database URL or DSN with every password hidden: `user:pass@host`, `?password=`, `password='…'`."""
    url = _URL_PASSWORD.sub(r"\g<scheme>\g<user>:***@", url)
    url = _DSN_SECRET.sub(r"\g<key>***", url)
    return _QUERY_SECRET.sub(r"\g<key>***", url)
