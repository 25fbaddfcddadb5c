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
    PictureEvidence,
    PictureVerdict,
    ProfileState,
    SharePointPicture,
    StaleCopy,
    UserProfile,
)

USER_ID = "23b90566-9297-4355-b479-c6e30e87b1f2"
CHANGED = datetime(2025, 2, 26, 9, 30, tzinfo=UTC)  # when the ledger first saw the current photo
PREVIOUS_SEEN = CHANGED - timedelta(days=1)  # when the ledger last saw the previous photo
IN_GAP = CHANGED - timedelta(hours=6)  # between the two sightings: the real change may be before or after
SP_OLD = CHANGED - timedelta(days=30)  # SharePoint's thumbnails from before the change (and the gap)
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
ON_PREM = {"user": SYNCED_USER, "photo_source": PhotoSource.ON_PREMISES}
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
    """A healthy, in-sync cloud user whose ledger saw both photo versions, unless told otherwise."""
    base = ProfileState(
        user_id=USER_ID,
        observed_at=NOW,
        user=CLOUD_USER,
        photo=PHOTO,
        photo_source=PhotoSource.CLOUD,
        sharepoint=SHAREPOINT,
        photo_changed_at=CHANGED,
        photo_previous_seen_at=PREVIOUS_SEEN,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Want:
    case: DiagnosisCase
    stale_copy: StaleCopy
    detail: str | None = None
    expected_by: datetime | None = None
    expected_by_field: datetime | None = None
    overdue_for: timedelta | None = None


UNAVAILABLE = DiagnosisCase.UNAVAILABLE
ON_PREMISES_WANT = Want(DiagnosisCase.ON_PREMISES, StaleCopy.MASTER)
NO_PHOTO_WANT = Want(DiagnosisCase.NO_PHOTO, StaleCopy.MASTER)
IN_SYNC_WANT = Want(DiagnosisCase.IN_SYNC, StaleCopy.NONE)
IMPORTING_WANT = Want(DiagnosisCase.PROFILE_IMPORTING, StaleCopy.SHAREPOINT)
PENDING_WANT = Want(
    DiagnosisCase.PENDING,
    StaleCopy.SHAREPOINT,
    expected_by=EXPECTED_BY,
    expected_by_field=EXPECTED_BY_FIELD,
)
SYNC_DISABLED_WANT = Want(
    DiagnosisCase.SYNC_DISABLED, StaleCopy.SHAREPOINT, detail="SPS-PictureExchangeSyncState=0"
)
NO_CHANGE_TIME_WANT = Want(DiagnosisCase.CHANGE_TIME_UNKNOWN, StaleCopy.UNKNOWN, detail="change time unknown")
IN_GAP_WANT = Want(
    DiagnosisCase.CHANGE_TIME_UNKNOWN,
    StaleCopy.UNKNOWN,
    detail="sharepoint refreshed between photo versions",
)
PLACEHOLDER_WANT = Want(DiagnosisCase.STALE, StaleCopy.SHAREPOINT, detail="placeholder shown")


def stale_want(overdue: timedelta) -> Want:
    return Want(
        DiagnosisCase.STALE,
        StaleCopy.SHAREPOINT,
        detail="overdue",
        expected_by=EXPECTED_BY,
        expected_by_field=EXPECTED_BY_FIELD,
        overdue_for=overdue,
    )


# (id, state, now, want)
ROWS: list[tuple[str, ProfileState, datetime, Want]] = [
    # 1. UNAVAILABLE (Graph): nothing is known about the master photo. Beats everything.
    (
        "unavailable: graph error",
        state(graph_error="ErrorServerBusy"),
        NOW,
        Want(UNAVAILABLE, StaleCopy.UNKNOWN, detail="ErrorServerBusy"),
    ),
    (
        "unavailable: graph error beats a missing profile, photo and on-premises",
        state(graph_error="timeout", photo=None, sharepoint=sp(profile_found=False), **ON_PREM),
        NOW,
        Want(UNAVAILABLE, StaleCopy.UNKNOWN, detail="timeout"),
    ),
    (
        "unavailable: graph error beats a sharepoint error",
        state(graph_error="ErrorServerBusy", sharepoint_error="403", sharepoint=None),
        NOW,
        Want(UNAVAILABLE, StaleCopy.UNKNOWN, detail="ErrorServerBusy"),
    ),
    (
        "unavailable: user None",
        state(user=None),
        NOW,
        Want(UNAVAILABLE, StaleCopy.UNKNOWN, detail="no user"),
    ),
    # 2. PROFILE_IMPORTING: SharePoint answered, without a profile for the account.
    (
        "profile importing",
        state(sharepoint=SharePointPicture(profile_found=False)),
        NOW,
        IMPORTING_WANT,
    ),
    (
        "profile importing beats on-premises",
        state(sharepoint=sp(profile_found=False), **ON_PREM),
        NOW,
        IMPORTING_WANT,
    ),
    (
        "profile importing beats no photo",
        state(photo=None, sharepoint=sp(profile_found=False)),
        NOW,
        IMPORTING_WANT,
    ),
    (
        "profile importing only when SharePoint was read: an error beside a not-found profile",
        state(sharepoint_error="timeout", sharepoint=sp(profile_found=False)),
        NOW,
        Want(UNAVAILABLE, StaleCopy.UNKNOWN, detail="timeout"),
    ),
    # 3. ON_PREMISES: tenant source onPremises AND the user is synced from AD. Needs no SharePoint.
    (
        "on-premises: synced user in an onPremises tenant",
        state(sharepoint=sp(timestamp=SP_OLD), **ON_PREM),
        NOW,
        ON_PREMISES_WANT,
    ),
    (
        "on-premises even when SharePoint is in sync (the master can still only change on-premises)",
        state(sharepoint=sp(timestamp=SP_NEW), **ON_PREM),
        NOW,
        ON_PREMISES_WANT,
    ),
    (
        "on-premises beats no photo",
        state(photo=None, **ON_PREM),
        NOW,
        ON_PREMISES_WANT,
    ),
    (
        "on-premises beats sync disabled",
        state(sharepoint=sp(exchange_sync_state=0), **ON_PREM),
        NOW,
        ON_PREMISES_WANT,
    ),
    (
        "on-premises beats a sharepoint error (noted in the detail)",
        state(sharepoint_error="HTTP 503", sharepoint=None, **ON_PREM),
        NOW,
        replace(ON_PREMISES_WANT, detail="sharepoint: HTTP 503"),
    ),
    (
        "on-premises without SharePoint and without an error message",
        state(sharepoint=None, **ON_PREM),
        NOW,
        replace(ON_PREMISES_WANT, detail="sharepoint: not read"),
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
        IN_SYNC_WANT,
    ),
    (
        "not on-premises: synced user in a cloud tenant",
        state(user=SYNCED_USER, photo_source=PhotoSource.CLOUD),
        NOW,
        IN_SYNC_WANT,
    ),
    (
        "not on-premises: synced user, tenant setting unreadable",
        state(user=SYNCED_USER, photo_source=PhotoSource.UNKNOWN),
        NOW,
        IN_SYNC_WANT,
    ),
    # 4. NO_PHOTO: nothing in Entra ID / Exchange. Needs no SharePoint.
    (
        "no photo",
        state(photo=None, sharepoint=sp(timestamp=None, placeholder_state=1)),
        NOW,
        NO_PHOTO_WANT,
    ),
    (
        "no photo beats sync disabled",
        state(photo=None, sharepoint=sp(exchange_sync_state=0)),
        NOW,
        NO_PHOTO_WANT,
    ),
    (
        "no photo beats change time unknown",
        state(photo=None, photo_changed_at=None),
        NOW,
        NO_PHOTO_WANT,
    ),
    (
        "no photo beats a sharepoint error (noted in the detail)",
        state(photo=None, sharepoint_error="timeout"),
        NOW,
        replace(NO_PHOTO_WANT, detail="sharepoint: timeout"),
    ),
    # 5. UNAVAILABLE (SharePoint): a photo exists, but there is no copy to compare it with.
    (
        "unavailable: sharepoint error",
        state(sharepoint_error="HTTP 403 from SharePoint"),
        NOW,
        Want(UNAVAILABLE, StaleCopy.UNKNOWN, detail="HTTP 403 from SharePoint"),
    ),
    (
        "unavailable: sharepoint None",
        state(sharepoint=None),
        NOW,
        Want(UNAVAILABLE, StaleCopy.UNKNOWN, detail="no sharepoint"),
    ),
    (
        "unavailable: sharepoint error beats change time unknown",
        state(sharepoint_error="timeout", sharepoint=None, photo_changed_at=None),
        NOW,
        Want(UNAVAILABLE, StaleCopy.UNKNOWN, detail="timeout"),
    ),
    # 6. IN_SYNC: SharePoint's thumbnails are at least as new as the ledger's first sighting.
    (
        "in sync: SharePoint timestamp equals the change time (boundary)",
        state(sharepoint=sp(timestamp=CHANGED)),
        NOW,
        IN_SYNC_WANT,
    ),
    (
        "in sync: SharePoint refreshed after the change",
        state(sharepoint=sp(timestamp=SP_NEW)),
        CHANGED + timedelta(days=400),
        IN_SYNC_WANT,
    ),
    (
        "in sync beats pending: refreshed within the window",
        state(sharepoint=sp(timestamp=SP_NEW)),
        SP_NEW,
        IN_SYNC_WANT,
    ),
    (
        "in sync beats sync disabled: sync state 0 but SharePoint's copy is current",
        state(sharepoint=sp(exchange_sync_state=0, timestamp=SP_NEW)),
        NOW,
        IN_SYNC_WANT,
    ),
    (
        "in sync without a previous sighting",
        state(photo_previous_seen_at=None),
        NOW,
        IN_SYNC_WANT,
    ),
    # 7. SYNC_DISABLED: SharePoint does not pull from Exchange, and its copy is not known to be current.
    (
        "sync disabled: sync state 0 and a stale copy",
        state(sharepoint=sp(exchange_sync_state=0, timestamp=SP_OLD)),
        NOW,
        SYNC_DISABLED_WANT,
    ),
    (
        "sync disabled beats pending",
        state(sharepoint=sp(exchange_sync_state=0, timestamp=SP_OLD)),
        CHANGED + timedelta(hours=1),
        SYNC_DISABLED_WANT,
    ),
    (
        "sync disabled beats change time unknown",
        state(sharepoint=sp(exchange_sync_state=0), photo_changed_at=None),
        NOW,
        SYNC_DISABLED_WANT,
    ),
    (
        "sync disabled beats a refresh in the gap",
        state(sharepoint=sp(exchange_sync_state=0, timestamp=IN_GAP)),
        NOW,
        SYNC_DISABLED_WANT,
    ),
    (
        "sync disabled with a placeholder shown",
        state(sharepoint=sp(exchange_sync_state=0, timestamp=None, placeholder_state=1)),
        NOW,
        SYNC_DISABLED_WANT,
    ),
    (
        "sync state unknown (None) is not disabled",
        state(sharepoint=sp(exchange_sync_state=None)),
        NOW,
        IN_SYNC_WANT,
    ),
    # 8a. CHANGE_TIME_UNKNOWN: the ledger has never seen an earlier version.
    (
        "change time unknown: SharePoint shows a real picture",
        state(photo_changed_at=None, photo_previous_seen_at=None, sharepoint=sp(timestamp=SP_OLD)),
        NOW,
        NO_CHANGE_TIME_WANT,
    ),
    (
        "change time unknown: placeholder state None counts as a real picture",
        state(photo_changed_at=None, photo_previous_seen_at=None, sharepoint=sp(placeholder_state=None)),
        NOW,
        NO_CHANGE_TIME_WANT,
    ),
    (
        "change time unknown but placeholder shown: stale",
        state(photo_changed_at=None, photo_previous_seen_at=None, sharepoint=sp(placeholder_state=1)),
        NOW,
        PLACEHOLDER_WANT,
    ),
    (
        "change time unknown and no SharePoint timestamp: stale",
        state(photo_changed_at=None, photo_previous_seen_at=None, sharepoint=sp(timestamp=None)),
        NOW,
        PLACEHOLDER_WANT,
    ),
    # 8b. CHANGE_TIME_UNKNOWN: SharePoint refreshed between the ledger's last sighting of the previous photo
    #     and its first sighting of this one: it may hold either version.
    (
        "gap: SharePoint refreshed between the two sightings, past the window",
        state(sharepoint=sp(timestamp=IN_GAP)),
        NOW,
        IN_GAP_WANT,
    ),
    (
        "gap beats pending: inside the window after the first sighting",
        state(sharepoint=sp(timestamp=IN_GAP)),
        CHANGED + timedelta(hours=1),
        IN_GAP_WANT,
    ),
    (
        "gap: SharePoint timestamp 1 s before the first sighting",
        state(sharepoint=sp(timestamp=CHANGED - timedelta(seconds=1))),
        NOW,
        IN_GAP_WANT,
    ),
    (
        "gap: SharePoint timestamp 1 s after the last sighting of the previous photo",
        state(sharepoint=sp(timestamp=PREVIOUS_SEEN + timedelta(seconds=1))),
        NOW,
        IN_GAP_WANT,
    ),
    (
        "gap, placeholder shown: stale",
        state(sharepoint=sp(timestamp=IN_GAP, placeholder_state=1)),
        NOW,
        PLACEHOLDER_WANT,
    ),
    (
        "not the gap: SharePoint refreshed exactly when the previous photo was last seen (boundary)",
        state(sharepoint=sp(timestamp=PREVIOUS_SEEN)),
        NOW,
        stale_want(NOW - EXPECTED_BY),
    ),
    (
        "no gap without a previous sighting: the first sighting counts as the change",
        state(photo_previous_seen_at=None, sharepoint=sp(timestamp=CHANGED - timedelta(seconds=1))),
        CHANGED + timedelta(hours=1),
        PENDING_WANT,
    ),
    # 9. PENDING: changed, SharePoint still inside Microsoft's 24 h window.
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
        "pending: placeholder shown after a known change, inside the window",
        state(sharepoint=sp(timestamp=SP_NEW, placeholder_state=1)),
        CHANGED + timedelta(hours=3),
        PENDING_WANT,
    ),
    # 10. STALE: past the window.
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
        has_photo=True,
        sharepoint_read=True,
        photo_changed_at=CHANGED,
        sharepoint_refreshed_at=SP_OLD,
        expected_by=EXPECTED_BY,
        expected_by_field=EXPECTED_BY_FIELD,
        overdue_for=NOW - EXPECTED_BY,
        detail="overdue",
        checked_at=NOW,
    )


