"""What a Teams message asks for: a transparent keyword/regex scorer, English and Dutch, no ML.

Pipeline (pure, no I/O; cheap on any input):
1. `strip_markup` of the first `MAX_RAW_CHARS` characters, cut to `MAX_MATCH_CHARS`: HTML tags removed
   (inline tags such as `<at>` keep their text, block tags become a space), entities decoded (`&nbsp;`,
   `&#39;`, ...), NFKC, invisible format characters dropped, whitespace collapsed. Case and diacritics are
   kept: a subject is returned as typed.
2. That text is *folded* for matching: casefold, diacritics removed (`geüpdatet` → `geupdatet`),
   quote/apostrophe and dash variants made ASCII. Every folded character keeps the index of the character
   it came from, so a subject found in folded text is cut from the typed text.
3. Each intent kind sums the weights of the signals (regexes over folded text) that fire; see `_score`.
   The best kind with a score of at least `THRESHOLD` wins, ties going to the earlier kind in
   `_PRIORITY`; otherwise UNKNOWN. Main signals (weights):
   - WHY_PHOTO_OLD: photo noun +2, staleness phrase +2 (old/outdated/"hasn't changed"/"niet bijgewerkt"/
     "klopt niet"...), why/waarom +1, a place (Teams, SharePoint, profiel...) +1, status word +1 and "?" +1,
     "check/controleer (my) photo" +3, a bare "photo?"-style message +3, "check <Person or e-mail>" +4,
     an e-mail address alone +4, "<Name>'s photo" +2. It also needs a photo noun or a person to check:
     "my phone is old" scores 2.
   - RESYNC: resync/re-sync/"opnieuw synchroniseren" +4; sync/synchroniseer/refresh/ververs +2 (not when a
     negation precedes it: "doesn't sync" is a complaint); photo noun +2 when a sync verb fired.
   - HELP, GREETING, STOP_NOTICES, START_NOTICES: the whole message is the command (filler such as
     "please"/"graag" ignored) +5; a command phrase in a longer message +4 (help +3, a leading greeting +3;
     a greeting with at most two more words +5).
4. `subject` (WHY_PHOTO_OLD and RESYNC only): an e-mail address; "<Name>'s photo"; "photo of/for <Name>",
   "foto van <Name>"; "check/controleer <Name>" (a name as typed: capitalised words, Dutch particles between
   them, or 1-3 words ending an all-lowercase message). Words about the sender (my, me, mijn, mij) mean the
   caller's own photo: subject None. Mentions (`<at>Name</at>`) are the caller's: their text is kept.
5. `language`: counts of English-only vs Dutch-only marker words; None when it cannot tell (tie or none:
   "help", "stop", "Teams" are both).
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Literal

__all__ = [
    "MAX_MATCH_CHARS",
    "MAX_RAW_CHARS",
    "THRESHOLD",
    "Intent",
    "IntentKind",
    "Language",
    "classify",
    "scores",
    "strip_markup",
]

Language = Literal["en", "nl"]

MAX_RAW_CHARS = 16_384  # markup is stripped from this much of the raw text (C-speed regexes only)
MAX_MATCH_CHARS = 400  # and this much of the clean text is normalised and matched
THRESHOLD = 4


class IntentKind(StrEnum):
    WHY_PHOTO_OLD = "why_photo_old"
    RESYNC = "resync"
    HELP = "help"
    GREETING = "greeting"
    STOP_NOTICES = "stop_notices"
    START_NOTICES = "start_notices"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Intent:
    kind: IntentKind
    language: Language | None = None
    subject: str | None = None  # someone else's name or e-mail (helpdesk); None = the sender's own photo


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _phrases(text: str) -> list[str]:
    return text.split("|")


# --- 1. markup -------------------------------------------------------------------------------------------

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


# --- 2. folding ------------------------------------------------------------------------------------------

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


# --- 3. signals (over folded text) -----------------------------------------------------------------------


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.X)


_PHOTO = (
    r"\b(?:profile-?|profiel-?|pas)?(?:photo(?:graph)?s?|pics?|pictures?|images?|avatars?|pfps?|headshots?"
    r"|thumbnails?|foto(?:'s|s)?|afbeelding(?:en)?|plaatjes?)\b"
)
_NEG = r"(?:not|never|no|\w+n't|doesnt|dont|didnt|isnt|wasnt|hasnt|havent|wont|cant|arent|niet|nooit|geen)"
_PLACE = (
    r"(?:teams|sharepoint|share\s?point|outlook|delve|office|m365|o365|microsoft\s365|exchange|entra|onedrive"
    r"|intranet|profile|profiel|people\scard|contactkaart|profielkaart)"
)
PHOTO = _rx(_PHOTO)
STALE = _rx(
    r"""\b(?:old(?:er)?|outdated|out[\s-]of[\s-]date|stale|previous|wrong|incorrect|different|mismatch(?:ed)?
    |stuck|same\s+as\s+before|not\s+(?:the\s+)?(?:new|current|latest|right|correct|up[\s-]to[\s-]date)
    |still\s+(?:shows?|showing|displays?|has|have|the\s+same|there|old|see|seeing|looks?)
    |oud|oude|ouder|verouderd|achterhaald|gedateerd|vorige|verkeerde?|anders|fout|klopt\s+(?:nog\s+)?niet
    |nog\s+(?:steeds|altijd)|blijft|dezelfde|geen\s+update|(?:er\s+)?mis\s+met)\b"""
    rf"""|\b{_NEG}(?:\s+\S+){{0,3}}?\s+(?:updat\w*|chang\w*|refresh\w*|sync\w*|show\w*|appear\w*|load\w*
    |reflect\w*|visible|bijgewerkt|ge-?updat\w*|veranderd|veranderen|verandert|gewijzigd|wijzigen|aangepast
    |ververst|verversen|vernieuwd|gesynchroniseerd|synchroniseren|gesync\w*|zichtbaar|actueel|overgenomen
    |doorgevoerd|goed|juist|getoond|te\s+zien)\b"""
)
WHY = _rx(r"\b(?:why|how\s+come|what'?s\s+wrong|what\s+is\s+wrong|waarom|hoe\s+komt|wat\s+is\s+er\s+mis)\b")
PLACE = _rx(r"\b" + _PLACE + r"\b")
STATUS = _rx(
    r"\b(?:up[\s-]to[\s-]date|current|synced|synchroni[sz]ed|in\s+sync|updated|actueel|bijgewerkt"
    r"|gesynchroniseerd|gesync\w*|correct|juist)\b"
)
_OWN = r"(?:my|mine|me|myself|mijn|m'n|mn|mij|me|mezelf|mijzelf)"
_CHECK = r"(?:check|checken|verify|diagnose|inspect|look\s+up|lookup|controleer|controleren|bekijk|nakijken)"
CHECK_PHOTO = _rx(r"\b" + _CHECK + r"\s+(?:(?:my|mijn|m'n|mn|the|de|het|on|op)\s+)*" + _PHOTO)
BARE_PHOTO = _rx(
    rf"^(?:(?:my|mijn|m'n|mn|the|de|het|our|onze)\s+)?(?:{_PLACE}\s+)?{_PHOTO}(?:\s+(?:in|on|op)\s+{_PLACE})?\W*$"
)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
RESYNC_STRONG = _rx(
    r"""\b(?:re-?\s?sync\w*|resynchroni\w*|her-?synchroni\w*|force\s+(?:a\s+)?(?:sync|refresh)|forceer\s+\w+
    |opnieuw\s+(?:synchroni\w*|sync\w*|ophalen|laden))\b"""
)
RESYNC_WEAK = _rx(
    r"\b(?:sync|synchroni[sz]e|synchroniseer|synchroniseren|syncen|refresh|reload|ververs|verversen|vernieuw)\b"
)
NEG_WORD = re.compile(r"^" + _NEG + r"$")
HELP_PHRASE = _rx(
    r"""\b(?:what\s+can\s+(?:you|u)\s+do|what\s+do\s+you\s+do|how\s+does\s+(?:this|it)\s+work
    |how\s+(?:do\s+i|to)\s+use|wat\s+(?:kun|kan)\s+(?:je|jij|u)(?:\s+doen)?|wat\s+doe\s+(?:je|jij)
    |hoe\s+werkt\s+(?:dit|het)|hoe\s+gebruik\s+ik|help\s+me|i\s+need\s+help|ik\s+heb\s+hulp\s+nodig)\b"""
)
HELP_WORD = _rx(r"\b(?:help|hulp)\b")
GREETING_LEAD = _rx(
    r"""^(?:hi|hello|hey|heya|hiya|howdy|greetings|good\s+(?:morning|afternoon|evening|day)|morning
    |hallo|hoi|hai|hee|dag|goedemorgen|goedemiddag|goedenavond|goedendag|goeiemorgen|goeiemiddag
    |goedenmorgen|goeiedag|morgen)\b"""
)
_NOTICES = r"(?:notifications?|notices?|alerts?|messages?|reminders?|pings?)"
_MELDINGEN = r"(?:meldingen|notificaties|berichten|herinneringen|waarschuwingen)"
STOP_PHRASE = _rx(
    r"\b(?:unsubscribe|opt[\s-]?out|afmelden|uitschrijven)\b"
    r"|\b(?:stop|disable|turn\s+off|switch\s+off|mute|pause|silence|no\s+more|don'?t\s+send(?:\s+me)?"
    r"|stop\s+sending(?:\s+me)?)\s+(?:\w+\s+){0,2}?" + _NOTICES + r"\b|\b" + _NOTICES + r"\s+off\b"
    r"|\b(?:geen|stop|stop\s+met|stoppen\s+met)\s+(?:\w+\s+){0,2}?" + _MELDINGEN + r"\b"
    r"|\bzet\s+(?:\w+\s+){0,2}?" + _MELDINGEN + r"\s+uit\b"
    r"|\b" + _MELDINGEN + r"\s+(?:uit|uitzetten|stoppen|uitschakelen)\b"
)
START_PHRASE = _rx(
    r"\b(?:subscribe|resubscribe|opt[\s-]?in|aanmelden|inschrijven|abonneren|unmute)\b"
    rf"|\b(?:start|enable|turn\s+on|switch\s+on|resume|restart|send\s+me)\s+(?:\w+\s+){{0,2}}?{_NOTICES}\b"
    rf"|\b{_NOTICES}\s+on\b"
    r"|\bzet\s+(?:\w+\s+){0,2}?" + _MELDINGEN + r"\s+(?:weer\s+)?aan\b"
    r"|\b" + _MELDINGEN + r"\s+(?:weer\s+)?(?:aan|aanzetten|inschakelen|starten|hervatten)\b"
)
_FILLER = _words(
    "please pls plz now thanks thx bot photosync graag aub alsjeblieft alstublieft svp even nu bedankt "
    "there all everyone allemaal again weer"
)
_COMMANDS: dict[str, IntentKind] = {
    **dict.fromkeys(
        _phrases(
            "help|hulp|help me|menu|commands|command|options|opties|info|about|usage|uitleg|instructies"
            "|handleiding|what can you do|wat kun je|wat kan je|wat kun je doen|wat kan je doen"
            "|wat kun jij doen|wat kan jij doen|wat doe je"
        ),
        IntentKind.HELP,
    ),
    **dict.fromkeys(
        _phrases(
            "stop|stoppen|unsubscribe|opt out|optout|afmelden|uitschrijven|mute|stop notifications"
            "|stop notices|geen meldingen meer|meldingen uit"
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
_PRIORITY = (
    IntentKind.WHY_PHOTO_OLD,
    IntentKind.RESYNC,
    IntentKind.STOP_NOTICES,
    IntentKind.START_NOTICES,
    IntentKind.HELP,
    IntentKind.GREETING,
)


def _command_words(folded: str) -> str:
    words = [w for w in re.findall(r"[\w']+", folded) if w not in _FILLER]
    return " ".join(words)


def _negated(folded: str, start: int) -> bool:
    """A negation among the four words before `start` ("doesn't my photo sync")."""
    return any(NEG_WORD.match(w) for w in folded[:start].split()[-4:])


def _sync_verb(folded: str) -> int:
    strong = any(not _negated(folded, m.start()) for m in RESYNC_STRONG.finditer(folded))
    weak = any(not _negated(folded, m.start()) for m in RESYNC_WEAK.finditer(folded))
    return 4 if strong else 2 if weak else 0


def _score(folded: str, evidence: int) -> dict[IntentKind, int]:
    photo = bool(PHOTO.search(folded))
    scores = dict.fromkeys(_PRIORITY, 0)
    if photo or evidence:
        scores[IntentKind.WHY_PHOTO_OLD] = (
            2 * photo
            + 2 * bool(STALE.search(folded))
            + bool(WHY.search(folded))
            + bool(PLACE.search(folded))
            + bool(STATUS.search(folded))
            + ("?" in folded)
            + 3 * bool(CHECK_PHOTO.search(folded) or BARE_PHOTO.search(folded))
            + evidence
        )
    sync = _sync_verb(folded)
    scores[IntentKind.RESYNC] = sync + 2 * photo if sync else 0
    scores[IntentKind.STOP_NOTICES] = 4 * bool(STOP_PHRASE.search(folded))
    scores[IntentKind.START_NOTICES] = 4 * bool(START_PHRASE.search(folded))
    scores[IntentKind.HELP] = 4 if HELP_PHRASE.search(folded) else 3 * bool(HELP_WORD.search(folded))
    scores[IntentKind.GREETING] = 3 * bool(GREETING_LEAD.search(folded))
    words = _command_words(folded)
    if words in _COMMANDS:
        scores[_COMMANDS[words]] = 5
    elif GREETING_LEAD.match(words) and len(GREETING_LEAD.sub("", words).split()) <= 2:
        scores[IntentKind.GREETING] = 5  # "hello", "hi Megan", "goedemorgen allemaal"
    if folded.strip(" ?!.") == "" and "?" in folded:
        scores[IntentKind.HELP] = 5
    return scores


# --- 4. subject ------------------------------------------------------------------------------------------

_TOKEN = re.compile(r"[\w@][\w'.@+-]*")
_TUSSEN = _words("van der den de ter ten te von di da la le du del")
_STOP = _words(
    """a an the this that these those it its is are was be been has have had do does did why how what who
    when where which is in on at of for from to with and or but not no new old current please pls photo
    picture pic image avatar profile teams sharepoint outlook delve office status weather password mail
    email inbox calendar phone laptop account team everyone somebody someone user users him her his hers
    their them they he she we our us you your i my me mine myself out up still yet now today again
    ticket tickets printer vpn wifi network server license licence mailbox onedrive excel powerpoint
    computer desktop screen meeting meetings file files folder site sites link
    de het een dit dat die deze is zijn was van voor met op in aan uit en of maar niet geen nog al ook
    waarom hoe wat wie waar wanneer foto profielfoto afbeelding profiel oud oude nieuw nieuwe verouderd
    bijgewerkt klopt wordt werd graag alsjeblieft aub nu weer hem haar zijn hun ze zij hij wij we ons onze
    jij je jouw u uw ik mijn mij mezelf"""
)
_OWN_WORDS = frozenset(re.findall(r"[\w']+", _OWN.replace("|", " ")))
POSSESSIVE = _rx(
    r"(?P<name>[\w@][\w.@+-]*(?:\s+[\w@][\w.@+-]*){0,3}?)'s?\s+"
    r"(?:(?:profile|profiel|teams|sharepoint|outlook|own|new|old|oude|nieuwe)\s+)*" + _PHOTO
)
PHOTO_OF = _rx(_PHOTO + r"\s+(?:of|from|for|van|voor)\s+")
CHECK_OF = _rx(r"\b" + _CHECK + r"\s+")


class _Text:
    """The clean (as typed) and folded text, with the map between them."""

    def __init__(self, clean: str) -> None:
        self.clean = clean
        self.folded, self.where = _fold(clean)
        self.lowercase_only = clean == clean.lower()

    def cut(self, start: int, end: int) -> str:
        return self.clean[self.where[start] : self.where[end - 1] + 1]

    def capitalised(self, pos: int) -> bool:
        return self.clean[self.where[pos]].isupper()


def _name_tokens(t: _Text, tokens: list[re.Match[str]], *, first_needs_capital: bool) -> str | None:
    """Consecutive name words (left to right): capitalised as typed (or the user types in lower case),
    stopping at a common word; Dutch particles ('van der') only between name words."""
    picked: list[re.Match[str]] = []
    for i, tok in enumerate(tokens[:5]):
        word = tok.group().strip(".'-")
        if not word:
            break
        upper = t.capitalised(tok.start())
        if word in _TUSSEN and picked and i + 1 < len(tokens) and t.capitalised(tokens[i + 1].start()):
            picked.append(tok)
            continue
        if word in _STOP or word in _OWN_WORDS or any(ch.isdigit() for ch in word):
            break
        needs_capital = first_needs_capital or bool(picked)
        if needs_capital and not upper and not (picked and t.lowercase_only):
            break
        picked.append(tok)
    while picked and picked[-1].group().strip(".'-") in _TUSSEN:
        picked.pop()
    if not picked:
        return None
    end = picked[-1].start() + len(picked[-1].group().rstrip(".'-"))
    return t.cut(picked[0].start(), end)


def _lowercase_name(t: _Text, tokens: list[re.Match[str]]) -> str | None:
    """All-lowercase "check megan bowen": 1-3 uncommon words that end the message."""
    while tokens and tokens[-1].group().strip(".'-") in _FILLER:
        tokens = tokens[:-1]
    words = [tok.group().strip(".'-") for tok in tokens]
    if not t.lowercase_only or not 1 <= len(words) <= 3 or t.folded[tokens[-1].end() :].strip(" ?!.") != "":
        return None
    if any(not w or w in _STOP or w in _OWN_WORDS or any(ch.isdigit() for ch in w) for w in words):
        return None
    return t.cut(tokens[0].start(), tokens[-1].start() + len(tokens[-1].group().rstrip(".'-")))


def _subject(t: _Text) -> tuple[str | None, int]:
    """(subject, evidence): evidence 4 = a request to check that person (enough on its own for
    WHY_PHOTO_OLD), 2 = "<Name>'s photo", 0 = none or a name beside other photo words. Own words → None."""
    f = t.folded
    if m := EMAIL.search(f):
        alone = EMAIL.fullmatch(f.strip(" ?!.")) is not None
        return t.cut(m.start(), m.end()), 4 if alone or CHECK_OF.search(f) else 0
    if m := POSSESSIVE.search(f):
        words = list(_TOKEN.finditer(f, m.start("name"), m.end("name")))
        picked: list[re.Match[str]] = []
        for tok in reversed(words):  # nearest to "'s" first
            w = tok.group()
            if (
                w in _STOP
                or w in _OWN_WORDS
                or (picked and not t.capitalised(tok.start()) and not t.lowercase_only)
            ):
                break
            picked.insert(0, tok)
        if picked:
            return t.cut(picked[0].start(), m.end("name")), 2
    if m := PHOTO_OF.search(f):
        name = _name_tokens(t, list(_TOKEN.finditer(f, m.end())), first_needs_capital=False)
        if name:
            return name, 0
    if m := CHECK_OF.search(f):
        tokens = list(_TOKEN.finditer(f, m.end()))
        if [tok.group() for tok in tokens if tok.group() not in _FILLER][:2] in (["me"], ["mij"], ["myself"]):
            return None, 4  # "check me", "controleer mij"
        name = _name_tokens(t, tokens, first_needs_capital=True) or _lowercase_name(t, tokens)
        if name:
            return name, 4
    return None, 0


# --- 5. language -----------------------------------------------------------------------------------------

_EN = _words(
    """why my the photo photos picture pictures pic pics image avatar old outdated not still does doesn't
    doesnt show shows showing check what can you do please hello morning good evening afternoon
    unsubscribe subscribe notifications notification changed updating updated update profile i it a an
    and to for with this that how come there are be been has hasn't hasnt have new one your see thanks
    thank wrong from on reset password phone weather outing team sync synchronise synchronize picture's
    won't isn't didn't mine myself"""
)
_NL = _words(
    """waarom mijn m'n de het een foto fotos foto's profielfoto oud oude verouderd niet nog steeds ik je
    jij wat kun kan zie wordt klopt controleer hulp hallo hoi goedemorgen goedemiddag goedenavond
    meldingen meer geen afmelden aanmelden opnieuw synchroniseer synchroniseren bijgewerkt geupdatet
    wachtwoord vergeten van voor met op aan uit en dat die dit er mij weer graag alsjeblieft bedankt dank
    waar hoe komt staat zijn heb heeft ook maar nieuwe andere anders verkeerd doen profiel zien"""
)


