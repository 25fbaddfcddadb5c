"""Teams single sign-on: the user's own Entra token, exchanged on their behalf for SharePoint, starts the photo
sync as the user on the click (docs/DOMAIN.md, "Teams SSO"; docs/ARCHITECTURE.md, "A sync, started and checked").

Two ways in, one rule for the token:
- **Bot SSO**: a click without a token gets an OAuth card whose `tokenExchangeResource` names the app's
  Application ID URI; Teams answers with a `signin/tokenExchange` invoke carrying the user's token. 200 when the
  exchange worked (then the sync starts and its card is sent), 412 with `{id, connectionName, failureDetail}`
  so Teams shows the sign-in button instead. `signin/verifyState` (after a sign-in in a window) is acknowledged.
- **Universal Actions**: the `startSync` Action.Execute carries `authentication.token` once Teams has it; with
  neither that nor a cached delegated token the answer is the 401 `loginRequest` that makes Teams get one.

The token is checked for real before anything else: RS256 against the tenant's published keys, audience = the
app's Application ID URI or its client id, `tid` = the organisation the bot serves, `oid` = the activity's
sender, a delegated token (`scp`), not expired by the injected clock. Then msal's on-behalf-of flow gives a
SharePoint token (`https://<tenant>.sharepoint.com/.default`). Tokens are never logged or stored.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.schema import Activity, ActivityTypes, Attachment

import cards
from bot.domain.identifiers import object_id
from bot.graph.delegated import (
    DelegatedSharePoint,
    DelegatedToken,
    DelegationRefused,
    OnBehalfOf,
    sharepoint_scope,
)
from bot.graph.errors import TokenError
from bot.graph.tokens import MsalTokenProvider
from bot.services.sync_delegated import DelegatedSync
from bot.services.sync_links import SyncLinks
from bot.services.sync_start import SyncStarter
from bot.settings import Settings
from cards.strings import t

from .adapter import CardReply
from .auth import LEEWAY_S, AuthError, ChannelTokenValidator, VerifiedToken

log = logging.getLogger(__name__)

OAUTH_CARD = "application/vnd.microsoft.card.oauth"
ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
LOGIN_REQUEST = "application/vnd.microsoft.activity.loginRequest"
PRECONDITION_FAILED = "application/vnd.microsoft.error.preconditionFailed"
TOKEN_EXCHANGE = "signin/tokenExchange"  # noqa: S105 - an invoke name, not a secret
VERIFY_STATE = "signin/verifyState"
# An OAuth card's exchange starts the sync only this soon after the click.
EXCHANGE_TTL = timedelta(minutes=10)
SEEN_EXCHANGES = 4096  # exchange ids remembered: Teams may send one exchange from several clients


@dataclass(frozen=True, slots=True)
class SsoOptions:
    connection: str  # the Azure Bot OAuth connection name
    app_id: str  # the bot's MicrosoftAppId
    app_id_uri: str  # api://<domain>/<app id> or api://botid-<app id>
    tenant_id: str  # the one organisation the bot serves


class UserTokenValidator(ChannelTokenValidator):
    """A user's Entra access token for the bot's app: the key fetching and caching of the channel-token
    validator, with Entra's issuers and the app's audiences."""

    def __init__(
        self,
        metadata_url: str,
        audiences: tuple[str, ...],
        tenant_id: str,
        http: httpx.AsyncClient,
        clock: Callable[[], datetime],
    ) -> None:
        super().__init__(metadata_url, audiences[0], http, clock=clock)
        self.audiences = audiences
        self.tenant_id = tenant_id.lower()

    async def user_claims(self, token: str, user_id: str) -> dict[str, Any]:
        """The claims of `token` if it is `user_id`'s delegated token for this app in this organisation."""
        verified = await self.verify_token(f"Bearer {token}")
        claims = verified.claims
        if str(claims.get("tid", "")).lower() != self.tenant_id:
            raise AuthError("token of another organisation")
        if object_id(claims.get("oid")) != user_id:
            raise AuthError("token of another user")
        scopes = claims.get("scp")
        if not isinstance(scopes, str) or not scopes.strip():
            raise AuthError("not a delegated token")
        return claims

    def _issuers(self) -> list[str]:
        """Entra's v2.0 issuer from the metadata document and the v1.0 one, both of our organisation."""
        issuers = [f"https://sts.windows.net/{self.tenant_id}/"]
        if self._issuer:
            issuers.append(self._issuer.replace("{tenantid}", self.tenant_id))
        return issuers

    async def _verify(self, token: str) -> VerifiedToken:
        signing = await self._signing_key(token)
        require = ["exp", "iss", "aud", "tid", "oid"]
        claims = self._decode(token, signing, list(self.audiences), self._issuers(), require)
        # not remembered: a user's token is checked once per exchange, and never kept
        return VerifiedToken(claims, None, float(claims["exp"]) + LEEWAY_S)


