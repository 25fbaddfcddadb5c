"""Shared fixtures for the card tests: the catalogue, the official 1.5 JSON schema, the official renderer."""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft6Validator

from .catalogue import CardSample, card_samples

JS_DIR = Path(__file__).resolve().parents[1] / "js"
VALIDATOR_SCRIPT = JS_DIR / "validate_card.js"
RENDERER = JS_DIR / "node_modules" / "adaptivecards" / "dist" / "adaptivecards.min.js"
REQUIRE_NODE = os.environ.get("PHOTOSYNC_REQUIRE_NODE") == "1"

# Teams' own card key: allowed on the card root, nothing else.
MSTEAMS_SCHEMA = {
    "type": "object",
    "properties": {"width": {"enum": ["full"]}, "entities": {"type": "array"}},
    "additionalProperties": False,
}


@cache
def samples() -> tuple[CardSample, ...]:
    """Built once per session; test modules parametrize over it at collection time."""
    return tuple(card_samples())


@pytest.fixture(scope="session")
def card_schema_validator() -> Draft6Validator:
    """The official Adaptive Cards 1.5 schema (draft-06), rooted at AdaptiveCard, `msteams` allowed."""
    path = resources.files("adaptive_cards") / "schemas" / "schema-1.5.json"
    schema: dict[str, Any] = copy.deepcopy(json.loads(path.read_text(encoding="utf-8")))
    del schema["anyOf"]
    schema["$ref"] = "#/definitions/AdaptiveCard"
    schema["definitions"]["AdaptiveCard"]["properties"]["msteams"] = MSTEAMS_SCHEMA
    Draft6Validator.check_schema(schema)
    return Draft6Validator(schema)


def _node_missing() -> str | None:
    node = shutil.which("node")
    if node is None:
        return "node is not on PATH (install Node.js 20+)"
    if not RENDERER.is_file():
        return f"{RENDERER} is missing: run `npm install` in {JS_DIR}"
    return None


@pytest.fixture(scope="session")
def renderer_results() -> dict[str, dict[str, Any]]:
    """Every catalogue card parsed by the official renderer in ONE node process, keyed by card name."""
    missing = _node_missing()
    if missing is not None:
        message = f"official Adaptive Cards renderer unavailable: {missing}"
        if REQUIRE_NODE:
            pytest.fail(f"{message} (PHOTOSYNC_REQUIRE_NODE=1 makes this a failure)", pytrace=False)
        pytest.skip(f"{message}; set PHOTOSYNC_REQUIRE_NODE=1 to make this fail")
    cards = samples()
    proc = subprocess.run(
        ["node", str(VALIDATOR_SCRIPT)],
        input=json.dumps([sample.card for sample in cards]),
        capture_output=True,
        text=True,
        timeout=120,
        cwd=JS_DIR,
        check=False,
    )
    if proc.returncode != 0:
        pytest.fail(f"validate_card.js exited {proc.returncode}:\n{proc.stderr}", pytrace=False)
    results: list[dict[str, Any]] = json.loads(proc.stdout)
    assert len(results) == len(cards)
    return {sample.name: result for sample, result in zip(cards, results, strict=True)}
