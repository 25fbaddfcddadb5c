"""Every user-visible card string, in English and Dutch.

`t(key, lang, **fmt)` looks a string up and fills its `{placeholders}`; extra keyword arguments are
ignored, a missing one raises KeyError. Both catalogues must have the same keys and, per key, the same
placeholders (tests/unit/test_cards_strings.py checks it).
"""

from __future__ import annotations

import string
from collections.abc import Mapping

from ..context import Lang
from .en import EN
from .nl import NL

CATALOGUES: Mapping[Lang, Mapping[str, str]] = {"en": EN, "nl": NL}


def t(key: str, lang: Lang, /, **fmt: object) -> str:
    """The string `key` in `lang`, formatted with `fmt`."""
    template = CATALOGUES[lang][key]
    return template.format(**fmt) if fmt or "{" in template else template


def placeholders(template: str) -> frozenset[str]:
    """The names of the `{placeholders}` in a catalogue string."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)


def has_key(key: str) -> bool:
    return key in EN


__all__ = ["CATALOGUES", "EN", "NL", "has_key", "placeholders", "t"]
