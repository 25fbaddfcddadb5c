"""Who a message names. Exact rules where they are exact: an e-mail address or UPN, an account name ("user
k.smith"). Any other name comes from the learned tagger (`names.py`), which finds it by its place in the
sentence ("Megan's photo", "de foto van Jan de Vries", "ticket 123: Niels Vos - ...", "lisa says her pic...").

A wrong guess is cheap because it is checked afterwards: the bot looks every name up in the directory (Graph),
so it ends as "no one matches", never as someone else's card. Words for roles and pronouns (manager, boss,
collega, her, the new guy) are not names; the model decides what they mean.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .lexicon import word_set
from .model import Head
from .names import find_name
from .text import Text

__all__ = ["Candidate", "Tagger", "asks_about_sender", "find_person", "mask"]

STRONG_NAME = 0.8  # a name whose words average this probability counts as named on purpose


@dataclass(frozen=True, slots=True)
class Candidate:
    """A person named in the text: as typed, where it sits in the folded text, and how sure we are."""

    text: str
    start: int
    end: int
    strong: bool  # an address, an account, or a name the tagger is sure of


@dataclass(frozen=True, slots=True)
class Tagger:
    """The name tagger of a shipped model: its head and the words it knows by identity."""

    head: Head
    common: frozenset[str]


_PHOTO = (
    r"(?:profile-?|profiel-?)?(?:photo(?:graph)?s?|pics?|pictures?|images?|avatars?|pfps?|headshots?"
    r"|thumbnails?|foto(?:'s|s)?|fotoo?s?|afbeelding(?:en)?|plaatjes?|pf)\b"
)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
ACCOUNT = re.compile(
    r"\b(?:user|gebruiker|account|login|username|gebruikersnaam|userid|alias)\s*:?\s+(?P<acc>[a-z0-9][\w.-]*)"
)
_NOT_ACCOUNTS = word_set(
    "me my mine mijn mij him her his haar hem zijn photo foto picture pic profile profiel reports says zegt meldt"
    " is was has heeft"
)


def _candidate(t: Text, start: int, end: int, *, strong: bool) -> Candidate | None:
    if end <= start:
        return None
    text = t.cut(start, end).strip()
    return Candidate(text, start, end, strong) if text else None


def find_person(t: Text, tagger: Tagger | None) -> Candidate | None:
    """The person the text names, if any: an address, an account, else what the tagger finds."""
    f = t.folded
    if m := EMAIL.search(f):
        return _candidate(t, m.start(), m.end(), strong=True)
    for m in ACCOUNT.finditer(f):
        acc = m.group("acc").rstrip(".-")
        rest = f[m.end("acc") :].lstrip()
        looks_like_account = bool(re.search(r"[._\d]", acc)) or not rest or re.match(r"'s\b|" + _PHOTO, rest)
        if acc and acc not in _NOT_ACCOUNTS and looks_like_account:
            return _candidate(t, m.start("acc"), m.start("acc") + len(acc), strong=True)
    if tagger is None or (found := find_name(t, tagger.head, tagger.common)) is None:
        return None
    start, end, probability = found
    return _candidate(t, start, end, strong=probability >= STRONG_NAME)


_CHECK_SELF = re.compile(r"\b(?:check|controleer|verify|diagnose)\s+(?:me|mij|myself|mezelf|mijzelf)\b")


_OWN_PHOTO = re.compile(
    r"\b(?:my|mijn|m'n|mn|mine|mijne)\s+(?:(?:new|old|current|own|profile|teams|outlook|sharepoint|nieuwe"
    r"|oude|huidige|eigen|profiel)\s+){0,2}"
    + _PHOTO
    + r"|\b"
    + _PHOTO
    + r"\s+(?:of|van)\s+(?:me|mij|myself|mezelf)\b"
)


def asks_about_sender(t: Text) -> bool:
    """ "check me", "controleer mij", "my photo", "mijn nieuwe foto", "foto van mij": the sender names their own
    photo (the possessive right before the photo word, so "my manager's photo" is not one)."""
    return _CHECK_SELF.search(t.folded) is not None or _OWN_PHOTO.search(t.folded) is not None


def mask(folded: str, person: Candidate | None) -> str:
    """The folded text with the person replaced by a placeholder word, so the model learns the phrase around
    a name rather than the names in its corpus."""
    if person is None:
        return folded
    token = " zzmail " if "@" in person.text else " zzname "
    return f"{folded[: person.start]}{token}{folded[person.end :]}"
