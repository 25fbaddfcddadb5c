"""The language model's corpus and artefact: the corpus is big and varied enough, the split is fixed, the
shipped artefact is what one training command makes of the corpus, and it fits its own training rows.
Held-out rows are never asserted on here: their figures are `python -m bench.language`'s to report."""

from __future__ import annotations

import json
from collections import Counter
from importlib import resources

import pytest

from bot.domain.intents import IntentKind, _classify
from bot.domain.language import corpus
from bot.domain.language.model import ARTEFACT, from_json

ROWS = list(corpus.rows())


def _shipped() -> dict[str, object]:
    text = resources.files("bot.domain.language").joinpath(ARTEFACT).read_text(encoding="utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


def test_the_corpus_is_big_varied_and_clean() -> None:
    assert len(ROWS) >= 1_500
    texts = [row.text.strip().casefold() for row in ROWS]
    assert len(set(texts)) == len(texts), [t for t, n in Counter(texts).items() if n > 1]
    by_intent = Counter(row.intent for row in ROWS)
    assert set(by_intent) == {kind.value for kind in IntentKind}
    assert by_intent[IntentKind.UNKNOWN.value] >= 300  # near-misses
    for kind in IntentKind:
        languages = {row.language for row in ROWS if row.intent == kind.value}
        assert {"en", "nl"} <= languages, kind
    photo = [row for row in ROWS if row.intent in ("why_photo_old", "resync")]
    assert all(row.about in ("self", "other") for row in photo)
    assert all(row.about == "-" for row in ROWS if row not in photo)
    assert sum(row.about == "other" for row in photo) >= 200
    assert {row.target for row in photo} == {"self", "other", "manager", "several"}


def test_the_held_out_split_is_fixed_and_about_a_fifth() -> None:
    share = sum(corpus.held_out(row.text) for row in ROWS) / len(ROWS)
    assert 0.15 < share < 0.25
    assert corpus.held_out("why is my photo old") == corpus.held_out("  Why is my photo OLD ")


def test_the_shipped_artefact_is_what_training_makes_of_the_corpus() -> None:
    pytest.importorskip("sklearn", reason="the train extra (scikit-learn) is part of the test extra")
    from bot.domain.language.train import train

    shipped = _shipped()
    fresh = json.loads(json.dumps(train(ROWS)))
    assert fresh["trained_rows"] == shipped["trained_rows"]
    for name, head in fresh["heads"].items():
        old = shipped["heads"][name]  # type: ignore[index]
        assert head["classes"] == old["classes"], name
        shared = head["weights"].keys() & old["weights"].keys()
        # float noise between machines may move a feature across the pruning line, nothing more
        assert len(shared) >= 0.99 * max(len(head["weights"]), len(old["weights"])), name
        drift = max(
            abs(a - b) for f in shared for a, b in zip(head["weights"][f], old["weights"][f], strict=True)
        )
        assert drift <= 0.02, (name, drift)
        assert max(abs(a - b) for a, b in zip(head["bias"], old["bias"], strict=True)) <= 0.02, name


def test_the_artefact_is_small_and_loads() -> None:
    size = len(resources.files("bot.domain.language").joinpath(ARTEFACT).read_bytes())
    assert size < 1536 * 1024  # read once at import; what it costs in memory is measured in bench.floor
    model = from_json(_shipped())
    assert set(model.intent.classes) == {kind.value for kind in IntentKind}
    assert set(model.about.classes) == {"self", "other", "manager", "several"}
    assert set(model.language.classes) == {"en", "nl", "-"}


def test_the_model_fits_its_training_rows() -> None:
    training = [row for row in ROWS if not corpus.held_out(row.text)]
    intents = [(row, _classify(row.text)) for row in training]
    assert sum(i.kind.value == row.intent for row, i in intents) >= 0.95 * len(training)
    photo = [(row, i) for row, i in intents if row.about != "-"]
    assert sum(i.about == row.about for row, i in photo) >= 0.95 * len(photo)
    dutch = [i for row, i in intents if row.language == "nl"]
    assert sum(i.language == "nl" for i in dutch) >= 0.9 * len(dutch)


def test_the_unseen_sets_are_well_formed_and_cover_every_intent() -> None:
    from bench.language import UNSEEN, unseen

    rows = unseen()
    assert len(rows) >= 1300
    assert {row.source for row in rows} == {UNSEEN.name}
    assert {row.intent for row in rows} == {kind.value for kind in IntentKind}