def test_unknown_user_has_no_name() -> None:
    got = diagnose(state(user=None), NOW)
    assert (got.user_id, got.display_name, got.upn) == (USER_ID, None, None)


def test_no_photo_reports_no_change_time() -> None:
    # The ledger may remember when the previous photo appeared; with no photo now there is none to report.
    got = diagnose(state(photo=None), NOW)
    assert got.photo_changed_at is None
    assert got.sharepoint_refreshed_at == SP_NEW


@pytest.mark.parametrize(
    ("state_", "case", "has_photo"),
    [
        (state(**ON_PREM), DiagnosisCase.ON_PREMISES, True),
        (state(photo=None, **ON_PREM), DiagnosisCase.ON_PREMISES, False),
        (state(sharepoint=sp(profile_found=False)), DiagnosisCase.PROFILE_IMPORTING, True),
        (state(photo=None, sharepoint=sp(profile_found=False)), DiagnosisCase.PROFILE_IMPORTING, False),
        (state(photo=None), DiagnosisCase.NO_PHOTO, False),
        (state(photo_changed_at=None, photo_previous_seen_at=None), DiagnosisCase.CHANGE_TIME_UNKNOWN, True),
    ],
    ids=["on-prem photo", "on-prem no photo", "importing photo", "importing no photo", "none", "unknown"],
)
def test_has_photo_tells_no_photo_from_unknown_change_time(
    state_: ProfileState, case: DiagnosisCase, has_photo: bool
) -> None:
    got = diagnose(state_, NOW)
    assert (got.case, got.has_photo) == (case, has_photo)
    if not has_photo:
        assert got.photo_changed_at is None


