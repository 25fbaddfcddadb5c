"""Train the language model from the corpus and write the artefact: `python -m bot.domain.language.train`.

Needs the `train` extra (scikit-learn). Deterministic: rows in file order, a fixed seed for the training-time
variants, sorted features, weights rounded to 2 decimals. Only the training split is used (see `corpus.py`).

The name head comes first: per word of a message, "I" inside the row's subject (the person as typed) or "O"
(`names.py`); it finds the names the other heads then see masked, so they are trained on what the running
bot sees. Each head is a logistic regression, fitted twice: once on every feature, then again on the features
with the largest weights only (and every symbol feature), which is what ships. C, the number of features kept
and the photo confidence floor in `intents.py` were chosen by 3-fold cross-validation on the training split
only, checked against rows from writers left out of training.
Variants added to the training rows (never to held-out rows): lower case without punctuation, one typo, and
for longer messages a greeting in front.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .corpus import Row, held_out, rows
from .features import analyse
from .model import head_from_json
from .names import Token, token_features, tokens
from .people import Tagger
from .text import Text, prepare

ARTEFACT_PATH = Path(__file__).with_name("model.json")
KEEP = {"intent": 15000, "about": 2000, "language": 1500, "name": 4000}
C = {"intent": 32.0, "about": 32.0, "language": 8.0, "name": 4.0}
BALANCED = {"intent": False, "about": True, "language": False, "name": False}  # about: few "other" rows
COMMON_WORD = 2  # the name head knows a word by identity when seen this often, never in a name
# greetings put in front of training rows; Dutch writers say "hi" and "hey" too, so those say nothing of language
_GREETINGS = {"en": ("hi ", "hello, ", "hey "), "nl": ("hoi ", "hallo, ", "hi ", "hey "), "-": ("hi ",)}


def _typo(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    long = [i for i, w in enumerate(words) if len(w) >= 4 and w.isalpha()]
    if not long:
        return text
    i = rng.choice(long)
    w = words[i]
    j = rng.randrange(1, len(w) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        w = w[:j] + w[j + 1] + w[j] + w[j + 2 :]  # swap
    elif kind == 1:
        w = w[:j] + w[j + 1 :]  # drop
    else:
        w = w[:j] + w[j] + w[j:]  # double
    words[i] = w
    return " ".join(words)


def variants(row: Row) -> list[str]:
    """The row's text and its training-time variants (deterministic per text)."""
    rng = random.Random(hashlib.sha256(row.text.encode()).digest())  # noqa: S311 - data variants, not secrets
    out = [row.text]
    plain = "".join(c for c in row.text.lower() if c.isalnum() or c in " '@.-").strip()
    if plain and plain != row.text:
        out.append(plain)
    out.append(_typo(row.text, rng))
    if row.intent in ("why_photo_old", "resync", "how_to_change", "unknown") and len(row.text.split()) >= 3:
        out.append(rng.choice(_GREETINGS[row.language]) + row.text)
    return list(dict.fromkeys(out))


def _fit(
    samples: Sequence[list[str]],
    labels: Sequence[str],
    keep: int,
    c: float,
    *,
    balanced: bool = False,
) -> dict[str, Any]:
    import numpy as np
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    vocabulary = sorted({f for feats in samples for f in feats})

    def matrix(vocab: list[str]) -> Any:
        index = {f: i for i, f in enumerate(vocab)}
        data, cols, ptr = [], [], [0]
        for feats in samples:
            value = 1.0 / np.sqrt(len(feats))
            hits = sorted(index[f] for f in feats if f in index)
            cols += hits
            data += [value] * len(hits)
            ptr.append(len(cols))
        return csr_matrix((data, cols, ptr), shape=(len(samples), len(vocab)))

    classes = sorted(set(labels))
    y = np.array([classes.index(label) for label in labels])

    def fit(vocab: list[str]) -> LogisticRegression:
        model = LogisticRegression(
            C=c, max_iter=3000, tol=1e-5, solver="lbfgs", class_weight="balanced" if balanced else None
        )
        model.fit(matrix(vocab), y)
        return model

    full = fit(vocabulary)
    coef = full.coef_ if len(classes) > 2 else np.vstack([-full.coef_[0], full.coef_[0]])
    strength = np.abs(coef).max(axis=0)
    order = sorted(range(len(vocabulary)), key=lambda i: (-round(float(strength[i]), 6), vocabulary[i]))
    # symbols (emoji, punctuation) are few and often a short message's only feature: always kept
    kept = sorted({vocabulary[i] for i in order[:keep]} | {f for f in vocabulary if f.startswith("s")})
    pruned = fit(kept)
    coef = pruned.coef_ if len(classes) > 2 else np.vstack([-pruned.coef_[0] / 2, pruned.coef_[0] / 2])
    bias = (
        pruned.intercept_
        if len(classes) > 2
        else np.array([-pruned.intercept_[0] / 2, pruned.intercept_[0] / 2])
    )
    weights = {f: [round(float(x), 2) for x in coef[:, i]] for i, f in enumerate(kept)}
    weights = {f: row for f, row in weights.items() if any(row)}
    return {"classes": classes, "bias": [round(float(b), 2) for b in bias], "weights": weights}


