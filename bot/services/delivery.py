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


class ActivitySender(Protocol):
    """Sends one activity to a conversation and returns the id the channel gave it; raises `DeliveryFailed`."""

    async def send(
        self, service_url: str, conversation_id: str, body: dict[str, Any], reply_to: str | None
    ) -> str: ...
