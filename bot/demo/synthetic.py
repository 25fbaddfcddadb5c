"""Synthetic demo tenants for scans and benchmarks (`DemoTenant.synthetic`): deterministic users whose
cases follow the mix below."""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta

from bot.demo.tenant import (
    SYNTHETIC_NAMESPACE,
    DemoGroup,
    DemoPhoto,
    DemoSharePoint,
    DemoTenant,
    DemoUser,
    aware_now,
)

_FIRST = (
    "Ava",
    "Ben",
    "Chloe",
    "Daan",
    "Emma",
    "Finn",
    "Grace",
    "Hugo",
    "Isla",
    "Jonas",
    "Kim",
    "Lars",
    "Mila",
    "Noah",
    "Olivia",
    "Pim",
    "Quinn",
    "Ruth",
    "Sem",
    "Tess",
    "Umar",
    "Vera",
    "Wout",
    "Yara",
)
_LAST = (
    "Bakker",
    "Chen",
    "Dekker",
    "Evans",
    "Fischer",
    "Garcia",
    "Hoekstra",
    "Ivanova",
    "Jansen",
    "Kowalski",
    "Lopez",
    "Meijer",
    "Nguyen",
    "Okafor",
    "Peters",
    "Rossi",
    "Smit",
    "Tanaka",
    "Visser",
    "Williams",
)
# (case, weight): most users are in sync; the rest drifted in the ways the diagnosis knows.
_MIX = (
    ("in_sync", 78),
    ("stale", 8),
    ("pending", 5),
    ("no_photo", 3),
    ("change_time_unknown", 2),
    ("profile_importing", 2),
    ("sync_disabled", 2),
)


def synthetic_tenant(n_users: int, now: datetime | None = None, seed: int = 0) -> DemoTenant:
    """A deterministic tenant of `n_users` users for scans and benchmarks.

    Ids are uuid5(SYNTHETIC_NAMESPACE, f"user-{i}"); the same (n_users, now, seed) always gives the same
    tenant. Mix: mostly in sync, some stale or pending, a few without photo, with unknown change time,
    without SharePoint profile yet, or with SharePoint's Exchange sync switched off.
    """
    if n_users < 0:
        raise ValueError(f"n_users must be >= 0, got {n_users}")
    now = aware_now(now)
    rng = random.Random(seed)  # noqa: S311 (deterministic test data, not security)
    cases = [c for c, _ in _MIX]
    weights = [w for _, w in _MIX]
    domain = "fabrikam.onmicrosoft.com"
    users: list[DemoUser] = []
    for i in range(n_users):
        case = rng.choices(cases, weights)[0]
        first, last = _FIRST[rng.randrange(len(_FIRST))], _LAST[rng.randrange(len(_LAST))]
        uid = str(uuid.uuid5(SYNTHETIC_NAMESPACE, f"user-{i}"))
        upn = f"{first}.{last}{i}@{domain}"
        size = rng.choice((240, 504, 648, 648, 648))
        if case == "pending":
            changed = now - timedelta(hours=rng.uniform(1, 20))
        elif case == "stale":
            changed = now - timedelta(days=rng.uniform(4, 30))
        else:
            changed = now - timedelta(days=rng.uniform(5, 400))
        photo = (
            None
            if case == "no_photo"
            else DemoPhoto(
                etag=f'W/"syn-{i}-v{rng.randint(1, 9)}"',
                width=size,
                height=size,
                changed=None if case == "change_time_unknown" else changed,
            )
        )
        if case == "in_sync":
            sp_time: datetime | None = changed + timedelta(hours=rng.uniform(0.5, 20))
        elif case == "no_photo":
            sp_time = None
        else:
            sp_time = changed - timedelta(days=rng.uniform(1, 60))
        sharepoint = (
            DemoSharePoint(
                profile=case != "profile_importing",
                picture_timestamp=sp_time,
                placeholder_state=1 if case == "no_photo" else 0,
                exchange_sync_state=0 if case == "sync_disabled" else 1,
            )
            if case != "profile_importing"
            else DemoSharePoint(profile=False)
        )
        users.append(
            DemoUser(
                id=uid,
                case=case,
                display_name=f"{first} {last}",
                given_name=first,
                surname=last,
                upn=upn,
                mail=upn,
                preferred_language=rng.choice(("en-US", "en-US", "nl-NL")),
                created=now - timedelta(days=rng.uniform(30, 1500)),
                on_premises_sync_enabled=False,
                photo=photo,
                sharepoint=sharepoint,
            )
        )
    helpdesk = DemoGroup(
        id=str(uuid.uuid5(SYNTHETIC_NAMESPACE, "group-helpdesk")),
        display_name="Helpdesk",
        members=tuple(u.id for u in users[:1]),
    )
    return DemoTenant(
        id=str(uuid.uuid5(SYNTHETIC_NAMESPACE, "tenant")),
        name="Fabrikam (synthetic)",
        domain=domain,
        sharepoint_host="fabrikam.sharepoint.com",
        photo_update_source="cloud",
        users=tuple(users),
        groups=(helpdesk,),
        loaded_at=now,
    )
