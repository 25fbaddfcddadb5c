"""Who a message names: the exact-ish rules (an e-mail address or UPN, an account name, "X's photo",
"foto van X", "X zijn/haar foto", "check X") and, weaker, a capitalised name anywhere in a sentence.

Rules are right here because their output is checked afterwards: the bot looks every name up in the directory
(Graph), so a wrong guess ends as "no one matches", never as someone else's card. Words for roles and
pronouns (manager, boss, collega, her, his, the new guy) are never names; the model decides what they mean.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .text import Text

__all__ = ["Candidate", "asks_about_sender", "find_person", "mask"]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


@dataclass(frozen=True, slots=True)
class Candidate:
    """A person named in the text: as typed, where it sits in the folded text, and how sure the rule is."""

    text: str
    start: int
    end: int
    strong: bool  # an address, an account, or a name in a photo phrase; weak: a capitalised name alone
    masked: bool = True  # hidden from the model (not for "check tickets"-style guesses in lower case)


_PHOTO = (
    r"(?:profile-?|profiel-?)?(?:photo(?:graph)?s?|pics?|pictures?|images?|avatars?|pfps?|headshots?"
    r"|thumbnails?|foto(?:'s|s)?|fotoo?s?|afbeelding(?:en)?|plaatjes?|pf)\b"
)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_NAME_WORD = r"[\w][\w-]*(?:'[\w][\w-]*)?"
POSSESSIVE = re.compile(
    rf"(?P<name>{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,3}}?)'s?\s+"
    r"(?:(?:profile|profiel|teams|sharepoint|outlook|own|new|old|oude|nieuwe|current|latest)\s+)*" + _PHOTO
)
DUTCH_POSSESSIVE = re.compile(
    rf"(?P<name>{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,3}}?)\s+(?:zijn|z'n|zn|haar|d'r|hun)\s+"
    r"(?:(?:profiel|profile|nieuwe|oude|teams)\s+)*" + _PHOTO
)
PHOTO_OF = re.compile(r"\b" + _PHOTO + r"\s+(?:of|from|for|van|voor|bij)\s+")
CHECK_OF = re.compile(
    r"\b(?:check|checken|verify|diagnose|inspect|look\s+up|lookup|look\s+at|look\s+into|controleer|controleren"
    r"|bekijk|nakijken|kijk\s+(?:even\s+|eens\s+)?naar)\s+"
)
ACCOUNT = re.compile(
    r"\b(?:user|gebruiker|account|login|username|gebruikersnaam|userid|alias)\s*:?\s+(?P<acc>[a-z0-9][\w.-]*)"
)
_TOKEN = re.compile(r"[\w@][\w.@+'-]*")
_SENTENCE_BREAK = re.compile(r"[.!?;:\n]|,\s")
_TUSSEN = _words("van der den de ter ten te von di da la le du del 't")
_ROLE_LEAD = _words("my mijn m'n mn our onze colleague coworker co-worker collega teammate")
# Never a name: function words, roles, pronouns, places, photo words, greetings and common message words.
STOP = _words(
    """a an the this that these those it its is are was be been has have had do does did why how what who
    when where which in on at of for from to with and or but not no new old current please pls plz photo
    photos picture pictures pic pics image images avatar profile teams sharepoint outlook delve office
    microsoft m365 o365 365 exchange entra intranet onedrive viva yammer engage ad hr it ict helpdesk
    servicedesk ceo cfo cto ok okay thanks thank hi hello hey dear morning good afternoon evening
    status weather password mail email inbox calendar phone laptop account team teams everyone somebody
    someone anyone nobody user users him her his hers their them they he she we our us you your i my me mine
    myself out up still yet now today yesterday again ticket printer vpn wifi network server license
    mailbox excel powerpoint word computer desktop screen meeting file folder site link can could would
    will should may might must shall just also only some all any every each both several many whole entire
    manager managers boss bosses supervisor lead teamlead colleague colleagues coworker coworkers
    co-worker teammate guy girl person people hire hires joiner joiners starter starters department dept
    finance sales marketing legal support staff employee employees member members
    monday tuesday wednesday thursday friday saturday sunday january february march april june july
    august september october november december week weeks day days month months year years
    check verify diagnose look see says said reports reported called complains asked tells thinks
    photosync bot yes yo so well sorry hmm ugh euh
    de het een dit dat die deze is zijn was van voor met op in aan uit en of maar niet nie geen nog al ook
    waarom hoe wat wie waar wanneer foto fotos profielfoto afbeelding profiel oud oude nieuw nieuwe
    verouderd bijgewerkt klopt wordt werd graag alsjeblieft aub nu weer hem haar hun ze zij hij wij we ons
    onze jij je jouw u uw ik mijn mij mezelf m'n mn kun kan kunt kunnen wil zou mag moet even eens
    leidinggevende baas chef teamleider teamleid collega collega's medewerker medewerkers nieuwe
    afdeling iedereen allemaal hele gebruiker gebruikers iemand niemand jongen meisje man vrouw
    hoi hallo dag goedemorgen goedemiddag goedenavond goeiemorgen goeiedag bedankt dank zegt meldt
    maandag dinsdag woensdag donderdag vrijdag zaterdag zondag gisteren vandaag morgen
    controleer check kijk melding naam name"""
)
_OWN = _words("my mine me myself mijn m'n mn mij mezelf mijzelf")


def _clean_word(word: str) -> str:
    word = word.strip(".'-")
    return word[:-2] if word.endswith("'s") else word


def _is_stop(word: str) -> bool:
    return word in STOP or word in _OWN or any(ch.isdigit() for ch in word)


def _forward_name(t: Text, pos: int, *, first_needs_capital: bool) -> tuple[int, int] | None:
    """Name words from `pos` on (left to right): capitalised as typed (or the user types in lower case);
    stops at a common word or a sentence break; Dutch particles ('van der') only between name words; a lead
    such as "my colleague" is skipped."""
    tokens = list(_TOKEN.finditer(t.folded, pos, min(len(t.folded), pos + 120)))
    while tokens and tokens[0].group() in _ROLE_LEAD:
        tokens = tokens[1:]
    picked: list[re.Match[str]] = []
    for i, tok in enumerate(tokens[:5]):
        if picked and _SENTENCE_BREAK.search(t.folded, picked[-1].end(), tok.start()):
            break
        word = _clean_word(tok.group())
        if not word:
            break
        if "@" in word:
            break
        if word in _TUSSEN and picked and i + 1 < len(tokens) and t.capitalised(tokens[i + 1].start()):
            picked.append(tok)
            continue
        if _is_stop(word):
            break
        needs_capital = first_needs_capital or bool(picked)
        if needs_capital and not t.capitalised(tok.start()) and not t.lowercase_only:
            break
        picked.append(tok)
        if tok.group().endswith("'s"):
            break
    while picked and _clean_word(picked[-1].group()) in _TUSSEN:
        picked.pop()
    if not picked:
        return None
    last = picked[-1]
    end = (
        last.start() + len(_clean_word(last.group())) + (len(last.group()) - len(last.group().lstrip(".'-")))
    )
    return picked[0].start(), end


def _backward_name(t: Text, m: re.Match[str]) -> tuple[int, int] | None:
    """Name words ending at the match's `name` group, nearest first, stopping at a common word."""
    words = list(_TOKEN.finditer(t.folded, m.start("name"), m.end("name")))
    picked: list[re.Match[str]] = []
    for tok in reversed(words):
        word = _clean_word(tok.group())
        if (
            not word
            or _is_stop(word)
            or "@" in word
            or (picked and not t.capitalised(tok.start()) and not t.lowercase_only and word not in _TUSSEN)
        ):
            break
        picked.insert(0, tok)
    while picked and _clean_word(picked[0].group()) in _TUSSEN:
        picked.pop(0)
    if not picked:
        return None
    lone_lowercase = not t.lowercase_only and not t.capitalised(picked[0].start()) and len(picked) == 1
    if lone_lowercase and not re.fullmatch(r"[a-z]+[._]?[a-z0-9]+", picked[0].group()):
        return None  # "ksmith's photo" in a capitalised message: only an account-like word counts
    return picked[0].start(), m.end("name")


