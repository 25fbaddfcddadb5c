"""Access tokens for Graph and SharePoint: msal app-only (client credentials), or a static demo token."""

from __future__ import annotations

import asyncio
import re
import threading
from pathlib import Path
from typing import Any, Protocol

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from bot.graph.errors import TokenError


class TokenProvider(Protocol):
    async def token(self, scope: str) -> str: ...


class StaticTokenProvider:
    """Always the same token (the demo tenant accepts any non-empty bearer token)."""

    def __init__(self, token: str = "demo") -> None:  # noqa: S107 - demo tenant, not a secret
        if not token:
            raise ValueError("token must not be empty")
        self._token = token

    async def token(self, scope: str) -> str:
        return self._token


class MsalTokenProvider:
    """App-only tokens from one lazily created `msal.ConfidentialClientApplication`.

    `credential`: a client secret, or a certificate dict (`{"private_key", "thumbprint"}` and/or
    `"public_certificate"`, see `load_certificate`). msal is blocking, so it runs in a worker thread; its
    in-memory token cache answers repeated calls without HTTP.
    """

    def __init__(
        self, authority: str, client_id: str, credential: str | dict[str, Any], http_client: Any = None
    ) -> None:
        self._authority = authority
        self._client_id = client_id
        self._credential = credential
        self._http_client = http_client
        self._app: Any = None
        self._lock = threading.Lock()

    def _application(self) -> Any:
        with self._lock:
            if self._app is None:
                import msal

                kwargs: dict[str, Any] = {"client_credential": self._credential, "authority": self._authority}
                if self._http_client is not None:
                    kwargs["http_client"] = self._http_client
                self._app = msal.ConfidentialClientApplication(self._client_id, **kwargs)
            return self._app

    def _acquire(self, scope: str) -> dict[str, Any]:
        return self._application().acquire_token_for_client([scope])

    async def token(self, scope: str) -> str:
        try:
            result = await asyncio.to_thread(self._acquire, scope)
        except Exception as exc:  # msal/requests errors: report the type only (no credential material)
            raise TokenError(f"token request for {scope} failed: {type(exc).__name__}") from None
        if not isinstance(result, dict):
            raise TokenError(f"token request for {scope} failed: no result")
        token = result.get("access_token")
        if isinstance(token, str) and token:
            return token
        error = str(result.get("error") or "unknown_error")
        codes = result.get("error_codes") or []
        detail = f" (AADSTS{', AADSTS'.join(str(c) for c in codes)})" if codes else ""
        raise TokenError(f"token request for {scope} failed: {error}{detail}")


_KEY_BLOCK = re.compile(
    rb"-----BEGIN (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----.+?"
    rb"-----END (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----",
    re.DOTALL,
)


def load_certificate(path: str | Path, password: bytes | None = None) -> dict[str, str]:
    """Read a PEM file holding the private key and its certificate; return msal's certificate credential:
    `{"private_key", "thumbprint" (SHA-1, upper-case hex), "public_certificate"}`."""
    data = Path(path).read_bytes()
    match = _KEY_BLOCK.search(data)
    if match is None:
        raise ValueError(f"{path}: no PEM private key found")
    try:
        certs = x509.load_pem_x509_certificates(data)
    except ValueError:
        raise ValueError(f"{path}: no PEM certificate found") from None
    key = serialization.load_pem_private_key(match.group(0), password=password)
    key_public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    cert = next(
        (
            c
            for c in certs
            if c.public_key().public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            == key_public
        ),
        None,
    )
    if cert is None:
        raise ValueError(f"{path}: no certificate matches the private key")
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return {
        "private_key": private_pem,
        "thumbprint": cert.fingerprint(hashes.SHA1()).hex().upper(),  # noqa: S303 - x5t is SHA-1 by definition
        "public_certificate": cert.public_bytes(serialization.Encoding.PEM).decode(),
    }
