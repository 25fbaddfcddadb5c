"""Train the language model from the corpus and write the artefact: `python -m bot.domain.language.train`.

Needs the `train` extra (scikit-learn). Deterministic: rows in file order, a fixed seed for the training-time
variants, sorted features, weights rounded to 2 decimals. Only the training split is used (see `corpus.py`).

Each head is a multinomial logistic regression over the shared features (`features.py`), fitted twice: once
on every feature, then again on the features with the largest weights only (and every symbol feature), which
is what ships. C, the number of features kept and the photo confidence floor in `intents.py` were chosen by
3-fold cross-validation on the training split only.
Variants added to the training rows (never to held-out rows): lower case without punctuation, one typo, and
for longer messages a greeting in front.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .corpus import Row, held_out, rows
from .features import analyse

ARTEFACT_PATH = Path(__file__).with_name("model.json")
KEEP = {"intent": 5000, "about": 2000, "language": 1500}
C = {"intent": 32.0, "about": 32.0, "language": 8.0}
BALANCED = {"intent": False, "about": True, "language": False}  # about: far fewer "other" rows
_GREETINGS = {"en": ("hi ", "hello, ", "hey "), "nl": ("hoi ", "hallo, ", "goedemorgen, "), "-": ("hi ",)}


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
    samples: Sequence[list[str]], labels: Sequence[str], keep: int, c: float, *, balanced: bool = False
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


def train(corpus: Sequence[Row]) -> dict[str, Any]:
    """The artefact (a JSON-able dict) trained on the training split of `corpus`."""
    training = [row for row in corpus if not held_out(row.text)]
    intent_x: list[list[str]] = []
    intent_y: list[str] = []
    about_x: list[list[str]] = []
    about_y: list[str] = []
    lang_x: list[list[str]] = []
    lang_y: list[str] = []
    for row in training:
        for text in variants(row):
            feats = analyse(text)[2]
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
        "heads": {
            "intent": _fit(intent_x, intent_y, KEEP["intent"], C["intent"], balanced=BALANCED["intent"]),
            "about": _fit(about_x, about_y, KEEP["about"], C["about"], balanced=BALANCED["about"]),
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
