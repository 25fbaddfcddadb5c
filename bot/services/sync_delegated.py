"""Starting SharePoint's photo sync as the user, with their delegated token (Teams SSO + on-behalf-of).

SharePoint fetches a photo when the user requests their own large photo (docs/DOMAIN.md, "How SharePoint picks
up a photo"); a request made with the user's own delegated token is that request, made by the bot on the click.
The start is recorded exactly as the one-click link records it (`SyncStarter.started_by_user`: audit
`sync_start`, then the verification schedule).

Delegated tokens live only in this process's memory, per user, until shortly before they expire: never in the
database, never in a log line or an exception message.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.domain.identifiers import object_id
from bot.graph.delegated import DelegatedSharePoint, DelegatedToken, MyProfile, OnBehalfOf
from bot.graph.errors import SharePointUnavailable

from .sync_start import SyncStarter

log = logging.getLogger(__name__)

HOW = "as the user (SSO)"  # the audit detail of a start made with the user's delegated token
EXPIRY_MARGIN = timedelta(minutes=2)  # a cached token is dropped this long before it expires
MAX_CACHED_USERS = 10_000
# SharePoint had the request: the picture itself (200) or a redirect to the picture file (302).
STARTED_STATUSES = frozenset({200, 302})


@dataclass(frozen=True, slots=True)
class DelegatedStart:
    """What became of one start as the user."""

    started: bool
    at: datetime
    profile: MyProfile | None = None
    status: int | None = None  # SharePoint's HTTP status for the photo request, when there was one


class DelegatedSync:
    def __init__(
        self,
        obo: OnBehalfOf,
        sharepoint: DelegatedSharePoint,
        starter: SyncStarter,
        clock: Clock,
        scope: str,
    ) -> None:
        self.obo = obo
        self.sharepoint = sharepoint
        self.starter = starter
        self.clock = clock
        self.scope = scope  # https://<tenant>.sharepoint.com/.default
        self._tokens: dict[str, DelegatedToken] = {}

    def cached(self, user_id: str) -> DelegatedToken | None:
        """The user's SharePoint token from an earlier exchange, while it is still good."""
        token = self._tokens.get(user_id)
        if token is not None and self.clock() >= token.expires_at - EXPIRY_MARGIN:
            del self._tokens[user_id]
            return None
        return token

    def forget(self, user_id: str) -> None:
        self._tokens.pop(user_id, None)

    async def exchange(self, user_id: str, assertion: str) -> DelegatedToken:
        """The user's Teams SSO token (already validated, issued to `user_id`) for a SharePoint token.
        Raises `DelegationRefused` (the user has to sign in or consent) or `TokenError`."""
        access, lifetime = await self.obo.exchange(assertion, self.scope)
        token = DelegatedToken(access, user_id, self.clock() + timedelta(seconds=lifetime))
        if len(self._tokens) >= MAX_CACHED_USERS:
            self._tokens.clear()
        self._tokens[user_id] = token
        return token

    async def start(self, user_id: str, token: DelegatedToken) -> DelegatedStart:
        """Request the user's own large photo as the user; read their own profile for the card."""
        now = self.clock()
        if object_id(user_id) is None or token.user_id != user_id:
            raise ValueError("a delegated token is used only for its own user")
        profile = await self._my_profile(user_id, token)
        upn = await self._upn(user_id, profile)
        if not upn:
            await self.starter.not_started_by_user(user_id, f"{HOW}: user not readable")
            return DelegatedStart(False, now, profile)
        try:
            status = await self.sharepoint.request_own_photo(token, upn)
        except SharePointUnavailable as exc:
            log.warning("sync as the user: SharePoint unreachable", extra={"reason": str(exc)})
            await self.starter.not_started_by_user(user_id, f"{HOW}: SharePoint unreachable")
            return DelegatedStart(False, now, profile)
        if status not in STARTED_STATUSES:
            if status in (401, 403):
                self.forget(user_id)  # SharePoint refuses this token: the next click exchanges again
            log.warning("sync as the user: SharePoint refused", extra={"status": status})
            await self.starter.not_started_by_user(user_id, f"{HOW}: SharePoint answered HTTP {status}")
            return DelegatedStart(False, now, profile, status)
        await self.starter.started_by_user(user_id, HOW)
        return DelegatedStart(True, now, profile, status)

    async def _my_profile(self, user_id: str, token: DelegatedToken) -> MyProfile | None:
        try:
            return await self.sharepoint.my_profile(token)
        except SharePointUnavailable as exc:
            log.info("sync as the user: own profile not readable", extra={"reason": str(exc)})
            if exc.status in (401, 403):
                self.forget(user_id)
            return None

    async def _upn(self, user_id: str, profile: MyProfile | None) -> str | None:
        """The user's UPN from the directory (as the link builds it); their own profile's if Graph can't say."""
        upn = await self.starter.upn(user_id)
        if upn is not None:
            return upn
        return profile.upn if profile is not None and profile.upn else None
