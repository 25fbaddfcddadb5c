"""The demo tenant: typed, validated loading of `tenant.json`, and synthetic tenants for benchmarks.

Everything here is immutable. The fake Graph/SharePoint server (`bot.demo.server`) copies what it needs
into its own mutable state; a `DemoTenant` never changes after loading.

Times in the file are either ISO 8601 (naive = UTC) or relative to load time: '-4d', '-3h', '-30m',
'-90s', '-2w'. They are resolved once, against the `now` given to `load()`.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

DEFAULT_TENANT_PATH = Path(__file__).with_name("tenant.json")

PHOTO_SOURCES = ("cloud", "onPremises")
FAULT_SERVICES = ("graph", "sharepoint")
# What SharePoint's own copy of a user's picture is (`sharepoint.picture`): the current Microsoft 365 photo,
# an older photo of the same person, its grey silhouette, an initials tile, or no picture file at all.
SHAREPOINT_PICTURES = ("current", "previous", "placeholder", "initials", "none")
# Cases where SharePoint still holds the photo from before the last change (when `picture` is not given).
_BEHIND_CASES = ("stale", "pending", "change_time_unknown", "on_premises", "sync_disabled")
_RELATIVE = re.compile(r"^-(\d+(?:\.\d+)?)([wdhms])$")
_UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes", "s": "seconds"}
# Namespace for synthetic ids: uuid5(namespace, f"user-{index}") is stable across runs and machines.
SYNTHETIC_NAMESPACE = uuid.UUID("3f0c2a9e-6d0b-4c55-9a53-5f7f1c1e7d10")


@dataclass(frozen=True, slots=True)
class DemoPhoto:
    etag: str
    width: int
    height: int
    content_type: str = "image/jpeg"
    changed: datetime | None = None  # None: the change time is unknown


@dataclass(frozen=True, slots=True)
class DemoSharePoint:
    profile: bool  # False: SharePoint has no user profile for the account yet
    picture_timestamp: datetime | None = None
    placeholder_state: int | None = None
    exchange_sync_state: int | None = None
    picture: str | None = None  # one of SHAREPOINT_PICTURES; None: derived (DemoUser.sharepoint_picture)


@dataclass(frozen=True, slots=True)
class DemoUser:
    id: str
    display_name: str
    upn: str
    sharepoint: DemoSharePoint
    case: str | None = None
    role: str | None = None
    given_name: str | None = None
    surname: str | None = None
    mail: str | None = None
    preferred_language: str | None = None
    user_type: str = "Member"  # Graph's userType: "Member" or "Guest"
    created: datetime | None = None
    on_premises_sync_enabled: bool | None = None
    on_premises_last_sync: datetime | None = None
    photo: DemoPhoto | None = None
    faults: tuple[tuple[str, int], ...] = ()  # (service, HTTP status), service in FAULT_SERVICES
    manager_id: str | None = None  # Graph's `manager` relationship: another user's id

    def fault(self, service: str) -> int | None:
        """The HTTP status this user's requests to `service` always fail with, if any."""
        return next((status for name, status in self.faults if name == service), None)

    @property
    def sharepoint_picture(self) -> str:
        """What SharePoint's copy of the picture is: the tenant file's `picture`, else derived so it agrees
        with the other fields (no profile: none; placeholder state 1: placeholder; no picture time: none;
        the case, or else the picture time against the photo's change time: current or previous)."""
        sp = self.sharepoint
        if sp.picture is not None:
            return sp.picture
        stamp = sp.picture_timestamp
        if not sp.profile:
            return "none"
        if sp.placeholder_state == 1:
            return "placeholder"
        if stamp is None:
            return "none"
        if self.case == "in_sync":
            return "current"
        if self.case in _BEHIND_CASES or self.photo is None or self.photo.changed is None:
            return "previous"
        return "current" if stamp >= self.photo.changed else "previous"


