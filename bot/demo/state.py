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
from bot.demo.jpeg import flat_jpeg, seeded_colour
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


@dataclass(slots=True)
class PhotoState:
    etag: str
    width: int
    height: int
    content_type: str = "image/jpeg"
    changed: datetime | None = None
    data: bytes | None = None  # None: generated on first read

    def bytes_for(self, user_id: str) -> bytes:
        if self.data is None:
            seed = f"{user_id}|{self.etag}"
            self.data = flat_jpeg(self.width, self.height, seeded_colour(seed), f"PhotoSync demo {seed}")
        return self.data


@dataclass(slots=True)
class UserState:
    user: DemoUser  # static directory fields
    photo: PhotoState | None
    sp_profile: bool
    sp_props: dict[str, str]  # SharePoint user profile properties that vary (picture ones, edits)


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
        self, state: UserState, data: bytes, content_type: str, size: tuple[int, int] | None
    ) -> str:
        """Store an uploaded photo like Graph: new etag, size capped at 648 (the largest HD size)."""
        self._etag_serial += 1
        digest = hashlib.sha1(data + str(self._etag_serial).encode(), usedforsecurity=False).hexdigest()[:16]
        width, height = size or (648, 648)
        side = min(648, width, height)
        state.photo = PhotoState(
            etag=f'W/"{digest}"',
            width=side,
            height=side,
            content_type=content_type,
            changed=self.clock(),
            data=data,
        )
        self.counters.photo_puts[state.user.id] += 1
        return state.photo.etag


def _user_state(tenant: DemoTenant, user: DemoUser) -> UserState:
    photo = None
    if user.photo is not None:
        p = user.photo
        photo = PhotoState(p.etag, p.width, p.height, p.content_type, p.changed)
    sp = user.sharepoint
    props: dict[str, str] = {}
    if sp.profile:
        picture = ""
        if sp.picture_timestamp is not None:
            picture = (
                f"https://{my_site_host(tenant.sharepoint_host)}:443/User%20Photos/Profile%20Pictures/"
                f"{user.id}_MThumb.jpg"
            )
        stamp = sp.picture_timestamp
        props = {
            "PictureURL": picture,
            "SPS-PictureTimestamp": "" if stamp is None else sp_picture_timestamp(stamp),
            "SPS-PicturePlaceholderState": _text(sp.placeholder_state),
            "SPS-PictureExchangeSyncState": _text(sp.exchange_sync_state),
        }
    return UserState(user=user, photo=photo, sp_profile=sp.profile, sp_props=props)


def _text(value: int | None) -> str:
    return "" if value is None else str(value)
