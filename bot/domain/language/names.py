"""Where a message names a person by name: a learned token tagger (the `name` head of the shipped model).

Every word of the folded text gets features of its own shape (capitalised as typed, particle, common word,
photo word, possessive, digits) and of its neighbours (the words and punctuation around it, the sentence
start); the head gives each word the probability that it is part of a person's name. The name is the best
run of such words within one sentence. Word identities are features only for words the corpus has seen
outside names, so the tagger learns the phrasing around names ("'s foto", "foto van ...", "... says",
"ticket: ... -") rather than the corpus's names, and a name it never saw is found by its place.

E-mail addresses and account names ("user k.smith") are exact and stay rules (`people.py`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .lexicon import photo_word, word_set
from .model import Head
from .text import Text

__all__ = ["NAME_WORD", "PARTICLES", "Token", "best_run", "find_name", "token_features", "tokens"]

NAME_WORD = re.compile(r"[\w@][\w.@+'-]*")
_BREAK = re.compile(r"[.!?;:\n()\[\]\"]|,\s|\s-\s")
PARTICLES = word_set("van der den de ter ten te von di da la le du del 't d' mc")
TITLES = word_set("mr mrs ms miss dr prof dhr mevr mw meneer mevrouw heer juffrouw")
IS_NAME = 0.5  # a name holds at least one word this likely to be part of it
EXTENDS_NAME = 0.2  # and grows over the neighbours (and particles) at least this likely, within the clause
MAX_NAME_WORDS = 5


@dataclass(frozen=True, slots=True)
class Token:
    word: str  # folded, without a trailing possessive 's and edge punctuation
    start: int  # in the folded text
    end: int  # end of `word` (so a cut never takes the 's)
    possessive: bool
    capital: bool  # as typed
    after_break: bool  # first word, or punctuation that ends a clause before it
    gap: str  # the characters between the previous word and this one, stripped
    photo: bool  # a word for a photo (`lexicon.photo_word`), asked once per word, not once per neighbour


def _strip(raw: str) -> tuple[str, int, int, bool]:
    """A raw token → (word, offset of the word in it, its length, possessive)."""
    lead = len(raw) - len(raw.lstrip(".'-"))
    word = raw.strip(".'-")
    possessive = False
    for suffix in ("'s", "s'"):
        if word.endswith(suffix) and len(word) > 2:
            word = word[: -len(suffix)] + ("s" if suffix == "s'" else "")
            possessive = True
            break
    if raw.endswith("'") and not possessive and raw.rstrip("'").endswith("s"):
        possessive = True  # "James' photo"
    return word, lead, len(word), possessive


def tokens(t: Text) -> list[Token]:
    out: list[Token] = []
    previous_end = 0
    for m in NAME_WORD.finditer(t.folded):
        word, lead, size, possessive = _strip(m.group())
        if not word:
            continue
        start = m.start() + lead
        gap = t.folded[previous_end : m.start()]
        # "Mr. de Boer", "dhr. Claes": a full stop after a short word ends no sentence
        abbreviation = bool(out) and gap.strip() == "." and len(out[-1].word) <= 3
        out.append(
            Token(
                word,
                start,
                start + size,
                possessive,
                t.capitalised(start),
                not out or (_BREAK.search(gap) is not None and not abbreviation),
                gap.strip(),
                photo_word(word),
            )
        )
        previous_end = start + size  # trailing punctuation ("weeks.") belongs to the gap
    return out


def _shape(word: str) -> str:
    if "@" in word:
        return "mail"
    if any(c.isdigit() for c in word):
        return "digit"
    if "." in word or "_" in word:
        return "dotted"
    if "-" in word:
        return "hyphen"
    return "short" if len(word) <= 2 else "word"


def token_features(toks: list[Token], i: int, lowercase_only: bool, common: frozenset[str]) -> list[str]:
    """The features of word `i` (training and run time alike); words outside `common` are all "<rare>"."""

    def _word(tok: Token | None) -> str:
        if tok is None:
            return "<none>"
        return tok.word if tok.word in common else "<rare>"

    tok = toks[i]
    prev = toks[i - 1] if i > 0 else None
    prev2 = toks[i - 2] if i > 1 else None
    nxt = toks[i + 1] if i + 1 < len(toks) else None
    nxt2 = toks[i + 2] if i + 2 < len(toks) else None
    case = "lower-message" if lowercase_only else ("cap" if tok.capital else "low")
    out = [
        "bias",
        "w " + _word(tok),
        "case " + case,
        "shape " + _shape(tok.word),
        "len " + str(min(len(tok.word), 8)),
        "suffix " + tok.word[-3:],
        "p " + _word(prev),
        "n " + _word(nxt),
        "pp " + _word(prev2),
        "nn " + _word(nxt2),
        "pn " + _word(prev) + " " + _word(nxt),
        "gap " + tok.gap[:2],
        "ngap " + (nxt.gap[:2] if nxt is not None else "<end>"),
        "case+p " + case + " " + _word(prev),
        "case+n " + case + " " + _word(nxt),
    ]
    if tok.after_break:
        out.append("break")
        out.append("break " + case)
    if tok.possessive:
        out.append("possessive")
    if tok.word in PARTICLES:
        out.append("particle")
    if tok.photo:
        out.append("photo")
    if nxt is not None:
        if nxt.possessive:
            out.append("n possessive")
        if nxt.photo:
            out.append("n photo")
        if not lowercase_only:
            out.append("n case " + ("cap" if nxt.capital else "low"))
    if prev is not None:
        if not lowercase_only:
            out.append("p case " + ("cap" if prev.capital else "low"))
        if prev.photo:
            out.append("p photo")
    return out


def best_run(toks: list[Token], p: list[float]) -> tuple[int, int] | None:
    """The token range [a, b) of the likeliest name: a word at `IS_NAME` or more, grown over its neighbours at
    `EXTENDS_NAME` or more (particles always) within one clause and up to a possessive; at most
    `MAX_NAME_WORDS` long, not ending with a particle nor starting with one typed in lower case. The run
    with the highest total wins."""
    best: tuple[float, int, int] | None = None
    grown_to = 0  # any seed inside a run grown already grows into that same run
    for seed in range(len(toks)):
        if p[seed] < IS_NAME or seed < grown_to:
            continue
        a, b = _grow(toks, p, seed)
        grown_to = b
        # a surname keeps its particle after a title ("meneer de Boer") or when typed capitalised ("De Backer")
        titled = a > 0 and toks[a - 1].word in TITLES
        while (
            a < b and toks[a].word in PARTICLES and not (toks[a].capital or titled) and toks[a].word != "d'"
        ):
            a += 1
        while b > a and toks[b - 1].word in PARTICLES:
            b -= 1
        if not a < b or b - a > MAX_NAME_WORDS:
            continue
        score = sum(p[a:b])
        if best is None or score > best[0]:
            best = (score, a, b)
    return None if best is None else (best[1], best[2])


def _joins(tok: Token, p: float) -> bool:
    return p >= EXTENDS_NAME or tok.word in PARTICLES


def _grow(toks: list[Token], p: list[float], seed: int) -> tuple[int, int]:
    a = seed
    while a > 0 and not toks[a].after_break and not toks[a - 1].possessive and _joins(toks[a - 1], p[a - 1]):
        a -= 1
    b = seed + 1
    while b < len(toks) and not toks[b - 1].possessive and not toks[b].after_break and _joins(toks[b], p[b]):
        b += 1
    return a, b


def find_name(t: Text, head: Head, common: frozenset[str]) -> tuple[int, int, float] | None:
    """The likeliest name in `t`: its span in the folded text and its words' mean probability."""
    toks = tokens(t)
    if not toks:
        return None
    p = [head.probabilities(token_features(toks, i, t.lowercase_only, common))["I"] for i in range(len(toks))]
    run = best_run(toks, p)
    if run is None:
        return None
    a, b = run
    return toks[a].start, toks[b - 1].end, sum(p[a:b]) / (b - a)
