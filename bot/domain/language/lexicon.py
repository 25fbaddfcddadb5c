"""Words for a photo, as people type them: used by the features (is a photo mentioned at all?) and the name
tagger (a name sits next to one)."""

from __future__ import annotations

__all__ = ["photo_word", "word_set"]


def word_set(text: str) -> frozenset[str]:
    """The space-separated words of `text`, for word lists written as one string."""
    return frozenset(text.split())


_PHOTO_WORDS = word_set(
    "photo photos photograph picture pictures pic pics pfp pf avatar avatars headshot headshots image"
    " initials foto fotos fotootje profielfoto profielfotos afbeelding plaatje initialen"
)
_PHOTO_SUFFIXES = ("foto", "fotos", "photo", "pic", "picture")


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


_PHOTO_NEAR = frozenset(d for w in _PHOTO_WORDS if len(w) >= 5 for d in (_deletions(w) | {w}))


def photo_word(word: str) -> bool:
    """A word for a photo, allowing one typo in longer words and Dutch compounds ("teamsfoto")."""
    word = word.removesuffix("'s")
    if word in _PHOTO_WORDS or word.endswith(_PHOTO_SUFFIXES):
        return True
    return len(word) >= 5 and (word in _PHOTO_NEAR or not _PHOTO_NEAR.isdisjoint(_deletions(word)))
