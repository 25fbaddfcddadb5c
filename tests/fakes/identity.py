"""Loopback fake of the two identity services a Teams bot talks to.

One `IdentityServer` (aiohttp app on its own loop in a background thread, see `threaded.py`) plays:

a) the **Bot Framework channel identity** (what `login.botframework.com` serves): the OpenID metadata
   document `/.well-known/openidconfiguration` (also under `/v1/...`) and the JWKS `/keys` with test RSA keys
   carrying `endorsements`. `mint()` makes real RS256 channel tokens; `mint_attack()` makes the forged or
   broken variants listed in `ATTACKS` for an inbound-auth attack table.

b) the **Entra ID (Azure AD) token endpoint** for app-only (client credentials) flows, as msal uses it:
   tenant discovery `/{tenant}/v2.0/.well-known/openid-configuration` (it advertises the real
   `https://login.microsoftonline.com/...` endpoints, because msal insists on https), the token endpoint
   `POST /{tenant}/oauth2/v2.0/token` (client secret or certificate assertion), instance discovery
   `/common/discovery/instance` and the tenant JWKS. Access tokens are RS256 JWTs (v1 shape, like the tokens
   Entra issues for Bot Framework and Graph) signed by a separate Entra key; `validate_access_token()` lets a
   resource fake (connector, Graph, SharePoint) check them without any HTTP.

c) **Teams SSO**: `mint_user_token()` makes a user's Entra token for an app (what Teams hands the bot), the
   token endpoint serves msal's on-behalf-of grant for it (with consent, MFA, expiry and tenant faults), and
   `sso_metadata_url()` is the tenant's OpenID document with a loopback JWKS.

`MsalLoopbackSession` is the `requests.Session` to pass to msal as `http_client`: it rewrites
`https://login.microsoftonline.com/...` (and the other public Entra login hosts) to this fake and refuses
every URL that is not a loopback IP literal, before any DNS lookup or connection.

Pitfalls this fake is careful about:
- Tokens whose `iss` is an Entra issuer of the Bot Framework tenant (`https://sts.windows.net/d6d49420-.../`)
  or that carry `ver` plus an `appid` different from `aud` send botframework-connector down its *emulator* or
  *skill* path, which fetches metadata from the real login.microsoftonline.com. No attack variant here does
  that; don't replay the bot's own outbound access tokens at its inbound endpoint in tests.
- Counters, the key store and the app registry sit behind one lock, so snapshots work from any thread, also
  after the server stopped.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import jwt
import requests
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from jwt.algorithms import RSAAlgorithm

from .threaded import ThreadedServer

BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"
BOT_FRAMEWORK_SCOPE = "https://api.botframework.com/.default"
# Public, documented tenant id of "botframework.com" (it appears in botframework-connector's issuer lists).
BOT_FRAMEWORK_TENANT_ID = "d6d49420-f39b-4df7-a1dc-d59a935871db"
LOGIN_HOST = "login.microsoftonline.com"
# Hosts msal may use for the public cloud (its WELL_KNOWN_AUTHORITY_HOSTS, public-cloud part).
ENTRA_LOGIN_HOSTS = (
    "login.microsoftonline.com",
    "login.microsoft.com",
    "login.windows.net",
    "sts.windows.net",
)
_MULTI_TENANT_ALIASES = frozenset({"common", "organizations", "consumers"})
_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
OBO_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
TEAMS_CLIENT_ID = (
    "1fec8e78-bce4-4aaf-ab1b-5451cc387264"  # Teams' desktop/mobile client (Microsoft's documented id)
)
_RESERVED_SCOPES = frozenset({"openid", "profile", "offline_access"})

# name -> the check that must reject it. Every variant keeps the other claims valid, so exactly one check
# fails.
ATTACKS: dict[str, str] = {
    "expired": "exp is an hour in the past (beyond the 300 s leeway)",
    "not_yet_valid": "nbf is an hour in the future (beyond the 300 s leeway)",
    "wrong_audience": "aud is https://api.botframework.com (a channel-scoped audience), not the bot's app id",
    "other_bot": "correctly signed token for another bot's app id",
    "wrong_issuer": "iss is not https://api.botframework.com (and is no emulator/Entra issuer either)",
    "serviceurl_mismatch": "serviceurl claim names another service than the activity's serviceUrl",
    "serviceurl_trailing_slash": (
        "serviceurl claim differs from the activity's serviceUrl only by the trailing /"
    ),
    "missing_serviceurl": "no serviceurl claim at all",
    "unknown_kid": "kid not in the JWKS (signed by a key the channel never published)",
    "bad_signature": "signed by another RSA key but carrying the real kid",
    "alg_none": "alg=none with an empty signature",
    "hs256_with_public_key": "HS256, HMAC-keyed with the PEM of the real public key (algorithm confusion)",
    "garbage": "not a JWT at all",
    "unendorsed": "signed by a published key whose endorsements do not include msteams",
}


class LoopbackViolation(RuntimeError):
    """A fake's client tried to reach something that is not a loopback IP literal."""


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _json_b64(obj: Mapping[str, Any]) -> str:
    return b64url(json.dumps(obj, separators=(",", ":")).encode())


def require_loopback(url: str) -> None:
    """Raise LoopbackViolation unless `url`'s host is a loopback IP literal (no name is ever resolved)."""
    host = urlsplit(url).hostname
    try:
        ok = host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        ok = False
    if not ok:
        raise LoopbackViolation(f"refusing non-loopback URL {url!r} (only 127.0.0.0/8 and ::1 literals)")