class SsoHandler:
    """The SSO invokes and the `startSync` verb; builds the OAuth card and the Universal Actions login request."""

    def __init__(
        self,
        options: SsoOptions,
        validator: UserTokenValidator,
        delegated: DelegatedSync,
        exchanges: SyncLinks,
        *,
        link: Callable[[str], str],
        context: Callable[[TurnContext], cards.CardContext],
    ) -> None:
        self.options = options
        self.validator = validator
        self.delegated = delegated
        self.exchanges = exchanges  # signed exchange ids: a card's exchange starts the sync for its own user
        self.link = link  # the one-click sync link: the sign-in button's fallback
        self.context = context
        self._seen: OrderedDict[str, None] = OrderedDict()

    # --- what Teams is sent ----------------------------------------------------------------------------
    def token_exchange_resource(self, user_id: str) -> dict[str, str]:
        return {"id": self.exchanges.token(user_id, EXCHANGE_TTL), "uri": self.options.app_id_uri}

    def _signin_button(self, user_id: str, ctx: cards.CardContext) -> dict[str, str]:
        label = t("action.sync", ctx.lang)
        return {"type": "signin", "title": label, "text": label, "value": self.link(user_id)}

    def oauth_card(self, user_id: str, ctx: cards.CardContext) -> Attachment:
        """The OAuth card Teams exchanges silently (SSO); its button is the fallback."""
        content = {
            "text": t("sso.signin.title", ctx.lang),
            "connectionName": self.options.connection,
            "tokenExchangeResource": self.token_exchange_resource(user_id),
            "buttons": [self._signin_button(user_id, ctx)],
        }
        return Attachment(content_type=OAUTH_CARD, content=content)

    def login_request(self, user_id: str, ctx: cards.CardContext) -> dict[str, Any]:
        """Universal Actions: the answer that makes Teams get the user's token and send the action again."""
        return {
            "statusCode": 401,
            "type": LOGIN_REQUEST,
            "value": {
                "text": t("sso.signin.title", ctx.lang),
                "connectionName": self.options.connection,
                "tokenExchangeResource": self.token_exchange_resource(user_id),
                "buttons": [self._signin_button(user_id, ctx)],
            },
        }

    # --- what Teams sends ------------------------------------------------------------------------------
    async def on_invoke(self, turn: TurnContext) -> InvokeResponse | None:
        """The answer to an SSO invoke or a `startSync` Action.Execute; None for any other invoke."""
        activity = turn.activity
        if activity.name == TOKEN_EXCHANGE:
            return await self._token_exchange(turn)
        if activity.name == VERIFY_STATE:
            return await self._verify_state(turn)
        if activity.name == "adaptiveCard/action":
            value = activity.value if isinstance(activity.value, dict) else {}
            action = value.get("action")
            if isinstance(action, dict) and action.get("verb") == cards.VERB_START_SYNC:
                return await self._execute(turn, value)
        return None

    async def start(self, turn: TurnContext, ctx: cards.CardContext) -> dict[str, Any]:
        """`startSync` clicked where no token comes with the click (the Action.Submit fallback): start with a
        cached delegated token, else send the OAuth card; its exchange starts the sync."""
        user_id = _caller(turn)
        if user_id is None:
            return cards.error_card(ctx, reason_key="user_not_found")
        token = self.delegated.cached(user_id)
        if token is not None:
            return await self._run(user_id, token, ctx)
        await turn.send_activity(
            Activity(type=ActivityTypes.message, attachments=[self.oauth_card(user_id, ctx)])
        )
        return cards.sso_signin_card(ctx, reason="signin", link=self.link(user_id))

    async def _execute(self, turn: TurnContext, value: dict[str, Any]) -> InvokeResponse:
        ctx = self.context(turn)
        user_id = _caller(turn)
        if user_id is None:
            return _card_answer(cards.error_card(ctx, reason_key="user_not_found"))
        auth = value.get("authentication")
        sso_token = auth.get("token") if isinstance(auth, dict) else None
        if isinstance(sso_token, str) and sso_token:
            token, problem = await self._exchange(user_id, sso_token)
            if token is None:
                return InvokeResponse(
                    status=200,
                    body={
                        "statusCode": 412,
                        "type": PRECONDITION_FAILED,
                        "value": {"code": "PreconditionFailed", "message": problem},
                    },
                )
        else:
            token = self.delegated.cached(user_id)
            if token is None:
                return InvokeResponse(status=200, body=self.login_request(user_id, ctx))
        return _card_answer(await self._run(user_id, token, ctx))

    async def _token_exchange(self, turn: TurnContext) -> InvokeResponse:
        value = turn.activity.value if isinstance(turn.activity.value, dict) else {}
        exchange_id, connection, sso_token = value.get("id"), value.get("connectionName"), value.get("token")
        answer: dict[str, Any] = {"id": exchange_id, "connectionName": connection}
        user_id = _caller(turn)
        if (
            user_id is None
            or not isinstance(exchange_id, str)
            or connection != self.options.connection
            or not isinstance(sso_token, str)
            or not sso_token
        ):
            return InvokeResponse(
                status=412, body={**answer, "failureDetail": "not an exchange for this bot"}
            )
        if exchange_id in self._seen:
            return InvokeResponse(status=200, body=answer)  # the same exchange from another client: done once
        token, problem = await self._exchange(user_id, sso_token)
        if token is None:
            return InvokeResponse(status=412, body={**answer, "failureDetail": problem})
        self._seen[exchange_id] = None
        while len(self._seen) > SEEN_EXCHANGES:
            self._seen.popitem(last=False)
        if self.exchanges.user(exchange_id) == user_id:  # our OAuth card, for this user, recently: start now
            card = await self._run(user_id, token, self.context(turn))
            await turn.send_activity(CardReply.of(card))
        return InvokeResponse(status=200, body=answer)

    async def _verify_state(self, turn: TurnContext) -> InvokeResponse:
        """A sign-in finished in a window (its magic code is not needed: no token service is involved): the
        user presses the button again, which then finds the token through SSO."""
        ctx = self.context(turn)
        user_id = _caller(turn)
        link = self.link(user_id) if user_id else None
        await turn.send_activity(CardReply.of(cards.sso_signin_card(ctx, reason="retry", link=link)))
        return InvokeResponse(status=200)

    async def _exchange(self, user_id: str, sso_token: str) -> tuple[DelegatedToken | None, str]:
        """(the user's SharePoint token, "") or (None, why not, for Teams and the log: never the token)."""
        try:
            await self.validator.user_claims(sso_token, user_id)
        except AuthError as exc:
            log.warning("sso token refused", extra={"reason": str(exc)})
            return None, "The token could not be validated."
        try:
            return await self.delegated.exchange(user_id, sso_token), ""
        except DelegationRefused as exc:
            log.info("sso exchange needs the user", extra={"reason": str(exc)})
            return None, "Sign-in or consent is required."
        except TokenError as exc:
            log.warning("sso exchange failed", extra={"reason": str(exc)})
            return None, "The token could not be exchanged."

    async def _run(self, user_id: str, token: DelegatedToken, ctx: cards.CardContext) -> dict[str, Any]:
        result = await self.delegated.start(user_id, token)
        if not result.started:
            return cards.sso_failed_card(ctx, link=self.link(user_id))
        stored = result.profile.picture.timestamp if result.profile is not None else None
        return cards.sso_started_card(ctx, at=result.at, sharepoint_stored=stored)