@dataclass(frozen=True, slots=True)
class DemoGroup:
    id: str
    display_name: str
    members: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DemoTenant:
    id: str
    name: str
    domain: str
    sharepoint_host: str
    photo_update_source: str
    users: tuple[DemoUser, ...]
    groups: tuple[DemoGroup, ...] = ()
    default_language: str = "en-US"
    loaded_at: datetime | None = None  # the `now` relative times were resolved against

    # ---- loading -------------------------------------------------------------------------------
    @classmethod
    def load(cls, path: Path | None = None, now: datetime | None = None) -> DemoTenant:
        """Read and validate a tenant file (default: the packaged demo tenant).

        `now` (timezone-aware; default: the current UTC time) resolves relative times like '-4d'.
        Raises `ValueError` naming the file and the offending field on bad data.
        """
        path = DEFAULT_TENANT_PATH if path is None else Path(path)
        now = aware_now(now)
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValueError(f"{path}: cannot read tenant file: {exc}") from exc
        return _Parser(str(path), now).tenant(raw)

    @classmethod
    def from_dict(
        cls, raw: Mapping[str, Any], now: datetime | None = None, source: str = "<dict>"
    ) -> DemoTenant:
        """Like `load()`, from already-parsed JSON (tests build variants of the demo tenant this way)."""
        return _Parser(source, aware_now(now)).tenant(raw)

    # ---- queries -------------------------------------------------------------------------------
    def user(self, id_or_upn: str) -> DemoUser | None:
        key = id_or_upn.lower()
        return next((u for u in self.users if u.id.lower() == key or u.upn.lower() == key), None)

    def photo_changed_times(self) -> dict[str, tuple[str, datetime]]:
        """user id -> (photo etag, when it changed), for users whose photo change time is known.

        The bot seeds its photo ledger with these, as if an earlier scan had seen each change.
        """
        return {
            u.id: (u.photo.etag, u.photo.changed)
            for u in self.users
            if u.photo is not None and u.photo.changed is not None
        }


