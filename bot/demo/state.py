"""Mutable state of one fake Graph/SharePoint server: users' photos and profile properties, limits,
faults and counters. Built from a frozen `DemoTenant`, which it never changes.

All mutation happens on the server's event loop (one thread), so plain ints and dicts are enough.
"""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.demo.faults import FaultInjector
from bot.demo.renditions import Face, Renditions, portrait_seed
from bot.demo.tenant import DemoGroup, DemoTenant, DemoUser

_SP_EPOCH = datetime(1, 1, 1, tzinfo=UTC)


def sp_picture_timestamp(dt: datetime) -> str:
    """SPS-PictureTimestamp text: whole seconds since 0001-01-01T00:00:00Z (.NET ticks / 10^7), in decimal."""
    return str(int((dt.astimezone(UTC) - _SP_EPOCH).total_seconds()))


def parse_sp_picture_timestamp(text: str) -> datetime | None:
    """Inverse of `sp_picture_timestamp`; None for '' or garbage."""
    try:
        seconds = int(text.strip())
    except ValueError:
        return None
    return _SP_EPOCH + timedelta(seconds=seconds) if seconds > 0 else None


def my_site_host(sharepoint_host: str) -> str:
    """'contoso.sharepoint.com' -> 'contoso-my.sharepoint.com' (the My Site host with 'User Photos')."""
    first, _, rest = sharepoint_host.partition(".")
    return f"{first}-my.{rest}" if rest else f"{first}-my"


@dataclass(frozen=True, slots=True)
class GraphLimits:
    """Limits and behaviour switches of the fake server. The default: no limits, no latency."""

    photo_concurrency: int | None = None  # Outlook's limit is 4 concurrent photo requests per app
    retry_after_s: float = 1.0  # Retry-After sent with 429s from the limits above
    latency_s: float = 0.0  # added to every request and every $batch item
    seed: int = 0  # seeds $batch response shuffling
    token_check: Callable[[str], bool] | None = None  # False -> 401 (tokens not from the test IdP)
    # A user's own request for their large photo (no app token: a browser) makes SharePoint refresh their
    # picture this many seconds later; None: never.
    user_sync_s: float | None = None


@dataclass(slots=True)
class Counters:
    requests: Counter[str] = field(default_factory=Counter)  # by route key, direct and batched
    batch_requests: int = 0
    batch_items: int = 0
    throttled: int = 0  # 429s from limits (not from injected faults)
    faulted: int = 0  # answers replaced by an injected or per-user fault
    photo_in_flight: int = 0
    max_photo_in_flight: int = 0  # the most photo requests ever served at once
    photo_puts: Counter[str] = field(default_factory=Counter)  # by user id
    sp_property_sets: Counter[str] = field(default_factory=Counter)  # by "upn|property"
    # SharePoint requests made with a user's delegated token, by "route|user object id" (route: "userphoto"
    # with the account asked for, as "userphoto:<upn>", or "my_properties")
    delegated: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True, slots=True)
class PhotoState:
    """One version of a user's Microsoft 365 photo. A change makes a new PhotoState (next variant)."""

    etag: str
    width: int
    height: int
    content_type: str = "image/jpeg"
    changed: datetime | None = None
    data: bytes | None = None  # the uploaded bytes; None: the user's portrait, photo session `variant`
    variant: int = 1


@dataclass(frozen=True, slots=True)
class SharePointCopy:
    """The picture SharePoint holds for a user. It changes only when SharePoint syncs, never by itself."""

    kind: str  # "photo", "placeholder", "initials" or "none" (no picture file)
    face: Face | None = None  # the photo it copied, for "photo"


@dataclass(slots=True)
class UserState:
    user: DemoUser  # static directory fields
    photo: PhotoState | None
    sp_profile: bool
    sp_props: dict[str, str]  # SharePoint user profile properties that vary (picture ones, edits)
    sp_picture: SharePointCopy = SharePointCopy("none")
    seed: int = 0  # who the user is in the portraits (renditions.portrait_seed)

    def face(self) -> Face | None:
        """The Microsoft 365 photo as a picture to render, or None without a photo."""
        p = self.photo
        return None if p is None else Face(self.seed, p.variant, p.width, p.height, p.data)