def test_a_failed_sharepoint_read_reports_no_sharepoint_time() -> None:
    # SharePoint's values are not trusted when its read failed, even if some arrived.
    got = diagnose(state(sharepoint_error="timeout", **ON_PREM), NOW)
    assert got.case is DiagnosisCase.ON_PREMISES
    assert not got.sharepoint_read
    assert got.sharepoint_refreshed_at is None
    assert got.photo_changed_at == CHANGED


def test_the_gap_is_reported_with_the_first_sighting() -> None:
    got = diagnose(state(sharepoint=sp(timestamp=IN_GAP)), NOW)
    assert got.case is DiagnosisCase.CHANGE_TIME_UNKNOWN
    assert (got.photo_changed_at, got.sharepoint_refreshed_at) == (CHANGED, IN_GAP)
    assert got.expected_by is None and got.overdue_for is None


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
    photo_previous_seen_at=st.none() | _TIMES,
    graph_error=st.none() | st.just("ErrorServerBusy"),
    sharepoint_error=st.none() | st.just("timeout"),
)


@given(_STATES, _TIMES)
def test_diagnosis_invariants(state_: ProfileState, now: datetime) -> None:
    got = diagnose(state_, now)
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
    # Nothing but UNAVAILABLE when Graph failed; only the cases that need no SharePoint when it failed.
    if state_.graph_error or state_.user is None:
        assert got.case is DiagnosisCase.UNAVAILABLE
        assert got.stale_copy is StaleCopy.UNKNOWN
    sharepoint_failed = state_.sharepoint_error is not None or state_.sharepoint is None
    if sharepoint_failed:
        assert got.case in (DiagnosisCase.UNAVAILABLE, DiagnosisCase.ON_PREMISES, DiagnosisCase.NO_PHOTO)
        assert got.sharepoint_refreshed_at is None
    assert got.sharepoint_read == (not sharepoint_failed)
    if got.case is DiagnosisCase.UNAVAILABLE:
        assert got.stale_copy is StaleCopy.UNKNOWN and got.detail
    assert (got.stale_copy is StaleCopy.NONE) == (got.case is DiagnosisCase.IN_SYNC)
    # The master photo fact is carried as it is.
    assert got.has_photo == (state_.photo is not None)
    if not got.has_photo:
        assert got.photo_changed_at is None
        assert got.case in (
            DiagnosisCase.UNAVAILABLE,
            DiagnosisCase.PROFILE_IMPORTING,
            DiagnosisCase.ON_PREMISES,
            DiagnosisCase.NO_PHOTO,
        )
    # IN_SYNC only when SharePoint refreshed at or after the first sighting of the current photo.
    if got.case is DiagnosisCase.IN_SYNC:
        changed, sp_time = state_.photo_changed_at, got.sharepoint_refreshed_at
        assert changed is not None and sp_time is not None and sp_time >= changed
    # A refresh inside the gap is never counted as before the change.
    changed, previous = state_.photo_changed_at, state_.photo_previous_seen_at
    sp_time = got.sharepoint_refreshed_at
    if changed and previous and sp_time and previous < sp_time < changed:
        assert got.case not in (DiagnosisCase.PENDING, DiagnosisCase.IN_SYNC)
        assert got.overdue_for is None
    # The two STALE variants are told apart by their detail.
    if got.case is DiagnosisCase.STALE:
        assert got.detail == ("overdue" if got.overdue_for is not None else "placeholder shown")


