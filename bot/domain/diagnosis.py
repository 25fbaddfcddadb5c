"""The diagnosis rules: which copy of a user's photo is stale, why, and what to expect.

Pure: `diagnose(state, now)` reads nothing but its arguments. The order of the rules is the order of the
checks below; the first that applies wins. Timings come from `bot.domain.model`; cards word each with the
certainty docs/DOMAIN.md ("Timing") gives it.

PhotoSync only knows when it first saw the current photo (`photo_changed_at`) and, when recorded, when it
last saw the previous one (`photo_previous_seen_at`): the real change lies in between. A SharePoint refresh
inside that gap may or may not have picked up the new photo, so it is CHANGE_TIME_UNKNOWN, never PENDING
or STALE.
"""

from __future__ import annotations

from datetime import datetime

from .model import (
    FIELD_PHOTO_SYNC,
    MICROSOFT_PHOTO_SYNC,
    Diagnosis,
    DiagnosisCase,
    PhotoSource,
    PictureVerdict,
    ProfileState,
    StaleCopy,
)

# `detail` values (short machine reasons for logs/audit) that tell variants of one case apart.
DETAIL_PLACEHOLDER = "placeholder shown"  # STALE: a placeholder and no known change time to count from
DETAIL_OVERDUE = "overdue"  # STALE: past the pending window after a known change
DETAIL_NO_CHANGE_TIME = "change time unknown"  # CHANGE_TIME_UNKNOWN: no earlier version seen
DETAIL_IN_GAP = "sharepoint refreshed between photo versions"  # CHANGE_TIME_UNKNOWN: refresh inside the gap
DETAIL_SYNC_DISABLED = "SPS-PictureExchangeSyncState=0"
DETAIL_PICTURES_MATCH = "pictures match"  # IN_SYNC: SharePoint shows the Microsoft 365 photo


def diagnose(state: ProfileState, now: datetime) -> Diagnosis:
    user = state.user
    sharepoint_ok = state.sharepoint_error is None and state.sharepoint is not None
    sp = state.sharepoint if sharepoint_ok else None
    changed = state.photo_changed_at
    previous_seen = state.photo_previous_seen_at
    sp_time = sp.timestamp if sp else None
    has_photo = state.photo is not None

    def result(case: DiagnosisCase, stale: StaleCopy, **extra: object) -> Diagnosis:
        return Diagnosis(
            case=case,
            user_id=state.user_id,
            display_name=user.display_name if user else None,
            upn=user.upn if user else None,
            stale_copy=stale,
            has_photo=has_photo,
            sharepoint_read=sharepoint_ok,
            photo_changed_at=changed if has_photo else None,
            sharepoint_refreshed_at=sp_time,
            pictures=state.pictures,
            checked_at=state.observed_at,
            **extra,  # type: ignore[arg-type]
        )

    # 1. Graph could not be read: we know nothing about the master photo. Say so honestly.
    if state.graph_error is not None or user is None:
        return result(DiagnosisCase.UNAVAILABLE, StaleCopy.UNKNOWN, detail=state.graph_error or "no user")

    # 2. SharePoint answered, without a profile for the account: the profile import has not reached it.
    if sp is not None and not sp.profile_found:
        return result(DiagnosisCase.PROFILE_IMPORTING, StaleCopy.SHAREPOINT)

    # Rules 3 and 4 need nothing from SharePoint; if it failed, the detail says so.
    sharepoint_failure = None if sharepoint_ok else f"sharepoint: {state.sharepoint_error or 'not read'}"

    # 3. The tenant takes photos from on-premises AD and this user is synced: cloud changes are blocked.
    if state.photo_source is PhotoSource.ON_PREMISES and bool(user.on_premises_sync_enabled):
        return result(DiagnosisCase.ON_PREMISES, StaleCopy.MASTER, detail=sharepoint_failure)

    # 4. No master photo at all: nothing for SharePoint to copy.
    if not has_photo:
        return result(DiagnosisCase.NO_PHOTO, StaleCopy.MASTER, detail=sharepoint_failure)

    # What SharePoint shows, compared as a picture with the Microsoft 365 photo: the primary evidence.
    # Timestamps and the ledger only say *when*, and decide alone only when the pictures can't be had.
    pictures = state.pictures
    evidence = pictures.verdict if pictures and pictures.verdict is not PictureVerdict.UNKNOWN else None

    # 5. Everything below compares with SharePoint's copy: without it, we cannot tell.
    if sp is None and evidence is None:
        return result(
            DiagnosisCase.UNAVAILABLE,
            StaleCopy.UNKNOWN,
            detail=state.sharepoint_error or "no sharepoint",
        )

    shows_real_picture = sp is not None and sp.placeholder_state in (0, None) and sp_time is not None

    # 6. SharePoint shows the current photo: the same picture, or (without pictures) thumbnails made at or
    #    after PhotoSync first saw it.
    if evidence is PictureVerdict.SAME:
        return result(DiagnosisCase.IN_SYNC, StaleCopy.NONE, detail=DETAIL_PICTURES_MATCH)
    if (
        evidence is None
        and changed is not None
        and shows_real_picture
        and sp_time is not None
        and sp_time >= changed
    ):
        return result(DiagnosisCase.IN_SYNC, StaleCopy.NONE)

    # 7. SharePoint does not pull this user's photo from Exchange (no EXO licence, or Picture not editable).
    #    After IN_SYNC: a copy that is already current is fine, whatever the sync state.
    if sp is not None and sp.exchange_sync_state == 0:
        return result(DiagnosisCase.SYNC_DISABLED, StaleCopy.SHAREPOINT, detail=DETAIL_SYNC_DISABLED)

    if evidence is None:
        # 8. Without pictures we cannot tell whether SharePoint's copy is the current photo when PhotoSync
        #    sees this version for the first time, or SharePoint refreshed between the last sighting of the
        #    previous version and the first of this one.
        in_gap = (
            changed is not None
            and previous_seen is not None
            and sp_time is not None
            and previous_seen < sp_time < changed
        )
        if changed is None or in_gap:
            if shows_real_picture:
                detail = DETAIL_IN_GAP if in_gap else DETAIL_NO_CHANGE_TIME
                return result(DiagnosisCase.CHANGE_TIME_UNKNOWN, StaleCopy.UNKNOWN, detail=detail)
            return result(DiagnosisCase.STALE, StaleCopy.SHAREPOINT, detail=DETAIL_PLACEHOLDER)
    elif changed is None:
        # 8'. SharePoint shows another picture (or a placeholder, or none) and PhotoSync can't tell since when
        #     the photo changed: SharePoint is behind, for how long is unknown.
        return result(DiagnosisCase.STALE, StaleCopy.SHAREPOINT, detail=f"pictures: {evidence.value}")

    expected_by = changed + MICROSOFT_PHOTO_SYNC
    expected_by_field = changed + FIELD_PHOTO_SYNC
    # 9. Changed recently: SharePoint is still within the usual window (Microsoft states no time).
    if now < expected_by:
        return result(
            DiagnosisCase.PENDING,
            StaleCopy.SHAREPOINT,
            expected_by=expected_by,
            expected_by_field=expected_by_field,
        )
    # 10. Past the window: SharePoint's copy is stale.
    return result(
        DiagnosisCase.STALE,
        StaleCopy.SHAREPOINT,
        expected_by=expected_by,
        expected_by_field=expected_by_field,
        overdue_for=now - expected_by,
        detail=DETAIL_OVERDUE,
    )