def _lowercase_tail(t: Text, pos: int) -> tuple[int, int] | None:
    """All-lowercase "check megan bowen": 1-3 uncommon words that end the message."""
    tokens = list(_TOKEN.finditer(t.folded, pos))
    while tokens and _clean_word(tokens[-1].group()) in _words("please pls plz aub graag alsjeblieft"):
        tokens = tokens[:-1]
    if not t.lowercase_only or not 1 <= len(tokens) <= 3:
        return None
    if t.folded[tokens[-1].end() :].strip(" ?!.") != "":
        return None
    if any(_is_stop(_clean_word(tok.group())) for tok in tokens):
        return None
    return tokens[0].start(), tokens[-1].start() + len(tokens[-1].group().rstrip(".'-"))


def _candidate(
    t: Text, span: tuple[int, int] | None, *, strong: bool, masked: bool = True
) -> Candidate | None:
    if span is None or span[1] <= span[0]:
        return None
    text = t.cut(*span).strip()
    return Candidate(text, span[0], span[1], strong, masked) if text else None


def _weak_name(t: Text) -> Candidate | None:
    """The first run of capitalised, uncommon words (particles between them) within one sentence."""
    if t.lowercase_only:
        return None
    tokens = list(_TOKEN.finditer(t.folded))
    run: list[re.Match[str]] = []
    for tok in tokens:
        word = _clean_word(tok.group())
        if run and _SENTENCE_BREAK.search(t.folded, run[-1].end(), tok.start()):
            break
        ok = word and not _is_stop(word) and "@" not in word and t.capitalised(tok.start())
        if ok:
            run.append(tok)
            continue
        if run and word in _TUSSEN:
            run.append(tok)
            continue
        if run:
            break
    while run and _clean_word(run[-1].group()) in _TUSSEN:
        run.pop()
    if not run or len(run) > 4:
        return None
    last = run[-1]
    return _candidate(t, (run[0].start(), last.start() + len(_clean_word(last.group()))), strong=False)