# --- the pictures are the evidence; timestamps only say when -----------------------------------------------


def seen(verdict: PictureVerdict) -> PictureEvidence:
    return PictureEvidence(verdict, "data:image/jpeg;base64,bTM2NQ==", "data:image/jpeg;base64,c3A=")


@pytest.mark.parametrize(
    ("changes", "case", "detail"),
    [
        # SharePoint shows the same picture: in sync, whatever its timestamp says (scripts overwrite it)
        ({"sharepoint": sp(timestamp=SP_OLD)}, DiagnosisCase.IN_SYNC, "pictures match"),
        ({"photo_changed_at": None}, DiagnosisCase.IN_SYNC, "pictures match"),
        ({"sharepoint": sp(placeholder_state=1)}, DiagnosisCase.IN_SYNC, "pictures match"),
    ],
)
def test_the_same_picture_means_in_sync(changes: dict[str, object], case: DiagnosisCase, detail: str) -> None:
    got = diagnose(state(pictures=seen(PictureVerdict.SAME), **changes), NOW)
    assert (got.case, got.detail) == (case, detail)
    assert got.pictures is not None and got.pictures.verdict is PictureVerdict.SAME


@pytest.mark.parametrize(
    "verdict", [PictureVerdict.DIFFERENT, PictureVerdict.PLACEHOLDER, PictureVerdict.NONE]
)
def test_another_picture_means_sharepoint_is_behind(verdict: PictureVerdict) -> None:
    # the timestamp says SharePoint refreshed after the change: the picture says it did not pick it up
    got = diagnose(state(pictures=seen(verdict), sharepoint=sp(timestamp=SP_NEW)), NOW)
    assert (got.case, got.stale_copy) == (DiagnosisCase.STALE, StaleCopy.SHAREPOINT)
    # no known change time: still behind (not "can't tell"), for how long is unknown
    unknown = diagnose(state(pictures=seen(verdict), photo_changed_at=None), NOW)
    assert (unknown.case, unknown.detail, unknown.expected_by) == (
        DiagnosisCase.STALE,
        f"pictures: {verdict}",
        None,
    )
    # changed recently: within the usual window
    recent = diagnose(state(pictures=seen(verdict), photo_changed_at=NOW - timedelta(hours=2)), NOW)
    assert recent.case is DiagnosisCase.PENDING
    # SharePoint not pulling from Exchange explains it
    disabled = diagnose(state(pictures=seen(verdict), sharepoint=sp(exchange_sync_state=0)), NOW)
    assert disabled.case is DiagnosisCase.SYNC_DISABLED


def test_without_pictures_the_timestamps_decide() -> None:
    for evidence in (None, seen(PictureVerdict.UNKNOWN)):
        assert diagnose(state(pictures=evidence), NOW).case is DiagnosisCase.IN_SYNC
        stale = diagnose(state(pictures=evidence, sharepoint=sp(timestamp=SP_OLD)), NOW)
        assert stale.case is DiagnosisCase.STALE


def test_pictures_decide_even_when_sharepoint_properties_failed() -> None:
    got = diagnose(
        state(sharepoint=None, sharepoint_error="SharePointUnavailable", pictures=seen(PictureVerdict.SAME)),
        NOW,
    )
    assert got.case is DiagnosisCase.IN_SYNC
    unread = diagnose(state(sharepoint=None, sharepoint_error="SharePointUnavailable"), NOW)
    assert unread.case is DiagnosisCase.UNAVAILABLE
