"""All configuration in one place (environment variables and `.env`).

Bot Framework's own names for the bot registration; `PHOTOSYNC_*` for everything else. An invalid value
stops start-up with one line naming the variable (see `load_settings`).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import string
import sys
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.loopback import is_loopback_host
from bot.redact import redact_url

BOT_FRAMEWORK_OPENID_METADATA = "https://login.botframework.com/v1/.well-known/openidconfiguration"
PROFILE_EDIT_PLACEHOLDERS = frozenset({"object_id", "upn", "tenant"})


class AppType(StrEnum):
    MULTI_TENANT = "MultiTenant"
    SINGLE_TENANT = "SingleTenant"


class LogFormat(StrEnum):
    AUTO = "auto"  # JSON unless stderr is a terminal
    JSON = "json"
    TEXT = "text"


def _env(name: str) -> Any:
    return Field(validation_alias=AliasChoices(name, name.upper()))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True, frozen=True
    )

    # --- Bot registration (Bot Framework's names) ---
    app_id: str = Field("", validation_alias=AliasChoices("MicrosoftAppId", "MICROSOFTAPPID"))
    app_password: SecretStr = Field(
        SecretStr(""), validation_alias=AliasChoices("MicrosoftAppPassword", "MICROSOFTAPPPASSWORD")
    )
    app_type: AppType = Field(
        AppType.MULTI_TENANT, validation_alias=AliasChoices("MicrosoftAppType", "MICROSOFTAPPTYPE")
    )
    app_tenant_id: str = Field(
        "", validation_alias=AliasChoices("MicrosoftAppTenantId", "MICROSOFTAPPTENANTID")
    )

    # --- Server ---
    host: str = Field("127.0.0.1", validation_alias=AliasChoices("PHOTOSYNC_HOST"))
    port: int = Field(3978, ge=1, le=65535, validation_alias=AliasChoices("PORT", "PHOTOSYNC_PORT"))
    max_body_bytes: int = Field(
        256 * 1024, ge=4096, validation_alias=AliasChoices("PHOTOSYNC_MAX_BODY_BYTES")
    )
    openid_metadata_url: str = Field(
        BOT_FRAMEWORK_OPENID_METADATA, validation_alias=AliasChoices("PHOTOSYNC_OPENID_METADATA_URL")
    )
    # A client must deliver a whole request (headers and body) within this time; idle keep-alive
    # connections are closed after it too. Half-open requests can't pile up.
    request_read_s: float = Field(
        15.0, gt=0, le=300, validation_alias=AliasChoices("PHOTOSYNC_REQUEST_READ_SECONDS")
    )
    # Where Teams users reach the bot's own pages (the one-click sync links), e.g. https://bot.contoso.com;
    # the demo uses its listening address. Without it no sync link is offered.
    public_url: str = Field("", validation_alias=AliasChoices("PHOTOSYNC_PUBLIC_URL"))
    # Signs the sync links; replicas must share it (default: derived from MicrosoftAppPassword, else random).
    link_secret: SecretStr = Field(SecretStr(""), validation_alias=AliasChoices("PHOTOSYNC_LINK_SECRET"))
    # Demo only: how long after a user's own request for their large photo the demo SharePoint refreshes it.
    demo_sync_s: float = Field(
        20.0, ge=0, le=3600, validation_alias=AliasChoices("PHOTOSYNC_DEMO_SYNC_SECONDS")
    )
    # Local debugging only: accept unauthenticated requests outside the demo-on-loopback case.
    allow_anonymous: bool = Field(False, validation_alias=AliasChoices("PHOTOSYNC_ALLOW_ANONYMOUS"))
    # /metrics: on the main port only with this bearer token (or when the main port is loopback);
    # PHOTOSYNC_METRICS_PORT serves it on its own listener instead (PHOTOSYNC_METRICS_HOST, loopback default).
    metrics_token: SecretStr = Field(SecretStr(""), validation_alias=AliasChoices("PHOTOSYNC_METRICS_TOKEN"))
    metrics_host: str = Field("127.0.0.1", validation_alias=AliasChoices("PHOTOSYNC_METRICS_HOST"))
    metrics_port: int = Field(0, ge=0, le=65535, validation_alias=AliasChoices("PHOTOSYNC_METRICS_PORT"))

    # --- Microsoft Graph / SharePoint (app-only) ---
    tenant_id: str = Field("", validation_alias=AliasChoices("PHOTOSYNC_TENANT_ID"))
    client_id: str = Field("", validation_alias=AliasChoices("PHOTOSYNC_CLIENT_ID"))
    client_secret: SecretStr = Field(SecretStr(""), validation_alias=AliasChoices("PHOTOSYNC_CLIENT_SECRET"))
    certificate_path: Path | None = Field(None, validation_alias=AliasChoices("PHOTOSYNC_CERTIFICATE_PATH"))
    login_url: str = Field(
        "https://login.microsoftonline.com", validation_alias=AliasChoices("PHOTOSYNC_LOGIN_URL")
    )
    graph_url: str = Field(
        "https://graph.microsoft.com", validation_alias=AliasChoices("PHOTOSYNC_GRAPH_URL")
    )
    sharepoint_url: str = Field("", validation_alias=AliasChoices("PHOTOSYNC_SHAREPOINT_URL"))
    graph_timeout_s: float = Field(
        10.0, gt=0, le=120, validation_alias=AliasChoices("PHOTOSYNC_GRAPH_TIMEOUT")
    )

    # --- Behaviour ---
    database_url: str = Field(
        "sqlite+aiosqlite:///photosync.db",
        validation_alias=AliasChoices("PHOTOSYNC_DATABASE_URL"),
        repr=False,  # may hold a password: repr()/str() of the settings must not show it (redacted() does)
    )
    database_schema: str = Field("", validation_alias=AliasChoices("PHOTOSYNC_DATABASE_SCHEMA"))
    db_pool_size: int = Field(10, ge=1, le=200, validation_alias=AliasChoices("PHOTOSYNC_DB_POOL_SIZE"))
    db_max_overflow: int = Field(5, ge=0, le=200, validation_alias=AliasChoices("PHOTOSYNC_DB_MAX_OVERFLOW"))
    migrate_on_start: bool = Field(True, validation_alias=AliasChoices("PHOTOSYNC_MIGRATE_ON_START"))
    audit_retention_days: int = Field(
        400, ge=0, le=36500, validation_alias=AliasChoices("PHOTOSYNC_AUDIT_RETENTION_DAYS")
    )
    ledger_retention_days: int = Field(
        400, ge=0, le=36500, validation_alias=AliasChoices("PHOTOSYNC_LEDGER_RETENTION_DAYS")
    )
    outbox_retention_days: int = Field(
        90, ge=0, le=36500, validation_alias=AliasChoices("PHOTOSYNC_OUTBOX_RETENTION_DAYS")
    )
    lease_s: float = Field(30.0, ge=1, le=3600, validation_alias=AliasChoices("PHOTOSYNC_LEASE_SECONDS"))
    profile_edit_url: str = Field(
        "https://delve.office.com/?u={object_id}&v=editprofile",
        validation_alias=AliasChoices("PHOTOSYNC_PROFILE_EDIT_URL"),
    )
    demo_tenant: Path | None = Field(None, validation_alias=AliasChoices("PHOTOSYNC_DEMO_TENANT"))
    demo_latency_ms: int = Field(
        0, ge=0, le=10_000, validation_alias=AliasChoices("PHOTOSYNC_DEMO_LATENCY_MS")
    )
    helpdesk_group_id: str = Field("", validation_alias=AliasChoices("PHOTOSYNC_HELPDESK_GROUP_ID"))
    helpdesk_team_ids: str = Field("", validation_alias=AliasChoices("PHOTOSYNC_HELPDESK_TEAM_IDS"))
    # Guests (userType Guest) and people outside the directory (shared-channel members from other
    # organisations) never get helpdesk rights unless this is set.
    helpdesk_allow_guests: bool = Field(
        False, validation_alias=AliasChoices("PHOTOSYNC_HELPDESK_ALLOW_GUESTS")
    )
    scan_interval_min: float = Field(
        0, ge=0, le=7 * 24 * 60, validation_alias=AliasChoices("PHOTOSYNC_SCAN_INTERVAL")
    )
    watch_csv: Path | None = Field(None, validation_alias=AliasChoices("PHOTOSYNC_WATCH_CSV"))
    drift_grace_h: float = Field(24.0, ge=0, validation_alias=AliasChoices("PHOTOSYNC_DRIFT_GRACE_HOURS"))
    profile_cache_s: float = Field(
        60.0, ge=0, validation_alias=AliasChoices("PHOTOSYNC_PROFILE_CACHE_SECONDS")
    )
    default_timezone: str = Field("UTC", validation_alias=AliasChoices("PHOTOSYNC_TIMEZONE"))
    default_locale: str = Field(
        "en-US",
        pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$",
        validation_alias=AliasChoices("PHOTOSYNC_LOCALE"),
    )
    log_format: LogFormat = Field(LogFormat.AUTO, validation_alias=AliasChoices("PHOTOSYNC_LOG_FORMAT"))
    log_level: str = Field("INFO", validation_alias=AliasChoices("PHOTOSYNC_LOG_LEVEL"))
    # Proactive 1:1 for users who never chatted: install the Teams app for them through Graph on demand.
    install_on_demand: bool = Field(False, validation_alias=AliasChoices("PHOTOSYNC_INSTALL_ON_DEMAND"))
    teams_app_id: str = Field("", validation_alias=AliasChoices("PHOTOSYNC_TEAMS_APP_ID"))  # manifest id
    service_url: str = Field(
        "https://smba.trafficmanager.net/teams/", validation_alias=AliasChoices("PHOTOSYNC_SERVICE_URL")
    )
    # Watch-list sources besides PHOTOSYNC_WATCH_CSV (unioned): an Entra group's members, on-prem synced users.
    watch_group_id: str = Field("", validation_alias=AliasChoices("PHOTOSYNC_WATCH_GROUP_ID"))
    watch_synced: bool = Field(False, validation_alias=AliasChoices("PHOTOSYNC_WATCH_SYNCED"))

    # --- Teams SSO (off unless both are set): the sync starts as the user, on the click ---
    # The Azure Bot OAuth connection named in the OAuth card, and the bot app's Application ID URI
    # (`api://<domain>/<MicrosoftAppId>` or `api://botid-<MicrosoftAppId>`, the manifest's webApplicationInfo).
    sso_connection: str = Field("", validation_alias=AliasChoices("PHOTOSYNC_SSO_CONNECTION"))
    sso_app_id_uri: str = Field("", validation_alias=AliasChoices("PHOTOSYNC_SSO_APP_ID_URI"))
    # Where the signing keys of users' Entra tokens come from (default: the tenant's v2.0 OpenID document
    # on PHOTOSYNC_LOGIN_URL; sovereign clouds, tests).
    sso_openid_metadata_url: str = Field(
        "", validation_alias=AliasChoices("PHOTOSYNC_SSO_OPENID_METADATA_URL")
    )

    @field_validator("openid_metadata_url", "login_url", "graph_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("https://", "http://127.", "http://localhost", "http://[::1]")):
            raise ValueError("must be an https:// URL (http only for loopback)")
        return value.rstrip("/") if not value.endswith("openidconfiguration") else value

    @field_validator("service_url")
    @classmethod
    def _service_url(cls, value: str) -> str:
        if not value.startswith(("https://", "http://127.", "http://localhost", "http://[::1]")):
            raise ValueError("must be an https:// URL (http only for loopback)")
        return value

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str) -> str:
        return cls._url(value) if value else value

    @field_validator("sharepoint_url", "sso_openid_metadata_url")
    @classmethod
    def _optional_url(cls, value: str) -> str:
        return cls._url(value) if value else value

    @field_validator("sso_connection")
    @classmethod
    def _sso_connection(cls, value: str) -> str:
        if value and not SSO_CONNECTION.fullmatch(value):
            raise ValueError("must be the Azure Bot OAuth connection name (letters, digits, space, . _ -)")
        return value

    @field_validator("sso_app_id_uri")
    @classmethod
    def _sso_app_id_uri(cls, value: str) -> str:
        if value and not SSO_APP_ID_URI.fullmatch(value):
            raise ValueError("must be api://<domain>/<MicrosoftAppId> or api://botid-<MicrosoftAppId>")
        return value

    @field_validator("profile_edit_url")
    @classmethod
    def _template(cls, value: str) -> str:
        names = {name for _, name, _, _ in string.Formatter().parse(value) if name}
        unknown = names - PROFILE_EDIT_PLACEHOLDERS
        if unknown:
            raise ValueError(
                f"unknown placeholder(s) {sorted(unknown)}; allowed: {sorted(PROFILE_EDIT_PLACEHOLDERS)}"
            )
        return value

    @field_validator("tenant_id", "app_tenant_id")
    @classmethod
    def _tenant(cls, value: str) -> str:
        if value and not GUID.fullmatch(value):
            raise ValueError("must be the directory (tenant) id, a GUID")
        return value.lower()

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        from bot.startup import database_url_problem

        problem = database_url_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("database_schema")
    @classmethod
    def _schema(cls, value: str) -> str:
        if value and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,62}", value):
            raise ValueError("must be a plain PostgreSQL identifier (letters, digits, _)")
        return value

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        if value.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
        return value.upper()

    @field_validator("default_timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("unknown IANA time zone") from exc
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Settings:
        if self.app_type is AppType.SINGLE_TENANT and self.app_id and not self.app_tenant_id:
            raise ValueError("MicrosoftAppTenantId is required when MicrosoftAppType is SingleTenant")
        if self.app_id and not self.app_password.get_secret_value():
            raise ValueError("MicrosoftAppPassword is required when MicrosoftAppId is set")
        graph_parts = [self.tenant_id, self.client_id]
        has_credential = bool(self.client_secret.get_secret_value() or self.certificate_path)
        if any(graph_parts) and not (all(graph_parts) and has_credential):
            raise ValueError(
                "PHOTOSYNC_TENANT_ID, PHOTOSYNC_CLIENT_ID and PHOTOSYNC_CLIENT_SECRET or "
                "PHOTOSYNC_CERTIFICATE_PATH go together"
            )
        if self.watch_csv is not None and not self.watch_csv.is_file():
            raise ValueError(f"PHOTOSYNC_WATCH_CSV: no file at {self.watch_csv}")
        if self.demo_tenant is not None and not self.demo_tenant.is_file():
            raise ValueError(f"PHOTOSYNC_DEMO_TENANT: no file at {self.demo_tenant}")
        if self.certificate_path is not None and not self.certificate_path.is_file():
            raise ValueError(f"PHOTOSYNC_CERTIFICATE_PATH: no file at {self.certificate_path}")
        if self.install_on_demand and not self.teams_app_id:
            raise ValueError("PHOTOSYNC_INSTALL_ON_DEMAND needs PHOTOSYNC_TEAMS_APP_ID (the manifest id)")
        if self.database_schema and not self.database_url.startswith("postgresql"):
            raise ValueError("PHOTOSYNC_DATABASE_SCHEMA only applies to PostgreSQL")
        if not self.demo and not self.sharepoint_url:
            raise ValueError("PHOTOSYNC_SHAREPOINT_URL is required with Graph credentials")
        if (
            self.app_type is AppType.SINGLE_TENANT
            and self.app_tenant_id
            and self.tenant_id
            and self.app_tenant_id != self.tenant_id
        ):
            raise ValueError(
                "MicrosoftAppTenantId and PHOTOSYNC_TENANT_ID name different organisations: the bot serves one"
            )
        self._check_sso()
        if self.anonymous and not self.allow_anonymous and not (self.demo and is_loopback_host(self.host)):
            raise ValueError(
                "MicrosoftAppId is required: without a bot registration no request can be authenticated "
                "(only the demo on a loopback PHOTOSYNC_HOST runs without one; "
                "PHOTOSYNC_ALLOW_ANONYMOUS=true is for local debugging)"
            )
        return self

    def _check_sso(self) -> None:
        if bool(self.sso_connection) != bool(self.sso_app_id_uri):
            raise ValueError("PHOTOSYNC_SSO_CONNECTION and PHOTOSYNC_SSO_APP_ID_URI go together")
        if not self.sso:
            return
        if self.anonymous:
            raise ValueError(
                "PHOTOSYNC_SSO_CONNECTION needs the bot registration (MicrosoftAppId and MicrosoftAppPassword): "
                "Teams SSO tokens are issued to that app, which exchanges them on the user's behalf"
            )
        match = SSO_APP_ID_URI.fullmatch(self.sso_app_id_uri)
        if match is None or (match["app_id"] or match["bot_app_id"]).lower() != self.app_id.lower():
            raise ValueError("PHOTOSYNC_SSO_APP_ID_URI must end with the bot's MicrosoftAppId")
        if not self.bot_url:
            raise ValueError(
                "PHOTOSYNC_SSO_CONNECTION needs PHOTOSYNC_PUBLIC_URL: the sign-in button falls back to the "
                "one-click sync link"
            )

    @property
    def sso(self) -> bool:
        """Teams SSO is configured: a sync starts as the user (delegated), on the click."""
        return bool(self.sso_connection and self.sso_app_id_uri)

    @property
    def demo(self) -> bool:
        """No Graph credentials: run against the built-in demo tenant."""
        return not (self.tenant_id and self.client_id)

    @property
    def helpdesk_teams(self) -> tuple[str, ...]:
        return tuple(t.strip() for t in self.helpdesk_team_ids.split(",") if t.strip())

    @property
    def anonymous(self) -> bool:
        """No bot registration: inbound tokens are not required (local Playground/Emulator only)."""
        return not self.app_id

    @property
    def insecure(self) -> bool:
        """Anonymous outside the safe case (demo on loopback): allowed only by PHOTOSYNC_ALLOW_ANONYMOUS."""
        return self.anonymous and not (self.demo and is_loopback_host(self.host))

    @property
    def bot_url(self) -> str:
        """The bot's own address for links users open ("" when unknown: then no link is offered)."""
        if self.public_url:
            return self.public_url.rstrip("/")
        if self.demo:
            host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host  # noqa: S104
            return f"http://{host}:{self.port}"
        return ""

    def sync_link_secret(self) -> bytes:
        """The key of the sync links: the configured one, else one derived from the bot's password (the same on
        every replica), else a random one for this process."""
        if self.link_secret.get_secret_value():
            return self.link_secret.get_secret_value().encode()
        if self.app_password.get_secret_value():
            key = self.app_password.get_secret_value().encode()
            return hmac.new(key, b"photosync sync links", hashlib.sha256).digest()
        return os.urandom(32)

    @property
    def serves_tenant(self) -> str:
        """The organisation this bot serves, when the settings name it (the demo tenant names its own)."""
        return self.tenant_id or (self.app_tenant_id if self.app_type is AppType.SINGLE_TENANT else "")

    def redacted(self) -> dict[str, Any]:
        """Settings as a dict with every secret replaced, for the start-up banner and logs."""
        out: dict[str, Any] = {}
        for name, value in self.model_dump().items():
            if isinstance(getattr(self, name), SecretStr):
                out[name] = "***" if getattr(self, name).get_secret_value() else ""
            elif name == "database_url":
                out[name] = redact_url(str(value))
            else:
                out[name] = str(value) if isinstance(value, (Path, StrEnum)) else value
        return out


GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
SSO_CONNECTION = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}")
_GUID_TEXT = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
# Teams SSO: the app's Application ID URI, in one of the two shapes Teams accepts (docs/DOMAIN.md).
SSO_APP_ID_URI = re.compile(
    rf"api://(?:botid-(?P<bot_app_id>{_GUID_TEXT})|"
    rf"(?P<domain>[a-z0-9](?:[a-z0-9-]{{0,61}}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{{0,61}}[a-z0-9])?)+)/"
    rf"(?:botid-)?(?P<app_id>{_GUID_TEXT}))"
)


_ALIASES = {
    name: (field.validation_alias.choices[0] if isinstance(field.validation_alias, AliasChoices) else name)
    for name, field in Settings.model_fields.items()
}


def describe_error(exc: ValidationError) -> str:
    """One line naming the variable and what is wrong with it."""
    err = exc.errors()[0]
    loc = err.get("loc") or ()
    field = str(loc[0]) if loc else ""
    variable = _ALIASES.get(field, field)
    message = str(err.get("msg", "invalid")).removeprefix("Value error, ")
    if variable:
        return f"invalid setting {variable}: {message}"
    return f"invalid settings: {message}"


def load_settings(**overrides: Any) -> Settings:
    """Read settings; on an invalid value print one line to stderr and exit with status 2."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        print(describe_error(exc), file=sys.stderr)
        raise SystemExit(2) from None
