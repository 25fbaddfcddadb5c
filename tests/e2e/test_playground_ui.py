"""UI tests through the Microsoft 365 Agents Playground's web UI in headless Chromium (tests/e2e/ui_driver.js).

One session fixture runs the driver inside a loopback-only network namespace (`unshare -n`: bot, Playground,
Chromium and the driver together). It types into the Teams-like composer, presses Enter, clicks the card's
"Refresh my photo in SharePoint" button (a browser tab opens the one-click sync link) and watches that card
follow the sync, and @mentions the bot in a channel, screenshotting each step. Without node,
chromium, playwright-core, the Playground package or `unshare` permission: skip with the reason, or FAIL when
PHOTOSYNC_REQUIRE_E2E=1 (CI).
"""

from __future__ import annotations

import json
import os
import shlex
import struct
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.driver import REPO
from tests.e2e.tools import playground_unavailable, require_or_skip, run_in_netns

UI_DRIVER = REPO / "tests" / "e2e" / "ui_driver.js"
PLAYWRIGHT = REPO / "tests" / "js" / "node_modules" / "playwright-core"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _unavailable() -> str | None:
    if not os.access(CHROMIUM, os.X_OK):
        return f"chromium not found at {CHROMIUM} (apt-get install chromium, or set CHROMIUM)"
    if not PLAYWRIGHT.is_dir():
        return f"npm playwright-core is not installed ({PLAYWRIGHT}); run npm ci in tests/js"
    return playground_unavailable()


def run_ui_driver(
    out: Path, timeout: float = 150
) -> tuple[subprocess.CompletedProcess[str], dict[str, Any] | None]:
    # The bot runs on this interpreter (the venv the tests run in), never whatever `python3` is on PATH.
    inner = (
        f"ip link set lo up; PYTHON={shlex.quote(sys.executable)} "
        f"exec node {shlex.quote(str(UI_DRIVER))} --out {shlex.quote(str(out))}"
    )
    proc = run_in_netns(inner, timeout, REPO)
    report = out / "result.json"
    return proc, (json.loads(report.read_text()) if report.is_file() else None)


@pytest.fixture(scope="session")
def ui(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    require_or_skip(_unavailable(), "Playground UI e2e")
    out = tmp_path_factory.mktemp("ui")
    proc, result = run_ui_driver(out)
    if result is None:
        pytest.fail(f"ui_driver wrote no report (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    assert result["ok"], (
        f"ui_driver errors: {result['errors']}\nbot log:\n{result.get('bot_log_tail')}\n"
        f"playground log:\n{result.get('playground_log_tail')}"
    )
    return result


def step(ui: dict[str, Any], name: str) -> dict[str, Any]:
    record = ui["steps"].get(name)
    assert record is not None, f"UI step {name} did not run"
    assert record["ok"], f"{name}: {record['error']}"
    return record


def png_size(path: str) -> tuple[int, int]:
    data = Path(path).read_bytes()
    assert data[:8] == PNG_MAGIC, f"{path} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    assert len(data) > 30_000, f"{path} is suspiciously small ({len(data)} bytes): blank page?"
    return width, height


@pytest.mark.parametrize(
    "name",
    [
        "personal-diagnosis",
        "personal-sync-started",
        "personal-sync-fixed",
        "personal-dutch",
        "channel-mention",
    ],
)
def test_screenshot_exists_with_sane_size(ui: dict[str, Any], name: str) -> None:
    assert png_size(step(ui, name)["png"]) == (1280, 1120)


def test_typed_question_gets_diagnosis_card(ui: dict[str, Any]) -> None:
    text = step(ui, "personal-diagnosis")["card_text"]
    assert "SharePoint still shows your old photo" in text
    assert "Refresh my photo in SharePoint" in text and "Re-sync" not in text


def test_the_sync_button_opens_the_users_own_photo_and_the_card_follows_the_sync(ui: dict[str, Any]) -> None:
    """Ask, click, watch the card turn green: the click opens a browser tab on the bot's one-click link, which
    lands on the user's own large photo in SharePoint; the same card then says SharePoint is fetching it, and
    once the bot's check sees the new picture, that SharePoint shows it (with both pictures)."""
    started = step(ui, "personal-sync-started")["card_text"]
    assert "SharePoint is fetching your photo" in started
    assert "Refresh my photo in SharePoint" not in started  # the clicked card was replaced in place
    landed = ui["sync_tab_url"]
    assert "/_layouts/15/userphoto.aspx?size=L" in landed and "accountname=AdeleV" in landed
    fixed = step(ui, "personal-sync-fixed")["card_text"]
    assert "SharePoint now shows your new photo" in fixed and "SharePoint shows the same picture" in fixed
    assert (ui["cards_after_sync_start"], ui["cards_after_sync_fixed"]) == (0, 0)  # updates, no new posts


def test_dutch_question_typed_in_ui_is_answered_in_dutch(ui: dict[str, Any]) -> None:
    # The Playground's web client always sends locale en-US (0.2.28): the answer follows the message. It
    # comes after the sync above: the card agrees with what the checker saw (no cached "still old").
    text = step(ui, "personal-dutch")["card_text"]
    assert "Verouderde kopie" in text and "SharePoint toont nog je oude foto" not in text
    assert "SharePoint toont dezelfde foto als Microsoft 365" in text


def test_channel_mention_picked_from_suggestions_is_answered(ui: dict[str, Any]) -> None:
    assert "SharePoint" in step(ui, "channel-mention")["card_text"]


def test_browser_reached_only_loopback(ui: dict[str, Any]) -> None:
    # The route aborts everything else (the Playground's web client asks a CDN for fonts/animations).
    assert all("127.0.0.1" not in url for url in ui["blocked"])
