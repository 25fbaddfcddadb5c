"""Card templates: a card built once with the typed models, its texts filled in per reader.

The idea of Adaptive Cards Templating (layout separate from data), authored with the typed models of
`microsoft-teams-cards` instead of hand-written JSON. `CardTemplate(build, slots)` calls `build` once with a
marker string for every slot; the typed models validate that card and dump it, and the dump is kept as JSON text
cut at the markers. `fill(texts)` puts each reader's texts (JSON-escaped) where the markers were and parses the
result: a fresh dict, equal to what `build(texts)` would dump (tests/unit/test_card_templates.py checks it on
generated diagnoses, both languages, every variant).

Why: building and dumping ~20 pydantic models per card is a large share of a diagnosis turn (hot path: see
docs/BENCHMARKS.md); a template is a few dozen string joins and one orjson parse. Templates are keyed by the
card's *shape* (which elements it has), never by a reader's data, so every user gets the same benefit.

Rules for a `build` function: slot values may only be placed, never inspected or transformed (no `if text`, no
`text.upper()`): whatever `build` decides must come from its shape. `fill` refuses empty texts, as `text_block`
does (a marker is never empty, so `build` could not have refused them itself).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import orjson

_MARK = "\x00"  # cannot occur in a card's constant strings; JSON-escaped as \u0000


class CardTemplate:
    def __init__(self, build: Callable[[Mapping[str, str]], dict[str, Any]], slots: Iterable[str]) -> None:
        names = tuple(slots)
        if not names or len(set(names)) != len(names) or any(not re.fullmatch(r"\w+", n) for n in names):
            raise ValueError("slots must be distinct, non-empty word names")
        markers = {name: f"{_MARK}{name}{_MARK}" for name in names}
        text = orjson.dumps(build(markers)).decode()
        escaped = re.compile(r"\\u0000(\w+)\\u0000")
        self._segments: list[str] = []
        self._order: list[str] = []
        position = 0
        for match in escaped.finditer(text):
            if match.group(1) not in markers:
                raise ValueError(f"unknown slot {match.group(1)!r} in the template")
            self._segments.append(text[position : match.start()])
            self._order.append(match.group(1))
            position = match.end()
        self._segments.append(text[position:])
        if _MARK in "".join(self._segments) or "\\u0000" in "".join(self._segments):
            raise ValueError("a slot value was transformed by the build function (marker left over)")
        self.slots = frozenset(self._order)
        if self.slots != set(names):
            raise ValueError(f"slots never placed by the build function: {sorted(set(names) - self.slots)}")

    def fill(self, texts: Mapping[str, str]) -> dict[str, Any]:
        """The card with `texts` in its slots (every slot the template uses must be given, non-empty)."""
        try:
            escaped = {name: _escape(texts[name]) for name in self.slots}
        except KeyError as exc:
            raise KeyError(f"no text for slot {exc.args[0]!r}") from None
        parts = [self._segments[0]]
        for name, segment in zip(self._order, self._segments[1:], strict=True):
            parts.append(escaped[name])
            parts.append(segment)
        text = "".join(parts)
        try:
            card: dict[str, Any] = orjson.loads(text)
        except (
            orjson.JSONDecodeError
        ):  # a lone surrogate, escaped by the stdlib below: only json reads it back
            card = json.loads(text)
        return card


def _escape(value: str) -> str:
    """`value` as the inside of a JSON string literal."""
    if type(value) is not str:
        raise TypeError(f"slot texts must be str, not {type(value).__name__}")
    if not value:
        raise ValueError("empty card text")
    try:
        return orjson.dumps(value)[1:-1].decode()
    except TypeError:  # not valid UTF-8 (a lone surrogate): the stdlib escapes it as \udxxx
        return json.dumps(value)[1:-1]