@dataclass(slots=True)
class ServerState:
    tenant: DemoTenant
    limits: GraphLimits
    users: dict[str, UserState]  # by id (lower case)
    faults: FaultInjector = field(default_factory=FaultInjector)
    counters: Counters = field(default_factory=Counters)
    rng: random.Random = field(default_factory=random.Random)
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    # Teams apps installed per user: user id (lower case) -> catalog app id -> installation id
    installed_apps: dict[str, dict[str, str]] = field(default_factory=dict)
    teams_catalog: dict[str, str] = field(default_factory=dict)  # catalog app id -> externalId (looked up)
    pictures: Renditions = field(default_factory=Renditions)  # generated picture bytes, cached
    _etag_serial: int = 0

    @classmethod
    def from_tenant(cls, tenant: DemoTenant, limits: GraphLimits | None = None) -> ServerState:
        limits = limits or GraphLimits()
        users = {u.id.lower(): _user_state(tenant, u) for u in tenant.users}
        return cls(tenant=tenant, limits=limits, users=users, rng=random.Random(limits.seed))  # noqa: S311 (simulation)

    def user(self, id_or_upn: str) -> UserState | None:
        key = id_or_upn.lower()
        found = self.users.get(key)
        if found is None:
            found = next((s for s in self.users.values() if s.user.upn.lower() == key), None)
        return found

    def groups(self) -> tuple[DemoGroup, ...]:
        return self.tenant.groups

    def set_photo(
        self,
        state: UserState,
        data: bytes | None = None,
        content_type: str = "image/jpeg",
        size: tuple[int, int] | None = None,
    ) -> str:
        """Store a new photo like Graph: new etag, next variant, size capped at 648 (the largest HD size).

        `data` is an upload (served back as is on `photo/$value`); None draws the user's next portrait, as
        if they had taken a new photo. SharePoint's copy stays what it was (see sync_sharepoint_picture).
        """
        self._etag_serial += 1
        old = state.photo
        salt = f"{state.user.id}|{self._etag_serial}".encode()
        digest = hashlib.sha1((data or b"") + salt, usedforsecurity=False).hexdigest()[:16]
        width, height = size or ((old.width, old.height) if old is not None and data is None else (648, 648))
        side = min(648, width, height)
        state.photo = PhotoState(
            etag=f'W/"{digest}"',
            width=side,
            height=side,
            content_type=content_type,
            changed=self.clock(),
            data=data,
            variant=(old.variant if old is not None else 0) + 1,
        )
        self.counters.photo_puts[state.user.id] += 1
        return state.photo.etag

    def sync_sharepoint_picture(self, user_id: str) -> None:
        """SharePoint pulls the user's Microsoft 365 photo now: its picture becomes the current photo,
        SPS-PictureTimestamp the state's clock and SPS-PicturePlaceholderState 0. Without a Microsoft 365
        photo it shows its placeholder (state 1). Raises KeyError for an unknown user and ValueError for a
        user without a SharePoint profile (nothing to store a picture in)."""
        state = self.user(user_id)
        if state is None:
            raise KeyError(user_id)
        if not state.sp_profile:
            raise ValueError(f"{state.user.upn} has no SharePoint user profile yet")
        face = state.face()
        state.sp_picture = SharePointCopy("placeholder") if face is None else SharePointCopy("photo", face)
        props = state.sp_props
        props["SPS-PictureTimestamp"] = sp_picture_timestamp(self.clock())
        props["SPS-PicturePlaceholderState"] = "1" if face is None else "0"
        props["PictureURL"] = props.get("PictureURL") or thumbnail_url(self.tenant, state.user.upn)


def picture_file_stem(upn: str) -> str:
    """The Profile Pictures library's name for an account: 'AdeleV@contoso.com' -> 'adelev_contoso_com'."""
    return upn.lower().replace("@", "_").replace(".", "_")


def thumbnail_url(tenant: DemoTenant, upn: str, letter: str = "M") -> str:
    """PictureURL's shape: the M (72 px) thumbnail file in the My Site host's Profile Pictures library."""
    return (
        f"https://{my_site_host(tenant.sharepoint_host)}:443/User%20Photos/Profile%20Pictures/"
        f"{picture_file_stem(upn)}_{letter}Thumb.jpg"
    )


def _user_state(tenant: DemoTenant, user: DemoUser) -> UserState:
    photo = None
    seed = portrait_seed(user.id)
    if user.photo is not None:
        p = user.photo
        photo = PhotoState(p.etag, p.width, p.height, p.content_type, p.changed)
    sp = user.sharepoint
    props: dict[str, str] = {}
    if sp.profile:
        stamp = sp.picture_timestamp
        props = {
            "PictureURL": "" if stamp is None else thumbnail_url(tenant, user.upn),
            "SPS-PictureTimestamp": "" if stamp is None else sp_picture_timestamp(stamp),
            "SPS-PicturePlaceholderState": _text(sp.placeholder_state),
            "SPS-PictureExchangeSyncState": _text(sp.exchange_sync_state),
        }
    state = UserState(user=user, photo=photo, sp_profile=sp.profile, sp_props=props, seed=seed)
    state.sp_picture = _sharepoint_copy(state, user.sharepoint_picture)
    return state


def _sharepoint_copy(state: UserState, picture: str) -> SharePointCopy:
    """The tenant file's `sharepoint.picture` as the concrete picture SharePoint holds."""
    if picture in ("placeholder", "initials", "none"):
        return SharePointCopy(picture)
    # "current" is the Microsoft 365 photo; "previous" the same person's photo session before it. Without
    # a Microsoft 365 photo both are an older 648 px photo of the person (removed from Microsoft 365 since).
    current = state.face() or Face(state.seed, 0, 648, 648)
    if picture == "current" and state.photo is not None:
        return SharePointCopy("photo", current)
    return SharePointCopy("photo", Face(state.seed, current.variant - 1, current.width, current.height))


def _text(value: int | None) -> str:
    return "" if value is None else str(value)
