"""Secrets: the suite-wide check (tests/conftest.py) catches what it must, and settings print redacted."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from bot.demo.jpeg import flat_jpeg
from bot.settings import Settings, redact_url
from tests import conftest as suite
from tests.fakes.identity import IdentityServer
from tests.integration.conftest import APP_ID, APP_SECRET

from .procs import BotProcess


def test_the_session_check_catches_planted_leaks(identity: IdentityServer) -> None:
    """The check cannot pass vacuously: a token, a secret and photo bytes planted in log text are found."""
    token = identity.mint(APP_ID, "https://smba.trafficmanager.net/amer/")
    photo = flat_jpeg(48, 48, (1, 2, 3), "planted")
    assert token.rsplit(".", 1)[1] in suite.REGISTRY.signatures  # the fakes report what they mint
    assert photo in suite.REGISTRY.photos
    clean = [("clean", "turn status=200 ms=3.1 Bearer <redacted>")]
    assert suite.find_leaks(clean, suite.REGISTRY) == []
    planted = [
        ("token", f"Authorization: Bearer {token}"),
        ("signature", f"sig={token.rsplit('.', 1)[1]}"),
        ("secret", f"password={APP_SECRET}"),
        ("photo", f"body={photo!r}"),
    ]
    found = suite.find_leaks(planted, suite.REGISTRY)
    assert {f.split(":")[0] for f in found} == {"token", "signature", "secret", "photo"}


def test_a_users_delegated_token_in_a_log_is_caught(identity: IdentityServer) -> None:
    """Teams SSO: the user's token for the bot and the SharePoint token issued on their behalf are watched too."""
    user = identity.mint_user_token(f"api://botid-{APP_ID}", "7a3c9b1e-2f4d-4e8a-9c6b-1d2e3f4a5b6c", APP_ID)
    delegated = identity.issue_access_token(APP_ID, "https://contoso.sharepoint.com", scp="AllSites.Read")
    found = suite.find_leaks([("sso", f"token={user}"), ("obo", f"bearer {delegated}")], suite.REGISTRY)
    assert sorted(f.split(":")[0] for f in found) == ["obo", "sso"]


def test_log_records_of_the_session_are_captured(caplog: pytest.LogCaptureFixture) -> None:
    before = len(suite.LOGS.texts)
    logging.getLogger("bot.test").warning("captured", extra={"k": "v"})
    assert len(suite.LOGS.texts) == before + 1 and '"k": "v"' in suite.LOGS.texts[-1]


def test_settings_redacted_has_no_secret() -> None:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        MicrosoftAppId=APP_ID,
        MicrosoftAppPassword="app-password-value-123",
        PHOTOSYNC_TENANT_ID="7a3c9b1e-2f4d-4e8a-9c6b-1d2e3f4a5b6c",
        PHOTOSYNC_CLIENT_ID="c",
        PHOTOSYNC_CLIENT_SECRET="client-secret-value-456",
        PHOTOSYNC_SHAREPOINT_URL="https://contoso.sharepoint.com",
        PHOTOSYNC_DATABASE_URL="postgresql+asyncpg://bot:db-password-789@127.0.0.1:5432/photosync",
    )
    text = json.dumps(settings.redacted()) + repr(settings) + str(settings)
    for secret in ("app-password-value-123", "client-secret-value-456", "db-password-789"):
        assert secret not in text
    redacted = settings.redacted()
    assert redacted["app_password"] == redacted["client_secret"] == "***"
    assert redacted["database_url"] == "postgresql+asyncpg://bot:***@127.0.0.1:5432/photosync"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql+asyncpg://bot:p%40ss-1@db/x", "postgresql+asyncpg://bot:***@db/x"),
        ("postgresql+asyncpg://bot:p@ss-1@db/x", "postgresql+asyncpg://bot:***@db/x"),  # an unescaped @
        (
            "postgresql+asyncpg://db/x?user=bot&password=pass-1&ssl=require",
            "postgresql+asyncpg://db/x?user=bot&password=***&ssl=require",
        ),
        ("postgresql+asyncpg://bot@db/x?sslpassword=pass-1", "postgresql+asyncpg://bot@db/x?sslpassword=***"),
        ("host=db user=bot password=pass-1 dbname=x", "host=db user=bot password=*** dbname=x"),
        ("host=db password='pass 1\\' x' dbname=x", "host=db password=*** dbname=x"),
        ("sqlite+aiosqlite:///photosync.db", "sqlite+aiosqlite:///photosync.db"),
    ],
)
def test_database_passwords_are_hidden_in_every_form(url: str, shown: str) -> None:
    assert redact_url(url) == shown
    assert "pass-1" not in shown and "pass 1" not in shown and "p@ss" not in shown


@pytest.mark.slow
def test_the_start_up_banner_of_a_real_bot_process_is_redacted(tmp_path: Path) -> None:
    env = {
        "MicrosoftAppId": APP_ID,
        "MicrosoftAppPassword": "banner-password-value-1",
        "PHOTOSYNC_OPENID_METADATA_URL": "http://127.0.0.1:9/.well-known/openidconfiguration",  # never fetched
        "PHOTOSYNC_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
    }
    suite.REGISTRY.string("banner-password-value-1")  # the session check watches for it too
    with BotProcess(tmp_path, env={**env, "PHOTOSYNC_LOG_LEVEL": "DEBUG"}, name="banner") as bot:
        bot.start()
        assert bot.terminate() == 0
    lines = [json.loads(line) for line in bot.output().splitlines() if line.startswith("{")]
    settings = next(line for line in lines if line["msg"] == "settings")  # the debug log's full settings
    assert settings["settings"]["app_password"] == "***"
    assert "banner-password-value-1" not in bot.output()
