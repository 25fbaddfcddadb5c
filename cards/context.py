"""What every card needs to know about the person reading it: language, timezone, the time, demo mode."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

Lang = Literal["en", "nl"]

UTC_ZONE = ZoneInfo("UTC")
_UTC_KEYS = frozenset({"UTC", "Etc/UTC", "Etc/UCT", "UCT", "Etc/Zulu", "Zulu", "Universal", "Etc/Universal"})


@dataclass(frozen=True, slots=True)
class CardContext:
    """The reader's context for one card.

    `locale` is the activity's locale ("nl-NL", "en-US", None → English). `tz` is the user's timezone when
    known, else UTC (times then carry "UTC"). `now` is timezone-aware; cards never read the clock.
    `demo` puts the demo footer on every card. `profile_edit_url` is already filled in for the user.
    """

    locale: str | None
    tz: ZoneInfo
    now: datetime
    demo: bool
    profile_edit_url: str
    bot_name: str = "PhotoSync"

    def __post_init__(self) -> None:
        if self.now.tzinfo is None or self.now.utcoffset() is None:
            raise ValueError("CardContext.now must be timezone-aware")

    @property
    def lang(self) -> Lang:
        """ "nl" for any Dutch locale (nl, nl-NL, nl-BE, nl_NL), else "en"."""
        if self.locale and self.locale.replace("_", "-").lower().split("-")[0] == "nl":
            return "nl"
        return "en"

    @property
    def tz_is_utc(self) -> bool:
        return self.tz.key in _UTC_KEYS

    @property
    def clock_12h(self) -> bool:
        """US English readers get a 12-hour clock; everyone else 24-hour."""
        return bool(self.locale) and str(self.locale).replace("_", "-").lower() == "en-us"
