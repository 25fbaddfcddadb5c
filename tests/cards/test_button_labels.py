"""No button label is cut off: Teams shows an action's title on one line and ends it with "…" when it doesn't
fit. Every catalogue card (every kind, case, subject and language) is rendered by the official renderer in
headless Chromium (tests/js/measure_actions.js, the page and host config of render_cards.js) at 400 px, Teams'
narrow card width, and each button's title is measured against the room its button gives it.

Each label is measured on a button of its own, as wide as the card (how Teams shows a label when it has the
room), with 10 % to spare: the test page draws Segoe UI's fallback fonts and only approximates Teams' button
padding. Labels with a name are measured with the catalogue's "Megan Bowen"; a much longer name can still be
cut, which Teams' tooltip covers. Demo cards are left out: the demo footer adds no button."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from .conftest import JS_DIR, REQUIRE_NODE, samples
from .test_gallery import CHROMIUM, _renderer_missing

MEASURE_SCRIPT = JS_DIR / "measure_actions.js"
CARD_WIDTH = 400  # px: Teams' narrow full-width card
SPARE = 0.10  # the share of a button's room a label leaves free

CARDS = [sample for sample in samples() if not sample.demo]


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    missing = _renderer_missing() or (None if MEASURE_SCRIPT.is_file() else f"{MEASURE_SCRIPT} is missing")
    if missing is not None:
        message = f"button measurement unavailable: {missing}"
        if REQUIRE_NODE:
            pytest.fail(f"{message} (PHOTOSYNC_REQUIRE_NODE=1 makes this a failure)", pytrace=False)
        pytest.skip(f"{message}; set PHOTOSYNC_REQUIRE_NODE=1 to make this fail")
    cards_file: Path = tmp_path_factory.mktemp("buttons") / "cards.json"
    cards_file.write_text(
        json.dumps([{"name": sample.name, "card": sample.card} for sample in CARDS]), encoding="utf-8"
    )
    proc = subprocess.run(
        ["node", str(MEASURE_SCRIPT), str(cards_file), str(CARD_WIDTH)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=JS_DIR,
        env={**os.environ, "CHROMIUM": CHROMIUM},
        check=False,
    )
    if proc.returncode != 0:
        pytest.fail(f"measure_actions.js exited {proc.returncode}:\n{proc.stderr}", pytrace=False)
    result: list[dict[str, Any]] = json.loads(proc.stdout)
    return [entry for entry in result if entry["alone"]]


def buttons(node: Any) -> list[str]:
    """The titles of the buttons a card shows: its actions, wherever they are, but not an action's fallback
    (shown only by clients that can't show the action) nor the card's `refresh` (an action Teams runs unseen)."""
    if isinstance(node, list):
        return [title for item in node for title in buttons(item)]
    if not isinstance(node, dict):
        return []
    own = [node["title"]] if str(node.get("type", "")).startswith("Action.") else []
    hidden = ("fallback", "refresh")
    return own + [title for key, value in node.items() if key not in hidden for title in buttons(value)]


def full_width(entry: dict[str, Any]) -> bool:
    """A button as wide as the card (a card's actions); a button in an auto-width column (pick-user's "Check")
    is as wide as its label, and only `fits` applies to it."""
    return bool(entry["boxWidth"] >= CARD_WIDTH - 80)


@pytest.mark.node
def test_every_button_was_measured(measured: list[dict[str, Any]]) -> None:
    by_card: dict[str, list[str]] = {}
    for entry in measured:
        by_card.setdefault(entry["card"], []).append(entry["title"])
    for sample in CARDS:
        titles = buttons(sample.card)
        assert sorted(by_card.get(sample.name, [])) == sorted(titles), sample.name


@pytest.mark.node
def test_no_button_label_is_cut_off(measured: list[dict[str, Any]]) -> None:
    assert measured, "no buttons measured"
    too_long = sorted(
        {
            (entry["title"], entry["textWidth"], entry["boxWidth"])
            for entry in measured
            if not entry["fits"]
            or (full_width(entry) and entry["textWidth"] > (1 - SPARE) * entry["boxWidth"])
        }
    )
    assert too_long == [], "\n".join(
        f"{title!r}: {text:.0f} px of text, {box:.0f} px of button (at most {(1 - SPARE) * box:.0f} px)"
        for title, text, box in too_long
    )


@pytest.mark.node
def test_the_box_is_the_card_width(measured: list[dict[str, Any]]) -> None:
    """The measurement means something: most buttons had nearly the card's width to offer (card padding and
    button padding aside), so the labels were measured against Teams' narrow width, not a wider page."""
    boxes = {entry["boxWidth"] for entry in measured if full_width(entry)}
    assert boxes and all(box <= CARD_WIDTH for box in boxes), boxes
    assert sum(map(full_width, measured)) > len(measured) / 2  # most buttons are a card's actions
