"""The PNG gallery renderer (tests/js/render_cards.js, driven by scripts/card_gallery) works end to end:
a few representative catalogue cards, one per family and English + Dutch for one, come out as real PNGs of
a sane size. One headless Chromium for all of them; loopback only, see render_cards.js."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from .conftest import JS_DIR, REQUIRE_NODE, _node_missing, samples

RENDER_SCRIPT = JS_DIR / "render_cards.js"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")

# file stem -> catalogue name: one card per family, the diagnosis in both languages.
REPRESENTATIVE = {
    "diagnosis-stale-en": "en-GB+demo/diagnosis/diagnosis-stale-self",
    "diagnosis-stale-nl": "nl-NL+demo/diagnosis/diagnosis-stale-self",
    "welcome-install-en": "en-GB+demo/welcome/install",
    "sync-fixed-en": "en-GB+demo/sync-fixed/sync-fixed",
}


def _renderer_missing() -> str | None:
    missing = _node_missing()
    if missing is not None:
        return missing
    if not RENDER_SCRIPT.is_file():
        return f"{RENDER_SCRIPT} is missing"
    if not (JS_DIR / "node_modules" / "playwright-core").is_dir():
        return f"playwright-core is not installed: run `npm ci` in {JS_DIR}"
    if not os.access(CHROMIUM, os.X_OK):
        return f"chromium not found at {CHROMIUM} (Debian: `apt-get install chromium`, or set CHROMIUM)"
    return None


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    missing = _renderer_missing()
    if missing is not None:
        message = f"card PNG renderer unavailable: {missing}"
        if REQUIRE_NODE:
            pytest.fail(f"{message} (PHOTOSYNC_REQUIRE_NODE=1 makes this a failure)", pytrace=False)
        pytest.skip(f"{message}; set PHOTOSYNC_REQUIRE_NODE=1 to make this fail")
    by_name = {sample.name: sample for sample in samples()}
    absent = sorted(set(REPRESENTATIVE.values()) - by_name.keys())
    assert not absent, f"catalogue no longer has {absent}: update REPRESENTATIVE in {__file__}"
    tmp = tmp_path_factory.mktemp("gallery")
    cards_file = tmp / "cards.json"
    cards_file.write_text(
        json.dumps([{"name": stem, "card": by_name[name].card} for stem, name in REPRESENTATIVE.items()]),
        encoding="utf-8",
    )
    out = tmp / "png"
    proc = subprocess.run(
        ["node", str(RENDER_SCRIPT), str(cards_file), str(out)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=JS_DIR,
        env={**os.environ, "CHROMIUM": CHROMIUM},
        check=False,
    )
    if proc.returncode != 0:
        pytest.fail(f"render_cards.js exited {proc.returncode}:\n{proc.stderr}", pytrace=False)
    return out, json.loads(proc.stdout)


@pytest.mark.node
def test_every_card_becomes_a_png_of_sane_size(rendered: tuple[Path, list[dict[str, Any]]]) -> None:
    out, report = rendered
    assert [entry["name"] for entry in report] == list(REPRESENTATIVE)
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{stem}.png" for stem in REPRESENTATIVE)
    for stem in REPRESENTATIVE:
        path = out / f"{stem}.png"
        with Image.open(path) as image:
            assert image.format == "PNG", f"{path.name}: not a PNG ({image.format})"
            image.verify()  # checksums and structure
        with Image.open(path) as image:
            image.load()  # the pixel data decodes
            width, height = image.size
            assert 300 <= width <= 1000, f"{path.name}: width {width}px outside 300-1000"
            assert height > 100, f"{path.name}: height {height}px: card rendered (nearly) empty"
            # not a blank white rectangle: the text drew something dark
            darkest, _ = image.convert("L").getextrema()
            assert isinstance(darkest, int)
            assert darkest < 100, f"{path.name}: no dark pixels (darkest {darkest}): nothing rendered?"


@pytest.mark.node
def test_renderer_reports_no_parse_warnings(rendered: tuple[Path, list[dict[str, Any]]]) -> None:
    _, report = rendered
    assert {entry["name"]: entry["warnings"] for entry in report} == {stem: [] for stem in REPRESENTATIVE}


@pytest.mark.node
def test_english_and_dutch_render_differently(rendered: tuple[Path, list[dict[str, Any]]]) -> None:
    out, _ = rendered
    en = (out / "diagnosis-stale-en.png").read_bytes()
    nl = (out / "diagnosis-stale-nl.png").read_bytes()
    assert en != nl, "the English and Dutch stale diagnosis rendered to identical images"
