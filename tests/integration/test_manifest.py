"""The Teams app package, built the way `python -m bot manifest` builds it, checked as Teams would.

Two independent schema checks of manifest.json and nl-nl.json: the official validator of npm
@microsoft/app-manifest 1.1.2 (tests/js/validate_manifest.js, offline: bundled schemas only) and Python's
jsonschema Draft4Validator on the same bundled schema files. Plus what no schema checks: icon sizes and
transparency, semver, one app id everywhere, every localised string present, commands the bot understands.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator

from bot import manifest as teams_app
from bot.domain.intents import IntentKind, classify

REPO = Path(__file__).resolve().parents[2]
JS_DIR = REPO / "tests" / "js"
VALIDATOR_SCRIPT = JS_DIR / "validate_manifest.js"
APP_MANIFEST_PACKAGE = JS_DIR / "node_modules" / "@microsoft" / "app-manifest"
SCHEMA_DIR = APP_MANIFEST_PACKAGE / "build" / "json-schemas" / "teams" / "v1.24"
REQUIRE_NODE = os.environ.get("PHOTOSYNC_REQUIRE_NODE") == "1"

APP_ID = "3F2504E0-4F89-41D3-9A0C-0305E82C3301"  # upper case on purpose: the package uses lower case
BOT_DOMAIN = "photosync.contoso.com"
VERSION = "1.2.3"
FILES = {"manifest.json", "color.png", "outline.png", "nl-nl.json"}
SCHEMA_URL = "https://developer.microsoft.com/json-schemas/teams/v1.24/MicrosoftTeams.schema.json"
LOCALIZATION_SCHEMA_URL = (
    "https://developer.microsoft.com/json-schemas/teams/v1.24/MicrosoftTeams.Localization.schema.json"
)

PERSONAL = ("why is my photo old?", "check my photo", "help", "stop", "start")
PERSONAL_NL = ("waarom is mijn foto oud?", "controleer mijn foto", "hulp", "stop", "start")
PERSONAL_INTENTS = (
    IntentKind.WHY_PHOTO_OLD,
    IntentKind.WHY_PHOTO_OLD,
    IntentKind.HELP,
    IntentKind.STOP_NOTICES,
    IntentKind.START_NOTICES,
)


def _cli(*argv: str) -> int:
    """What `python -m bot manifest ...` runs: a subcommand added to a parser, dispatched by args.func."""
    parser = argparse.ArgumentParser(prog="bot")
    teams_app.add_manifest_subcommand(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["manifest", *argv])
    status: int = args.func(args)
    return status


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("teams-app") / "photosync.zip"
    status = _cli("--app-id", APP_ID, "--bot-domain", BOT_DOMAIN, "--version", VERSION, "--out", str(out))
    assert status == 0
    return out


@pytest.fixture(scope="module")
def unpacked(package: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("unpacked")
    with zipfile.ZipFile(package) as zf:
        zf.extractall(target)
    return target


@pytest.fixture(scope="module")
def manifest(unpacked: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((unpacked / "manifest.json").read_text("utf-8"))
    return data


@pytest.fixture(scope="module")
def nl(unpacked: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((unpacked / "nl-nl.json").read_text("utf-8"))
    return data


def _unavailable(message: str) -> None:
    if REQUIRE_NODE:
        pytest.fail(f"{message} (PHOTOSYNC_REQUIRE_NODE=1 makes this a failure)", pytrace=False)
    pytest.skip(f"{message}; set PHOTOSYNC_REQUIRE_NODE=1 to make this fail")


def _need_node_modules() -> None:
    for needed in (APP_MANIFEST_PACKAGE / "package.json", JS_DIR / "node_modules" / "fs-extra"):
        if not needed.exists():
            _unavailable(f"{needed} is missing: run `npm install --no-audit --no-fund` in {JS_DIR}")


# --- the package -----------------------------------------------------------------------------------------


def test_zip_holds_exactly_the_app_files_at_its_root(package: Path) -> None:
    with zipfile.ZipFile(package) as zf:
        assert set(zf.namelist()) == FILES
        assert zf.testzip() is None


def test_same_inputs_same_bytes(package: Path, tmp_path: Path) -> None:
    again = teams_app.build_package(APP_ID, tmp_path / "again.zip", bot_domain=BOT_DOMAIN, version=VERSION)
    assert again.read_bytes() == package.read_bytes()


def test_build_functions_return_what_the_package_holds(manifest: dict[str, Any], nl: dict[str, Any]) -> None:
    assert teams_app.build_manifest(APP_ID, bot_domain=BOT_DOMAIN, version=VERSION) == manifest
    assert teams_app.build_language_files(APP_ID, bot_domain=BOT_DOMAIN, version=VERSION) == {
        "nl-nl.json": nl
    }


def test_cli_defaults_write_photosync_teams_app_zip_with_the_package_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert _cli("--app-id", APP_ID, "--bot-domain", BOT_DOMAIN) == 0
    assert "photosync-teams-app.zip" in capsys.readouterr().out
    with zipfile.ZipFile(tmp_path / "photosync-teams-app.zip") as zf:
        version = json.loads(zf.read("manifest.json"))["version"]
    assert version == teams_app.default_version()
    assert re.fullmatch(r"\d+\.\d+\.\d+", version)


def test_python_m_bot_manifest(tmp_path: Path) -> None:
    """The real entry point, in a process of its own: a package on success, one line and status 2 on a typo."""
    out = tmp_path / "cli.zip"
    base = [sys.executable, "-m", "bot", "manifest", "--bot-domain", BOT_DOMAIN, "--out", str(out)]
    ok = subprocess.run(
        [*base, "--app-id", APP_ID], cwd=REPO, capture_output=True, text=True, timeout=60, check=False
    )
    assert ok.returncode == 0, ok.stderr
    with zipfile.ZipFile(out) as zf:
        assert set(zf.namelist()) == FILES
    out.unlink()
    bad = subprocess.run(
        [*base, "--app-id", "3f2504e0", "--version", "1.0"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert bad.returncode == 2
    assert bad.stderr.strip().startswith("manifest: app id must be"), bad.stderr
    assert not out.exists()


def test_one_app_id_everywhere_and_no_placeholder_left(manifest: dict[str, Any], nl: dict[str, Any]) -> None:
    app_id = APP_ID.lower()
    assert manifest["id"] == app_id
    assert [bot["botId"] for bot in manifest["bots"]] == [app_id]
    assert "webApplicationInfo" not in manifest  # only with Teams SSO (tests/integration/test_sso.py)
    assert manifest["validDomains"] == [BOT_DOMAIN]
    for document in (manifest, nl):
        left = [text for text in _strings(document) if "{{" in text or "}}" in text]
        assert left == []


def test_version_is_semver(manifest: dict[str, Any]) -> None:
    assert manifest["version"] == VERSION
    assert re.fullmatch(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)", manifest["version"])


def test_bot_declaration(manifest: dict[str, Any]) -> None:
    assert manifest["$schema"] == SCHEMA_URL
    assert manifest["manifestVersion"] == "1.24"
    (bot,) = manifest["bots"]
    assert sorted(bot["scopes"]) == ["groupChat", "personal", "team"]
    assert bot["supportsFiles"] is False
    assert bot["isNotificationOnly"] is False
    lists = {tuple(sorted(entry["scopes"])): entry["commands"] for entry in bot["commandLists"]}
    assert set(lists) == {("personal",), ("groupChat", "team")}
    assert tuple(c["title"] for c in lists[("personal",)]) == PERSONAL
    assert tuple(c["title"] for c in lists[("groupChat", "team")]) == ("check", "help")
    assert "check <name or email>" in lists[("groupChat", "team")][0]["description"]
    assert manifest["localizationInfo"] == {
        "defaultLanguageTag": "en-us",
        "additionalLanguages": [{"languageTag": "nl-nl", "file": "nl-nl.json"}],
    }
    developer = manifest["developer"]
    assert developer["name"] == teams_app.DEFAULT_DEVELOPER_NAME
    assert developer["websiteUrl"] == f"https://{BOT_DOMAIN}/"
    assert developer["privacyUrl"].startswith("https://")
    assert developer["termsOfUseUrl"].startswith("https://")


async def test_the_developer_links_open_pages_the_bot_serves(
    manifest: dict[str, Any], tmp_path: Path
) -> None:
    """The package's default website, privacy and terms links are the bot's own pages: each answers 200 with
    a short page in English and Dutch, and the privacy page names the retention in force."""
    from urllib.parse import urlsplit

    import httpx

    from bot.app import create_app
    from bot.settings import Settings
    from tests.loopback import serving

    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        PHOTOSYNC_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'pages.db'}",
        PHOTOSYNC_AUDIT_RETENTION_DAYS=123,
    )
    developer = manifest["developer"]
    links = [developer["websiteUrl"], developer["privacyUrl"], developer["termsOfUseUrl"]]
    async with serving(create_app(settings)) as base, httpx.AsyncClient(trust_env=False) as http:
        pages = {}
        for link in links:
            parts = urlsplit(link)
            assert parts.scheme == "https" and parts.hostname == BOT_DOMAIN, link
            response = await http.get(f"{base}{parts.path}")
            assert response.status_code == 200, link
            assert response.headers["content-type"].startswith("text/html")
            pages[parts.path] = response.text
    assert "123 days" in pages["/privacy"] and "123 dagen" in pages["/privacy"]
    for page in pages.values():
        assert '<section lang="en">' in page and '<section lang="nl">' in page
        assert len(page) < 6000


def test_descriptions_say_what_the_bot_does(manifest: dict[str, Any]) -> None:
    full = manifest["description"]["full"]
    for words in ("Entra ID", "Exchange", "SharePoint", "re-sync", "Helpdesk", "notice", "Dutch"):
        assert words in full
    assert len(manifest["description"]["short"]) <= 80
    assert "photo" in manifest["description"]["short"]


def _strings(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [s for key, value in node.items() for s in (key, *_strings(value))]
    if isinstance(node, list):
        return [s for value in node for s in _strings(value)]
    return [node] if isinstance(node, str) else []


def _at(document: dict[str, Any], dotted: str) -> Any:
    """`bots[0].commandLists[1].commands[0].title` → that value in the manifest."""
    node: Any = document
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", dotted):
        node = node[int(part[1:-1])] if part.startswith("[") else node[part]
    return node


def test_every_dutch_string_has_an_english_original_and_back(
    manifest: dict[str, Any], nl: dict[str, Any]
) -> None:
    assert nl["$schema"] == LOCALIZATION_SCHEMA_URL
    keys = {key for key in nl if key != "$schema"}
    localisable = {"name.short", "name.full", "description.short", "description.full"}
    for i, entry in enumerate(manifest["bots"][0]["commandLists"]):
        for j in range(len(entry["commands"])):
            localisable |= {
                f"bots[0].commandLists[{i}].commands[{j}].title",
                f"bots[0].commandLists[{i}].commands[{j}].description",
            }
    assert keys == localisable
    for key in keys:
        assert isinstance(_at(manifest, key), str)
        assert nl[key].strip()
    for key in ("description.short", "description.full"):
        assert nl[key] != _at(manifest, key)


def test_command_titles_are_what_the_bot_understands(manifest: dict[str, Any], nl: dict[str, Any]) -> None:
    personal_nl = tuple(nl[f"bots[0].commandLists[0].commands[{j}].title"] for j in range(5))
    assert personal_nl == PERSONAL_NL
    for titles in (PERSONAL, PERSONAL_NL):
        assert [classify(title).kind for title in titles] == list(PERSONAL_INTENTS)
    # team/group chat: Teams inserts the title, the user types the rest
    for check in ("check", nl["bots[0].commandLists[1].commands[0].title"]):
        for person in ("Megan Bowen", "megan.bowen@contoso.com"):
            intent = classify(f"{check} {person}")
            assert (intent.kind, intent.subject) == (IntentKind.WHY_PHOTO_OLD, person)
    assert classify(nl["bots[0].commandLists[1].commands[1].title"]).kind is IntentKind.HELP


# --- icons (the schema does not check them) --------------------------------------------------------------


def test_icons_sizes_modes_and_outline_transparency(manifest: dict[str, Any], unpacked: Path) -> None:
    image_module = pytest.importorskip("PIL.Image", reason="Pillow (a test dependency) is not installed")
    with image_module.open(unpacked / manifest["icons"]["color"]) as color:
        assert color.format == "PNG"
        assert color.size == (192, 192)
        assert color.mode in ("RGB", "RGBA")
    with image_module.open(unpacked / manifest["icons"]["outline"]) as outline:
        assert outline.format == "PNG"
        assert outline.size == (32, 32)
        assert outline.mode == "RGBA"
        rgba = outline.load()
        pixels = [rgba[x, y] for y in range(32) for x in range(32)]
    visible = [p for p in pixels if p[3] > 0]
    assert {p[:3] for p in visible} == {(255, 255, 255)}, "outline icon: white only"
    assert all(rgba[x, y][3] == 0 for x, y in ((0, 0), (31, 0), (0, 31), (31, 31))), "background transparent"
    assert 0.1 < len(visible) / len(pixels) < 0.7, "a drawing, neither empty nor a filled square"
    assert any(p[3] == 255 for p in visible)


# --- schema: the official validator (node) and jsonschema (Python) ---------------------------------------


def _broken(manifest: dict[str, Any]) -> dict[str, Any]:
    broken = copy.deepcopy(manifest)
    del broken["bots"][0]["scopes"]
    return broken


@pytest.mark.node
def test_official_validator_accepts_the_package_and_catches_a_broken_manifest(
    manifest: dict[str, Any], unpacked: Path, tmp_path: Path
) -> None:
    if shutil.which("node") is None:
        _unavailable("node is not on PATH (install Node.js 20+)")
    _need_node_modules()
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(_broken(manifest)), encoding="utf-8")
    files = [unpacked / "manifest.json", unpacked / "nl-nl.json", broken]
    proc = subprocess.run(
        ["node", str(VALIDATOR_SCRIPT), *map(str, files)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=JS_DIR,
        check=False,
    )
    assert proc.returncode in (0, 1), (
        f"validate_manifest.js exited {proc.returncode}:\n{proc.stdout}{proc.stderr}"
    )
    report = json.loads(proc.stdout)
    by_name = {Path(result["file"]).name: result for result in report["results"]}
    for name in ("manifest.json", "nl-nl.json"):
        assert by_name[name]["errors"] == [], f"{name}: {by_name[name]['errors']}"
        assert by_name[name]["schemaFile"].endswith(
            str(Path("teams", "v1.24", Path(by_name[name]["schema"]).name))
        )
    assert not by_name["broken.json"]["valid"]
    assert any("scopes" in error for error in by_name["broken.json"]["errors"])
    assert proc.returncode == 1  # the broken manifest, and only it


def _validator(schema_file: str) -> Draft4Validator:
    _need_node_modules()
    path = SCHEMA_DIR / schema_file
    # no check_schema: one Office add-in pattern in >= v1.24 uses \p{L}, which Python's re rejects
    return Draft4Validator(json.loads(path.read_text("utf-8")))


def test_jsonschema_accepts_the_package_and_catches_a_broken_manifest(
    manifest: dict[str, Any], nl: dict[str, Any]
) -> None:
    app = _validator("MicrosoftTeams.schema.json")
    assert [e.message for e in app.iter_errors(manifest)] == []
    assert [e.message for e in _validator("MicrosoftTeams.Localization.schema.json").iter_errors(nl)] == []
    errors = [e.message for e in app.iter_errors(_broken(manifest))]
    assert errors == ["'scopes' is a required property"]


# --- bad values ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"app_id": "not-a-guid"}, "GUID"),
        ({"app_id": "3f2504e0-4f89-41d3-9a0c-0305e82c330"}, "GUID"),
        ({"app_id": "{3f2504e0-4f89-41d3-9a0c-0305e82c3301}"}, "GUID"),
        ({"app_id": "00000000-0000-0000-0000-000000000000"}, "all-zero"),
        ({"version": "1.0"}, "MAJOR.MINOR.PATCH"),
        ({"version": "1.0.0-beta.1"}, "MAJOR.MINOR.PATCH"),
        ({"version": "01.0.0"}, "MAJOR.MINOR.PATCH"),
        ({"version": "v1.0.0"}, "MAJOR.MINOR.PATCH"),
        ({"bot_domain": "https://photosync.contoso.com"}, "host name"),
        ({"bot_domain": "photosync.contoso.com/api"}, "host name"),
        ({"bot_domain": "*.contoso.com"}, "host name"),
        ({"privacy_url": "http://contoso.com/privacy"}, "https://"),
        ({"developer_name": "x" * 33}, "32"),
    ],
)
def test_bad_values_raise_value_error_naming_the_problem(kwargs: dict[str, str], message: str) -> None:
    args: dict[str, Any] = {"app_id": APP_ID, "bot_domain": BOT_DOMAIN, "version": VERSION, **kwargs}
    app_id = args.pop("app_id")
    with pytest.raises(ValueError, match=re.escape(message)):
        teams_app.build_manifest(app_id, **args)


def test_cli_reports_a_bad_value_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = _cli("--app-id", "nope", "--bot-domain", BOT_DOMAIN, "--out", str(tmp_path / "x.zip"))
    assert status == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("manifest: app id must be")
    assert "\n" not in err
    assert not (tmp_path / "x.zip").exists()


def _template_copy(tmp_path: Path) -> Path:
    source = tmp_path / "manifest"
    shutil.copytree(teams_app.MANIFEST_DIR, source, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return source


def test_unknown_placeholder_in_the_template_is_an_error(tmp_path: Path) -> None:
    source = _template_copy(tmp_path)
    template = json.loads((source / "manifest.json").read_text("utf-8"))
    template["name"]["full"] = "PhotoSync {{TYPO}}"
    (source / "manifest.json").write_text(json.dumps(template), encoding="utf-8")
    with pytest.raises(ValueError, match=r"manifest\.json\.name\.full uses unknown placeholder \{\{TYPO\}\}"):
        teams_app.build_package(
            APP_ID, tmp_path / "x.zip", bot_domain=BOT_DOMAIN, version=VERSION, source_dir=source
        )


def test_wrong_icon_size_is_an_error(tmp_path: Path) -> None:
    source = _template_copy(tmp_path)
    shutil.copy(source / "color.png", source / "outline.png")
    with pytest.raises(ValueError, match=r"outline icon outline\.png must be 32×32 pixels: it is 192×192"):
        teams_app.build_package(
            APP_ID, tmp_path / "x.zip", bot_domain=BOT_DOMAIN, version=VERSION, source_dir=source
        )
    assert not (tmp_path / "x.zip").exists()


def test_missing_template_names_the_way_out(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="--source-dir"):
        teams_app.build_manifest(APP_ID, bot_domain=BOT_DOMAIN, version=VERSION, source_dir=tmp_path)
