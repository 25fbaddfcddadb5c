"""Plain values the whole bot speaks: what we know about a user's photo and what we concluded.

No I/O, no clock: every time is passed in (timezone-aware UTC datetimes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum


class PhotoSource(StrEnum):
    """Tenant photo update source (Graph beta `admin/people/photoUpdateSettings.source`)."""

    CLOUD = "cloud"
    ON_PREMISES = "onPremises"
    UNKNOWN = "unknown"  # setting not readable (permission missing, or beta endpoint failing)


@dataclass(frozen=True, slots=True)
class UserProfile:
    """The Graph user fields a diagnosis needs."""

    id: str  # Entra object id (= Teams aadObjectId)
    display_name: str
    upn: str
    mail: str | None = None
    preferred_language: str | None = None
    on_premises_sync_enabled: bool | None = None
    on_premises_last_sync: datetime | None = None
    created: datetime | None = None
    user_type: str | None = None  # "Member" or "Guest" (None: Graph did not say)


@dataclass(frozen=True, slots=True)
class GraphPhoto:
    """Photo metadata from `GET /users/{id}/photo` (the master copy). Absent photo = None, not this."""

    etag: str
    width: int | None = None
    height: int | None = None
    content_type: str | None = None
    thumbnail: bytes | None = field(default=None, repr=False)  # a small size's bytes, when asked for


class PictureVerdict(StrEnum):
    """What SharePoint shows for a user, compared as a picture with their Microsoft 365 photo."""

    SAME = "same"  # SharePoint shows the Microsoft 365 photo
    DIFFERENT = "different"  # SharePoint shows another photo (an older one, or someone else's)
    PLACEHOLDER = "placeholder"  # SharePoint shows its silhouette or an initials avatar
    NONE = "none"  # SharePoint has no picture (404, empty or undecodable)
    UNKNOWN = "unknown"  # nothing to compare with: the Microsoft 365 photo is missing


@dataclass(frozen=True, slots=True)
class PictureEvidence:
    """The two pictures as seen at one moment, and what comparing them showed. The thumbnails are small
    `data:` URIs a card can show inline (None: that side has no picture to show)."""

    verdict: PictureVerdict
    m365_thumbnail: str | None = field(default=None, repr=False)
    sharepoint_thumbnail: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class SharePointPicture:
    """The SharePoint user profile's picture properties.

    `profile_found=False` means SharePoint has no user profile for the account yet (import pending).
    """

    profile_found: bool
    picture_url: str | None = None
    timestamp: datetime | None = None  # SPS-PictureTimestamp: when SharePoint last made its thumbnails
    placeholder_state: int | None = None  # SPS-PicturePlaceholderState: 0 = a real picture is shown
    exchange_sync_state: int | None = None  # SPS-PictureExchangeSyncState: 0 = not pulling from Exchange


@dataclass(frozen=True, slots=True)
class ProfileState:
    """Everything observed about one user at `observed_at`.

    Both photo times come from the photo ledger. `photo_changed_at`: when PhotoSync first saw the current
    photo etag (None: PhotoSync has never seen an earlier version, so it cannot tell when the photo
    changed). `photo_previous_seen_at`: the last time PhotoSync saw the previous version. The real change
    therefore happened somewhere in (photo_previous_seen_at, photo_changed_at]; PhotoSync never knows the
    exact moment. None: no previous sighting recorded, and `photo_changed_at` is taken as the change time.
    `graph_error` / `sharepoint_error` hold a short reason when that source could not be read.
    """

    user_id: str
    observed_at: datetime
    user: UserProfile | None = None
    photo: GraphPhoto | None = None
    photo_source: PhotoSource = PhotoSource.UNKNOWN
    sharepoint: SharePointPicture | None = None
    photo_changed_at: datetime | None = None
    photo_previous_seen_at: datetime | None = None
    graph_error: str | None = None
    sharepoint_error: str | None = None
    pictures: PictureEvidence | None = None  # None: SharePoint's picture could not be read or compared


class DiagnosisCase(StrEnum):
    UNAVAILABLE = "unavailable"  # Graph or SharePoint could not be read: try again later
    PROFILE_IMPORTING = "profile_importing"  # no SharePoint profile yet (AD import backlog)
    ON_PREMISES = "on_premises"  # photo managed on-premises: cloud re-sync impossible
    NO_PHOTO = "no_photo"  # no photo in Entra ID/Exchange
    SYNC_DISABLED = "sync_disabled"  # SharePoint does not pull the photo from Exchange
    IN_SYNC = "in_sync"  # SharePoint refreshed after the current photo was set
    PENDING = "pending"  # photo changed recently; SharePoint still within the expected window
    STALE = "stale"  # SharePoint beyond the window: offer re-sync
    # SharePoint shows a picture, but we can't tell if it is the current one (change time unknown, or
    # SharePoint refreshed between PhotoSync's last sighting of the previous photo and its first of this one)
    CHANGE_TIME_UNKNOWN = "change_time_unknown"


class StaleCopy(StrEnum):
    """Which copy the card names as out of date."""

    NONE = "none"
    SHAREPOINT = "sharepoint"
    MASTER = "master"  # the Entra ID/Exchange photo itself (missing, or managed elsewhere)
    UNKNOWN = "unknown"


# Timings, each with the certainty docs/DOMAIN.md ("Timing") gives it.
MICROSOFT_PHOTO_SYNC = timedelta(hours=24)  # PhotoSync's pending window: Microsoft states no time
FIELD_PHOTO_SYNC = timedelta(hours=72)  # field reports, not a Microsoft commitment
PROFILE_EDIT_DELAY = timedelta(hours=48)  # "Edit your profile in Microsoft 365"


@dataclass(frozen=True, slots=True)
class Diagnosis:
    case: DiagnosisCase
    user_id: str
    display_name: str | None
    upn: str | None
    stale_copy: StaleCopy
    has_photo: bool  # a master photo exists in Entra ID/Exchange (False also when Graph could not be read)
    sharepoint_read: bool  # SharePoint's picture properties were read (False: its facts are unknown)
    photo_changed_at: datetime | None = None  # when PhotoSync first saw the current photo (the change is
    # at or before this moment); None when there is no photo or PhotoSync has no earlier sighting
    sharepoint_refreshed_at: datetime | None = None
    expected_by: datetime | None = None  # the pending window after the change
    expected_by_field: datetime | None = None  # field experience: 72 h after the change
    overdue_for: timedelta | None = None  # how long past the pending window (STALE)
    pictures: PictureEvidence | None = None  # both pictures, when they could be compared
    checked_at: datetime | None = None  # when the state was observed
    detail: str | None = None  # a short machine reason (error class, property value) for logs/audit
