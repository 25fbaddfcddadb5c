"""SharePoint Online user profile reads: the picture properties of one account in one REST call."""

from __future__ import annotations

import asyncio
import collections
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote

import httpx

from bot.domain.model import SharePointPicture
from bot.graph import retry
from bot.graph._util import origin
from bot.graph.errors import SharePointUnavailable
from bot.graph.retry import RetryPolicy
from bot.graph.tokens import TokenProvider

CLAIMS_PREFIX = "i:0#.f|membership|"
NOMETADATA = "application/json;odata=nometadata"
_SP_EPOCH = datetime(1, 1, 1, tzinfo=UTC)


def properties_url(base_url: str, upn: str) -> str:
    """GetPropertiesFor with the claims account name as the @v alias, quoted and percent-encoded."""
    literal = quote(upn.replace("'", "''"), safe="@")
    return (
        f"{base_url.rstrip('/')}/_api/SP.UserProfiles.PeopleManager/GetPropertiesFor(accountName=@v)"
        f"?@v='i:0%23.f|membership|{literal}'"
    )


def userphoto_url(base_url: str, upn: str, size: str = "M") -> str:
    """SharePoint's rendered profile picture of `upn` (S 48, M 72, L 200-300 px wide)."""
    return f"{base_url.rstrip('/')}/_layouts/15/userphoto.aspx?size={size}&accountname={quote(upn, safe='@')}"


def parse_picture_timestamp(text: object) -> datetime | None:
    """SPS-PictureTimestamp: decimal seconds since 0001-01-01T00:00:00Z (.NET ticks / 10^7)."""
    if not isinstance(text, str | int) or isinstance(text, bool):
        return None
    try:
        seconds = Decimal(str(text).strip())
    except InvalidOperation:
        return None
    if not seconds.is_finite() or seconds <= 0:
        return None
    whole = int(seconds)
    micros = int((seconds - whole) * 1_000_000)
    try:
        return _SP_EPOCH + timedelta(seconds=whole, microseconds=micros)
    except OverflowError:
        return None


def _int_or_none(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


def picture_from_json(body: Any) -> SharePointPicture:
    if not isinstance(body, dict) or body.get("odata.null") is True:
        return SharePointPicture(profile_found=False)
    if isinstance(body.get("d"), dict):  # odata=verbose, should the server ignore our Accept
        body = body["d"]
    props = body.get("UserProfileProperties")
    if isinstance(props, dict):
        props = props.get("results")
    if not isinstance(props, list) or not props:
        return SharePointPicture(profile_found=False)
    values = {p.get("Key"): p.get("Value") for p in props if isinstance(p, dict)}
    url = values.get("PictureURL")
    return SharePointPicture(
        profile_found=True,
        picture_url=url if isinstance(url, str) and url.strip() else None,
        timestamp=parse_picture_timestamp(values.get("SPS-PictureTimestamp")),
        placeholder_state=_int_or_none(values.get("SPS-PicturePlaceholderState")),
        exchange_sync_state=_int_or_none(values.get("SPS-PictureExchangeSyncState")),
    )


class SharePointClient:
    def __init__(
        self,
        http: httpx.AsyncClient,
        base_url: str,
        tokens: TokenProvider,
        policy: RetryPolicy | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: retry.Sleep = asyncio.sleep,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self.http = http
        self.base_url = base_url.rstrip("/")
        self.tokens = tokens
        self.policy = policy or RetryPolicy()
        self.scope = f"{origin(self.base_url)}/.default"
        self.calls: collections.Counter[str] = collections.Counter()
        self._clock, self._sleep, self._rng = clock, sleep, rng

    async def picture(self, upn: str) -> SharePointPicture:
        """The user profile's picture properties (one REST call)."""
        response = await self._get("picture", properties_url(self.base_url, upn), NOMETADATA)
        if response.status_code != 200:
            raise SharePointUnavailable(f"picture: HTTP {response.status_code}", status=response.status_code)
        try:
            body = response.json()
        except (ValueError, UnicodeDecodeError):
            raise SharePointUnavailable("picture: malformed JSON") from None
        return picture_from_json(body)

    async def shown_picture(self, upn: str, size: str = "M") -> bytes | None:
        """The picture SharePoint serves for the user (`userphoto.aspx`, S/M/L), as bytes; None when it has
        none for them (404). The request is the app's own, so it never starts the user's photo sync."""
        response = await self._get("shown_picture", userphoto_url(self.base_url, upn, size), "image/*")
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise SharePointUnavailable(
                f"shown_picture: HTTP {response.status_code}", status=response.status_code
            )
        return response.content or None

    async def _get(self, name: str, url: str, accept: str) -> httpx.Response:
        token = await self.tokens.token(self.scope)
        headers = {"Authorization": f"Bearer {token}", "Accept": accept}

        def build() -> httpx.Request:
            self.calls[name] += 1
            return self.http.build_request("GET", url, headers=headers)

        try:
            return await retry.send(
                self.http, build, self.policy, sleep=self._sleep, rng=self._rng, clock=self._clock
            )
        except httpx.HTTPError as exc:
            raise SharePointUnavailable(f"{name}: {type(exc).__name__}") from exc
