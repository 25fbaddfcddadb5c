"""Stock botbuilder 4.17.1 echo bot: `CloudAdapterBase` (what botbuilder-integration-aiohttp's `CloudAdapter`
subclasses, adding only the aiohttp `process` glue reproduced here) + `BotFrameworkAuthenticationFactory.create`
with the same config values `ConfigurationBotFrameworkAuthentication` passes (every endpoint override at once:
setting only some makes every token fail), pointed at the loopback IdentityServer. msal is routed to the fake
by giving every `ConfidentialClientApplication` a `MsalLoopbackSession`; nothing else in the SDK is changed (so
its per-turn msal app + token request stay).

`python -m bench.stock_proc PORT IDENTITY_URL`
"""

from __future__ import annotations

import sys
from http import HTTPStatus

import msal
from aiohttp import web
from botbuilder.core import ActivityHandler, CloudAdapterBase, MessageFactory, TurnContext
from botbuilder.schema import Activity
from botframework.connector.auth import (
    AuthenticationConstants,
    BotFrameworkAuthenticationFactory,
    PasswordServiceClientCredentialFactory,
)

from tests.fakes.identity import MsalLoopbackSession

APP_ID = "9c1f1f0e-6a44-4e0b-9a43-6a1d6b1c2d3e"
APP_SECRET = "test-bot-secret-value"  # noqa: S105 - the loopback fake's test secret


def _route_msal(identity_url: str) -> None:
    original = msal.ConfidentialClientApplication.__init__

    def init(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        kwargs.setdefault("http_client", MsalLoopbackSession(identity_url))
        original(self, *args, **kwargs)

    msal.ConfidentialClientApplication.__init__ = init  # type: ignore[method-assign]


class StockCloudAdapter(CloudAdapterBase):
    async def process(self, request: web.Request, bot: ActivityHandler) -> web.Response:
        body = await request.json()
        activity = Activity().deserialize(body)
        auth_header = request.headers.get("Authorization", "")
        invoke_response = await self.process_activity(auth_header, activity, bot.on_turn)
        if invoke_response:
            return web.json_response(data=invoke_response.body, status=invoke_response.status)
        return web.Response(status=HTTPStatus.CREATED)


class EchoBot(ActivityHandler):
    async def on_message_activity(self, turn_context: TurnContext) -> None:
        await turn_context.send_activity(MessageFactory.text(f"Echo: {turn_context.activity.text}"))


def main() -> None:
    port, identity_url = int(sys.argv[1]), sys.argv[2]
    _route_msal(identity_url)
    auth = BotFrameworkAuthenticationFactory.create(
        channel_service="",
        validate_authority=True,
        to_channel_from_bot_login_url=AuthenticationConstants.TO_CHANNEL_FROM_BOT_LOGIN_URL,
        to_channel_from_bot_oauth_scope=AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE,
        to_bot_from_channel_token_issuer=AuthenticationConstants.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER,
        oauth_url=AuthenticationConstants.OAUTH_URL,
        to_bot_from_channel_open_id_metadata_url=f"{identity_url}/.well-known/openidconfiguration",
        to_bot_from_emulator_open_id_metadata_url=f"{identity_url}/v1/.well-known/openidconfiguration",
        caller_id="urn:botframework:azure",
        credential_factory=PasswordServiceClientCredentialFactory(APP_ID, APP_SECRET),
    )
    adapter = StockCloudAdapter(auth)
    bot = EchoBot()

    async def messages(request: web.Request) -> web.Response:
        return await adapter.process(request, bot)

    async def readyz(request: web.Request) -> web.Response:
        return web.json_response({"status": "ready"})

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/readyz", readyz)
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None)


if __name__ == "__main__":
    main()
