"""Photo versions by picture: close signatures are one picture, others are not."""

from __future__ import annotations

from bot import pictures
from bot.demo.portraits import portrait
from bot.domain.versions import same_version
from bot.services.evidence import signature


def test_signatures_within_a_few_bits_are_one_version() -> None:
    assert same_version("ffff0000ffff0000", "ffff0000ffff0001")
    assert not same_version("ffff0000ffff0000", "ffff0000ff0000ff")
    assert not same_version(None, "ffff0000ffff0000") and not same_version("xyz", "xyz0")


def test_a_re_encoded_upload_keeps_its_signature_and_a_new_photo_changes_it() -> None:
    def sig(data: bytes) -> str | None:
        return signature(pictures.decode(data))

    original = sig(portrait(11, variant=0, size=96, quality=90))
    assert same_version(original, sig(portrait(11, variant=0, size=96, quality=70)))  # Graph re-encodes
    for seed in range(11, 31):  # a new photo of the same person, or someone else: never the same version
        assert not same_version(original, sig(portrait(seed, variant=1, size=96)))
        if seed != 11:
            assert not same_version(original, sig(portrait(seed, variant=0, size=96)))
