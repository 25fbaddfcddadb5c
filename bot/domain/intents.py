"""What a Teams message asks for, and about whom: a small linear model trained from a labelled corpus (English,
Dutch, Flemish, mixed, typos), plus exact rules where exact rules exist. Pure: no I/O beyond loading the
shipped artefact at import, no clock.

Pipeline (see `bot/domain/language/`; docs/ARCHITECTURE.md, "Language understanding", says how to retrain):
1. `strip_markup` of the first `MAX_RAW_CHARS` characters, cut to `MAX_MATCH_CHARS`, then *folded* (casefold,
   no diacritics, ASCII quotes and dashes) with a map back to the typed text (`language/text.py`).
2. The person the text names (`language/people.py`): an e-mail address or UPN and an account name ("user
   k.smith") by exact rules; any other name by the model's name tagger (`language/names.py`), which tells
   from each word and its neighbours whether it is part of a name. That span is masked before the other heads
   see the text, so they learn the phrasing around a name, not the corpus's names.
3. Features (`language/features.py`): words, word pairs, character 3-5-grams within words, symbols, length,
   and the words and pairs again paired with "a photo is mentioned".
4. Three more heads of the shipped model (`language/model.json`): the intent (every `IntentKind`), whom a photo
   question is about (self, other, manager, several) and the language (en, nl, or either). The best intent
   below `MIN_CONFIDENCE` is UNKNOWN (a photo intent: both photo kinds together below `PHOTO_CONFIDENCE`, which
   costs a one-click miss but saves a false alarm), and so is text the model knows too few features of.
5. Exact rules win where they are exact: a message that is only a command word ("stop", "afmelden", "help"),
   only an e-mail address, or only "?"; "check me" is the sender.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Literal

from bot.domain.language.features import analyse
from bot.domain.language.model import Model, load
from bot.domain.language.people import EMAIL, Candidate, Tagger, asks_about_sender
from bot.domain.language.text import MAX_MATCH_CHARS, MAX_RAW_CHARS, strip_markup

__all__ = [
    "MAX_MATCH_CHARS",
    "MAX_RAW_CHARS",
    "MIN_CONFIDENCE",
    "PHOTO_CONFIDENCE",
    "PHOTO_KINDS",
    "About",
    "Intent",
    "IntentKind",
    "Language",
    "classify",
    "scores",
    "strip_markup",
]

Language = Literal["en", "nl"]
About = Literal["self", "other"]

MIN_CONFIDENCE = 0.45  # the best intent's probability must reach this, else UNKNOWN
PHOTO_CONFIDENCE = 0.55  # a photo intent (both kinds summed) needs this; chosen by CV on the training split
MIN_KNOWN_SHARE = 0.2  # and the model must know this share of the message's features (not noise)
LANGUAGE_CONFIDENCE = 0.4  # the likelier of English and Dutch needs this probability
LANGUAGE_MARGIN = 4.0  # and this many times the other's, else the language is "can't tell" (None)


class IntentKind(StrEnum):
    WHY_PHOTO_OLD = "why_photo_old"
    RESYNC = "resync"
    HELP = "help"
    GREETING = "greeting"
    SMALL_TALK = "small_talk"
    HOW_TO_CHANGE = "how_to_change"
    STOP_NOTICES = "stop_notices"
    START_NOTICES = "start_notices"
    UNKNOWN = "unknown"


PHOTO_KINDS = frozenset({IntentKind.WHY_PHOTO_OLD, IntentKind.RESYNC})


@dataclass(frozen=True, slots=True)
class Intent:
    kind: IntentKind
    language: Language | None = None
    subject: str | None = None
    """The other person as typed (name, part of a name, e-mail, UPN or account); None: no one named."""
    about: About | None = None
    """For photo questions: the sender's own photo or someone else's (even when no one is named)."""
    manager: bool = False
    """"my manager's photo": the sender's manager (the directory knows who)."""
    several: bool = False
    """Several people at once ("the whole finance team")."""
    alternatives: tuple[IntentKind, ...] = ()
    """For UNKNOWN: the closest things the bot can do, best first."""


_MODEL: Model = load()
_TAGGER = Tagger(_MODEL.name, _MODEL.name_words)


def _words(text: str) -> list[str]:
    return text.replace("!", " ").replace(".", " ").replace(",", " ").split()


def _phrases(text: str) -> list[str]:
    return text.split("|")


_FILLER = frozenset(
    _phrases("please|pls|plz|now|thanks|thx|bot|photosync|graag|aub|alsjeblieft|alstublieft|svp|even|nu")
)
_COMMANDS: dict[str, IntentKind] = {
    **dict.fromkeys(
        _phrases("help|hulp|help me|menu|commands|options|opties|what can you do|wat kun je|wat kun je doen"),
        IntentKind.HELP,
    ),
    **dict.fromkeys(
        _phrases(
            "stop|stoppen|unsubscribe|opt out|optout|afmelden|uitschrijven|mute|stop notifications|stop notices"
            "|geen meldingen meer|meldingen uit"
        ),
        IntentKind.STOP_NOTICES,
    ),
    **dict.fromkeys(
        _phrases(
            "start|subscribe|opt in|optin|resume|aanmelden|inschrijven|abonneren|unmute|start notifications"
            "|meldingen aan|meldingen weer aan"
        ),
        IntentKind.START_NOTICES,
    ),
}


# the command phrases of one language (the others, "help", "stop", "unsubscribe", "opt in", are said in both)
_COMMAND_LANGUAGE: dict[str, Language] = {
    **dict.fromkeys(
        _phrases(
            "hulp|wat kun je|wat kun je doen|opties|stoppen|afmelden|uitschrijven|geen meldingen meer|meldingen uit"
            "|aanmelden|inschrijven|abonneren|meldingen aan|meldingen weer aan"
        ),
        "nl",
    ),
    **dict.fromkeys(
        _phrases(
            "help me|commands|options|what can you do|stop notifications|stop notices|start notifications"
        ),
        "en",
    ),
}


