"""The Teams app package: `manifest/` templates + values → `photosync-teams-app.zip`.

`manifest/manifest.json` (schema v1.24) and its language files hold `{{NAME}}` placeholders in string
values; this module checks the values, fills them in and zips the manifest, the icons and the language files
at the zip root, which is what Teams' "Upload a custom app" and the Teams admin center take.

Pure standard library, no botbuilder: usable from a source checkout without the bot's dependencies
(`python -m bot.manifest --app-id ... --bot-domain ...`, or `python -m bot manifest ...` once wired).
The templates are not part of the wheel: outside a checkout pass `source_dir` / `--source-dir`.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import re
import struct
import sys
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

__all__ = [
    "DEFAULT_DEVELOPER_NAME",
    "DEFAULT_OUT",
    "MANIFEST_DIR",
    "add_manifest_subcommand",
    "build_language_files",
    "build_manifest",
    "build_package",
    "default_version",
    "main",
    "run_manifest_command",
]

MANIFEST_DIR = Path(__file__).resolve().parent.parent / "manifest"
MANIFEST_FILE = "manifest.json"
DEFAULT_OUT = Path("photosync-teams-app.zip")
DEFAULT_DEVELOPER_NAME = "PhotoSync"
DISTRIBUTION = "photosync-bot"

# Icon sizes Teams requires (the schema does not check them).
ICON_SIZES = {"color": (192, 192), "outline": (32, 32)}

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_NIL_GUID = "00000000-0000-0000-0000-000000000000"
# Teams wants MAJOR.MINOR.PATCH: semver's core, no pre-release or build suffix, no leading zeros.
_SEMVER = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")
_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed: the same inputs give the same zip bytes


# --- values ----------------------------------------------------------------------------------------------


def validate_app_id(app_id: str) -> str:
    """The bot's Microsoft App Id as a lower-case GUID, or ValueError."""
    value = app_id.strip() if isinstance(app_id, str) else ""
    if not _GUID.match(value):
        raise ValueError(
            "app id must be the bot's Microsoft App Id (MicrosoftAppId), a GUID like "
            f"3f2504e0-4f89-41d3-9a0c-0305e82c3301: got {app_id!r}"
        )
    if value == _NIL_GUID:
        raise ValueError("app id must be the bot's Microsoft App Id, not the all-zero GUID")
    return value.lower()


def validate_version(version: str) -> str:
    """`version` if it is MAJOR.MINOR.PATCH, else ValueError."""
    value = version.strip() if isinstance(version, str) else ""
    if not _SEMVER.match(value):
        raise ValueError(
            "version must be a semantic version MAJOR.MINOR.PATCH such as 1.0.0 (Teams accepts no "
            f"pre-release or build suffix and no leading zeros): got {version!r}"
        )
    return value


def validate_bot_domain(bot_domain: str) -> str:
    """The host name the bot is reached at (lower case), or ValueError."""
    value = bot_domain.strip().lower().rstrip(".") if isinstance(bot_domain, str) else ""
    labels = value.split(".")
    if not value or len(value) > 253 or not all(_LABEL.match(label) for label in labels):
        raise ValueError(
            "bot domain must be a host name such as photosync.contoso.com (no https://, port, path "
            f"or wildcard): got {bot_domain!r}"
        )
    return value


def validate_sso_app_id_uri(uri: str, app_id: str, bot_domain: str) -> str:
    """The app's Application ID URI for Teams SSO (`webApplicationInfo.resource`), or ValueError: one of the
    shapes Teams accepts for a bot, `api://<bot domain>/<app id>` (optionally `/botid-<app id>`) or
    `api://botid-<app id>`, always naming this app."""
    app, domain = validate_app_id(app_id), validate_bot_domain(bot_domain)
    value = uri.strip() if isinstance(uri, str) else ""
    allowed = {f"api://{domain}/{app}", f"api://{domain}/botid-{app}", f"api://botid-{app}"}
    if value.lower() not in allowed:
        raise ValueError(
            f"SSO Application ID URI must be api://{domain}/{app} or api://botid-{app} (this app's id): "
            f"got {uri!r}"
        )
    return value


