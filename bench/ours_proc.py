"""Launch the PhotoSync bot for benchmarks: demo tenant, real auth against the loopback IdentityServer.

`python -m bench.ours_proc PORT IDENTITY_URL DB_PATH` (APP_ID/secret are the test constants).
"""

from __future__ import annotations

import logging
import sys

from aiohttp import web

from bot.app import create_app, freeze_after_startup
from bot.settings import Settings
from tests.fakes.identity import MsalLoopbackSession

APP_ID = "9c1f1f0e-6a44-4e0b-9a43-6a1d6b1c2d3e"
APP_SECRET = "test-bot-secret-value"  # noqa: S105 - the loopback fake's test secret


def main() -> None:
    port, identity_url, db_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    logging.basicConfig(level=logging.WARNING)
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        MicrosoftAppId=APP_ID,
        MicrosoftAppPassword=APP_SECRET,
        PHOTOSYNC_OPENID_METADATA_URL=f"{identity_url}/.well-known/openidconfiguration",
        PHOTOSYNC_DATABASE_URL=f"sqlite+aiosqlite:///{db_path}",
        PHOTOSYNC_LOG_LEVEL="WARNING",
    )
    app = freeze_after_startup(
        create_app(settings, msal_http_client=MsalLoopbackSession(identity_url))
    )  # as `python -m bot`
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None)


if __name__ == "__main__":
    main()
