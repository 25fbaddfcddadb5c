"""The labelled corpus (`corpus/*.tsv`: text, intent, about, language, subject) and its fixed split.

A row is held out when the first byte of the SHA-256 of its text (stripped, casefolded) is below 52 of 256
(about 20 %): the split never changes when rows are added, and nothing is tuned on held-out rows. Used by
training (`train.py`), the benchmark (`bench/language.py`) and tests; the running bot never reads it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources

__all__ = ["HELD_OUT_BELOW", "Row", "held_out", "parse", "rows"]

HELD_OUT_BELOW = 52
ABOUT = ("self", "other", "-")
LANGUAGES = ("en", "nl", "-")


@dataclass(frozen=True, slots=True)
class Row:
    text: str
    intent: str
    about: str  # self | other | - (not a photo question)
    language: str  # en | nl | - (either: "ok", "help")
    subject: str  # as typed; <manager>, <several>, or - (none / unresolvable: "her photo")
    source: str

    @property
    def target(self) -> str:
        """The about head's label: self, other, manager or several."""
        if self.about != "other":
            return self.about
        return {"<manager>": "manager", "<several>": "several"}.get(self.subject, "other")


def held_out(text: str) -> bool:
    return hashlib.sha256(text.strip().casefold().encode()).digest()[0] < HELD_OUT_BELOW


def parse(content: str, source: str) -> Iterator[Row]:
    """The rows of one TSV text (blank lines and `#` comments skipped). Raises ValueError on a malformed line."""
    for number, line in enumerate(content.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 5 or parts[2] not in ABOUT or parts[3] not in LANGUAGES:
            raise ValueError(f"{source}:{number}: expected text, intent, about, language, subject")
        text, intent, about, language, subject = parts
        yield Row(text, intent, about, language, subject, source)


def rows() -> Iterator[Row]:
    """Every corpus row, file by file in name order. Raises ValueError on a malformed line."""
    folder = resources.files(__package__).joinpath("corpus")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".tsv"):
            yield from parse(entry.read_text(encoding="utf-8"), entry.name)
