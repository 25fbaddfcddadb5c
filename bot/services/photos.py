"""Diagnosing a user's photo: what the Microsoft 365 photo and SharePoint's copy show, and what it means.

PhotoSync never re-uploads a photo through Graph: no Microsoft source calls that a remedy and it changes the
photo's version for nothing. SharePoint refreshes its copy when the user requests their own photo there
(docs/DOMAIN.md, "How SharePoint picks up a photo"), which the sync link starts (`sync_start.py`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.domain.diagnosis import diagnose
from bot.domain.model import Diagnosis, ProfileState

from .profiles import ProfileReader


class PhotoService:
    """Diagnoses users' photos, reusing one diagnosis per observed state within a clock minute."""

    def __init__(self, profiles: ProfileReader, clock: Callable[[], datetime]) -> None:
        self.profiles = profiles
        self.clock = clock
        self._diagnoses: dict[str, tuple[ProfileState, datetime, Diagnosis]] = {}

    async def diagnose(self, user_id: str) -> Diagnosis:
        """The diagnosis of the user's current state. While the profile cache serves the same observed state,
        the same Diagnosis object is returned within a clock minute (the rules' windows are hours long), so
        a card built from it can be reused (hot path: docs/BENCHMARKS.md)."""
        state = await self.profiles.read(user_id)
        now = self.clock()
        minute = now.replace(second=0, microsecond=0)
        last = self._diagnoses.get(user_id)
        if last is not None and last[0] is state and last[1] == minute:
            return last[2]
        result = diagnose(state, now)
        if len(self._diagnoses) > 10_000:
            self._diagnoses.clear()
        self._diagnoses[user_id] = (state, minute, result)
        return result
