"""Inbound authentication: validate the Bot Framework channel token on every request.

Why not botframework-connector's validator: it fetches keys with blocking `requests` on the event loop,
answers 500 for several bad tokens, and never refreshes keys on an unknown `kid`. PyJWT does the cryptography
and claim checks; this module only fetches the keys asynchronously and applies the Bot Framework rules (issuer
from the metadata document, audience = our app id, `serviceurl` = the activity's serviceUrl, key endorsements
contain the channel id).

Two steps, so that a forged request costs as little as possible: `verify_token` judges the bearer token alone
(signature, algorithm, issuer, audience, expiry) before the body is read; `check_activity` then applies the
rules that need the activity (endorsed channel, `serviceurl` claim).

The channel sends the same token with every activity until it nears expiry, so a token whose signature and
claims were verified is remembered (by its exact text, never a prefix or hash of it) until its `exp` + leeway
or until the key set changes, whichever comes first. Only tokens that passed are remembered: a flood of
forged tokens costs a signature check each and fills nothing.

Key refreshes: on schedule (daily), on an unknown `kid` (at most every `min_refresh_interval_s`), and after a
failed fetch with a growing backoff (`REFRESH_BACKOFF_S`), whether or not keys are loaded: a dead metadata
endpoint is never hammered, and a failed scheduled refresh is retried within minutes, not a day later.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt

from bot.clock import Clock, system_clock

log = logging.getLogger(__name__)

LEEWAY_S = 300  # Bot Framework's clock skew allowance
KEYS_TTL_S = 24 * 3600
MIN_REFRESH_INTERVAL_S = 30.0  # an unknown kid refreshes the keys at most this often
REFRESH_BACKOFF_S = (1.0, 5.0, 30.0, 120.0, 300.0)  # waits after 1, 2, 3, ... failed fetches in a row
VERIFIED_CACHE_SIZE = 512  # verified tokens remembered (the channel uses a handful at a time)
MAX_TOKEN_CHARS = 16_384


class AuthError(Exception):
    """Any reason to answer 401. The message is for logs only (never echoes the token)."""


@dataclass(frozen=True, slots=True)
class VerifiedCaller:
    claims: dict[str, Any]
    app_id: str  # our bot's app id (the audience)
    anonymous: bool = False


@dataclass(frozen=True, slots=True)
class VerifiedToken:
    """A token whose signature and claims passed; the activity's rules are still to be checked."""

    claims: dict[str, Any]
    endorsements: frozenset[str] | None
    valid_until: float  # POSIX seconds: the token's exp + leeway (what PyJWT would still accept)


@dataclass(frozen=True, slots=True)
class _SigningKey:
    key: Any = field(compare=False)
    endorsements: frozenset[str] | None
    fingerprint: tuple[Any, ...]  # what the JWKS said of the key: a changed key is a different key


