"""The diagnosis rules: which copy of a user's photo is stale, why, and what to expect.

Pure: `diagnose(state, now)` reads nothing but its arguments. The order of the rules is the order of the
checks below; the first that applies wins. Timings are DOMAIN.md's: 24 h per Microsoft, up to 72 h in the
field; cards word each with that certainty.
"""

from __future__ import annotations

from datetime import datetime

from .model import (
    FIELD_PHOTO_SYNC,
    MICROSOFT_PHOTO_SYNC,
    Diagnosis,
    DiagnosisCase,
    PhotoSource,
    ProfileState,
    StaleCopy,
)


def diagnose(state: ProfileState, now: datetime) -> Diagnosis:
    user = state.user
    sp = state.sharepoint
    changed = state.photo_changed_at
    sp_time = sp.timestamp if sp else None

    def result(case: DiagnosisCase, stale: StaleCopy, can_resync: bool, **extra: object) -> Diagnosis:
        return Diagnosis(
            case=case,
            user_id=state.user_id,
            display_name=user.display_name if user else None,
            upn=user.upn if user else None,
            stale_copy=stale,
            can_resync=can_resync,
            photo_changed_at=changed if state.photo else None,
            sharepoint_refreshed_at=sp_time,
            **extra,  # type: ignore[arg-type]
        )

    # 1. We could not read what we need: say so honestly.
    if state.graph_error is not None or user is None:
        return result(DiagnosisCase.UNAVAILABLE, StaleCopy.UNKNOWN, False, detail=state.graph_error or "no user")
    if state.sharepoint_error is not None or sp is None:
        return result(
            DiagnosisCase.UNAVAILABLE, StaleCopy.UNKNOWN, False, detail=state.sharepoint_error or "no sharepoint"
        )

    # 2. SharePoint has no profile for the account yet: the profile import has not reached it.
    if not sp.profile_found:
        return result(DiagnosisCase.PROFILE_IMPORTING, StaleCopy.SHAREPOINT, False)

    # 3. The tenant takes photos from on-premises AD and this user is synced: cloud changes are blocked.
    on_premises = state.photo_source is PhotoSource.ON_PREMISES and bool(user.on_premises_sync_enabled)
    if on_premises:
        return result(DiagnosisCase.ON_PREMISES, StaleCopy.MASTER, False)

    # 4. No master photo at all: nothing for SharePoint to copy.
    if state.photo is None:
        return result(DiagnosisCase.NO_PHOTO, StaleCopy.MASTER, False)

    # 5. SharePoint does not pull this user's photo from Exchange (no EXO licence, or Picture not editable).
    if sp.exchange_sync_state == 0:
        return result(
            DiagnosisCase.SYNC_DISABLED, StaleCopy.SHAREPOINT, False, detail="SPS-PictureExchangeSyncState=0"
        )

    shows_real_picture = sp.placeholder_state in (0, None) and sp_time is not None

    # 6. We do not know when the current photo was set (first time PhotoSync sees this version).
    if changed is None:
        if shows_real_picture:
            return result(DiagnosisCase.CHANGE_TIME_UNKNOWN, StaleCopy.UNKNOWN, True)
        return result(DiagnosisCase.STALE, StaleCopy.SHAREPOINT, True, detail="placeholder shown")

    # 7. SharePoint made its thumbnails after the current photo was set.
    if shows_real_picture and sp_time is not None and sp_time >= changed:
        return result(DiagnosisCase.IN_SYNC, StaleCopy.NONE, False)

    expected_by = changed + MICROSOFT_PHOTO_SYNC
    expected_by_field = changed + FIELD_PHOTO_SYNC
    # 8. Changed recently: SharePoint is still within Microsoft's stated window.
    if now < expected_by:
        return result(
            DiagnosisCase.PENDING,
            StaleCopy.SHAREPOINT,
            False,
            expected_by=expected_by,
            expected_by_field=expected_by_field,
        )
    # 9. Past the window: SharePoint's copy is stale; offer the re-sync.
    return result(
        DiagnosisCase.STALE,
        StaleCopy.SHAREPOINT,
        True,
        expected_by=expected_by,
        expected_by_field=expected_by_field,
        overdue_for=now - expected_by,
    )
