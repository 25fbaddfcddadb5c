"""Starting SharePoint's photo sync for a user: the one-click link's landing, audited."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from urllib.parse import quote

from bot.clock import Clock
from bot.graph import GraphClient, GraphError
from bot.store import AuditRecord, Store

from .sync_links import SyncLinks

log = logging.getLogger(__name__)

SYNC_START = "sync_start"  # the audit action


def own_photo_url(sharepoint_url: str, upn: str) -> str:
    """The user's own large photo in SharePoint: requested by the user, it makes SharePoint fetch the photo."""
    return (
        f"{sharepoint_url.rstrip('/')}/_layouts/15/userphoto.aspx?size=L&accountname={quote(upn, safe='@')}"
    )


class SyncStarter:
    def __init__(
        self,
        links: SyncLinks,
        graph: GraphClient,
        store: Store,
        clock: Clock,
        sharepoint_url: str,
        on_start: Callable[[str], Awaitable[None]] | None = None,
    ) -> None:
        self.on_start = on_start  # the user started the sync: check until SharePoint shows the new photo
        self.links = links
        self.graph = graph
        self.store = store
        self.clock = clock
        self.sharepoint_url = sharepoint_url

    def link(self, public_url: str, user_id: str, ttl: timedelta | None = None) -> str:
        return f"{public_url.rstrip('/')}/sync/{self.links.token(user_id, ttl)}"

    async def start(self, token: str) -> str | None:
        """Where to send the browser that opened a sync link (None: the link is not valid any more). The
        target is always this tenant's SharePoint and the link's own user."""
        user_id = self.links.user(token)
        if user_id is None:
            return None
        upn = await self.upn(user_id)
        if upn is None:
            await self._audit(user_id, "failed", "user not readable")
            return None
        await self._started(user_id, "redirected", None)
        return own_photo_url(self.sharepoint_url, upn)

    async def upn(self, user_id: str) -> str | None:
        """The user's UPN from the directory (None when Graph can't say): where their own photo is."""
        try:
            user = await self.graph.get_user(user_id)
        except GraphError as exc:
            log.warning("sync start: user not readable", extra={"reason": type(exc).__name__})
            return None
        return user.upn if user is not None and user.upn else None

    async def started_by_user(self, user_id: str, how: str) -> None:
        """SharePoint had the user's own request for their large photo, made another way than the link (e.g.
        as the user with a delegated token): audited and checked the same way as a link's start."""
        await self._started(user_id, "started", how)

    async def _started(self, user_id: str, outcome: str, detail: str | None) -> None:
        await self._audit(user_id, outcome, detail)
        if self.on_start is not None:
            await self.on_start(user_id)

    async def not_started_by_user(self, user_id: str, why: str) -> None:
        """A start the other way did not reach SharePoint: audited, nothing scheduled."""
        await self._audit(user_id, "failed", why)

    async def _audit(self, user_id: str, outcome: str, detail: str | None) -> None:
        await self.store.audit(AuditRecord(self.clock(), user_id, user_id, SYNC_START, outcome, detail))