def _language(folded: str) -> Language | None:
    words = re.findall(r"[\w']+", folded)
    en = sum(w in _EN for w in words)
    nl = sum(w in _NL for w in words)
    if en > nl:
        return "en"
    if nl > en:
        return "nl"
    return None


# --- classify --------------------------------------------------------------------------------------------


def _prepare(text: str) -> _Text:
    return _Text(_strip_markup(text[:MAX_RAW_CHARS] if text else "", MAX_MATCH_CHARS))


def scores(text: str) -> dict[IntentKind, int]:
    """Every kind's score for `text` (for logs and tests: why a message got its intent)."""
    t = _prepare(text)
    return _score(t.folded, _subject(t)[1])


CACHED_TEXT_MAX = 256  # messages up to this length are remembered (people ask the same few questions)


def classify(text: str) -> Intent:
    """The intent of a Teams message (bot mention already removed). Never raises on a str.

    A pure function of the text, so short texts are answered from a bounded cache (≤ 2,048 × 256 characters):
    classifying is on every turn's hot path (see docs/BENCHMARKS.md), and most messages are one of a handful
    of phrasings."""
    if len(text) <= CACHED_TEXT_MAX:
        return _classify_cached(text)
    return _classify(text)


def _classify(text: str) -> Intent:
    t = _prepare(text)
    if not t.folded.strip():
        return Intent(IntentKind.UNKNOWN)
    subject, evidence = _subject(t)
    scored = _score(t.folded, evidence)
    best = max(_PRIORITY, key=lambda k: scored[k])  # max keeps the first (highest priority) on ties
    if scored[best] < THRESHOLD:
        return Intent(IntentKind.UNKNOWN, _language(t.folded))
    keep_subject = best in (IntentKind.WHY_PHOTO_OLD, IntentKind.RESYNC)
    return Intent(best, _language(t.folded), subject if keep_subject else None)


_classify_cached = lru_cache(maxsize=2048)(_classify)
