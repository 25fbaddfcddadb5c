"""What a drift scan found: one row per user, and the report around them."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from bot.domain.drift import DriftState
from bot.domain.model import PictureEvidence


@dataclass(frozen=True, slots=True)
class ScanRow:
    user_id: str  # Entra object id as Graph returned it (the input when Graph could not be read)
    upn: str | None
    display_name: str | None
    etag: str | None
    photo_first_seen: datetime | None  # ledger first sighting of a known change; None: change time unknown
    sharepoint_refreshed: datetime | None  # SPS-PictureTimestamp
    state: DriftState
    detail: str | None = None  # why (error class, "no SharePoint profile", "placeholder shown", ...)
    pictures: PictureEvidence | None = None  # drift candidates: both pictures, compared (not checkpointed)


@dataclass(slots=True)
class ScanReport:
    rows: list[ScanRow] = field(default_factory=list)  # input order; only the kept ones (`scan(keep=)`)
    tally: Counter[DriftState] = field(default_factory=Counter)  # every scanned user's state, kept or not
    resumed: int = 0  # rows taken from the checkpoint of an interrupted run of the same watch list
    interrupted: bool = False  # stopped early (shutdown): rows are partial, the checkpoint stays open
    started_at: datetime | None = None
    finished_at: datetime | None = None
    duration_s: float = 0.0
    cleared_by_pictures: int = 0  # metadata said drift, SharePoint shows the current photo after all

    @property
    def total(self) -> int:
        """Users scanned (resumed ones included), whether or not their rows were kept."""
        return sum(self.tally.values()) if self.tally else len(self.rows)

    @property
    def counts(self) -> dict[DriftState, int]:
        """Users per state over the whole scan, every state present (zero included), in DriftState order."""
        c = self.tally or Counter(r.state for r in self.rows)
        return {s: c.get(s, 0) for s in DriftState}

    def by_state(self, state: DriftState) -> list[ScanRow]:
        return [r for r in self.rows if r.state is state]
