"""Who a request names: the shapes a user id may take before it reaches Graph, the store or a log.

Graph addresses a user by object id (a GUID) or by user principal name. Anything else that arrives in card data
or in a message is refused at the edge, and both accepted forms are canonicalised (lower case) so one user
spelled four ways is still one user for the cooldown, the audit and the lock; a UPN is then resolved to the
object id through Graph before any of those see it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Entra ID: at most 64 characters before the @ and 48 after it (113 in all); a guest's UPN carries #EXT#.
MAX_UPN_LOCAL = 64
MAX_UPN_DOMAIN = 48
_GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_UPN_LOCAL = re.compile(r"[a-z0-9'._!#^~+-]+")
_DOMAIN = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z][a-z0-9-]*[a-z0-9]")


@dataclass(frozen=True, slots=True)
class UserRef:
    """A syntactically valid user reference, canonicalised: an object id, or a UPN still to be resolved."""

    value: str
    is_object_id: bool


def object_id(value: object) -> str | None:
    """`value` as a canonical Entra object id (lower-case GUID), or None when it is not one."""
    if not isinstance(value, str) or len(value) != 36:
        return None
    lowered = value.lower()
    return lowered if _GUID.fullmatch(lowered) else None


def user_ref(value: object) -> UserRef | None:
    """An object id or a UPN-shaped name (canonical lower case), or None for anything else."""
    oid = object_id(value)
    if oid is not None:
        return UserRef(oid, True)
    if not isinstance(value, str) or len(value) > MAX_UPN_LOCAL + 1 + MAX_UPN_DOMAIN:
        return None
    local, at, domain = value.strip().lower().rpartition("@")
    if not at or not local or len(local) > MAX_UPN_LOCAL or len(domain) > MAX_UPN_DOMAIN:
        return None
    if not _UPN_LOCAL.fullmatch(local) or not _DOMAIN.fullmatch(domain) or ".." in local:
        return None
    return UserRef(f"{local}@{domain}", False)


def audit_safe(value: object, limit: int = 64) -> str:
    """What an audit row or a log line may hold of an identifier from outside: the canonical form when it has
    one, else a bounded, printable stand-in (hostile input is still recorded, never stored raw)."""
    ref = user_ref(value)
    if ref is not None:
        return ref.value[:limit]
    text = value if isinstance(value, str) else type(value).__name__
    shown = "".join(c if " " < c < "\x7f" else "?" for c in text[: limit - 10])
    return f"invalid:{shown}"[:limit]