class ChannelTokenValidator:
    def __init__(
        self,
        metadata_url: str,
        app_id: str,
        http: httpx.AsyncClient,
        clock: Clock = system_clock,
    ) -> None:
        self.metadata_url = metadata_url
        self.app_id = app_id
        self.http = http
        self.clock = clock
        self._keys: dict[str, _SigningKey] = {}
        self._issuer: str | None = None
        self._fetched_at: float | None = None  # last successful fetch
        self._retry_at = 0.0  # no fetch before this (backoff after failed fetches)
        self._failures = 0
        self._lock = asyncio.Lock()
        self.refreshes = 0  # successful fetches
        self.fetch_attempts = 0
        self.min_refresh_interval_s = MIN_REFRESH_INTERVAL_S
        self._verified: OrderedDict[str, VerifiedToken] = OrderedDict()
        self.signature_checks = 0  # tokens verified cryptographically (the rest came from `_verified`)

    def _now(self) -> float:
        return self.clock().timestamp()

    async def validate(
        self, authorization: str | None, service_url: str | None, channel_id: str | None
    ) -> VerifiedCaller:
        """Both steps at once (the token, then the activity's rules)."""
        return self.check_activity(await self.verify_token(authorization), service_url, channel_id)

    async def verify_token(self, authorization: str | None) -> VerifiedToken:
        """The token alone: signature, algorithm, issuer, audience, expiry (remembered once passed)."""
        if not authorization:
            raise AuthError("missing Authorization header")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token or len(token) > MAX_TOKEN_CHARS:
            raise AuthError("not a bearer token")
        if self._keys_stale():
            await (
                self._refresh()
            )  # on schedule; a changed key set forgets every verdict, an unchanged one keeps them
        verified = self._verified.get(token)
        if verified is not None and self._now() >= verified.valid_until:
            del self._verified[token]
            verified = None
        if verified is None:
            verified = await self._verify(token)
        return verified

    def check_activity(
        self, verified: VerifiedToken, service_url: str | None, channel_id: str | None
    ) -> VerifiedCaller:
        """The rules that tie a verified token to this activity."""
        if verified.endorsements is not None and (not channel_id or channel_id not in verified.endorsements):
            raise AuthError("channel not endorsed by the signing key")
        if not service_url or verified.claims.get("serviceurl") != service_url:
            raise AuthError("serviceurl claim does not match the activity")
        return VerifiedCaller(claims=dict(verified.claims), app_id=self.app_id)

    async def _signing_key(self, token: str) -> _SigningKey:
        """The published key that signed `token` (RS256 only, named by its `kid`), before anything is trusted."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise AuthError(f"malformed token: {type(exc).__name__}") from None
        if header.get("alg") != "RS256":
            raise AuthError("algorithm not allowed")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise AuthError("token has no kid")
        return await self._key(kid)

    def _decode(
        self, token: str, signing: _SigningKey, audience: str | list[str], issuer: Any, require: list[str]
    ) -> dict[str, Any]:
        """The token's claims once its signature, audience, issuer and required claims are right; `exp` and
        `nbf` against the injected clock (PyJWT would read the system clock)."""
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                signing.key,
                algorithms=["RS256"],
                audience=audience,
                issuer=issuer,
                options={"require": require, "verify_exp": False, "verify_nbf": False, "verify_iat": False},
            )
        except jwt.PyJWTError as exc:
            raise AuthError(f"token rejected: {type(exc).__name__}") from None
        self._check_times(claims)
        self.signature_checks += 1
        return claims

    async def _verify(self, token: str) -> VerifiedToken:
        signing = await self._signing_key(token)
        claims = self._decode(token, signing, self.app_id, self._issuer, ["exp", "iss", "aud"])
        verified = VerifiedToken(claims, signing.endorsements, float(claims["exp"]) + LEEWAY_S)
        self._verified[token] = verified
        while len(self._verified) > VERIFIED_CACHE_SIZE:
            self._verified.popitem(last=False)  # oldest first
        return verified

    def _check_times(self, claims: dict[str, Any]) -> None:
        """`exp` and `nbf` against the injected clock, with Bot Framework's leeway."""
        now = self._now()
        exp, nbf = claims.get("exp"), claims.get("nbf")
        if not isinstance(exp, int | float) or isinstance(exp, bool):
            raise AuthError("token rejected: DecodeError")
        if now >= exp + LEEWAY_S:
            raise AuthError("token rejected: ExpiredSignatureError")
        if nbf is not None:
            if not isinstance(nbf, int | float) or isinstance(nbf, bool):
                raise AuthError("token rejected: DecodeError")
            if now < nbf - LEEWAY_S:
                raise AuthError("token rejected: ImmatureSignatureError")

    def _keys_stale(self) -> bool:
        return self._fetched_at is None or self._now() - self._fetched_at > KEYS_TTL_S

    async def _key(self, kid: str) -> _SigningKey:
        if kid not in self._keys or self._keys_stale():
            await self._refresh()
        signing = self._keys.get(kid)
        if signing is None:
            raise AuthError("unknown signing key" if self._keys else "signing keys unavailable")
        return signing

    async def _refresh(self) -> None:
        async with self._lock:
            now = self._now()
            if now < self._retry_at:
                return  # backing off after failed fetches
            fetched = self._fetched_at
            if fetched is not None and not self._keys_stale() and now - fetched < self.min_refresh_interval_s:
                return  # an unknown kid refreshes the keys at most once per interval
            self.fetch_attempts += 1
            try:
                issuer, keys = await self._fetch()
            except (httpx.HTTPError, ValueError, KeyError, TypeError, jwt.PyJWTError) as exc:
                wait = REFRESH_BACKOFF_S[min(self._failures, len(REFRESH_BACKOFF_S) - 1)]
                self._failures += 1
                self._retry_at = now + wait
                log.error(
                    "could not fetch Bot Framework signing keys",
                    extra={"reason": type(exc).__name__, "retry_in_s": wait},
                )
                return
            if keys != self._keys or issuer != self._issuer:
                self._verified.clear()  # a removed or changed key, or a new issuer: tokens are judged again
            self._keys, self._issuer = keys, issuer
            self._fetched_at = now
            self._failures = 0
            self._retry_at = 0.0
            self.refreshes += 1

    async def _fetch(self) -> tuple[str, dict[str, _SigningKey]]:
        meta = (await self.http.get(self.metadata_url, timeout=10)).raise_for_status().json()
        issuer = meta["issuer"]
        if not isinstance(issuer, str) or not issuer:
            raise ValueError("metadata has no issuer")
        jwks = (await self.http.get(meta["jwks_uri"], timeout=10)).raise_for_status().json()
        keys: dict[str, _SigningKey] = {}
        for item in jwks.get("keys", []):
            if item.get("kid") and item.get("kty") == "RSA":
                endorsements = item.get("endorsements")
                keys[item["kid"]] = _SigningKey(
                    jwt.PyJWK(item, algorithm="RS256").key,
                    frozenset(endorsements) if isinstance(endorsements, list) else None,
                    (item.get("n"), item.get("e"), tuple(endorsements or ())),
                )
        return issuer, keys
