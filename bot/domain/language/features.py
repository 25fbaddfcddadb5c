"""The features of one message, the same in training and at run time: word unigrams and bigrams (with the
message's start and end), character 3-5-grams within each word (padded with spaces, so prefixes and suffixes
count: typos and Dutch/English spellings share most of them), punctuation and symbols, and a length bucket.
When the message has a word for a photo (`lexicon.py`, one typo allowed), every word and word pair is also
given paired with that fact ("P" + feature): "still the old one" is evidence when a photo is mentioned and
little when a job title is, which a sum of single features cannot say.
Input is folded text (see `text.py`) with any person already masked (see `people.mask`). Digits become 0."""

from __future__ import annotations

import re

from .lexicon import photo_word
from .people import Candidate, Tagger, find_person, mask
from .text import Text, prepare

__all__ = ["analyse", "features"]

_WORD = re.compile(r"[\w']+")
_SYMBOL = re.compile(r"[^\w\s']")
_DIGIT = re.compile(r"\d")
_LENGTHS = (0, 1, 2, 4, 8, 16)


def _length_bucket(n: int) -> str:
    bucket = max(i for i, low in enumerate(_LENGTHS) if n >= low)
    return f"n{bucket}"


def features(folded: str) -> list[str]:
    """Distinct features of the text (order is not significant)."""
    text = _DIGIT.sub("0", folded)
    words = [w for w in (m.group().strip("'") for m in _WORD.finditer(text)) if w]
    out = {_length_bucket(len(words))}
    for w in words:
        out.add("w " + w)
        padded = f" {w} "
        size = len(padded)
        for n in (3, 4, 5):
            for i in range(size - n + 1):
                out.add("c" + padded[i : i + n])
    for a, b in zip(["<s>", *words], [*words, "</s>"], strict=True):
        out.add(f"b {a} {b}")
    for s in set(_SYMBOL.findall(text)[:20]):
        out.add("s" + s)
    if any(photo_word(w) for w in words):
        out |= {"P" + f for f in out if f[0] in "wb"}
        out.add("P")
    return list(out)


def analyse(text: str, tagger: Tagger | None) -> tuple[Text, Candidate | None, list[str]]:
    """A raw message → its normalised text, the person it names (if any) and its features."""
    t = prepare(text)
    person = find_person(t, tagger) if t.folded else None
    return t, person, features(mask(t.folded, person))
