"""Read a user's photo state from Graph + SharePoint (one $batch + one SharePoint call), with a short cache."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

from bot.domain.model import ProfileState
from bot.graph import GraphClient, GraphError, SharePointClient
from bot.store import Store

from .evidence import GRAPH_THUMBNAIL, m365_picture, picture_evidence, signature

log = logging.getLogger(__name__)


class ProfileReader:
    """Observes a user's current photo state; records the photo version in the ledger."""

    def __init__(
        self,
        graph: GraphClient,
        sharepoint: SharePointClient,
        store: Store,
        clock: Callable[[], datetime],
        cache_ttl_s: float = 60.0,
    ) -> None:
        self.graph = graph
        self.sharepoint = sharepoint
        self.store = store
        self.clock = clock
        self.cache_ttl_s = cache_ttl_s
        self._cache: dict[str, ProfileState] = {}
        self._inflight: dict[str, asyncio.Future[ProfileState]] = {}

    def forget(self, user_id: str) -> None:
        self._cache.pop(user_id, None)

    async def read(self, user_id: str) -> ProfileState:
        now = self.clock()
        cached = self._cache.get(user_id)
        if cached is not None and (now - cached.observed_at).total_seconds() < self.cache_ttl_s:
            return cached
        pending = self._inflight.get(user_id)
        if pending is not None:  # coalesce concurrent reads of the same user
            return await asyncio.shield(pending)
        future: asyncio.Future[ProfileState] = asyncio.get_running_loop().create_future()
        self._inflight[user_id] = future
        try:
            state = await self._read(user_id, now)
            future.set_result(state)
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # mark retrieved
            raise
        finally:
            del self._inflight[user_id]
        if state.graph_error is None and state.sharepoint_error is None:
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[user_id] = state
        return state

    async def _read(self, user_id: str, now: datetime) -> ProfileState:
        try:
            (user, photo), source = await asyncio.gather(
                self.graph.get_user_and_photo(user_id, thumbnail=GRAPH_THUMBNAIL), self.graph.photo_source()
            )
        except GraphError as exc:
            log.warning("graph read failed", extra={"user": user_id, "reason": type(exc).__name__})
            return ProfileState(user_id=user_id, observed_at=now, graph_error=type(exc).__name__)
        changed_at = previous_seen = None
        m365 = m365_picture(photo)
        if photo is not None:
            entry = await self.store.observe_photo(user_id, photo.etag, now, signature(m365))
            if entry.known_change:
                changed_at, previous_seen = entry.first_seen_at, entry.previous_seen_at
        sp_error = None
        picture = None
        evidence = None
        if user is not None:
            # the profile properties and the picture SharePoint shows, at the same time
            properties, shown = await asyncio.gather(
                self.sharepoint.picture(user.upn),
                self.sharepoint.shown_picture(user.upn),
                return_exceptions=True,
            )
            if isinstance(properties, BaseException):
                if not isinstance(properties, GraphError):
                    raise properties
                sp_error = type(properties).__name__
                log.warning("sharepoint read failed", extra={"user": user_id, "reason": sp_error})
            else:
                picture = properties
            if isinstance(shown, BaseException):
                if not isinstance(shown, GraphError):
                    raise shown
                log.warning(
                    "sharepoint picture not readable", extra={"user": user_id, "reason": type(shown).__name__}
                )
            else:
                evidence = picture_evidence(user_id, photo, m365, shown)
        return ProfileState(
            user_id=user_id,
            observed_at=now,
            user=user,
            photo=photo,
            photo_source=source,
            sharepoint=picture,
            photo_changed_at=changed_at,
            photo_previous_seen_at=previous_seen,
            sharepoint_error=sp_error,
            pictures=evidence,
        )