def _new_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass(frozen=True)
class SelfSignedCertificate:
    """A self-signed certificate + key, in the shapes msal's certificate credential wants."""

    private_key_pem: str
    certificate_pem: str
    thumbprint: str  # SHA-1, hex upper case (what the Azure portal shows)
    sha256_thumbprint: str  # hex lower case

    def msal_credential(self, *, sha256: bool = False) -> dict[str, str]:
        """SHA-1 form `{"private_key", "thumbprint"}` (RS256 + x5t), or with sha256=True the
        `{"private_key", "public_certificate"}` form (PS256 + x5t#S256 + x5c)."""
        if sha256:
            return {"private_key": self.private_key_pem, "public_certificate": self.certificate_pem}
        return {"private_key": self.private_key_pem, "thumbprint": self.thumbprint}

    @property
    def public_key(self) -> Any:
        return x509.load_pem_x509_certificate(self.certificate_pem.encode()).public_key()


def make_certificate(common_name: str = "photosync-test") -> SelfSignedCertificate:
    key = _new_rsa_key()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    return SelfSignedCertificate(
        private_key_pem=key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode(),
        certificate_pem=cert.public_bytes(serialization.Encoding.PEM).decode(),
        thumbprint=cert.fingerprint(hashes.SHA1()).hex().upper(),  # noqa: S303 - x5t is SHA-1 by definition
        sha256_thumbprint=cert.fingerprint(hashes.SHA256()).hex(),
    )


@dataclass
class _SigningKey:
    kid: str
    private_key: rsa.RSAPrivateKey
    endorsements: tuple[str, ...] | None
    published: bool = True

    def jwk(self) -> dict[str, Any]:
        key = RSAAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        key.update({"kid": self.kid, "use": "sig"})
        if self.endorsements is not None:
            key["endorsements"] = list(self.endorsements)
        return key

    def public_pem(self) -> bytes:
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )


@dataclass
class FakeApp:
    """An Entra app registration (+ its service principals) as the fake token endpoint knows it."""

    client_id: str
    secrets: set[str] = field(default_factory=set)
    # x5t (b64url SHA-1) and x5t#S256 (b64url SHA-256) -> public key
    cert_keys: dict[str, Any] = field(default_factory=dict)
    tenants: set[str] | None = None  # tenant ids with a service principal; None = every tenant
    roles: dict[str, list[str]] = field(default_factory=dict)  # resource -> app roles granted
    object_id: str = ""
    # on-behalf-of: resources users consented to (None: every resource) and whether Entra wants the user back
    # (MFA / conditional access: interaction_required)
    consented: set[str] | None = None
    interaction_required: bool = False


@dataclass(frozen=True)
class TokenRequest:
    """One request to the fake token endpoint, as recorded (all requests, also failed ones)."""

    tenant: str
    client_id: str
    scope: str
    auth: str  # "secret", "certificate", "none" or "both"
    status: int
    error_code: int | None
    headers: dict[str, str]


@dataclass
class _TokenFault:
    status: int
    times: int | None
    headers: dict[str, str]
    body: Any


def _aad_error(status: int, error: str, code: int, message: str, *, suberror: str = "") -> web.Response:
    """An error in the shape Entra ID answers (error, error_description with AADSTS code, error_codes...)."""
    trace_id, correlation_id = str(uuid.uuid4()), str(uuid.uuid4())
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%SZ")
    body = {
        "error": error,
        "error_description": (
            f"AADSTS{code}: {message}\r\nTrace ID: {trace_id}\r\nCorrelation ID: {correlation_id}"
            f"\r\nTimestamp: {stamp}"
        ),
        "error_codes": [code],
        "timestamp": stamp,
        "trace_id": trace_id,
        "correlation_id": correlation_id,
        "error_uri": f"https://{LOGIN_HOST}/error?code={code}",
    }
    if suberror:
        body["suberror"] = suberror
    return web.json_response(body, status=status)


