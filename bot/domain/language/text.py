"""Text normalisation shared by the intent model, its training and the person rules: Teams markup to plain
text (`strip_markup`), then *folding* for matching (casefold, diacritics removed, quote and dash variants made
ASCII) with, per folded character, the index of the typed character it came from, so a name found in folded
text is cut from the text as typed."""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

__all__ = ["MAX_MATCH_CHARS", "MAX_RAW_CHARS", "Text", "prepare", "strip_markup"]

MAX_RAW_CHARS = 16_384  # markup is stripped from this much of the raw text (C-speed regexes only)
MAX_MATCH_CHARS = 400  # and this much of the clean text is normalised and matched


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# --- markup -------------------------------------------------------------------------------------------

_INLINE_TAGS = _words(
    "a abbr at b bdi bdo cite code del em font i ins kbd mark q s samp small span strike strong sub sup u var"
)
_TAG = re.compile(r"<(?:[!?][^<>]*|/?([a-zA-Z][\w:-]*)[^<>]*)>")  # linear: no nested quantifiers
_ENTITY_LEFT = re.compile(r"&(?:[a-zA-Z]{2,8}|#\d{1,7}|#[xX][0-9a-fA-F]{1,6});")
_SPACES = re.compile(r"\s+")


def _tag_replacement(m: re.Match[str]) -> str:
    name = m.group(1)
    return "" if name is not None and name.lower() in _INLINE_TAGS else " "


def strip_markup(text: str) -> str:
    """Teams message HTML → plain, single-spaced text (case and diacritics kept). Never raises on a str."""
    return _strip_markup(text, None)


def _strip_markup(text: str, limit: int | None) -> str:
    if not text:
        return ""
    text = _TAG.sub(_tag_replacement, text)
    text = html.unescape(text)
    if _ENTITY_LEFT.search(text):  # double-encoded (`&amp;nbsp;`)
        text = html.unescape(text)
    text = _TAG.sub(_tag_replacement, text)  # encoded markup (`&lt;p&gt;`) is still markup
    if limit is not None:  # the per-character work below only on what will be matched
        text = _SPACES.sub(" ", text).strip()[: 2 * limit]
    text = unicodedata.normalize("NFKC", text)
    text = "".join(
        " " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c
        for c in text
        if unicodedata.category(c) not in ("Cf", "Cs")
    )
    text = _SPACES.sub(" ", text).strip()
    return text if limit is None else text[:limit]


# --- folding ------------------------------------------------------------------------------------------

_ASCII = (
    dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u02bc\u02b9\u0060\u00b4\uff07", "'")
    | dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"')
    | dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-")
)


@lru_cache(maxsize=4096)
def _fold_char(c: str) -> str:
    if c in _ASCII:
        return _ASCII[c]
    return "".join(x for x in unicodedata.normalize("NFKD", c.casefold()) if not unicodedata.combining(x))


def _fold(clean: str) -> tuple[str, list[int]]:
    """Folded text and, per folded character, the index of the clean character it came from."""
    out: list[str] = []
    where: list[int] = []
    for i, c in enumerate(clean):
        f = _fold_char(c)
        out.append(f)
        where.extend([i] * len(f))
    return "".join(out), where


class Text:
    """The clean (as typed) and folded text of one message, with the map between them."""

    __slots__ = ("clean", "folded", "lowercase_only", "where")

    def __init__(self, clean: str) -> None:
        self.clean = clean
        self.folded, self.where = _fold(clean)
        self.lowercase_only = clean == clean.lower()

    def cut(self, start: int, end: int) -> str:
        """The typed text behind folded[start:end]."""
        return self.clean[self.where[start] : self.where[end - 1] + 1]

    def capitalised(self, pos: int) -> bool:
        return self.clean[self.where[pos]].isupper()


def prepare(text: str) -> Text:
    """A raw Teams message → its clean and folded text (only the start of a long message counts)."""
    return Text(_strip_markup(text[:MAX_RAW_CHARS] if text else "", MAX_MATCH_CHARS))
