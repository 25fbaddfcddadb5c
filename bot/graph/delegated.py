"""Delegated access to SharePoint: msal's on-behalf-of exchange of a user's Teams SSO token, and the two requests
PhotoSync makes *as the user* (docs/DOMAIN.md, "Teams SSO"): their own large photo (which makes SharePoint
fetch the photo) and their own profile (`GetMyProperties`).

A delegated token is the user's: it is never logged, never stored, never put into an exception message.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from bot.domain.model import SharePointPicture
from bot.graph._util import origin
from bot.graph.errors import SharePointUnavailable, TokenError
from bot.graph.sharepoint import NOMETADATA, picture_from_json, userphoto_url
from bot.graph.tokens import MsalTokenProvider

OBO_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
# Entra's answers that need the user (sign-in, consent, MFA): Teams then shows the sign-in button.
USER_ACTION_ERRORS = frozenset({"invalid_grant", "interaction_required", "consent_required"})


class DelegationRefused(TokenError):
    """The on-behalf-of exchange needs the user (consent, a fresh sign-in, MFA) or the assertion is not valid.
    `error` is Entra's error name (`invalid_grant`, `interaction_required`, ...), `codes` its AADSTS codes."""

    def __init__(self, error: str, codes: tuple[int, ...] = (), suberror: str = "") -> None:
        self.error = error
        self.codes = codes
        self.suberror = suberror
        detail = f" (AADSTS{', AADSTS'.join(str(c) for c in codes)})" if codes else ""
        super().__init__(f"on-behalf-of exchange refused: {error}{detail}")


@dataclass(frozen=True, slots=True)
class DelegatedToken:
    """A SharePoint access token for one user. `repr` never shows the token."""

    token: str = field(repr=False)
    user_id: str
    expires_at: datetime


def sharepoint_scope(sharepoint_url: str) -> str:
    """`https://<tenant>.sharepoint.com/.default`: the delegated scope, from the configured SharePoint URL."""
    return f"{origin(sharepoint_url)}/.default"


class OnBehalfOf:
    """msal's on-behalf-of flow for the bot's app registration, against the served tenant's authority."""

    def __init__(self, provider: MsalTokenProvider) -> None:
        self.provider = provider  # its msal ConfidentialClientApplication (cached, lazily built)

    def _exchange(self, assertion: str, scope: str) -> dict[str, Any]:
        result: dict[str, Any] = self.provider._application().acquire_token_on_behalf_of(assertion, [scope])
        return result

    async def exchange(self, assertion: str, scope: str) -> tuple[str, int]:
        """(access token, lifetime in seconds) for `scope` on behalf of the assertion's user."""
        try:
            result = await asyncio.to_thread(self._exchange, assertion, scope)
        except Exception as exc:  # msal/requests errors: the type only (no token material)
            raise TokenError(f"on-behalf-of exchange failed: {type(exc).__name__}") from None
        if not isinstance(result, dict):
            raise TokenError("on-behalf-of exchange failed: no result")
        token = result.get("access_token")
        if isinstance(token, str) and token:
            return token, _seconds(result.get("expires_in"))
        error = str(result.get("error") or "unknown_error")
        codes = tuple(int(c) for c in result.get("error_codes") or () if isinstance(c, int))
        suberror = str(result.get("suberror") or "")
        if error in USER_ACTION_ERRORS or suberror in USER_ACTION_ERRORS:
            raise DelegationRefused(error, codes, suberror)
        detail = f" (AADSTS{', AADSTS'.join(str(c) for c in codes)})" if codes else ""
        raise TokenError(f"on-behalf-of exchange failed: {error}{detail}")


@dataclass(frozen=True, slots=True)
class MyProfile:
    """What `GetMyProperties` says about the signed-in user."""

    account: str  # the claims account name, e.g. i:0#.f|membership|adele@contoso.com
    upn: str
    picture: SharePointPicture
    picture_url: str | None


def my_properties_url(base_url: str) -> str:
    return f"{base_url.rstrip('/')}/_api/SP.UserProfiles.PeopleManager/GetMyProperties"


class DelegatedSharePoint:
    """SharePoint requests made with the user's own (delegated) token. No retries: the user is waiting on a
    click, and a second request for the large photo would change nothing."""

    def __init__(self, http: httpx.AsyncClient, base_url: str) -> None:
        self.http = http
        self.base_url = base_url.rstrip("/")

    async def request_own_photo(self, token: DelegatedToken, upn: str) -> int:
        """The user's own request for their own large photo (what makes SharePoint fetch it). Returns the HTTP
        status: 200 (the picture) or 302 (to the picture file) mean SharePoint had the request."""
        url = userphoto_url(self.base_url, upn, "L")
        try:
            response = await self.http.get(url, headers=_headers(token, "image/*"), follow_redirects=False)
        except httpx.HTTPError as exc:
            raise SharePointUnavailable(f"own photo: {type(exc).__name__}") from None
        return response.status_code

    async def my_profile(self, token: DelegatedToken) -> MyProfile | None:
        """The user's own profile (None when SharePoint has none for them yet)."""
        try:
            response = await self.http.get(
                my_properties_url(self.base_url), headers=_headers(token, NOMETADATA), follow_redirects=False
            )
        except httpx.HTTPError as exc:
            raise SharePointUnavailable(f"my properties: {type(exc).__name__}") from None
        if response.status_code != 200:
            raise SharePointUnavailable(
                f"my properties: HTTP {response.status_code}", status=response.status_code
            )
        try:
            body = response.json()
        except (ValueError, UnicodeDecodeError):
            raise SharePointUnavailable("my properties: malformed JSON") from None
        picture = picture_from_json(body)
        if not picture.profile_found or not isinstance(body, dict):
            return None
        account = body.get("AccountName")
        account = account if isinstance(account, str) else ""
        url = body.get("PictureUrl")
        return MyProfile(
            account=account,
            upn=account.rsplit("|", 1)[-1],
            picture=picture,
            picture_url=url if isinstance(url, str) and url else None,
        )


def _seconds(value: object) -> int:
    try:
        return max(int(str(value)), 0)
    except ValueError:
        return 0


def _headers(token: DelegatedToken, accept: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token.token}", "Accept": accept}


__all__ = [
    "OBO_GRANT",
    "DelegatedSharePoint",
    "DelegatedToken",
    "DelegationRefused",
    "MyProfile",
    "OnBehalfOf",
    "sharepoint_scope",
]