class IdentityServer:
    """Fake Bot Framework channel identity + Entra ID token endpoint on 127.0.0.1 (see module docstring).

    Use as a context manager or call start()/stop(). `url` has no trailing slash.
    """

    def __init__(
        self,
        *,
        access_token_lifetime: int = 3600,
        channel_token_lifetime: int = 3600,
        endorsements: Iterable[str] = ("msteams",),
    ) -> None:
        self.access_token_lifetime = access_token_lifetime
        self.channel_token_lifetime = channel_token_lifetime
        self._lock = threading.RLock()
        self._keys: dict[str, _SigningKey] = {}
        self.kid = self.add_key(endorsements=endorsements)
        self.unendorsed_kid = self.add_key(endorsements=("webchat", "directline"))
        self._signing_kid = self.kid
        self._attacker_key = _new_rsa_key()  # never published
        self._entra_key = _SigningKey(f"entra-{uuid.uuid4().hex[:12]}", _new_rsa_key(), None)
        self._tenants: dict[str, str] = {"botframework.com": BOT_FRAMEWORK_TENANT_ID}
        self._apps: dict[str, FakeApp] = {}
        self._hits: Counter[str] = Counter()
        self._token_counts: Counter[tuple[str, str]] = Counter()
        self._token_log: list[TokenRequest] = []
        self._token_faults: list[_TokenFault] = []
        self._server = ThreadedServer(self._make_app)

    # ----------------------------------------------------------------- lifecycle
    def start(self) -> IdentityServer:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> IdentityServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return self._server.url

    @property
    def openid_metadata_url(self) -> str:
        """For `ChannelValidation.open_id_metadata_endpoint` / TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL."""
        return f"{self.url}/.well-known/openidconfiguration"

    @property
    def jwks_url(self) -> str:
        return f"{self.url}/keys"

    # ----------------------------------------------------------------- counters
    @property
    def metadata_requests(self) -> int:
        with self._lock:
            return self._hits["bf_metadata"]

    @property
    def keys_requests(self) -> int:
        with self._lock:
            return self._hits["bf_keys"]

    def hits(self) -> dict[str, int]:
        """Request counters: bf_metadata, bf_keys, tenant_discovery, instance_discovery, entra_keys, token."""
        with self._lock:
            return dict(self._hits)

    def token_requests(self, client_id: str | None = None, scope: str | None = None) -> int:
        """Token-endpoint requests (failed ones included), optionally for one client and/or scope."""
        with self._lock:
            return sum(
                n
                for (cid, sc), n in self._token_counts.items()
                if (client_id is None or cid == client_id) and (scope is None or sc == scope)
            )

    def token_request_counts(self) -> dict[tuple[str, str], int]:
        with self._lock:
            return dict(self._token_counts)

    def token_log(self) -> list[TokenRequest]:
        with self._lock:
            return list(self._token_log)

    def reset_counters(self) -> None:
        with self._lock:
            self._hits.clear()
            self._token_counts.clear()
            self._token_log.clear()

    # ----------------------------------------------------------------- Bot Framework channel keys/tokens
    def add_key(self, *, endorsements: Iterable[str] | None = ("msteams",), publish: bool = True) -> str:
        """Add an RSA signing key to the channel JWKS (for rotation tests); returns its kid."""
        kid = f"bf-{uuid.uuid4().hex[:16]}"
        key = _SigningKey(kid, _new_rsa_key(), None if endorsements is None else tuple(endorsements), publish)
        with self._lock:
            self._keys[kid] = key
        return kid

    def publish_key(self, kid: str, published: bool = True) -> None:
        with self._lock:
            self._keys[kid].published = published

    def use_key(self, kid: str) -> None:
        """Make `kid` the key `mint()` signs with by default (rotation)."""
        with self._lock:
            if kid not in self._keys:
                raise KeyError(kid)
            self._signing_kid = kid

    def public_key_pem(self, kid: str | None = None) -> bytes:
        """PEM (SubjectPublicKeyInfo) of a channel key (default: the current signing key)."""
        return self._key(kid).public_pem()

    def jwks(self) -> dict[str, Any]:
        with self._lock:
            return {"keys": [k.jwk() for k in self._keys.values() if k.published]}

    def _key(self, kid: str | None) -> _SigningKey:
        with self._lock:
            return self._keys[kid or self._signing_kid]

    def channel_claims(self, aud: str, service_url: str, /, **overrides: Any) -> dict[str, Any]:
        """Valid channel claims; `overrides` replace claims (`aud` too), a value of None removes that claim."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "serviceurl": service_url,
            "nbf": now,
            "iat": now,
            "exp": now + self.channel_token_lifetime,
            "iss": BOT_FRAMEWORK_ISSUER,
            "aud": aud,
        }
        for name, value in overrides.items():
            if value is None:
                claims.pop(name, None)
            else:
                claims[name] = value
        return claims

    def mint(self, aud: str, service_url: str, *, kid: str | None = None, **overrides: Any) -> str:
        """A channel token as Teams sends it to the bot: RS256, `kid` header, iss/aud/serviceurl/nbf/exp/iat.

        `overrides` replace claims; a value of None removes that claim. `kid` picks the signing key.
        """
        key = self._key(kid)
        claims = self.channel_claims(aud, service_url, **overrides)
        return jwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": key.kid, "typ": "JWT"})

    def mint_attack(self, name: str, aud: str, service_url: str) -> str:
        """A token a correct validator for (aud, service_url, channel msteams) must reject; see ATTACKS."""
        now = int(time.time())
        if name == "expired":
            return self.mint(aud, service_url, iat=now - 7200, nbf=now - 7200, exp=now - 3600)
        if name == "not_yet_valid":
            return self.mint(aud, service_url, iat=now + 3600, nbf=now + 3600, exp=now + 7200)
        if name == "wrong_audience":
            return self.mint(BOT_FRAMEWORK_ISSUER, service_url)
        if name == "other_bot":
            return self.mint(str(uuid.uuid5(uuid.NAMESPACE_URL, f"other-bot:{aud}")), service_url)
        if name == "wrong_issuer":
            return self.mint(aud, service_url, iss="https://api.botframework.com.evil.invalid")
        if name == "serviceurl_mismatch":
            return self.mint(aud, service_url, serviceurl="https://smba.evil.invalid/amer/")
        if name == "serviceurl_trailing_slash":
            other = service_url[:-1] if service_url.endswith("/") else service_url + "/"
            return self.mint(aud, service_url, serviceurl=other)
        if name == "missing_serviceurl":
            return self.mint(aud, service_url, serviceurl=None)
        if name == "unknown_kid":
            return jwt.encode(
                self.channel_claims(aud, service_url),
                self._attacker_key,
                algorithm="RS256",
                headers={"kid": f"unknown-{uuid.uuid4().hex[:8]}", "typ": "JWT"},
            )
        if name == "bad_signature":
            return jwt.encode(
                self.channel_claims(aud, service_url),
                self._attacker_key,
                algorithm="RS256",
                headers={"kid": self._signing_kid, "typ": "JWT"},
            )
        if name == "alg_none":
            head = _json_b64({"alg": "none", "typ": "JWT", "kid": self._signing_kid})
            return f"{head}.{_json_b64(self.channel_claims(aud, service_url))}."
        if name == "hs256_with_public_key":
            # PyJWT refuses to HMAC with a PEM key, so sign by hand: the classic RS256/HS256 confusion.
            head = _json_b64({"alg": "HS256", "typ": "JWT", "kid": self._signing_kid})
            signing_input = f"{head}.{_json_b64(self.channel_claims(aud, service_url))}"
            mac = hmac.new(self.public_key_pem(), signing_input.encode(), hashlib.sha256).digest()
            return f"{signing_input}.{b64url(mac)}"
        if name == "garbage":
            return "not-a-jwt"
        if name == "unendorsed":
            return self.mint(aud, service_url, kid=self.unendorsed_kid)
        raise KeyError(f"unknown attack {name!r}; known: {', '.join(ATTACKS)}")

    # ----------------------------------------------------------------- Entra apps and tokens
    def register_tenant(self, domain: str, tenant_id: str) -> None:
        with self._lock:
            self._tenants[domain.lower()] = tenant_id

    def resolve_tenant(self, tenant: str) -> str | None:
        """Tenant id for a GUID, a registered domain, or None (unknown domain / multi-tenant alias)."""
        try:
            return str(uuid.UUID(tenant))
        except ValueError:
            with self._lock:
                return self._tenants.get(tenant.lower())

    def register_app(
        self,
        client_id: str,
        *,
        secret: str | None = None,
        certificate: SelfSignedCertificate | None = None,
        tenants: Iterable[str] | None = None,
        roles: Mapping[str, Iterable[str]] | None = None,
    ) -> FakeApp:
        """Register (or extend) an app: a secret and/or a certificate; `tenants` (ids or registered domains)
        limits where it has a service principal; `roles` maps resource (e.g. https://graph.microsoft.com)
        to the application permissions put in the token's `roles` claim."""
        with self._lock:
            app = self._apps.get(client_id) or FakeApp(
                client_id, object_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"sp:{client_id}"))
            )
            self._apps[client_id] = app
            if secret is not None:
                app.secrets.add(secret)
            if certificate is not None:
                der = x509.load_pem_x509_certificate(certificate.certificate_pem.encode()).public_bytes(
                    serialization.Encoding.DER
                )
                app.cert_keys[b64url(hashlib.sha1(der).digest())] = certificate.public_key  # noqa: S324
                app.cert_keys[b64url(hashlib.sha256(der).digest())] = certificate.public_key
            if tenants is not None:
                resolved = {self.resolve_tenant(t) or t for t in tenants}
                app.tenants = (app.tenants or set()) | resolved
            if roles is not None:
                for resource, granted in roles.items():
                    app.roles[resource] = list(granted)
            return app

    def fail_token_requests(
        self,
        status: int,
        *,
        times: int | None = 1,
        headers: Mapping[str, str] | None = None,
        body: Any = None,
    ) -> None:
        """Answer the next `times` token requests (None: all) with `status` (AADSTS-style body unless given).
        Note msal caches 429/5xx+Retry-After and 400 answers of the token endpoint for a while."""
        with self._lock:
            self._token_faults.append(_TokenFault(status, times, dict(headers or {}), body))

    def clear_token_faults(self) -> None:
        with self._lock:
            self._token_faults.clear()

    def issue_access_token(
        self,
        client_id: str,
        resource: str,
        *,
        tenant_id: str = BOT_FRAMEWORK_TENANT_ID,
        roles: Iterable[str] = (),
        appidacr: str = "1",
        lifetime: int | None = None,
        **overrides: Any,
    ) -> str:
        """An app-only access token (v1 shape) as the token endpoint would issue it; for tests that need one
        without going through msal. `overrides` replace claims (None removes one)."""
        now = int(time.time())
        oid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"sp:{client_id}"))
        claims: dict[str, Any] = {
            "aud": resource,
            "iss": f"https://sts.windows.net/{tenant_id}/",
            "iat": now,
            "nbf": now,
            "exp": now + (lifetime if lifetime is not None else self.access_token_lifetime),
            "appid": client_id,
            "appidacr": appidacr,
            "idp": f"https://sts.windows.net/{tenant_id}/",
            "idtyp": "app",
            "oid": oid,
            "sub": oid,
            "tid": tenant_id,
            "uti": uuid.uuid4().hex[:22],
            "ver": "1.0",
        }
        granted = list(roles)
        if granted:
            claims["roles"] = granted
        for name, value in overrides.items():
            if value is None:
                claims.pop(name, None)
            else:
                claims[name] = value
        key = self._entra_key
        return jwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": key.kid, "typ": "JWT"})

    def validate_access_token(
        self,
        token: str,
        *,
        audience: str | Iterable[str] | None = None,
        tenant: str | None = None,
    ) -> dict[str, Any] | None:
        """Claims of an access token issued by this fake, or None if it is not one (signature, kid, alg, exp,
        nbf, issuer/tid consistency; `audience` and `tenant` when given). Pure, thread-safe, no I/O."""
        try:
            header = jwt.get_unverified_header(token)
            if header.get("kid") != self._entra_key.kid or header.get("alg") != "RS256":
                return None
            claims = jwt.decode(
                token,
                self._entra_key.private_key.public_key(),
                algorithms=["RS256"],
                audience=audience if audience is None or isinstance(audience, str) else list(audience),
                options={
                    "verify_aud": audience is not None,
                    "require": ["exp", "nbf", "iat", "iss", "aud", "tid", "appid"],
                },
            )
        except jwt.PyJWTError:
            return None
        if claims["iss"] != f"https://sts.windows.net/{claims['tid']}/":
            return None
        if tenant is not None and claims["tid"] != (self.resolve_tenant(tenant) or tenant):
            return None
        return claims

    # ----------------------------------------------------------------- users' delegated tokens (Teams SSO, OBO)
    def mint_user_token(
        self,
        aud: str,
        tenant_id: str,
        oid: str,
        /,
        *,
        upn: str = "",
        scp: str = "access_as_user",
        lifetime: int = 3600,
        now: float | None = None,
        forged: bool = False,
        **overrides: Any,
    ) -> str:
        """A user's Entra access token for an app, as Teams gets it for SSO (v2 shape): RS256 by the Entra key,
        `aud` (the app's api:// URI or client id), `tid`, `oid`, `scp`. `now` (POSIX seconds, default real
        time) sets iat/nbf/exp; `forged` signs with a key Entra never published but keeps the real kid;
        `overrides` replace claims (None removes one)."""
        issued = int(time.time() if now is None else now)
        claims: dict[str, Any] = {
            "aud": aud,
            "iss": f"https://{LOGIN_HOST}/{tenant_id}/v2.0",
            "iat": issued,
            "nbf": issued,
            "exp": issued + lifetime,
            "azp": TEAMS_CLIENT_ID,
            "azpacr": "0",
            "name": upn or oid,
            "oid": oid,
            "preferred_username": upn,
            "scp": scp,
            "sub": b64url(hashlib.sha256(f"{oid}:{aud}".encode()).digest())[:43],
            "tid": tenant_id,
            "uti": uuid.uuid4().hex[:22],
            "ver": "2.0",
        }
        for name, value in overrides.items():
            if value is None:
                claims.pop(name, None)
            else:
                claims[name] = value
        key = self._attacker_key if forged else self._entra_key.private_key
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": self._entra_key.kid, "typ": "JWT"})

    def sso_metadata_url(self, tenant: str) -> str:
        """The tenant's v2.0 OpenID document with a loopback `jwks_uri` (for a validator that fetches the keys
        itself; msal's document advertises the public https endpoints)."""
        return f"{self.url}/loopback/{tenant}/v2.0/.well-known/openid-configuration"

    def set_consent(self, client_id: str, resources: Iterable[str] | None) -> None:
        """Which resources users consented to for `client_id`'s on-behalf-of requests (None: all)."""
        with self._lock:
            self._apps[client_id].consented = None if resources is None else set(resources)

    def require_interaction(self, client_id: str, required: bool = True) -> None:
        """Answer `client_id`'s on-behalf-of requests with interaction_required (MFA / conditional access)."""
        with self._lock:
            self._apps[client_id].interaction_required = required

    # ----------------------------------------------------------------- msal helpers
    @staticmethod
    def authority(tenant: str = "botframework.com") -> str:
        """The msal authority URL (public https form; MsalLoopbackSession routes it here)."""
        return f"https://{LOGIN_HOST}/{tenant}"

    def msal_session(self) -> MsalLoopbackSession:
        return MsalLoopbackSession(self.url)

    # ----------------------------------------------------------------- HTTP app
    def _hit(self, name: str) -> None:
        with self._lock:
            self._hits[name] += 1

    def _make_app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/.well-known/openidconfiguration", self._bf_metadata)
        app.router.add_get("/v1/.well-known/openidconfiguration", self._bf_metadata)
        app.router.add_get("/keys", self._bf_keys)
        app.router.add_get("/v1/.well-known/keys", self._bf_keys)
        app.router.add_get("/common/discovery/instance", self._instance_discovery)
        app.router.add_get("/{tenant}/v2.0/.well-known/openid-configuration", self._tenant_discovery_v2)
        app.router.add_get(
            "/loopback/{tenant}/v2.0/.well-known/openid-configuration", self._tenant_discovery_loopback
        )
        app.router.add_get("/{tenant}/.well-known/openid-configuration", self._tenant_discovery_v1)
        app.router.add_get("/{tenant}/discovery/v2.0/keys", self._entra_keys)
        app.router.add_get("/{tenant}/discovery/keys", self._entra_keys)
        app.router.add_post("/{tenant}/oauth2/v2.0/token", self._token)
        app.router.add_post("/{tenant}/oauth2/token", self._token)
        return app

    async def _bf_metadata(self, request: web.Request) -> web.Response:
        self._hit("bf_metadata")
        return web.json_response(
            {
                "issuer": BOT_FRAMEWORK_ISSUER,
                "authorization_endpoint": "https://invalid.botframework.com",
                "jwks_uri": self.jwks_url,
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            }
        )

    async def _bf_keys(self, request: web.Request) -> web.Response:
        self._hit("bf_keys")
        return web.json_response(self.jwks())

    async def _entra_keys(self, request: web.Request) -> web.Response:
        self._hit("entra_keys")
        return web.json_response({"keys": [self._entra_key.jwk()]})

    async def _instance_discovery(self, request: web.Request) -> web.Response:
        self._hit("instance_discovery")
        auth_endpoint = request.query.get("authorization_endpoint", f"https://{LOGIN_HOST}/common/")
        parts = urlsplit(auth_endpoint)
        tenant = (parts.path.strip("/").split("/") or ["common"])[0] or "common"
        if parts.hostname not in ENTRA_LOGIN_HOSTS:
            return _aad_error(400, "invalid_instance", 50049, "Unknown or invalid instance.")
        aliases = list(ENTRA_LOGIN_HOSTS)
        return web.json_response(
            {
                "tenant_discovery_endpoint": f"https://{LOGIN_HOST}/{tenant}/v2.0/.well-known/openid-configuration",
                "api-version": request.query.get("api-version", "1.1"),
                "metadata": [
                    {
                        "preferred_network": LOGIN_HOST,
                        "preferred_cache": "login.windows.net",
                        "aliases": aliases,
                    }
                ],
            }
        )

    def _discovery_tenant(self, tenant: str) -> str | None:
        if tenant.lower() in _MULTI_TENANT_ALIASES:
            return tenant.lower()
        return self.resolve_tenant(tenant)

    async def _tenant_discovery_v2(self, request: web.Request) -> web.Response:
        self._hit("tenant_discovery")
        tenant = self._discovery_tenant(request.match_info["tenant"])
        if tenant is None:
            return _tenant_not_found(request.match_info["tenant"])
        base = f"https://{LOGIN_HOST}/{tenant}"
        issuer_tid = "{tenantid}" if tenant in _MULTI_TENANT_ALIASES else tenant
        return web.json_response(
            {
                "token_endpoint": f"{base}/oauth2/v2.0/token",
                "token_endpoint_auth_methods_supported": [
                    "client_secret_post",
                    "private_key_jwt",
                    "client_secret_basic",
                ],
                "jwks_uri": f"{base}/discovery/v2.0/keys",
                "response_modes_supported": ["query", "fragment", "form_post"],
                "subject_types_supported": ["pairwise"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
                "scopes_supported": ["openid", "profile", "email", "offline_access"],
                "issuer": f"https://{LOGIN_HOST}/{issuer_tid}/v2.0",
                "request_uri_parameter_supported": False,
                "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
                "end_session_endpoint": f"{base}/oauth2/v2.0/logout",
                "tenant_region_scope": "EU",
                "cloud_instance_name": "microsoftonline.com",
                "cloud_graph_host_name": "graph.windows.net",
                "msgraph_host": "graph.microsoft.com",
            }
        )

    async def _tenant_discovery_loopback(self, request: web.Request) -> web.Response:
        self._hit("sso_discovery")
        tenant = self.resolve_tenant(request.match_info["tenant"])
        if tenant is None:
            return _tenant_not_found(request.match_info["tenant"])
        return web.json_response(
            {
                "issuer": f"https://{LOGIN_HOST}/{tenant}/v2.0",
                "jwks_uri": f"{self.url}/{tenant}/discovery/v2.0/keys",
                "token_endpoint": f"https://{LOGIN_HOST}/{tenant}/oauth2/v2.0/token",
                "id_token_signing_alg_values_supported": ["RS256"],
            }
        )

    async def _tenant_discovery_v1(self, request: web.Request) -> web.Response:
        self._hit("tenant_discovery")
        tenant = self._discovery_tenant(request.match_info["tenant"])
        if tenant is None:
            return _tenant_not_found(request.match_info["tenant"])
        base = f"https://{LOGIN_HOST}/{tenant}"
        issuer_tid = "{tenantid}" if tenant in _MULTI_TENANT_ALIASES else tenant
        return web.json_response(
            {
                "token_endpoint": f"{base}/oauth2/token",
                "jwks_uri": f"https://{LOGIN_HOST}/common/discovery/keys",
                "issuer": f"https://sts.windows.net/{issuer_tid}/",
                "authorization_endpoint": f"{base}/oauth2/authorize",
                "id_token_signing_alg_values_supported": ["RS256"],
            }
        )

    async def _token(self, request: web.Request) -> web.Response:
        self._hit("token")
        form = await request.post()
        path_tenant = request.match_info["tenant"]
        client_id = str(form.get("client_id", ""))
        scope = str(form.get("scope", ""))
        has_secret = bool(form.get("client_secret"))
        has_assertion = bool(form.get("client_assertion"))
        auth = {(True, False): "secret", (False, True): "certificate", (True, True): "both"}.get(
            (has_secret, has_assertion), "none"
        )
        with self._lock:
            self._token_counts[(client_id, scope)] += 1
            fault = next((f for f in self._token_faults if f.times is None or f.times > 0), None)
            if fault is not None and fault.times is not None:
                fault.times -= 1
        if fault is not None:
            if fault.body is None:
                response = _aad_error(
                    fault.status,
                    "temporarily_unavailable",
                    90033,
                    "A transient error has occurred (injected).",
                )
            else:
                response = web.json_response(fault.body, status=fault.status)
            response.headers.update(fault.headers)
        else:
            response = self._issue(request, form, path_tenant, client_id, scope, has_secret, has_assertion)
        error_code = None
        if response.status >= 400 and response.body:
            try:
                error_code = (json.loads(response.body).get("error_codes") or [None])[0]  # type: ignore[arg-type]
            except (ValueError, AttributeError, TypeError):
                error_code = None
        entry = TokenRequest(
            path_tenant, client_id, scope, auth, response.status, error_code, dict(request.headers.items())
        )
        with self._lock:
            self._token_log.append(entry)
        return response

    def _issue(
        self,
        request: web.Request,
        form: Mapping[str, Any],
        path_tenant: str,
        client_id: str,
        scope: str,
        has_secret: bool,
        has_assertion: bool,
    ) -> web.Response:
        grant_type = form.get("grant_type")
        if grant_type == OBO_GRANT and form.get("requested_token_use") == "on_behalf_of":
            return self._issue_on_behalf_of(form, path_tenant, client_id, scope)
        if grant_type != "client_credentials":
            return _aad_error(
                400,
                "unsupported_grant_type",
                70003,
                f"The app requested an unsupported grant type '{grant_type}'.",
            )
        if not client_id:
            return _aad_error(
                400,
                "invalid_request",
                900144,
                "The request body must contain the following parameter: 'client_id'.",
            )
        if path_tenant.lower() in _MULTI_TENANT_ALIASES:
            # Real Entra guesses a tenant here (tokens with the wrong tid); MSAL .NET/JS refuse it.
            return _aad_error(
                400,
                "invalid_request",
                50059,
                "No tenant-identifying information found in either the request or implied by any provided "
                "credentials. (fake: client credentials need a tenant-specific authority)",
            )
        tenant_id = self.resolve_tenant(path_tenant)
        if tenant_id is None:
            return _aad_error(
                400,
                "invalid_request",
                90002,
                f"Tenant '{path_tenant}' not found. Check to make sure you have "
                "the correct tenant ID and are signing into the correct cloud.",
            )
        scopes = scope.split()
        if len(scopes) != 1 or not scopes[0].endswith("/.default"):
            return _aad_error(
                400,
                "invalid_scope",
                1002012,
                f"The provided value for scope {scope} is not valid. Client credential flows must have a "
                "scope value with /.default suffixed to the resource identifier (application ID URI).",
            )
        resource = scopes[0][: -len("/.default")]
        with self._lock:
            app = self._apps.get(client_id)
        if app is None or (app.tenants is not None and tenant_id not in app.tenants):
            return _aad_error(
                400,
                "unauthorized_client",
                700016,
                f"Application with identifier '{client_id}' was not found in the directory '{path_tenant}'. "
                "This can happen if the application has not been installed by the administrator of the "
                "tenant or consented to by any user in the tenant.",
            )
        if has_secret and has_assertion:
            return _aad_error(
                400, "invalid_request", 50027, "Only one client credential (secret or assertion) may be sent."
            )
        if has_secret:
            if str(form["client_secret"]) not in app.secrets:
                return _aad_error(
                    401,
                    "invalid_client",
                    7000215,
                    "Invalid client secret provided. Ensure the secret being sent in the request is the "
                    "client secret value, not the client secret ID, for a secret added to app "
                    f"'{client_id}'.",
                )
            appidacr = "1"
        elif has_assertion:
            problem = self._check_assertion(form, app, path_tenant)
            if problem is not None:
                return problem
            appidacr = "2"
        else:
            return _aad_error(
                401,
                "invalid_client",
                7000216,
                "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' "
                "grant type.",
            )
        token = self.issue_access_token(
            client_id, resource, tenant_id=tenant_id, roles=app.roles.get(resource, ()), appidacr=appidacr
        )
        lifetime = self.access_token_lifetime
        return web.json_response(
            {
                "token_type": "Bearer",
                "expires_in": lifetime,
                "ext_expires_in": lifetime,
                "access_token": token,
            }
        )

    def _issue_on_behalf_of(
        self, form: Mapping[str, Any], path_tenant: str, client_id: str, scope: str
    ) -> web.Response:
        """msal's on-behalf-of grant: the app (client secret) trades a user's token issued to it for a token to
        `scope`'s resource, as that user. Faults as Entra answers them: an expired assertion (AADSTS500133), one
        of another tenant or for another app (AADSTS50013), consent missing (invalid_grant, AADSTS65001,
        suberror consent_required), MFA / conditional access (interaction_required, AADSTS50079)."""
        tenant_id = self.resolve_tenant(path_tenant)
        with self._lock:
            app = self._apps.get(client_id)
        if tenant_id is None or app is None or (app.tenants is not None and tenant_id not in app.tenants):
            return _aad_error(400, "unauthorized_client", 700016, f"Application '{client_id}' was not found.")
        if str(form.get("client_secret", "")) not in app.secrets:
            return _aad_error(401, "invalid_client", 7000215, "Invalid client secret provided.")
        resources = [s for s in scope.split() if s not in _RESERVED_SCOPES]
        if len(resources) != 1 or not resources[0].endswith("/.default"):
            return _aad_error(
                400, "invalid_scope", 70011, f"The provided value for scope {scope} is not valid."
            )
        resource = resources[0][: -len("/.default")]
        assertion = str(form.get("assertion", ""))
        try:
            header = jwt.get_unverified_header(assertion)
            if header.get("kid") != self._entra_key.kid:
                raise jwt.InvalidSignatureError("unknown key")
            user = jwt.decode(
                assertion,
                self._entra_key.private_key.public_key(),
                algorithms=["RS256"],
                options={"verify_aud": False, "require": ["exp", "aud", "tid", "oid"]},
            )
        except jwt.ExpiredSignatureError:
            return _aad_error(400, "invalid_grant", 500133, "Assertion is not within its valid time range.")
        except jwt.PyJWTError:
            return _aad_error(400, "invalid_grant", 50013, "Assertion failed signature validation.")
        aud = str(user.get("aud", ""))
        if user.get("tid") != tenant_id or not (
            aud == client_id or (aud.startswith("api://") and aud.endswith(client_id))
        ):
            return _aad_error(400, "invalid_grant", 50013, "Assertion audience or tenant does not match.")
        if app.interaction_required:
            response = _aad_error(
                400,
                "interaction_required",
                50079,
                "Due to a configuration change made by your administrator, you must enroll in multi-factor "
                "authentication.",
            )
            return response
        if app.consented is not None and resource not in app.consented:
            return _aad_error(
                400,
                "invalid_grant",
                65001,
                f"The user or administrator has not consented to use the application with ID '{client_id}'. "
                "Send an interactive authorization request for this user and resource.",
                suberror="consent_required",
            )
        token = self.issue_access_token(
            client_id,
            resource,
            tenant_id=tenant_id,
            oid=user["oid"],
            sub=user["oid"],
            upn=user.get("preferred_username") or None,
            scp="AllSites.Read",
            idtyp="user",
            amr=["pwd"],
        )
        lifetime = self.access_token_lifetime
        return web.json_response(
            {
                "token_type": "Bearer",
                "scope": f"{resource}/AllSites.Read",
                "expires_in": lifetime,
                "ext_expires_in": lifetime,
                "access_token": token,
            }
        )

    def _check_assertion(
        self, form: Mapping[str, Any], app: FakeApp, path_tenant: str
    ) -> web.Response | None:
        if form.get("client_assertion_type") != _ASSERTION_TYPE:
            return _aad_error(
                400, "invalid_request", 50027, "client_assertion_type must be " + _ASSERTION_TYPE + "."
            )
        assertion = str(form["client_assertion"])
        try:
            header = jwt.get_unverified_header(assertion)
        except jwt.PyJWTError:
            return _aad_error(400, "invalid_client", 50027, "Invalid JWT token. The token is malformed.")
        thumb = str(header.get("x5t#S256") or header.get("x5t") or "")
        # msal pads its base64url thumbprints with "="; compare the unpadded url-safe form.
        public_key = app.cert_keys.get(thumb.rstrip("=").replace("+", "-").replace("/", "_"))
        if public_key is None:
            return _aad_error(
                401,
                "invalid_client",
                700027,
                f"The certificate with identifier used to sign the client assertion is not registered on "
                f"application. [Reason - The key was not found., "
                f"Thumbprint of key used by client: '{thumb}'] "
                f"(app '{app.client_id}')",
            )
        audiences = [
            f"https://{host}/{path_tenant}/oauth2/{suffix}"
            for host in ENTRA_LOGIN_HOSTS
            for suffix in ("v2.0/token", "token")
        ]
        try:
            jwt.decode(
                assertion,
                public_key,
                algorithms=["RS256", "PS256"],
                audience=audiences,
                issuer=app.client_id,
                options={"require": ["exp", "aud", "iss", "sub", "jti"]},  # nbf/iat optional (docs)
            )
        except jwt.InvalidSignatureError:
            return _aad_error(
                401, "invalid_client", 700027, "Client assertion contains an invalid signature."
            )
        except jwt.PyJWTError as exc:
            return _aad_error(401, "invalid_client", 700027, f"Client assertion failed validation: {exc}.")
        if jwt.decode(assertion, options={"verify_signature": False}).get("sub") != app.client_id:
            return _aad_error(401, "invalid_client", 700023, "Client assertion sub must equal client_id.")
        return None


def _tenant_not_found(tenant: str) -> web.Response:
    return _aad_error(
        400,
        "invalid_tenant",
        90002,
        f"Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing "
        "into the correct cloud.",
    )


class MsalLoopbackSession(requests.Session):
    """`requests.Session` for msal's `http_client=`: public Entra login hosts -> the loopback fake.

    `trust_env` is off (no proxies or netrc from the environment). Every request, redirects included, goes
    through `send()`, which rewrites the URL and raises LoopbackViolation for anything that is not a
    loopback IP literal — before any name resolution or connection. `seen` records (method, original URL).
    """

    def __init__(self, target_url: str, *, hosts: Iterable[str] = ENTRA_LOGIN_HOSTS) -> None:
        super().__init__()
        self.trust_env = False
        require_loopback(target_url)
        target = urlsplit(target_url)
        self._target = (target.scheme, target.netloc)
        self._hosts = {h.lower() for h in hosts}
        self.seen: list[tuple[str, str]] = []

    def rewrite(self, url: str) -> str:
        parts = urlsplit(url)
        if (parts.hostname or "").lower() in self._hosts:
            return urlunsplit((*self._target, parts.path, parts.query, parts.fragment))
        return url

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        original = str(request.url)
        request.url = self.rewrite(original)
        require_loopback(request.url)
        self.seen.append((str(request.method), original))
        return super().send(request, **kwargs)
