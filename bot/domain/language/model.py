"""The shipped model: per feature, a weight for each class of each head; a head's score for a class is its
bias plus the sum of the weights of the message's features, scaled by 1/sqrt(number of features) (the
message's feature vector has unit length). No numpy at run time: a dict lookup per feature and one sum per
class. The artefact, `model.json`, is written by `python -m bot.domain.language.train`."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from importlib import resources
from typing import Any

__all__ = ["ARTEFACT", "Head", "Model", "from_json", "head_from_json", "load"]

ARTEFACT = "model.json"


@dataclass(frozen=True, slots=True)
class Head:
    """One linear classifier over the shared features."""

    classes: tuple[str, ...]
    bias: tuple[float, ...]
    weights: dict[str, tuple[float, ...]]

    def scores(self, feats: list[str]) -> list[float]:
        rows = [w for f in feats if (w := self.weights.get(f)) is not None]
        if not rows or not feats:
            return list(self.bias)
        scale = 1.0 / math.sqrt(len(feats))
        return [b + scale * s for b, s in zip(self.bias, map(sum, zip(*rows, strict=True)), strict=True)]

    def probabilities(self, feats: list[str]) -> dict[str, float]:
        scores = self.scores(feats)
        top = max(scores)
        exp = [math.exp(s - top) for s in scores]
        total = sum(exp)
        return {c: e / total for c, e in zip(self.classes, exp, strict=True)}

    def known(self, feats: list[str]) -> int:
        """How many of the features the head has a weight for."""
        return sum(f in self.weights for f in feats)


@dataclass(frozen=True, slots=True)
class Model:
    intent: Head
    about: Head
    language: Head
    name: Head
    """Per word: part of a person's name ("I") or not ("O"); see `names.py`."""
    name_words: frozenset[str]
    """The words the name head knows by identity; any other word is "<rare>" to it."""


def _head(raw: dict[str, Any], interned: dict[str, str]) -> Head:
    classes = tuple(str(c) for c in raw["classes"])
    numbers: dict[float, float] = {}  # rounded weights repeat: one float object per distinct value
    weights = {
        interned.setdefault(f, f): tuple(numbers.setdefault(float(x), float(x)) for x in row)
        for f, row in raw["weights"].items()
    }
    if any(len(row) != len(classes) for row in weights.values()) or len(raw["bias"]) != len(classes):
        raise ValueError("model artefact: a weight row does not match the classes")
    return Head(classes, tuple(float(b) for b in raw["bias"]), weights)


def head_from_json(raw: dict[str, Any]) -> Head:
    return _head(raw, {})


def from_json(raw: dict[str, Any]) -> Model:
    interned: dict[str, str] = {}
    heads = raw["heads"]
    return Model(
        _head(heads["intent"], interned),
        _head(heads["about"], interned),
        _head(heads["language"], interned),
        _head(heads["name"], interned),
        frozenset(raw["name_words"]),
    )


def load() -> Model:
    """The artefact shipped in this package."""
    data = resources.files(__package__).joinpath(ARTEFACT).read_text(encoding="utf-8")
    # the weights are rounded, so a few thousand distinct numbers fill ~200,000 places: parse each once
    numbers: dict[str, float] = {}
    raw = json.loads(data, parse_float=lambda text: numbers.setdefault(text, float(text)))
    del data
    return from_json(raw)
