"""One-click sync links: a short-lived, signed link on the bot's own host that sends one user's browser to
their own large photo in SharePoint.

SharePoint refreshes its copy of a photo when the user requests their own photo there (docs/DOMAIN.md, "How
SharePoint picks up a photo"). The link carries only the user's object id and an expiry, signed with HMAC-SHA256;
the bot answers it with a redirect to that user's `userphoto.aspx?size=L` on the tenant's configured SharePoint
host, built by the bot: a link can't be made to point anywhere else (no open redirect), and a changed or expired
link is refused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import timedelta

from bot.clock import Clock
from bot.domain.identifiers import object_id

# A card's link: long enough to click a card read a while later, short enough not to be worth sharing.
LINK_TTL = timedelta(minutes=30)
NOTICE_LINK_TTL = timedelta(days=7)  # a notice may be read days after it was sent


class SyncLinks:
    def __init__(self, secret: bytes, clock: Clock, ttl: timedelta = LINK_TTL) -> None:
        if len(secret) < 16:
            raise ValueError("the link secret needs at least 16 bytes")
        self._secret = secret
        self.clock = clock
        self.ttl = ttl

    def token(self, user_id: str, ttl: timedelta | None = None) -> str:
        """A token for `user_id` (a canonical object id) that expires after `ttl` (default: the links' own)."""
        oid = object_id(user_id)
        if oid is None:
            raise ValueError("sync links are made for object ids only")
        expires = int((self.clock() + (ttl or self.ttl)).timestamp())
        payload = f"{oid}.{expires}"
        return f"{payload}.{self._sign(payload)}"

    def user(self, token: str) -> str | None:
        """The user a token was made for; None when it was changed, is malformed or has expired."""
        if len(token) > 200:
            return None
        oid, _, rest = token.partition(".")
        expires, _, signature = rest.partition(".")
        payload = f"{oid}.{expires}"
        if not expires.isdigit() or not hmac.compare_digest(signature, self._sign(payload)):
            return None
        if self.clock().timestamp() >= int(expires):
            return None
        return object_id(oid)

    def _sign(self, payload: str) -> str:
        digest = hmac.new(self._secret, payload.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