def find_person(t: Text) -> Candidate | None:
    """The person the text names, if any (strong rules first, then a capitalised name)."""
    f = t.folded
    if m := EMAIL.search(f):
        return _candidate(t, (m.start(), m.end()), strong=True)
    for m in ACCOUNT.finditer(f):
        acc = m.group("acc").rstrip(".-")
        rest = f[m.end("acc") :].lstrip()
        looks_like_account = bool(re.search(r"[._\d]", acc)) or not rest or re.match(r"'s\b|" + _PHOTO, rest)
        if acc and not _is_stop(acc) and looks_like_account:
            return _candidate(t, (m.start("acc"), m.start("acc") + len(acc)), strong=True)
    for rx in (POSSESSIVE, DUTCH_POSSESSIVE):
        for m in rx.finditer(f):
            if found := _candidate(t, _backward_name(t, m), strong=True):
                return found
    m = PHOTO_OF.search(f)
    if m and (found := _candidate(t, _forward_name(t, m.end(), first_needs_capital=False), strong=True)):
        return found
    for m in CHECK_OF.finditer(f):
        if found := _candidate(t, _forward_name(t, m.end(), first_needs_capital=True), strong=True):
            return found
        if found := _candidate(t, _lowercase_tail(t, m.end()), strong=True, masked=False):
            return found
    return _weak_name(t)


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
    if person is None or not person.masked:
        return folded
    token = " zzmail " if "@" in person.text else " zzname "
    return f"{folded[: person.start]}{token}{folded[person.end :]}"
