"""Inbound authentication: validate the Bot Framework channel token on every request.

Why not botframework-connector's validator: it fetches keys with blocking `requests` on the event loop,
answers 500 for several bad tokens, and never refreshes keys on an unknown `kid` (see TESTING.md). PyJWT does
the cryptography and claim checks; this module only fetches the keys asynchronously and applies the Bot
Framework rules (issuer from the metadata document, audience = our app id, `serviceurl` = the activity's
serviceUrl, key endorsements contain the channel id).

The channel sends the same token with every activity until it nears expiry, so a token whose signature and
claims were verified is remembered (by its exact text, never a prefix or hash of it) until its `exp` + leeway
or the next key refresh, whichever comes first; the per-activity rules (endorsement of the channel, the
`serviceurl` claim) are still checked on every request. Only tokens that passed are remembered: a flood of
forged tokens costs a signature check each and fills nothing. Measured: the RS256 check was ~8 % of a turn.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import httpx
import jwt

log = logging.getLogger(__name__)

LEEWAY_S = 300  # Bot Framework's clock skew allowance
KEYS_TTL_S = 24 * 3600
MIN_REFRESH_INTERVAL_S = 30.0  # an unknown kid refreshes the keys at most this often
VERIFIED_CACHE_SIZE = 512  # verified tokens remembered (the channel uses a handful at a time)


class AuthError(Exception):
    """Any reason to answer 401. The message is for logs only (never echoes the token)."""


@dataclass(frozen=True, slots=True)
class VerifiedCaller:
    claims: dict[str, Any]
    app_id: str  # our bot's app id (the audience)
    anonymous: bool = False


@dataclass(frozen=True, slots=True)
class _SigningKey:
    key: Any
    endorsements: frozenset[str] | None


@dataclass(frozen=True, slots=True)
class _Verified:
    claims: dict[str, Any]
    endorsements: frozenset[str] | None
    valid_until: float  # time.time(): the token's exp + leeway (what PyJWT would still accept)


class ChannelTokenValidator:
    def __init__(self, metadata_url: str, app_id: str, http: httpx.AsyncClient) -> None:
        self.metadata_url = metadata_url
        self.app_id = app_id
        self.http = http
        self._keys: dict[str, _SigningKey] = {}
        self._issuer: str | None = None
        self._fetched_at = 0.0
        self._lock = asyncio.Lock()
        self.refreshes = 0
        self.min_refresh_interval_s = MIN_REFRESH_INTERVAL_S
        self._verified: OrderedDict[str, _Verified] = OrderedDict()
        self.signature_checks = 0  # tokens verified cryptographically (the rest came from `_verified`)

    async def validate(
        self, authorization: str | None, service_url: str | None, channel_id: str | None
    ) -> VerifiedCaller:
        if not authorization:
            raise AuthError("missing Authorization header")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token or len(token) > 16_384:
            raise AuthError("not a bearer token")
        verified = self._verified.get(token)
        if verified is not None and (time.time() >= verified.valid_until or self._keys_stale()):
            del self._verified[token]
            verified = None
        if verified is None:
            verified = await self._verify(token)
        if verified.endorsements is not None and (not channel_id or channel_id not in verified.endorsements):
            raise AuthError("channel not endorsed by the signing key")
        if not service_url or verified.claims.get("serviceurl") != service_url:
            raise AuthError("serviceurl claim does not match the activity")
        return VerifiedCaller(claims=dict(verified.claims), app_id=self.app_id)

    async def _verify(self, token: str) -> _Verified:
        """Signature, algorithm, issuer, audience, expiry: the checks that depend on the token alone."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise AuthError(f"malformed token: {type(exc).__name__}") from None
        if header.get("alg") != "RS256":
            raise AuthError("algorithm not allowed")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise AuthError("token has no kid")
        signing = await self._key(kid)
        assert self._issuer is not None
        try:
            claims = jwt.decode(
                token,
                signing.key,
                algorithms=["RS256"],
                audience=self.app_id,
                issuer=self._issuer,
                leeway=LEEWAY_S,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.PyJWTError as exc:
            raise AuthError(f"token rejected: {type(exc).__name__}") from None
        self.signature_checks += 1
        verified = _Verified(claims, signing.endorsements, float(claims["exp"]) + LEEWAY_S)
        self._verified[token] = verified
        while len(self._verified) > VERIFIED_CACHE_SIZE:
            self._verified.popitem(last=False)  # oldest first
        return verified

    def _keys_stale(self) -> bool:
        return time.monotonic() - self._fetched_at > KEYS_TTL_S

    async def _key(self, kid: str) -> _SigningKey:
        stale = self._keys_stale()
        if kid not in self._keys or stale:
            await self._refresh(force=stale or not self._keys)
        signing = self._keys.get(kid)
        if signing is None:
            raise AuthError("unknown signing key")
        return signing

    async def _refresh(self, *, force: bool) -> None:
        async with self._lock:
            if not force and time.monotonic() - self._fetched_at < self.min_refresh_interval_s:
                return
            try:
                meta = (await self.http.get(self.metadata_url, timeout=10)).raise_for_status().json()
                jwks = (await self.http.get(meta["jwks_uri"], timeout=10)).raise_for_status().json()
                keys: dict[str, _SigningKey] = {}
                for item in jwks.get("keys", []):
                    if item.get("kid") and item.get("kty") == "RSA":
                        endorsements = item.get("endorsements")
                        keys[item["kid"]] = _SigningKey(
                            jwt.PyJWK(item, algorithm="RS256").key,
                            frozenset(endorsements) if isinstance(endorsements, list) else None,
                        )
            except (httpx.HTTPError, ValueError, KeyError, TypeError, jwt.PyJWTError) as exc:
                log.error("could not fetch Bot Framework signing keys", extra={"reason": type(exc).__name__})
                self._fetched_at = time.monotonic()  # don't hammer the metadata endpoint
                if not self._keys:
                    raise AuthError("signing keys unavailable") from None
                return
            self._keys, self._issuer = keys, meta.get("issuer")
            self._verified.clear()  # a removed key or a new issuer: tokens are judged again
            self._fetched_at = time.monotonic()
            self.refreshes += 1
