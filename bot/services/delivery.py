"""What the notice sender needs from a channel, without depending on it: a way to send an activity, and the
failure it raises when the channel refused one (`bot.teams.connector` implements both for the Bot Connector)."""

from __future__ import annotations

from typing import Any, Protocol

RETRY_STATUSES = frozenset({429, 412, 502, 504})  # Teams' documented retryable answers


class DeliveryFailed(Exception):
    """The channel refused an activity (`status`, its error `code`, the seconds it asked us to wait), or the
    request got no answer at all (status 0)."""

    def __init__(self, status: int, code: str | None = None, retry_after: float | None = None) -> None:
        super().__init__(f"delivery failed: {status} {code or ''}".strip())
        self.status = status
        self.code = code
        self.retry_after = retry_after

    @property
    def blocked(self) -> bool:
        """The user blocked or removed the bot: stop messaging them."""
        return self.status == 403 and self.code == "MessageWritesBlocked"

    @property
    def retryable(self) -> bool:
        """Worth trying again later: no answer, a documented retryable answer, or a server error."""
        return self.status == 0 or self.status in RETRY_STATUSES or self.status >= 500


# Bookkeeping in a queued payload, never sent: keys with this prefix are stripped before posting.
INTERNAL_PREFIX = "photosync."
REPLACE_KEY = "photosync.replace"  # the id of the activity the payload replaces in place
OFFERS_SYNC_KEY = "photosync.offers_sync"  # the user whose one-click sync the card offers


class ActivitySender(Protocol):
    """Sends one activity to a conversation (or replaces one already there) and returns the id the channel gave
    it; raises `DeliveryFailed`."""

    async def send(
        self, service_url: str, conversation_id: str, body: dict[str, Any], reply_to: str | None
    ) -> str: ...

    async def update(
        self, service_url: str, conversation_id: str, activity_id: str, body: dict[str, Any]
    ) -> str: ...


def offering_sync(payload: dict[str, Any], user_id: str) -> dict[str, Any]:
    """A queued card that offers `user_id` the sync: once posted, the sync's progress and outcome replace it."""
    return {**payload, OFFERS_SYNC_KEY: user_id}


def outgoing(payload: dict[str, Any]) -> dict[str, Any]:
    """The activity to post: the payload without PhotoSync's own bookkeeping."""
    return {k: v for k, v in payload.items() if not k.startswith(INTERNAL_PREFIX)}


def replacing(payload: dict[str, Any], activity_id: str) -> dict[str, Any]:
    """A queued payload that replaces `activity_id` in place (sent as a new message if that one is gone)."""
    return {**payload, REPLACE_KEY: activity_id}