def subject_span(t: Text, subject: str) -> tuple[int, int] | None:
    """Where the corpus's subject (as typed) sits in the folded text, on word boundaries."""
    target = prepare(subject).folded
    m = re.search(r"(?<![\w])" + re.escape(target) + r"(?![\w])", t.folded) if target else None
    return None if m is None else (m.start(), m.end())


def _named(row: Row) -> bool:
    return row.about == "other" and not row.subject.startswith("<") and row.subject != "-"


def _name_texts(row: Row) -> list[Text]:
    """The texts the name head learns from: as typed, in lower case, and with a greeting in front."""
    greeting = _GREETINGS[row.language][0]
    return [prepare(text) for text in dict.fromkeys((row.text, row.text.lower(), greeting + row.text))]


def _name_head(training: Sequence[Row]) -> tuple[dict[str, Any], list[str]]:
    """The name head (per word: "I" inside the row's subject, else "O") and the words it knows."""
    labelled: list[tuple[Text, list[Token], list[str]]] = []
    for row in training:
        if row.subject == "<several>":
            continue  # names, but not the one person the head must find
        for t in _name_texts(row):
            span = subject_span(t, row.subject) if _named(row) else None
            if _named(row) and span is None:
                continue
            toks = tokens(t)
            labels = ["I" if span and tok.start < span[1] and tok.end > span[0] else "O" for tok in toks]
            labelled.append((t, toks, labels))
    outside: dict[str, int] = {}
    named: set[str] = set()
    for _, toks, labels in labelled:
        for tok, label in zip(toks, labels, strict=True):
            if label == "O":
                outside[tok.word] = outside.get(tok.word, 0) + 1
            else:
                named.add(tok.word)
    # a word that is ever part of a name is known by its place only, so names never become common words
    common = frozenset(w for w, n in outside.items() if n >= COMMON_WORD and w not in named)
    samples: list[list[str]] = []
    y: list[str] = []
    for t, toks, labels in labelled:
        for i, label in enumerate(labels):
            samples.append(token_features(toks, i, t.lowercase_only, common))
            y.append(label)
    head = _fit(samples, y, KEEP["name"], C["name"], balanced=BALANCED["name"])
    return head, sorted(common)


def train(corpus: Sequence[Row]) -> dict[str, Any]:
    """The artefact (a JSON-able dict) trained on the training split of `corpus`."""
    training = [row for row in corpus if not held_out(row.text)]
    name, name_words = _name_head(training)
    tagger = Tagger(head_from_json(name), frozenset(name_words))
    intent_x: list[list[str]] = []
    intent_y: list[str] = []
    about_x: list[list[str]] = []
    about_y: list[str] = []
    lang_x: list[list[str]] = []
    lang_y: list[str] = []
    for row in training:
        for text in variants(row):
            feats = analyse(text, tagger)[2]
            intent_x.append(feats)
            intent_y.append(row.intent)
            if row.about != "-":
                about_x.append(feats)
                about_y.append(row.target)
            lang_x.append(feats)
            lang_y.append(row.language)
    return {
        "format": 1,
        "trained_rows": len(training),
        "name_words": name_words,
        "heads": {
            "intent": _fit(intent_x, intent_y, KEEP["intent"], C["intent"], balanced=BALANCED["intent"]),
            "about": _fit(about_x, about_y, KEEP["about"], C["about"], balanced=BALANCED["about"]),
            "name": name,
            "language": _fit(lang_x, lang_y, KEEP["language"], C["language"], balanced=BALANCED["language"]),
        },
    }


def dumps(artefact: dict[str, Any]) -> str:
    return json.dumps(artefact, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.domain.language.train", description=__doc__)
    parser.add_argument("--out", type=Path, default=ARTEFACT_PATH, help="where to write the artefact")
    args = parser.parse_args(argv)
    artefact = train(list(rows()))
    args.out.write_text(dumps(artefact), encoding="utf-8")
    size = args.out.stat().st_size
    features = len({f for head in artefact["heads"].values() for f in head["weights"]})
    print(f"wrote {args.out} ({size // 1024} KB, {features} features, {artefact['trained_rows']} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
