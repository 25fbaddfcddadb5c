"""Table tests for bot.domain.drift (boundaries exactly at T + grace)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.drift import DriftState, assess, should_notify

T = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
H = timedelta(hours=1)
G = timedelta(hours=24)
TICK = timedelta(microseconds=1)


@pytest.mark.parametrize(
    ("first_seen", "refreshed", "placeholder", "now", "expected"),
    [
        # refreshed at/after T -> ok, whatever the time
        (T, T, False, T + 100 * H, DriftState.OK),
        (T, T + H, False, T + 2 * H, DriftState.OK),
        (T, T + 30 * H, False, T + 40 * H, DriftState.OK),
        # not refreshed since T: pending strictly before T + grace, drift from T + grace on
        (T, T - TICK, False, T, DriftState.PENDING),
        (T, T - 60 * G, False, T + G - TICK, DriftState.PENDING),
        (T, T - 60 * G, False, T + G, DriftState.DRIFT),
        (T, T - 60 * G, False, T + G + TICK, DriftState.DRIFT),
        (T, T - 60 * G, False, T + 4 * G, DriftState.DRIFT),
        # never refreshed (no picture) counts as not refreshed
        (T, None, False, T + G - TICK, DriftState.PENDING),
        (T, None, False, T + G, DriftState.DRIFT),
        # a placeholder is not a refreshed copy, even with a recent timestamp
        (T, T + H, True, T + G - TICK, DriftState.PENDING),
        (T, T + H, True, T + G, DriftState.DRIFT),
        # unknown first sighting
        (None, T, False, T + 10 * G, DriftState.UNKNOWN),
        (None, None, True, T + 10 * G, DriftState.UNKNOWN),
    ],
)
def test_assess_table(
    first_seen: datetime | None,
    refreshed: datetime | None,
    placeholder: bool,
    now: datetime,
    expected: DriftState,
) -> None:
    assert assess(first_seen, refreshed, placeholder, now) is expected


def test_custom_grace_boundary() -> None:
    grace = timedelta(hours=72)
    assert assess(T, None, False, T + grace - TICK, grace) is DriftState.PENDING
    assert assess(T, None, False, T + grace, grace) is DriftState.DRIFT
    assert assess(T, None, False, T, timedelta(0)) is DriftState.DRIFT


def test_negative_grace_refused() -> None:
    with pytest.raises(ValueError, match="grace"):
        assess(T, None, False, T, timedelta(hours=-1))


def test_no_photo_wins() -> None:
    assert assess(None, None, True, T, has_photo=False) is DriftState.NO_PHOTO
    assert assess(T, None, False, T + 10 * G, has_photo=False) is DriftState.NO_PHOTO


@pytest.mark.parametrize(
    ("previous_seen", "refreshed", "expected"),
    [
        (T - 10 * H, T - 5 * H, DriftState.UNKNOWN),  # refresh inside the gap: may have the new photo
        (T - 10 * H, T - 10 * H, DriftState.DRIFT),  # refresh at the last sighting of the old photo
        (T - 10 * H, T - 11 * H, DriftState.DRIFT),  # refresh before the gap
        (T - 10 * H, T, DriftState.OK),  # refresh at T
        (None, T - 5 * H, DriftState.DRIFT),  # no earlier sighting: no gap
    ],
)
def test_refresh_inside_sighting_gap_is_unknown(
    previous_seen: datetime | None, refreshed: datetime, expected: DriftState
) -> None:
    state = assess(T, refreshed, False, T + 2 * G, photo_previous_seen=previous_seen)
    assert state is expected


@pytest.mark.parametrize(
    ("refreshed", "placeholder", "now", "expected"),
    [
        (T, False, T + 10 * G, DriftState.OK),  # SharePoint has it: syncing or not, nothing to fix
        (T - H, False, T + H, DriftState.NOT_SYNCING),  # inside the grace window: waiting will not help
        (T - H, False, T + 10 * G, DriftState.NOT_SYNCING),
        (None, True, T + 10 * G, DriftState.NOT_SYNCING),
    ],
)
def test_sharepoint_not_syncing(
    refreshed: datetime | None, placeholder: bool, now: datetime, expected: DriftState
) -> None:
    assert assess(T, refreshed, placeholder, now, sharepoint_syncing=False) is expected
    # an unknown change time stays unknown: never a claim on a guess
    assert assess(None, refreshed, placeholder, now, sharepoint_syncing=False) is DriftState.UNKNOWN


@pytest.mark.parametrize(
    ("state", "etag", "notified", "opted_out", "expected"),
    [
        (DriftState.DRIFT, "v2", None, False, True),  # first notice
        (DriftState.DRIFT, "v2", "v1", False, True),  # new photo version: notify again
        (DriftState.DRIFT, "v2", "v2", False, False),  # already told about this version
        (DriftState.DRIFT, "v2", None, True, False),  # opted out
        (DriftState.DRIFT, "v3", "v2", True, False),  # opted out, even for a new version
        (DriftState.DRIFT, None, None, False, False),  # no etag: nothing to de-duplicate on
        (DriftState.DRIFT, "", None, False, False),
        (DriftState.PENDING, "v2", None, False, False),
        (DriftState.OK, "v2", None, False, False),
        (DriftState.UNKNOWN, "v2", None, False, False),
        (DriftState.NO_PHOTO, None, None, False, False),
        (DriftState.NOT_SYNCING, "v2", None, False, False),  # a re-sync would not help: helpdesk, not user
    ],
)
def test_should_notify(
    state: DriftState, etag: str | None, notified: str | None, opted_out: bool, expected: bool
) -> None:
    assert should_notify(state, etag, notified, opted_out) is expected


def test_states_are_strings() -> None:
    assert [s.value for s in DriftState] == ["ok", "pending", "drift", "unknown", "no_photo", "not_syncing"]
