"""The ceiling: a bare aiohttp handler that parses the activity and posts the same echo reply to
`{serviceUrl}v3/conversations/{id}/activities/{activityId}` through one pooled aiohttp session with a bearer
token fetched once at start-up (client-credentials call to the loopback IdentityServer). It does NOT validate
the inbound JWT (ceiling, not a bot). `python -m bench.bare_proc PORT IDENTITY_URL`
"""

from __future__ import annotations

import sys
from urllib.parse import quote

import aiohttp
from aiohttp import web

APP_ID = "9c1f1f0e-6a44-4e0b-9a43-6a1d6b1c2d3e"
APP_SECRET = "test-bot-secret-value"  # noqa: S105 - the loopback fake's test secret
SESSION = web.AppKey("session", aiohttp.ClientSession)
TOKEN = web.AppKey("token", str)


def main() -> None:
    port, identity_url = int(sys.argv[1]), sys.argv[2]
    app = web.Application()

    async def ctx(app: web.Application):  # type: ignore[no-untyped-def]
        session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100))
        async with session.post(
            f"{identity_url}/botframework.com/oauth2/v2.0/token",
            data={
                "grant_type": "client_credentials",
                "client_id": APP_ID,
                "client_secret": APP_SECRET,
                "scope": "https://api.botframework.com/.default",
            },
        ) as resp:
            app[TOKEN] = (await resp.json())["access_token"]
        app[SESSION] = session
        yield
        await session.close()

    app.cleanup_ctx.append(ctx)

    async def messages(request: web.Request) -> web.Response:
        activity = await request.json()
        service_url = activity["serviceUrl"]
        if not service_url.endswith("/"):
            service_url += "/"
        conv = quote(activity["conversation"]["id"], safe="")
        url = f"{service_url}v3/conversations/{conv}/activities/{quote(activity['id'], safe='')}"
        reply = {
            "type": "message",
            "text": f"Echo: {activity.get('text', '')}",
            "from": activity["recipient"],
            "recipient": activity["from"],
            "conversation": activity["conversation"],
            "replyToId": activity["id"],
            "serviceUrl": activity["serviceUrl"],
            "channelId": activity["channelId"],
        }
        headers = {"Authorization": f"Bearer {request.app[TOKEN]}"}
        async with request.app[SESSION].post(url, json=reply, headers=headers) as resp:
            await resp.read()
        return web.Response(status=201)

    async def readyz(request: web.Request) -> web.Response:
        return web.json_response({"status": "ready"})

    app.router.add_post("/api/messages", messages)
    app.router.add_get("/readyz", readyz)
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None)


if __name__ == "__main__":
    main()
