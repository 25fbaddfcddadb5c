"""What every card needs to know about the person reading it: language, timezone, the time, demo mode."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
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
    # Derived once here, not per use: a card reads them a dozen times (hot path: see docs/BENCHMARKS.md).
    lang: Lang = field(init=False, compare=False, repr=False)
    """ "nl" for any Dutch locale (nl, nl-NL, nl-BE, nl_NL), else "en"."""
    tz_is_utc: bool = field(init=False, compare=False, repr=False)
    clock_12h: bool = field(init=False, compare=False, repr=False)
    """US English readers get a 12-hour clock; everyone else 24-hour."""
    today: date = field(init=False, compare=False, repr=False)
    """`now`'s date in the reader's timezone."""

    def __post_init__(self) -> None:
        if self.now.tzinfo is None or self.now.utcoffset() is None:
            raise ValueError("CardContext.now must be timezone-aware")
        locale = self.locale.replace("_", "-").lower() if self.locale else ""
        object.__setattr__(self, "lang", "nl" if locale.split("-")[0] == "nl" else "en")
        object.__setattr__(self, "tz_is_utc", self.tz.key in _UTC_KEYS)
        object.__setattr__(self, "clock_12h", locale == "en-us")
        object.__setattr__(self, "today", self.now.astimezone(self.tz).date())
