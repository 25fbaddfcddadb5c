"""Helpdesk: who may ask about other people, and which user a helpdesk question is about."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bot.domain.model import UserProfile
from bot.graph import GraphClient, GraphError

log = logging.getLogger(__name__)

MEMBERSHIP_TTL_S = 600.0
MEMBERSHIP_FAILURE_TTL_S = 30.0


@dataclass(frozen=True, slots=True)
class MentionedUser:
    """A user @mentioned in the message (not the bot)."""

    name: str
    aad_object_id: str | None = None


class HelpdeskPolicy:
    """Helpdesk = transitive member of the configured Entra group, and/or a message from a configured team.

    Checked on every request and on every button click, with the clicker's identity from the activity.
    Membership answers are cached for 10 minutes (failures for 30 s: fail closed, retry soon).
    """

    def __init__(
        self,
        graph: GraphClient,
        group_id: str | None,
        team_ids: Iterable[str] = (),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.graph = graph
        self.group_id = group_id or None
        self.team_ids = frozenset(t for t in team_ids if t)
        self.clock = clock
        self._cache: dict[str, tuple[bool, float]] = {}

    @property
    def configured(self) -> bool:
        return self.group_id is not None or bool(self.team_ids)

    async def is_helpdesk(self, user_id: str | None, team_id: str | None = None) -> bool:
        if not user_id:
            return False
        if team_id and team_id in self.team_ids:
            return True
        if self.group_id is None:
            return False
        now = self.clock()
        cached = self._cache.get(user_id)
        if cached is not None and cached[1] > now:
            return cached[0]
        try:
            member = self.group_id in await self.graph.member_of(user_id, [self.group_id])
            ttl = MEMBERSHIP_TTL_S
        except GraphError as exc:
            log.warning("helpdesk membership check failed", extra={"reason": type(exc).__name__})
            member, ttl = False, MEMBERSHIP_FAILURE_TTL_S
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[user_id] = (member, now + ttl)
        return member


class UserResolver:
    """Turns "Megan", "megan@contoso.com" or an @mention into directory users."""

    def __init__(self, graph: GraphClient, limit: int = 11) -> None:
        self.graph = graph
        self.limit = limit

    async def resolve(self, subject: str | None, mentions: list[MentionedUser]) -> list[UserProfile]:
        for mention in mentions:
            if mention.aad_object_id:
                user, _ = await self.graph.get_user_and_photo(mention.aad_object_id)
                return [user] if user else []
        query = (subject or (mentions[0].name if mentions else "")).strip()
        if not query:
            return []
        users = await self.graph.find_users(query, limit=self.limit)
        exact = [u for u in users if u.display_name.casefold() == query.casefold()]
        return exact or users