def _caller(turn: TurnContext) -> str | None:
    caller = turn.activity.from_property
    return object_id(caller.aad_object_id) if caller else None


def _card_answer(card: dict[str, Any]) -> InvokeResponse:
    return InvokeResponse(status=200, body={"statusCode": 200, "type": ADAPTIVE_CARD, "value": card})


def build_sso(
    settings: Settings,
    *,
    http: httpx.AsyncClient,
    tenant_id: str,
    sharepoint_url: str,
    starter: SyncStarter,
    clock: Callable[[], datetime],
    msal_http_client: Any,
    context: Callable[[TurnContext], cards.CardContext],
) -> SsoHandler:
    """The SSO path from settings (`settings.sso` is set): the bot registration does the on-behalf-of exchange
    against the served organisation's authority."""
    s = settings
    options = SsoOptions(s.sso_connection, s.app_id.lower(), s.sso_app_id_uri, tenant_id)
    metadata = s.sso_openid_metadata_url or f"{s.login_url}/{tenant_id}/v2.0/.well-known/openid-configuration"
    validator = UserTokenValidator(metadata, (s.sso_app_id_uri, options.app_id), tenant_id, http, clock)
    obo = OnBehalfOf(
        MsalTokenProvider(
            f"{s.login_url}/{tenant_id}",
            s.app_id,
            s.app_password.get_secret_value(),
            http_client=msal_http_client,
        )
    )
    delegated = DelegatedSync(
        obo,
        DelegatedSharePoint(http, sharepoint_url),
        starter,
        clock,
        sharepoint_scope(sharepoint_url),
    )
    key = hmac.new(s.sync_link_secret(), b"photosync sso exchanges", hashlib.sha256).digest()
    return SsoHandler(
        options,
        validator,
        delegated,
        SyncLinks(key, clock, EXCHANGE_TTL),
        link=lambda user_id: starter.link(s.bot_url, user_id),
        context=context,
    )
