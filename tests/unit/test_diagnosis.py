"""The diagnosis rules: one table row per case and per precedence between cases (fixed UTC times, no clock)
and a property test of the invariants over arbitrary states."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.diagnosis import diagnose
from bot.domain.model import (
    FIELD_PHOTO_SYNC,
    MICROSOFT_PHOTO_SYNC,
    Diagnosis,
    DiagnosisCase,
    GraphPhoto,
    PhotoSource,
    ProfileState,
    SharePointPicture,
    StaleCopy,
    UserProfile,
)

USER_ID = "23b90566-9297-4355-b479-c6e30e87b1f2"
CHANGED = datetime(2025, 2, 26, 9, 30, tzinfo=UTC)  # when the ledger first saw the current photo
SP_OLD = CHANGED - timedelta(days=30)  # SharePoint's thumbnails from before the change
SP_NEW = CHANGED + timedelta(hours=2)  # SharePoint's thumbnails from after the change
NOW = CHANGED + timedelta(days=3)  # past Microsoft's 24 h window
EXPECTED_BY = CHANGED + timedelta(hours=24)
EXPECTED_BY_FIELD = CHANGED + timedelta(hours=72)

CLOUD_USER = UserProfile(
    id=USER_ID,
    display_name="Megan Bowen",
    upn="MeganB@contoso.onmicrosoft.com",
    mail="MeganB@contoso.onmicrosoft.com",
    on_premises_sync_enabled=False,
)
SYNCED_USER = replace(CLOUD_USER, on_premises_sync_enabled=True)
UNKNOWN_SYNC_USER = replace(CLOUD_USER, on_premises_sync_enabled=None)
PHOTO = GraphPhoto(etag='W/"megan-photo-v2"', width=648, height=648, content_type="image/jpeg")
SHAREPOINT = SharePointPicture(
    profile_found=True,
    picture_url="https://contoso-my.sharepoint.com/User Photos/Profile Pictures/meganb_MThumb.jpg",
    timestamp=SP_NEW,
    placeholder_state=0,
    exchange_sync_state=1,
)


def sp(**changes: object) -> SharePointPicture:
    return replace(SHAREPOINT, **changes)  # type: ignore[arg-type]


def state(**changes: object) -> ProfileState:
    """A healthy, in-sync cloud user unless told otherwise."""
    base = ProfileState(
        user_id=USER_ID,
        observed_at=NOW,
        user=CLOUD_USER,
        photo=PHOTO,
        photo_source=PhotoSource.CLOUD,
        sharepoint=SHAREPOINT,
        photo_changed_at=CHANGED,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Want:
    case: DiagnosisCase
    stale_copy: StaleCopy
    can_resync: bool
    detail: str | None = None
    expected_by: datetime | None = None
    expected_by_field: datetime | None = None
    overdue_for: timedelta | None = None


UNAVAILABLE = DiagnosisCase.UNAVAILABLE
PENDING_WANT = Want(
    DiagnosisCase.PENDING,
    StaleCopy.SHAREPOINT,
    False,
    expected_by=EXPECTED_BY,
    expected_by_field=EXPECTED_BY_FIELD,
)
SYNC_DISABLED_WANT = Want(
    DiagnosisCase.SYNC_DISABLED, StaleCopy.SHAREPOINT, False, detail="SPS-PictureExchangeSyncState=0"
)


def stale_want(overdue: timedelta) -> Want:
    return Want(
        DiagnosisCase.STALE,
        StaleCopy.SHAREPOINT,
        True,
        expected_by=EXPECTED_BY,
        expected_by_field=EXPECTED_BY_FIELD,
        overdue_for=overdue,
    )


# (id, state, now, want)
ROWS: list[tuple[str, ProfileState, datetime, Want]] = [
    # 1. UNAVAILABLE: what we need could not be read. Beats everything.
    (
        "unavailable: graph error",
        state(graph_error="ErrorServerBusy"),
        NOW,
        Want(UNAVAILABLE, StaleCopy.UNKNOWN, False, detail="ErrorServerBusy"),
    ),
    (
        "unavailable: graph error beats a missing profile, photo and on-premises",
        state(
            graph_error="timeout",
            user=SYNCED_USER,
            photo_source=PhotoSource.ON_PREMISES,
            photo=None,
            sharepoint=sp(profile_found=False),
        ),
        NOW,
        Want(UNAVAILABLE, StaleCopy.UNKNOWN, False, detail="timeout"),
    ),
    (
        "unavailable: graph error beats a sharepoint error",
        state(graph_error="ErrorServerBusy", sharepoint_error="403", sharepoint=None),
        NOW,
        Want(UNAVAILABLE, StaleCopy.UNKNOWN, False, detail="ErrorServerBusy"),
    ),
    (
        "unavailable: user None",
        state(user=None),
        NOW,
        Want(UNAVAILABLE, StaleCopy.UNKNOWN, False, detail="no user"),
    ),
    (
        "unavailable: sharepoint error",
        state(sharepoint_error="HTTP 403 from SharePoint"),
        NOW,
        Want(UNAVAILABLE, StaleCopy.UNKNOWN, False, detail="HTTP 403 from SharePoint"),
    ),
    (
        "unavailable: sharepoint None",
        state(sharepoint=None),
        NOW,
        Want(UNAVAILABLE, StaleCopy.UNKNOWN, False, detail="no sharepoint"),
    ),
    (
        "unavailable: sharepoint error beats no photo and on-premises",
        state(
            sharepoint_error="timeout",
            photo=None,
            user=SYNCED_USER,
            photo_source=PhotoSource.ON_PREMISES,
        ),
        NOW,
        Want(UNAVAILABLE, StaleCopy.UNKNOWN, False, detail="timeout"),
    ),
    # 2. PROFILE_IMPORTING: no SharePoint profile yet.
    (
        "profile importing",
        state(sharepoint=SharePointPicture(profile_found=False)),
        NOW,
        Want(DiagnosisCase.PROFILE_IMPORTING, StaleCopy.SHAREPOINT, False),
    ),
    (
        "profile importing beats on-premises",
        state(user=SYNCED_USER, photo_source=PhotoSource.ON_PREMISES, sharepoint=sp(profile_found=False)),
        NOW,
        Want(DiagnosisCase.PROFILE_IMPORTING, StaleCopy.SHAREPOINT, False),
    ),
    (
        "profile importing beats no photo",
        state(photo=None, sharepoint=sp(profile_found=False)),
        NOW,
        Want(DiagnosisCase.PROFILE_IMPORTING, StaleCopy.SHAREPOINT, False),
    ),
    # 3. ON_PREMISES: tenant source onPremises AND the user is synced from AD.
    (
        "on-premises: synced user in an onPremises tenant",
        state(user=SYNCED_USER, photo_source=PhotoSource.ON_PREMISES, sharepoint=sp(timestamp=SP_OLD)),
        NOW,
        Want(DiagnosisCase.ON_PREMISES, StaleCopy.MASTER, False),
    ),
    (
        "on-premises even when SharePoint is in sync (current rule; see the note on ON_PREMISES)",
        state(user=SYNCED_USER, photo_source=PhotoSource.ON_PREMISES, sharepoint=sp(timestamp=SP_NEW)),
        NOW,
        Want(DiagnosisCase.ON_PREMISES, StaleCopy.MASTER, False),
    ),
    (
        "on-premises beats no photo",
        state(user=SYNCED_USER, photo_source=PhotoSource.ON_PREMISES, photo=None),
        NOW,
        Want(DiagnosisCase.ON_PREMISES, StaleCopy.MASTER, False),
    ),
    (
        "on-premises beats sync disabled",
        state(user=SYNCED_USER, photo_source=PhotoSource.ON_PREMISES, sharepoint=sp(exchange_sync_state=0)),
        NOW,
        Want(DiagnosisCase.ON_PREMISES, StaleCopy.MASTER, False),
    ),
    (
        "not on-premises: cloud-only user in an onPremises tenant goes on to the timing rules",
        state(photo_source=PhotoSource.ON_PREMISES, sharepoint=sp(timestamp=SP_OLD)),
        NOW,
        stale_want(NOW - EXPECTED_BY),
    ),
    (
        "not on-premises: sync flag unknown (None) in an onPremises tenant",
        state(user=UNKNOWN_SYNC_USER, photo_source=PhotoSource.ON_PREMISES),
        NOW,
        Want(DiagnosisCase.IN_SYNC, StaleCopy.NONE, False),
    ),
    (
        "not on-premises: synced user in a cloud tenant",
        state(user=SYNCED_USER, photo_source=PhotoSource.CLOUD),
        NOW,
        Want(DiagnosisCase.IN_SYNC, StaleCopy.NONE, False),
    ),
    (
        "not on-premises: synced user, tenant setting unreadable",
        state(user=SYNCED_USER, photo_source=PhotoSource.UNKNOWN),
        NOW,
        Want(DiagnosisCase.IN_SYNC, StaleCopy.NONE, False),
    ),
    # 4. NO_PHOTO: nothing in Entra ID / Exchange.
    (
        "no photo",
        state(photo=None, sharepoint=sp(timestamp=None, placeholder_state=1)),
        NOW,
        Want(DiagnosisCase.NO_PHOTO, StaleCopy.MASTER, False),
    ),
    (
        "no photo beats sync disabled",
        state(photo=None, sharepoint=sp(exchange_sync_state=0)),
        NOW,
        Want(DiagnosisCase.NO_PHOTO, StaleCopy.MASTER, False),
    ),
    (
        "no photo beats change time unknown",
        state(photo=None, photo_changed_at=None),
        NOW,
        Want(DiagnosisCase.NO_PHOTO, StaleCopy.MASTER, False),
    ),
    # 5. SYNC_DISABLED: SharePoint does not pull from Exchange.
    (
        "sync disabled",
        state(sharepoint=sp(exchange_sync_state=0, timestamp=SP_OLD)),
        NOW,
        SYNC_DISABLED_WANT,
    ),
    (
        "sync disabled beats change time unknown",
        state(sharepoint=sp(exchange_sync_state=0), photo_changed_at=None),
        NOW,
        SYNC_DISABLED_WANT,
    ),
    (
        "sync disabled beats in sync",
        state(sharepoint=sp(exchange_sync_state=0, timestamp=SP_NEW)),
        NOW,
        SYNC_DISABLED_WANT,
    ),
    (
        "sync state unknown (None) is not disabled",
        state(sharepoint=sp(exchange_sync_state=None)),
        NOW,
        Want(DiagnosisCase.IN_SYNC, StaleCopy.NONE, False),
    ),
    # 6. CHANGE_TIME_UNKNOWN: the ledger has never seen an earlier version.
    (
        "change time unknown: SharePoint shows a real picture",
        state(photo_changed_at=None, sharepoint=sp(timestamp=SP_OLD)),
        NOW,
        Want(DiagnosisCase.CHANGE_TIME_UNKNOWN, StaleCopy.UNKNOWN, True),
    ),
    (
        "change time unknown: placeholder state None counts as a real picture",
        state(photo_changed_at=None, sharepoint=sp(placeholder_state=None)),
        NOW,
        Want(DiagnosisCase.CHANGE_TIME_UNKNOWN, StaleCopy.UNKNOWN, True),
    ),
    (
        "change time unknown but placeholder shown: stale",
        state(photo_changed_at=None, sharepoint=sp(placeholder_state=1)),
        NOW,
        Want(DiagnosisCase.STALE, StaleCopy.SHAREPOINT, True, detail="placeholder shown"),
    ),
    (
        "change time unknown and no SharePoint timestamp: stale",
        state(photo_changed_at=None, sharepoint=sp(timestamp=None)),
        NOW,
        Want(DiagnosisCase.STALE, StaleCopy.SHAREPOINT, True, detail="placeholder shown"),
    ),
    # 7. IN_SYNC: SharePoint's thumbnails are at least as new as the change.
    (
        "in sync: SharePoint timestamp equals the change time (boundary)",
        state(sharepoint=sp(timestamp=CHANGED)),
        NOW,
        Want(DiagnosisCase.IN_SYNC, StaleCopy.NONE, False),
    ),
    (
        "in sync: SharePoint refreshed after the change",
        state(sharepoint=sp(timestamp=SP_NEW)),
        CHANGED + timedelta(days=400),
        Want(DiagnosisCase.IN_SYNC, StaleCopy.NONE, False),
    ),
    (
        "in sync beats pending: refreshed within the window",
        state(sharepoint=sp(timestamp=SP_NEW)),
        SP_NEW,
        Want(DiagnosisCase.IN_SYNC, StaleCopy.NONE, False),
    ),
    # 8. PENDING: changed, SharePoint still inside Microsoft's 24 h window.
    (
        "pending: 1 s before the 24 h boundary",
        state(sharepoint=sp(timestamp=SP_OLD)),
        EXPECTED_BY - timedelta(seconds=1),
        PENDING_WANT,
    ),
    (
        "pending: just changed",
        state(sharepoint=sp(timestamp=SP_OLD)),
        CHANGED,
        PENDING_WANT,
    ),
    (
        "pending: SharePoint timestamp 1 s before the change",
        state(sharepoint=sp(timestamp=CHANGED - timedelta(seconds=1))),
        CHANGED + timedelta(hours=1),
        PENDING_WANT,
    ),
    (
        "pending: placeholder shown after a known change, inside the window",
        state(sharepoint=sp(timestamp=SP_NEW, placeholder_state=1)),
        CHANGED + timedelta(hours=3),
        PENDING_WANT,
    ),
    # 9. STALE: past the window.
    (
        "stale: exactly at the 24 h boundary",
        state(sharepoint=sp(timestamp=SP_OLD)),
        EXPECTED_BY,
        stale_want(timedelta(0)),
    ),
    (
        "stale: 6 h overdue",
        state(sharepoint=sp(timestamp=SP_OLD)),
        CHANGED + timedelta(hours=30),
        stale_want(timedelta(hours=6)),
    ),
    (
        "stale: past the 72 h field window too",
        state(sharepoint=sp(timestamp=SP_OLD)),
        CHANGED + timedelta(days=5),
        stale_want(timedelta(days=4)),
    ),
    (
        "stale: placeholder shown after a known change",
        state(sharepoint=sp(timestamp=SP_NEW, placeholder_state=1)),
        NOW,
        stale_want(NOW - EXPECTED_BY),
    ),
    (
        "stale: no SharePoint timestamp after a known change",
        state(sharepoint=sp(timestamp=None, placeholder_state=None)),
        NOW,
        stale_want(NOW - EXPECTED_BY),
    ),
]


@pytest.mark.parametrize(("state_", "now", "want"), [r[1:] for r in ROWS], ids=[r[0] for r in ROWS])
def test_diagnose(state_: ProfileState, now: datetime, want: Want) -> None:
    got = diagnose(state_, now)
    fields = {name: getattr(got, name) for name in Want.__dataclass_fields__}
    assert Want(**fields) == want


def test_every_case_has_a_row() -> None:
    assert {want.case for *_, want in ROWS} == set(DiagnosisCase)


def test_windows_are_the_documented_ones() -> None:
    assert timedelta(hours=24) == MICROSOFT_PHOTO_SYNC  # Microsoft's troubleshooting article
    assert timedelta(hours=72) == FIELD_PHOTO_SYNC  # field reports


def test_identity_and_times_are_carried() -> None:
    got = diagnose(state(sharepoint=sp(timestamp=SP_OLD)), NOW)
    assert got == Diagnosis(
        case=DiagnosisCase.STALE,
        user_id=USER_ID,
        display_name="Megan Bowen",
        upn="MeganB@contoso.onmicrosoft.com",
        stale_copy=StaleCopy.SHAREPOINT,
        can_resync=True,
        photo_changed_at=CHANGED,
        sharepoint_refreshed_at=SP_OLD,
        expected_by=EXPECTED_BY,
        expected_by_field=EXPECTED_BY_FIELD,
        overdue_for=NOW - EXPECTED_BY,
    )


def test_unknown_user_has_no_name() -> None:
    got = diagnose(state(user=None), NOW)
    assert (got.user_id, got.display_name, got.upn) == (USER_ID, None, None)


def test_no_photo_reports_no_change_time() -> None:
    # The ledger may remember when the previous photo appeared; with no photo now there is none to report.
    got = diagnose(state(photo=None), NOW)
    assert got.photo_changed_at is None
    assert got.sharepoint_refreshed_at == SP_NEW


def test_now_not_observed_at_decides() -> None:
    at_observation = state(sharepoint=sp(timestamp=SP_OLD), observed_at=CHANGED)
    assert diagnose(at_observation, NOW).case is DiagnosisCase.STALE
    assert diagnose(replace(at_observation, observed_at=NOW), CHANGED).case is DiagnosisCase.PENDING


# --- properties over arbitrary states --------------------------------------------------------------------

_TIMES = st.datetimes(
    min_value=datetime(2020, 1, 1),  # hypothesis wants naive bounds; timezones= makes the values UTC
    max_value=datetime(2030, 1, 1),
    timezones=st.just(UTC),
)
_STATES = st.builds(
    ProfileState,
    user_id=st.just(USER_ID),
    observed_at=_TIMES,
    user=st.none() | st.sampled_from([CLOUD_USER, SYNCED_USER, UNKNOWN_SYNC_USER]),
    photo=st.none() | st.just(PHOTO),
    photo_source=st.sampled_from(PhotoSource),
    sharepoint=st.none()
    | st.builds(
        SharePointPicture,
        profile_found=st.booleans(),
        timestamp=st.none() | _TIMES,
        placeholder_state=st.sampled_from([None, 0, 1]),
        exchange_sync_state=st.sampled_from([None, 0, 1]),
    ),
    photo_changed_at=st.none() | _TIMES,
    graph_error=st.none() | st.just("ErrorServerBusy"),
    sharepoint_error=st.none() | st.just("timeout"),
)


@given(_STATES, _TIMES)
def test_diagnosis_invariants(state_: ProfileState, now: datetime) -> None:
    got = diagnose(state_, now)
    # Re-sync is offered only where SharePoint may be behind and a re-upload can help.
    if got.can_resync:
        assert got.case in (DiagnosisCase.STALE, DiagnosisCase.CHANGE_TIME_UNKNOWN)
    if got.case in (DiagnosisCase.STALE, DiagnosisCase.CHANGE_TIME_UNKNOWN):
        assert got.can_resync
    # The timing fields belong to the timing cases.
    if got.expected_by is not None:
        assert got.case in (DiagnosisCase.PENDING, DiagnosisCase.STALE)
        assert got.expected_by_field == got.expected_by + (FIELD_PHOTO_SYNC - MICROSOFT_PHOTO_SYNC)
    if got.case is DiagnosisCase.PENDING:
        assert got.expected_by is not None and now < got.expected_by
        assert got.overdue_for is None
    if got.overdue_for is not None:
        assert got.case is DiagnosisCase.STALE
        assert got.overdue_for >= timedelta(0)
    # Nothing but UNAVAILABLE when a source failed.
    if state_.graph_error or state_.sharepoint_error or state_.user is None or state_.sharepoint is None:
        assert got.case is DiagnosisCase.UNAVAILABLE
        assert got.stale_copy is StaleCopy.UNKNOWN
    assert (got.stale_copy is StaleCopy.NONE) == (got.case is DiagnosisCase.IN_SYNC)