def _command(folded: str) -> tuple[IntentKind, Language | None] | None:
    """A whole-message command: its kind and, when the phrase is of one language, that language."""
    phrase = " ".join(w for w in _words(folded) if w not in _FILLER)
    kind = _COMMANDS.get(phrase)
    return None if kind is None else (kind, _COMMAND_LANGUAGE.get(phrase))


def scores(text: str) -> dict[IntentKind, float]:
    """Every kind's probability for `text` (for logs and tests: why a message got its intent)."""
    _, _, feats = analyse(text, _TAGGER)
    probabilities = _MODEL.intent.probabilities(feats)
    return {kind: probabilities.get(kind.value, 0.0) for kind in IntentKind}


def _language(feats: list[str]) -> Language | None:
    """English or Dutch when the language head is clear about it (and finds it likelier than "either
    language"); None for "either" ("ok", "help", "thanks!")."""
    p = _MODEL.language.probabilities(feats)
    best: Language = "en" if p["en"] >= p["nl"] else "nl"
    other = p["nl"] if best == "en" else p["en"]
    clear = p[best] >= LANGUAGE_CONFIDENCE and p[best] >= LANGUAGE_MARGIN * other and p[best] >= p["-"]
    return best if clear else None


_OPPOSITE = {
    IntentKind.STOP_NOTICES: IntentKind.START_NOTICES,
    IntentKind.START_NOTICES: IntentKind.STOP_NOTICES,
}
TOGGLE_CONFIDENCE = 0.8  # switching notices on or off changes state: 4-to-1 odds, more than an answer needs
TOGGLE_MARGIN = 4.0  # and this many times the opposite's probability


def _toggle_in_doubt(best: IntentKind, probabilities: dict[str, float]) -> bool:
    """Notices are never switched on a guess: a toggle below `TOGGLE_CONFIDENCE` ("stop the meeting"), or with
    "stop" and "start" too close to tell apart, is UNKNOWN, whose card offers the closest actions."""
    opposite = _OPPOSITE.get(best)
    if opposite is None:
        return False
    p = probabilities[best.value]
    return p < TOGGLE_CONFIDENCE or p < TOGGLE_MARGIN * probabilities[opposite.value]


def _content(feats: list[str]) -> list[str]:
    """The features that come from the text itself (not its length or its being empty)."""
    return [f for f in feats if f[0] != "n" and f != "b <s> </s>"]


CACHED_TEXT_MAX = 256  # messages up to this length are remembered (people ask the same few questions)


def classify(text: str) -> Intent:
    """The intent of a Teams message (bot mention already removed). Never raises on a str.

    A pure function of the text, so short texts are answered from a bounded cache (≤ 2,048 × 256 characters):
    classifying is on every turn's hot path (see docs/BENCHMARKS.md)."""
    if len(text) <= CACHED_TEXT_MAX:
        return _classify_cached(text)
    return _classify(text)


def _classify(text: str) -> Intent:
    t, person, feats = analyse(text, _TAGGER)
    folded = t.folded.strip()
    if not folded:
        return Intent(IntentKind.UNKNOWN)
    language = _language(feats)
    if (command := _command(folded)) is not None:
        return Intent(command[0], command[1] or language)
    if folded.strip(" ?!.") == "" and "?" in folded:
        return Intent(IntentKind.HELP, language)
    if person is not None and "@" in person.text and EMAIL.fullmatch(folded.strip(" ?!.")):
        return Intent(IntentKind.WHY_PHOTO_OLD, language, person.text, "other")
    probabilities = _MODEL.intent.probabilities(feats)
    ranked = sorted(probabilities, key=lambda k: -probabilities[k])
    best = IntentKind(ranked[0])
    content = _content(feats)
    known = _MODEL.intent.known(content) / len(content) if content else 0.0
    if best in PHOTO_KINDS:  # both photo kinds lead to the same card: their sum is the photo question's
        confident = sum(probabilities[k.value] for k in PHOTO_KINDS) >= PHOTO_CONFIDENCE
    else:
        confident = probabilities[best.value] >= MIN_CONFIDENCE
    if not confident or known < MIN_KNOWN_SHARE or _toggle_in_doubt(best, probabilities):
        best = IntentKind.UNKNOWN
    if best is IntentKind.UNKNOWN:
        closest = tuple(IntentKind(k) for k in ranked if k != IntentKind.UNKNOWN.value)[:3]
        return Intent(IntentKind.UNKNOWN, language, alternatives=closest)
    if best not in PHOTO_KINDS:
        return Intent(best, language)
    return _about(best, language, t.lowercase_only, person, feats, asks_about_sender(t))


def _about(
    kind: IntentKind,
    language: Language | None,
    lowercase_only: bool,
    person: Candidate | None,
    feats: list[str],
    sender: bool,
) -> Intent:
    if sender and not (person is not None and person.strong and "@" in person.text):
        return Intent(kind, language, None, "self")
    probabilities = _MODEL.about.probabilities(feats)
    target = max(probabilities, key=lambda k: probabilities[k])
    exact = person is not None and person.strong and ("@" in person.text or not lowercase_only)
    if target == "self" and not exact:
        return Intent(kind, language, None, "self")
    if target == "manager":
        return Intent(kind, language, None, "other", manager=True)
    if target == "several":
        return Intent(kind, language, None, "other", several=True)
    return Intent(kind, language, person.text if person is not None else None, "other")


_classify_cached = lru_cache(maxsize=2048)(_classify)
