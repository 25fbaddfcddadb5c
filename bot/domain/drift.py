"""Drift: has SharePoint picked up a user's current photo within the expected window?

Pure: no I/O, no clock; every time is passed in (timezone-aware UTC datetimes).

`photo_first_seen` is when PhotoSync first saw the current photo version (the photo ledger's `first_seen_at`
for a *known* change); the real change happened at or before it. `grace` is the caller's choice (24 h by
default, `PHOTOSYNC_DRIFT_GRACE_HOURS`): Microsoft states no time for SharePoint's copy and field reports say
up to 72 h (docs/DOMAIN.md, "Timing"), so callers that notify users may choose a longer grace.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from bot.domain.model import MICROSOFT_PHOTO_SYNC

DEFAULT_GRACE = MICROSOFT_PHOTO_SYNC  # 24 h


class DriftState(StrEnum):
    OK = "ok"  # SharePoint refreshed its copy at/after the current photo was first seen
    PENDING = "pending"  # not refreshed yet, still inside the grace window
    DRIFT = "drift"  # not refreshed by first seen + grace
    UNKNOWN = "unknown"  # change time unknown (or ambiguous, or a source could not be read)
    NO_PHOTO = "no_photo"  # no master photo: nothing to drift
    NOT_SYNCING = "not_syncing"  # SharePoint has no profile yet or does not pull photos: a re-sync won't help


def assess(
    photo_first_seen: datetime | None,
    sharepoint_refreshed: datetime | None,
    sharepoint_placeholder: bool,
    now: datetime,
    grace: timedelta = DEFAULT_GRACE,
    *,
    has_photo: bool = True,
    photo_previous_seen: datetime | None = None,
    sharepoint_syncing: bool = True,
) -> DriftState:
    """Classify one user's photo.

    - no master photo (`has_photo=False`) → NO_PHOTO;
    - unknown first sighting T → UNKNOWN;
    - SharePoint shows a real picture made at/after T → OK;
    - SharePoint refreshed inside (photo_previous_seen, T): it may or may not have the new photo → UNKNOWN
      (the same rule as diagnosis' CHANGE_TIME_UNKNOWN: never claim drift on a guess);
    - SharePoint cannot take the photo (`sharepoint_syncing=False`: no user profile imported yet, or
      SPS-PictureExchangeSyncState 0) → NOT_SYNCING: waiting or a re-sync will not fix it, the helpdesk must;
    - otherwise (older refresh, no refresh, placeholder shown): PENDING while now < T + grace, DRIFT from
      T + grace on (exactly at T + grace is DRIFT).
    """
    if grace < timedelta(0):
        raise ValueError("grace must not be negative")
    if not has_photo:
        return DriftState.NO_PHOTO
    if photo_first_seen is None:
        return DriftState.UNKNOWN
    real_picture = sharepoint_refreshed is not None and not sharepoint_placeholder
    if real_picture and sharepoint_refreshed is not None and sharepoint_refreshed >= photo_first_seen:
        return DriftState.OK
    if (
        real_picture
        and sharepoint_refreshed is not None
        and photo_previous_seen is not None
        and photo_previous_seen < sharepoint_refreshed < photo_first_seen
    ):
        return DriftState.UNKNOWN
    if not sharepoint_syncing:
        return DriftState.NOT_SYNCING
    if now < photo_first_seen + grace:
        return DriftState.PENDING
    return DriftState.DRIFT


def should_notify(state: DriftState, etag: str | None, notified_etag: str | None, opted_out: bool) -> bool:
    """One notice per user and photo version: only for DRIFT, never when opted out, never twice for the same
    etag (`notified_etag`: the photo version the user was last told about, None if never)."""
    if opted_out or state is not DriftState.DRIFT or not etag:
        return False
    return etag != notified_etag


__all__ = ["DEFAULT_GRACE", "DriftState", "assess", "should_notify"]
