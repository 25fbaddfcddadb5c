"""bot.pictures: decode's refusals, the verdict cases, and the rates measured on a generated set.

The rate test is a real measurement (tests/pictures/dataset.py): >= 500 same pairs, >= 500 different pairs
(other people and old/new photos of one person), >= 100 placeholder and a few missing pictures, fixed seed.
It fails when a limit is broken: with NCC_LIMIT at 0.80, old/new pairs are judged SAME.
"""

from __future__ import annotations

import base64
import importlib
import io
import struct
import zlib

import pytest
from PIL import Image

from bot.demo.portraits import initials_placeholder, portrait, silhouette_placeholder
from bot.pictures import PictureVerdict, compare, decode, looks_like_placeholder, thumbnail_data_uri
from tests.pictures.dataset import build_pairs, measure

compare_module = importlib.import_module("bot.pictures.compare")


def _png(size: tuple[int, int], mode: str = "RGBA") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (10, 120, 200, 0) if mode == "RGBA" else 0).save(out, "PNG")
    return out.getvalue()


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares `width` x `height` with an IHDR chunk and almost no data (a bomb's shape)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    body = struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))
    idat = zlib.compress(b"\x00" * 1024)
    data_chunk = b"IDAT" + idat
    body += struct.pack(">I", len(idat)) + data_chunk + struct.pack(">I", zlib.crc32(data_chunk))
    return b"\x89PNG\r\n\x1a\n" + body


@pytest.mark.parametrize(
    "data",
    [
        None,
        b"",
        b"not a picture at all",
        b"\xff\xd8\xff\xe0" + b"\x00" * 50,  # a JPEG start and nothing after
        portrait(1, 0, 96)[:400],  # truncated JPEG
        _png_header_only(50_000, 50_000),  # decompression bomb: tiny file, 2.5 G pixels declared
        _png_header_only(4097, 10),  # one side over MAX_SIDE
        _png_header_only(3000, 3000),  # PNG over the full-decode pixel budget
        b"\x00" * (compare_module.MAX_BYTES + 1),
    ],
    ids=["none", "empty", "garbage", "jpeg-start", "truncated", "bomb", "wide", "big-png", "too-long"],
)
def test_decode_refuses_without_raising(data: bytes | None) -> None:
    assert decode(data) is None


def test_decode_flattens_alpha_onto_white() -> None:
    picture = decode(_png((40, 40)))
    assert picture is not None
    assert picture.format == "PNG"
    assert picture.square.getpixel((16, 16)) == (255, 255, 255)  # fully transparent shows the card's white


def test_decode_keeps_only_small_working_images() -> None:
    picture = decode(portrait(3, 0, 240, height=300))
    assert picture is not None
    assert (picture.width, picture.height) == (240, 300)
    assert picture.square.size == (32, 32) and picture.preview.size == (64, 64)


def test_verdict_cases() -> None:
    photo = decode(portrait(5, 0, 240))
    smaller = decode(portrait(5, 0, 72, quality=70))
    older = decode(portrait(5, 1, 72))
    someone_else = decode(portrait(6, 0, 72))
    silhouette = decode(silhouette_placeholder(72))
    assert compare(photo, smaller).verdict is PictureVerdict.SAME
    assert compare(photo, older).verdict is PictureVerdict.DIFFERENT
    assert compare(photo, someone_else).verdict is PictureVerdict.DIFFERENT
    assert compare(photo, silhouette).verdict is PictureVerdict.PLACEHOLDER
    assert compare(None, silhouette).verdict is PictureVerdict.PLACEHOLDER
    assert compare(photo, None).verdict is PictureVerdict.NONE
    assert compare(None, smaller).verdict is PictureVerdict.UNKNOWN
    same = compare(photo, smaller)
    assert same.distance is not None and same.distance <= 1.0
    assert same.log_fields()["picture_verdict"] == "same"


def test_placeholders_are_recognised_and_photos_are_not() -> None:
    for size in (48, 96, 240):
        assert looks_like_placeholder(decode(silhouette_placeholder(size)))  # type: ignore[arg-type]
    # Initials at 48 px blur into too many levels for the strict rule (docs/PICTURES.md, limits).
    for size in (96, 240):
        assert looks_like_placeholder(decode(initials_placeholder("AV", (0, 120, 212), size)))  # type: ignore[arg-type]
    assert not any(looks_like_placeholder(decode(portrait(seed, 0, 96))) for seed in range(20))  # type: ignore[arg-type]


def test_thumbnail_data_uri_is_a_small_jpeg() -> None:
    picture = decode(portrait(7, 0, 240))
    assert picture is not None
    uri = thumbnail_data_uri(picture)
    assert uri.startswith("data:image/jpeg;base64,")
    assert len(uri) <= 4096 * 4 // 3 + 32
    assert Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))).size == (64, 64)


def test_portraits_are_deterministic_and_distinct() -> None:
    assert portrait(11, 0) == portrait(11, 0)
    assert portrait(11, 0) != portrait(11, 1) != portrait(12, 0)


PER_KIND = {"same": 500, "other_person": 300, "old_new": 200, "placeholder": 100, "none": 20}


@pytest.fixture(scope="module")
def generated_pairs() -> list:
    return build_pairs(people=100, seed=20240611, per_kind=PER_KIND)


def test_rates_on_generated_set(generated_pairs: list) -> None:
    rates = measure(generated_pairs)
    assert rates.counts == PER_KIND
    assert rates.false_same == 0, rates.verdicts
    assert rates.false_different_rate <= 0.01, rates.verdicts["same"]
    # Placeholders: never SAME, mostly recognised (the rest read DIFFERENT); photos never read PLACEHOLDER.
    assert rates.verdicts["placeholder"][PictureVerdict.SAME] == 0
    assert rates.rate("placeholder", PictureVerdict.PLACEHOLDER, equal=True) >= 0.7
    for kind in ("same", "other_person", "old_new"):
        assert rates.verdicts[kind][PictureVerdict.PLACEHOLDER] == 0, kind
    assert rates.rate("none", PictureVerdict.NONE, equal=True) == 1.0


def test_rates_fail_with_a_broken_limit(generated_pairs: list, monkeypatch: pytest.MonkeyPatch) -> None:
    """The measurement can fail: a loose correlation limit lets different photos through as SAME."""
    monkeypatch.setattr(compare_module, "NCC_LIMIT", 0.5)
    monkeypatch.setattr(compare_module, "COLOUR_LIMIT", 60.0)
    monkeypatch.setattr(compare_module, "PHASH_LIMIT", 40)
    assert measure(generated_pairs[500:1000]).false_same > 0