# ---- parsing ------------------------------------------------------------------------------------
def aware_now(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(UTC)


class _Parser:
    """Validates one tenant document; every error names the source and a JSON-path-like field."""

    def __init__(self, source: str, now: datetime) -> None:
        self.source = source
        self.now = now

    def fail(self, field: str, problem: str) -> ValueError:
        return ValueError(f"{self.source}: {field}: {problem}")

    def obj(self, value: Any, field: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.fail(field, f"expected an object, got {type(value).__name__}")
        return value

    def string(self, obj: Mapping[str, Any], key: str, field: str, *, required: bool = True) -> str | None:
        value = obj.get(key)
        if value is None:
            if required:
                raise self.fail(f"{field}.{key}", "missing")
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{field}.{key}", f"expected a non-empty string, got {value!r}")
        return value

    def req(self, obj: Mapping[str, Any], key: str, field: str) -> str:
        value = self.string(obj, key, field)
        assert value is not None
        return value

    def integer(self, obj: Mapping[str, Any], key: str, field: str, *, required: bool = False) -> int | None:
        value = obj.get(key)
        if value is None:
            if required:
                raise self.fail(f"{field}.{key}", "missing")
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(f"{field}.{key}", f"expected an integer, got {value!r}")
        return value

    def boolean(self, obj: Mapping[str, Any], key: str, field: str) -> bool | None:
        value = obj.get(key)
        if value is not None and not isinstance(value, bool):
            raise self.fail(f"{field}.{key}", f"expected true/false, got {value!r}")
        return value

    def time(self, obj: Mapping[str, Any], key: str, field: str) -> datetime | None:
        value = obj.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.fail(f"{field}.{key}", f"expected a time string, got {value!r}")
        relative = _RELATIVE.match(value.strip())
        if relative:
            amount, unit = relative.groups()
            return self.now - timedelta(**{_UNITS[unit]: float(amount)})
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            raise self.fail(
                f"{field}.{key}", f"expected ISO 8601 or a relative time like '-4d', got {value!r}"
            ) from None
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)

    def tenant(self, raw: Any) -> DemoTenant:
        root = self.obj(raw, "$")
        info = self.obj(root.get("tenant"), "tenant")
        source = self.req(info, "photoUpdateSource", "tenant")
        if source not in PHOTO_SOURCES:
            raise self.fail("tenant.photoUpdateSource", f"expected one of {PHOTO_SOURCES}, got {source!r}")
        raw_users = root.get("users")
        if not isinstance(raw_users, list):
            raise self.fail("users", "expected a list")
        users = tuple(self.user(u, f"users[{i}]") for i, u in enumerate(raw_users))
        seen: set[str] = set()
        for i, user in enumerate(users):
            for key in (user.id.lower(), user.upn.lower()):
                if key in seen:
                    raise self.fail(f"users[{i}]", f"duplicate id or userPrincipalName {key!r}")
                seen.add(key)
        raw_groups = root.get("groups", [])
        if not isinstance(raw_groups, list):
            raise self.fail("groups", "expected a list")
        ids = {u.id for u in users}
        for i, user in enumerate(users):
            if user.manager_id is not None and (user.manager_id not in ids or user.manager_id == user.id):
                raise self.fail(f"users[{i}].manager", f"expected another user's id, got {user.manager_id!r}")
        groups = tuple(self.group(g, f"groups[{i}]", ids) for i, g in enumerate(raw_groups))
        return DemoTenant(
            id=self.req(info, "id", "tenant"),
            name=self.req(info, "name", "tenant"),
            domain=self.req(info, "domain", "tenant"),
            sharepoint_host=self.req(info, "sharepointHost", "tenant"),
            photo_update_source=source,
            default_language=self.string(info, "defaultLanguage", "tenant", required=False) or "en-US",
            users=users,
            groups=groups,
            loaded_at=self.now,
        )

    def user(self, raw: Any, field: str) -> DemoUser:
        obj = self.obj(raw, field)
        display_name = self.req(obj, "displayName", field)
        first, _, last = display_name.partition(" ")
        return DemoUser(
            id=self.req(obj, "id", field),
            case=self.string(obj, "case", field, required=False),
            role=self.string(obj, "role", field, required=False),
            display_name=display_name,
            given_name=self.string(obj, "givenName", field, required=False) or first,
            surname=self.string(obj, "surname", field, required=False) or (last or None),
            upn=self.req(obj, "userPrincipalName", field),
            mail=self.string(obj, "mail", field, required=False),
            preferred_language=self.string(obj, "preferredLanguage", field, required=False),
            user_type=self.string(obj, "userType", field, required=False) or "Member",
            created=self.time(obj, "createdDateTime", field),
            on_premises_sync_enabled=self.boolean(obj, "onPremisesSyncEnabled", field),
            on_premises_last_sync=self.time(obj, "onPremisesLastSyncDateTime", field),
            photo=self.photo(obj.get("photo"), f"{field}.photo"),
            sharepoint=self.sharepoint(obj.get("sharepoint"), f"{field}.sharepoint"),
            faults=self.faults(obj.get("fault"), f"{field}.fault"),
            manager_id=self.string(obj, "manager", field, required=False),
        )

    def photo(self, raw: Any, field: str) -> DemoPhoto | None:
        if raw is None:
            return None
        obj = self.obj(raw, field)
        width = self.integer(obj, "width", field, required=True)
        height = self.integer(obj, "height", field, required=True)
        assert width is not None and height is not None
        if not (1 <= width <= 8192 and 1 <= height <= 8192):
            raise self.fail(field, f"width/height out of range: {width}x{height}")
        return DemoPhoto(
            etag=self.req(obj, "etag", field),
            width=width,
            height=height,
            content_type=self.string(obj, "contentType", field, required=False) or "image/jpeg",
            changed=self.time(obj, "changed", field),
        )

    def sharepoint(self, raw: Any, field: str) -> DemoSharePoint:
        obj = self.obj(raw, field)
        profile = self.boolean(obj, "profile", field)
        if profile is None:
            raise self.fail(f"{field}.profile", "missing")
        picture = self.string(obj, "picture", field, required=False)
        if picture is not None and picture not in SHAREPOINT_PICTURES:
            raise self.fail(f"{field}.picture", f"expected one of {SHAREPOINT_PICTURES}, got {picture!r}")
        return DemoSharePoint(
            profile=profile,
            picture_timestamp=self.time(obj, "pictureTimestamp", field),
            placeholder_state=self.integer(obj, "placeholderState", field),
            exchange_sync_state=self.integer(obj, "exchangeSyncState", field),
            picture=picture,
        )

    def faults(self, raw: Any, field: str) -> tuple[tuple[str, int], ...]:
        if raw is None:
            return ()
        obj = self.obj(raw, field)
        out: list[tuple[str, int]] = []
        for service in obj:
            if service not in FAULT_SERVICES:
                raise self.fail(f"{field}.{service}", f"unknown service; expected one of {FAULT_SERVICES}")
            status = self.integer(obj, service, field, required=True)
            assert status is not None
            if not 400 <= status <= 599:
                raise self.fail(f"{field}.{service}", f"expected an HTTP error status, got {status}")
            out.append((service, status))
        return tuple(out)

    def group(self, raw: Any, field: str, user_ids: set[str]) -> DemoGroup:
        obj = self.obj(raw, field)
        members = obj.get("members", [])
        if not isinstance(members, list) or not all(isinstance(m, str) for m in members):
            raise self.fail(f"{field}.members", "expected a list of user ids")
        for m in members:
            if m not in user_ids:
                raise self.fail(f"{field}.members", f"unknown user id {m!r}")
        return DemoGroup(
            id=self.req(obj, "id", field),
            display_name=self.req(obj, "displayName", field),
            members=tuple(members),
        )
