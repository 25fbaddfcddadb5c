"""Helpdesk: who may ask about other people, and which user a helpdesk question is about."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import Clock, system_clock
from bot.domain.identifiers import object_id
from bot.domain.model import UserProfile
from bot.graph import GraphClient, GraphError

log = logging.getLogger(__name__)

MEMBERSHIP_TTL = timedelta(minutes=10)
MEMBERSHIP_FAILURE_TTL = timedelta(seconds=30)
MAX_QUERY_CHARS = 100  # a directory search never needs more; longer text is not a name


@dataclass(frozen=True, slots=True)
class MentionedUser:
    """A user @mentioned in the message (not the bot)."""

    name: str
    aad_object_id: str | None = None


class HelpdeskPolicy:
    """Who may ask about other people's photos. Checked on every request and every button click, with the
    clicker's identity from the activity, never from card data.

    - `PHOTOSYNC_HELPDESK_GROUP_ID`: transitive members of that Entra group.
    - `PHOTOSYNC_HELPDESK_TEAM_IDS`: people writing in a *channel* of one of those teams (not a group chat or a
      1:1 that merely carries a team id); the organisation was already checked at the endpoint.
    - Both set: both must hold (a group member, asking in a helpdesk team's channel).
    - Either way the person must be a member of our own directory: guests (userType Guest) and people from
      other organisations (shared-channel members Graph does not know) count only with `allow_guests`.
    Directory answers are cached for 10 minutes (failures for 30 s: fail closed, retry soon).
    """

    def __init__(
        self,
        graph: GraphClient,
        group_id: str | None,
        team_ids: Iterable[str] = (),
        clock: Clock = system_clock,
        *,
        allow_guests: bool = False,
    ) -> None:
        self.graph = graph
        self.group_id = group_id or None
        self.team_ids = frozenset(t for t in team_ids if t)
        self.clock = clock
        self.allow_guests = allow_guests
        self._cache: dict[str, tuple[bool, datetime]] = {}  # user -> (qualifies, valid until)

    @property
    def configured(self) -> bool:
        return self.group_id is not None or bool(self.team_ids)

    async def is_helpdesk(
        self, user_id: str | None, *, conversation_type: str | None = None, team_id: str | None = None
    ) -> bool:
        if not user_id or not self.configured:
            return False
        if self.team_ids and not (conversation_type == "channel" and team_id in self.team_ids):
            return False
        return await self._qualifies(user_id)

    async def _qualifies(self, user_id: str) -> bool:
        """In our directory as a member (or a guest, when allowed), and in the group when one is set."""
        now = self.clock()
        cached = self._cache.get(user_id)
        if cached is not None and cached[1] > now:
            return cached[0]
        try:
            qualifies = await self._ask_directory(user_id)
            ttl = MEMBERSHIP_TTL
        except GraphError as exc:
            log.warning("helpdesk membership check failed", extra={"reason": type(exc).__name__})
            qualifies, ttl = False, MEMBERSHIP_FAILURE_TTL
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[user_id] = (qualifies, now + ttl)
        return qualifies

    async def _ask_directory(self, user_id: str) -> bool:
        user = await self.graph.get_user(user_id)
        if user is None:
            return False  # not in our directory: another organisation's account
        if not self.allow_guests and (user.user_type or "").lower() != "member":
            return False
        if self.group_id is None:
            return True
        return self.group_id in await self.graph.member_of(user_id, [self.group_id])


class UserResolver:
    """Turns "Megan", "Bowen", "megan@contoso.com", an account name ("meganb") or an @mention into directory
    users, and "my manager" into the sender's manager."""

    def __init__(self, graph: GraphClient, limit: int = 11) -> None:
        self.graph = graph
        self.limit = limit

    async def resolve(self, subject: str | None, mentions: list[MentionedUser]) -> list[UserProfile]:
        for mention in mentions:
            oid = object_id(mention.aad_object_id)
            if oid is not None:
                user = await self.graph.get_user(oid)
                return [user] if user else []
        query = (subject or (mentions[0].name if mentions else "")).strip()[:MAX_QUERY_CHARS]
        if not query:
            return []
        users = await self.graph.find_users(query, limit=self.limit)
        exact = [u for u in users if query.casefold() in (u.display_name.casefold(), _account(u.upn))]
        return exact or users

    async def manager_of(self, user_id: str) -> UserProfile | None:
        """The user's manager as the directory records it (None: no manager set)."""
        return await self.graph.get_manager(user_id)


def _account(upn: str) -> str:
    """The account name of a UPN ("k.smith" of "k.smith@contoso.com"), casefolded."""
    return upn.partition("@")[0].casefold()
