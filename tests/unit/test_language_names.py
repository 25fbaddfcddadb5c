"""The name tagger's decoding (pure: given each word's probability of being part of a name, which run is the
person) and the photo-word lexicon it and the features share. The tagger's weights are checked through
`classify` in test_intents.py and on held-out rows by bench.language."""

from __future__ import annotations

import pytest

from bot.domain.language.lexicon import photo_word
from bot.domain.language.names import IS_NAME, best_run, tokens
from bot.domain.language.text import prepare


def _run(text: str, named: dict[str, float]) -> str | None:
    t = prepare(text)
    toks = tokens(t)
    p = [named.get(tok.word, 0.0) for tok in toks]
    run = best_run(toks, p)
    return None if run is None else t.cut(toks[run[0]].start, toks[run[1] - 1].end)


def test_the_likeliest_run_wins_and_stops_at_the_possessive() -> None:
    assert _run("is Megan Bowen's photo old", {"megan": 0.9, "bowen": 0.8}) == "Megan Bowen"
    assert _run("Ben Carter's pic, not Anna's", {"ben": 0.3, "carter": 0.9, "anna": 0.6}) == "Ben Carter"


def test_particles_join_a_name_but_do_not_start_or_end_one() -> None:
    assert _run("foto van Jan de Vries is oud", {"jan": 0.9, "vries": 0.9}) == "Jan de Vries"
    assert _run("de foto van Piet is oud", {"piet": 0.9}) == "Piet"
    assert _run("waarom is de foto van de Vries oud", {"vries": 0.9}) == "Vries"


def test_a_surname_keeps_its_particle_after_a_title_or_when_capitalised() -> None:
    assert _run("de foto van meneer de Boer is oud", {"boer": 0.9}) == "de Boer"
    assert _run("the photo of Mr. van der Meulen", {"meulen": 0.9}) == "van der Meulen"
    assert _run("foto van mevrouw Van der Straeten", {"straeten": 0.9}) == "Van der Straeten"
    assert _run("De Backer zegt dat zijn foto oud is", {"backer": 0.9}) == "De Backer"


def test_a_name_never_crosses_a_sentence_or_clause_break() -> None:
    assert _run("I waited weeks. HR says it is old", {"weeks": 0.3, "hr": 0.6}) == "HR"
    assert _run("ticket 4711: Niels Vos - photo old", {"niels": 0.9, "vos": 0.9, "photo": 0.3}) == "Niels Vos"


def test_nothing_likely_enough_is_no_name() -> None:
    assert _run("why is her photo old", {"her": IS_NAME - 0.01}) is None
    assert _run("", {}) is None


@pytest.mark.parametrize(
    ("word", "is_photo"),
    [
        ("photo", True),
        ("pciture", True),
        ("profielfoot", True),
        ("teamsfoto", True),
        ("foto's", True),
        ("pfp", True),
        ("initialen", True),
        ("phone", False),
        ("potato", False),
        ("sharepiont", False),
        ("fotograaf", False),
    ],
)
def test_photo_words_allow_one_typo_and_dutch_compounds(word: str, is_photo: bool) -> None:
    assert photo_word(word) is is_photo