def _https_url(name: str, url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname or len(url) > 2048:
        raise ValueError(f"{name} must be an https:// URL (at most 2048 characters): got {url!r}")
    return url


def _developer_name(name: str) -> str:
    value = name.strip()
    if not 1 <= len(value) <= 32:
        raise ValueError(f"developer name must be 1 to 32 characters: got {name!r}")
    return value


def default_version() -> str:
    """The installed package's version, else the one in a checkout's pyproject.toml, else 1.0.0."""
    try:
        version = metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        version = ""
        pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
        if pyproject.is_file():
            import tomllib

            version = str(tomllib.loads(pyproject.read_text("utf-8")).get("project", {}).get("version", ""))
    return version if _SEMVER.match(version) else "1.0.0"


def _values(
    app_id: str,
    *,
    bot_domain: str,
    version: str,
    developer_name: str = DEFAULT_DEVELOPER_NAME,
    website_url: str | None = None,
    privacy_url: str | None = None,
    terms_url: str | None = None,
) -> dict[str, str]:
    domain = validate_bot_domain(bot_domain)
    site = f"https://{domain}"
    return {
        "APP_ID": validate_app_id(app_id),
        "BOT_DOMAIN": domain,
        "VERSION": validate_version(version),
        "DEVELOPER_NAME": _developer_name(developer_name),
        "DEVELOPER_WEBSITE_URL": _https_url("website URL", website_url or f"{site}/"),
        "DEVELOPER_PRIVACY_URL": _https_url("privacy URL", privacy_url or f"{site}/privacy"),
        "DEVELOPER_TERMS_URL": _https_url("terms of use URL", terms_url or f"{site}/terms"),
    }


# --- templates -------------------------------------------------------------------------------------------


def _source(source_dir: Path | None) -> Path:
    directory = Path(source_dir) if source_dir is not None else MANIFEST_DIR
    if not (directory / MANIFEST_FILE).is_file():
        raise FileNotFoundError(
            f"Teams app template {directory / MANIFEST_FILE} not found: run from a source checkout "
            "or pass --source-dir pointing at the repository's manifest/ folder"
        )
    return directory


def _load(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(f"{path} is missing (the manifest refers to it)") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path} is not valid JSON: {exc}") from None


def _render(node: Any, values: Mapping[str, str], where: str) -> Any:
    """A copy of a JSON value with every `{{NAME}}` in its strings replaced; unknown names → ValueError."""
    if isinstance(node, dict):
        return {key: _render(value, values, f"{where}.{key}") for key, value in node.items()}
    if isinstance(node, list):
        return [_render(value, values, f"{where}[{i}]") for i, value in enumerate(node)]
    if isinstance(node, str):

        def fill(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in values:
                raise ValueError(f"{where} uses unknown placeholder {{{{{name}}}}}; known: {sorted(values)}")
            return values[name]

        return _PLACEHOLDER.sub(fill, node)
    return copy.deepcopy(node)


def _language_file_names(manifest: Mapping[str, Any]) -> list[str]:
    info = manifest.get("localizationInfo") or {}
    names = [entry["file"] for entry in info.get("additionalLanguages", [])]
    if info.get("defaultLanguageFile"):
        names.append(info["defaultLanguageFile"])
    return names


def _manifest(
    values: Mapping[str, str], source_dir: Path | None, sso_app_id_uri: str | None = None
) -> dict[str, Any]:
    directory = _source(source_dir)
    manifest: dict[str, Any] = _render(_load(directory / MANIFEST_FILE), values, MANIFEST_FILE)
    if sso_app_id_uri:  # Teams SSO: the token Teams gets for the bot is for this resource
        resource = validate_sso_app_id_uri(sso_app_id_uri, values["APP_ID"], values["BOT_DOMAIN"])
        manifest["webApplicationInfo"] = {"id": values["APP_ID"], "resource": resource}
    return manifest


def build_manifest(
    app_id: str,
    *,
    bot_domain: str,
    version: str,
    developer_name: str = DEFAULT_DEVELOPER_NAME,
    website_url: str | None = None,
    privacy_url: str | None = None,
    terms_url: str | None = None,
    source_dir: Path | None = None,
    sso_app_id_uri: str | None = None,
) -> dict[str, Any]:
    """The filled-in manifest.json as a dict.

    `app_id` (a GUID) is the app's `id` and `bots[0].botId`; `bot_domain` is the host the bot is reached at
    (`validDomains`); `version` is MAJOR.MINOR.PATCH. `sso_app_id_uri` (Teams SSO, as PHOTOSYNC_SSO_APP_ID_URI)
    adds `webApplicationInfo` {id: the app id, resource: that URI}; without it there is none.
    The developer URLs default to `https://<bot_domain>/`, `/privacy` and `/terms`. Bad values → ValueError.
    """
    values = _values(
        app_id,
        bot_domain=bot_domain,
        version=version,
        developer_name=developer_name,
        website_url=website_url,
        privacy_url=privacy_url,
        terms_url=terms_url,
    )
    return _manifest(values, source_dir, sso_app_id_uri)


def build_language_files(
    app_id: str, *, source_dir: Path | None = None, **kw: Any
) -> dict[str, dict[str, Any]]:
    """The filled-in language files the manifest lists (`localizationInfo`), by file name."""
    kw.pop("sso_app_id_uri", None)
    values = _values(app_id, **kw)
    directory = _source(source_dir)
    manifest = _manifest(values, directory)
    return {name: _render(_load(directory / name), values, name) for name in _language_file_names(manifest)}


# --- package ---------------------------------------------------------------------------------------------


def _png_info(name: str, data: bytes) -> tuple[int, int, int]:
    """(width, height, colour type) from a PNG's IHDR, or ValueError."""
    if len(data) < 26 or not data.startswith(_PNG_SIGNATURE) or data[12:16] != b"IHDR":
        raise ValueError(f"icon {name} is not a PNG file")
    width, height = struct.unpack(">II", data[16:24])
    return width, height, data[25]


def _check_icons(manifest: Mapping[str, Any], files: Mapping[str, bytes]) -> None:
    for kind, size in ICON_SIZES.items():
        name = manifest["icons"][kind]
        width, height, colour_type = _png_info(name, files[name])
        if (width, height) != size:
            raise ValueError(f"{kind} icon {name} must be {size[0]}×{size[1]} pixels: it is {width}×{height}")
        if kind == "outline" and colour_type not in (4, 6):  # grey+alpha or RGBA
            raise ValueError(f"outline icon {name} must have a transparent background (an alpha channel)")


def _check_ids(manifest: Mapping[str, Any]) -> None:
    sso = [manifest["webApplicationInfo"]["id"]] if "webApplicationInfo" in manifest else []
    ids = {manifest["id"], *sso, *(bot["botId"] for bot in manifest["bots"])}
    if len(ids) != 1:
        raise ValueError(
            f"the template must use {{{{APP_ID}}}} for id, botId and webApplicationInfo.id: {ids}"
        )


def build_package(app_id: str, out: Path = DEFAULT_OUT, **kw: Any) -> Path:
    """Write the Teams app package (zip) to `out` and return its path.

    The zip holds manifest.json, the two icons and the language files at its root, with fixed timestamps
    (same inputs, same bytes). Keyword arguments are `build_manifest`'s. The file is replaced atomically.
    """
    source_dir: Path | None = kw.pop("source_dir", None)
    sso_app_id_uri: str | None = kw.pop("sso_app_id_uri", None)
    values = _values(app_id, **kw)
    directory = _source(source_dir)
    manifest = _manifest(values, directory, sso_app_id_uri)
    _check_ids(manifest)

    referenced = [manifest["icons"][kind] for kind in ICON_SIZES] + _language_file_names(manifest)
    for name in referenced:
        if not isinstance(name, str) or name in ("", ".", "..") or "/" in name or "\\" in name:
            raise ValueError(f"the manifest must name its files without a folder (zip root): got {name!r}")

    files: dict[str, bytes] = {MANIFEST_FILE: _json_bytes(manifest)}
    for kind in ICON_SIZES:
        name = manifest["icons"][kind]
        try:
            files[name] = (directory / name).read_bytes()
        except FileNotFoundError:
            raise FileNotFoundError(f"{directory / name} is missing (the manifest's {kind} icon)") from None
    _check_icons(manifest, files)
    for name in _language_file_names(manifest):
        files[name] = _json_bytes(_render(_load(directory / name), values, name))

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in files.items():
                info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                zf.writestr(info, data)
        Path(tmp_name).chmod(0o644)
        Path(tmp_name).replace(out)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return out


def _json_bytes(value: Any) -> bytes:
    return (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


# --- command line ----------------------------------------------------------------------------------------


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--app-id", required=True, help="the bot's Microsoft App Id (MicrosoftAppId), a GUID")
    parser.add_argument(
        "--bot-domain",
        required=True,
        help="host name the bot is reached at, e.g. photosync.contoso.com (validDomains; the SSO URI names it too)",
    )
    parser.add_argument(
        "--version",
        default=None,
        help="app version MAJOR.MINOR.PATCH; bump it for every upload (default: the package version)",
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"zip to write (default: {DEFAULT_OUT})"
    )
    parser.add_argument("--developer-name", default=DEFAULT_DEVELOPER_NAME, help="publisher shown in Teams")
    parser.add_argument("--website-url", default=None, help="https URL (default: https://<bot-domain>/)")
    parser.add_argument(
        "--privacy-url", default=None, help="https URL (default: https://<bot-domain>/privacy)"
    )
    parser.add_argument("--terms-url", default=None, help="https URL (default: https://<bot-domain>/terms)")
    parser.add_argument(
        "--source-dir", type=Path, default=None, help=f"folder with the templates (default: {MANIFEST_DIR})"
    )
    parser.add_argument(
        "--sso-app-id-uri",
        default=None,
        help="Teams SSO: the app's Application ID URI (PHOTOSYNC_SSO_APP_ID_URI), e.g. "
        "api://<bot-domain>/<app id>; adds webApplicationInfo (default: none, no SSO)",
    )


def add_manifest_subcommand(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse.ArgumentParser:
    """Add `manifest` to a CLI's subcommands; dispatch with `args.func(args)` (→ exit status)."""
    parser = subparsers.add_parser(
        "manifest",
        help="build the Teams app package (zip) to upload to Teams",
        description="Build the Teams app package: manifest.json, icons and language files in one zip.",
        epilog="example:\n  %(prog)s --app-id <bot app id> --bot-domain bot.contoso.com --out photosync.zip",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_arguments(parser)
    parser.set_defaults(func=run_manifest_command)
    return parser


def run_manifest_command(args: argparse.Namespace) -> int:
    """Build the package from parsed arguments; print where it is. 0 on success, 2 on a bad value."""
    version = args.version or default_version()
    try:
        path = build_package(
            args.app_id,
            args.out,
            bot_domain=args.bot_domain,
            version=version,
            developer_name=args.developer_name,
            website_url=args.website_url,
            privacy_url=args.privacy_url,
            terms_url=args.terms_url,
            source_dir=args.source_dir,
            sso_app_id_uri=args.sso_app_id_uri,
        )
    except (ValueError, FileNotFoundError) as exc:
        print(f"manifest: {exc}", file=sys.stderr)
        return 2
    with zipfile.ZipFile(path) as zf:
        names = ", ".join(zf.namelist())
    print(f"wrote {path} (app id {validate_app_id(args.app_id)}, version {version}): {names}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.manifest", description="Build the Teams app package (zip) to upload to Teams."
    )
    _add_arguments(parser)
    return run_manifest_command(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
