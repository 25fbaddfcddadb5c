"""The demo tenant's picture bytes: Graph's photo sizes and SharePoint's own thumbnails, drawn and cached.

A `Face` is one photo of one person: a portrait (`bot.demo.portraits`, `seed` = who, `variant` = which
photo session) or the bytes someone uploaded. Graph serves a face at its uploaded size and at its square
sizes (resized from the photo, re-encoded at quality 90). SharePoint keeps its own copies of whatever face
it last pulled from Exchange: centre-cropped to a square, resized to S/M/L, re-encoded at quality 75; with
no copy it shows its grey silhouette, or an initials tile.

Drawing costs a few ms (a 648 px portrait ~40 ms), so `Renditions` keeps the encoded bytes per (face, size)
in a byte-bounded LRU, and the last few drawn full-size images to resize the other sizes from.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image

from bot.demo.portraits import INITIALS_COLOURS, initials_image, portrait_image, silhouette_image

GRAPH_QUALITY = 90
SHAREPOINT_QUALITY = 75
# userphoto.aspx sizes and the Profile Pictures library's thumbnail files: S, M and L.
SHAREPOINT_SIZES = {"S": 48, "M": 72, "L": 240}
# Sizes up to this are resized from a portrait drawn at this size, not at the upload's full size: the
# 32 px comparison in bot.pictures cannot tell the two apart, and drawing 240 px costs ~5 ms, 648 px ~40 ms.
_SMALL_MASTER = 240
_MAX_CACHED_BYTES = 16 * 1024 * 1024  # the in-process demo server stays well inside the bot's memory
_MAX_MASTERS = 4  # full-size images kept to resize from (a 648 px RGB image is 1.2 MB)
_MAX_UPLOAD_SIDE = 4096  # uploads are decoded to resize them; bigger (or broken) ones get a portrait
_GRAPH_MAX_SIDE = 648  # the largest photo size Graph keeps


def portrait_seed(user_id: str) -> int:
    """Who a user is in the portraits: stable across runs and machines (a hash of the lower-case id)."""
    return int.from_bytes(hashlib.sha256(user_id.lower().encode()).digest()[:4], "big")


@dataclass(frozen=True, slots=True)
class Face:
    """One photo of one person. `upload` (when set) is the photo itself; seed and variant then only
    stand in for it when the upload cannot be decoded."""

    seed: int
    variant: int
    width: int
    height: int
    upload: bytes | None = None


def encode_jpeg(img: Image.Image, quality: int, *, full_chroma: bool = False) -> bytes:
    """Every JPEG the demo serves is encoded here (one place to observe generated photo bytes)."""
    out = io.BytesIO()
    img.save(out, "JPEG", quality=quality, subsampling=0 if full_chroma else -1)
    return out.getvalue()


def centre_square(
    img: Image.Image, side: int, resample: Image.Resampling = Image.Resampling.LANCZOS
) -> Image.Image:
    """The centre square of `img` resized to `side` (Graph's square sizes, SharePoint's thumbnails)."""
    short = min(img.size)
    left, top = (img.width - short) // 2, (img.height - short) // 2
    box = (left, top, left + short, top + short)
    if short == side:
        return img.crop(box)
    return img.resize((side, side), resample, box=box)


def initials_of(display_name: str) -> str:
    """'Adele Vance' -> 'AV'; one word -> its first letter."""
    words = [w for w in display_name.split() if w[:1].isalnum()]
    return "".join(w[0] for w in (words[:1] + words[1:][-1:])).upper() or "?"


class Renditions:
    """Encoded picture bytes by (what, size), generated on first use. One per server; single-threaded."""

    def __init__(self, max_bytes: int = _MAX_CACHED_BYTES) -> None:
        self._bytes: OrderedDict[tuple[object, ...], bytes] = OrderedDict()
        self._size = 0
        self._max_bytes = max_bytes
        self._masters: OrderedDict[tuple[Face, int], Image.Image] = OrderedDict()
        self.generated = 0  # encodes done (cache misses), for tests and benchmarks

    # ---- Graph ---------------------------------------------------------------------------------
    def graph_photo(self, face: Face, side: int | None = None) -> bytes:
        """`photo/$value` (side None: the upload itself, or the portrait at the photo's size) or
        `photos/{side}x{side}/$value`."""
        if side is None and face.upload is not None:
            return face.upload
        return self._cached(("graph", face, side), lambda: self._graph(face, side))

    def _graph(self, face: Face, side: int | None) -> bytes:
        if side is None:
            return encode_jpeg(self._master(face, max(face.width, face.height)), GRAPH_QUALITY)
        return encode_jpeg(centre_square(self._master(face, side), side), GRAPH_QUALITY)

    # ---- SharePoint ----------------------------------------------------------------------------
    def sharepoint_photo(self, face: Face, letter: str) -> bytes:
        """SharePoint's thumbnail `letter` (S/M/L) of a face it copied."""
        side = SHAREPOINT_SIZES[letter]
        return self._cached(("sp", face, side), lambda: self._sharepoint(self._master(face, side), side))

    def silhouette(self, letter: str) -> bytes:
        """SharePoint's grey "no photo" person."""
        side = SHAREPOINT_SIZES[letter]
        return self._cached(("silhouette", side), lambda: self._sharepoint(silhouette_image(side), side))

    def initials(self, display_name: str, seed: int, letter: str) -> bytes:
        """An initials tile in one of Microsoft 365's persona colours (picked by `seed`)."""
        side, text = SHAREPOINT_SIZES[letter], initials_of(display_name)
        colour = INITIALS_COLOURS[seed % len(INITIALS_COLOURS)]
        # Square, not round: the round crop is the UI's, and a square tile is two flat colours.
        return self._cached(
            ("initials", text, colour, side),
            lambda: self._sharepoint(initials_image(text, colour, side, shape="square"), side),
        )

    @staticmethod
    def _sharepoint(img: Image.Image, side: int) -> bytes:
        # Full-resolution chroma: with 4:2:0 the colour fringes at a placeholder's edges make it read as
        # a photo in bot.pictures' placeholder test; photos compare the same either way.
        # Its own resampling filter, too: bicubic where Graph's sizes are Lanczos.
        square = centre_square(img, side, Image.Resampling.BICUBIC)
        return encode_jpeg(square, SHAREPOINT_QUALITY, full_chroma=True)

    # ---- shared --------------------------------------------------------------------------------
    def _cached(self, key: tuple[object, ...], make: Callable[[], bytes]) -> bytes:
        found = self._bytes.get(key)
        if found is not None:
            self._bytes.move_to_end(key)
            return found
        data = make()
        self.generated += 1
        self._bytes[key] = data
        self._size += len(data)
        while self._size > self._max_bytes and len(self._bytes) > 1:
            _, dropped = self._bytes.popitem(last=False)
            self._size -= len(dropped)
        return data

    def _master(self, face: Face, needed: int) -> Image.Image:
        """The face drawn (or decoded) at least `needed` px on its short side, up to its own size."""
        short = min(face.width, face.height)
        target = short if needed > _SMALL_MASTER or short <= _SMALL_MASTER else _SMALL_MASTER
        key = (face, target)
        found = self._masters.get(key)
        if found is not None:
            self._masters.move_to_end(key)
            return found
        img = _decode_upload(face.upload) if face.upload is not None else None
        if img is None:
            scale = target / short
            width, height = round(face.width * scale), round(face.height * scale)
            img = portrait_image(face.seed, face.variant, width, height)
        self._masters[key] = img
        while len(self._masters) > _MAX_MASTERS:
            self._masters.popitem(last=False)
        return img


def _decode_upload(data: bytes) -> Image.Image | None:
    """An uploaded photo as RGB, or None when it is not a picture Pillow reads (then a portrait stands in)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                if max(img.size) > _MAX_UPLOAD_SIDE:
                    return None
                # Graph keeps at most 648 px of a photo; holding no more keeps a master at ~1.2 MB.
                img.draft("RGB", (_GRAPH_MAX_SIDE, _GRAPH_MAX_SIDE))
                rgb = img.convert("RGB")
            rgb.thumbnail((_GRAPH_MAX_SIDE, _GRAPH_MAX_SIDE), Image.Resampling.LANCZOS)
            return rgb
    except (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError):
        return None
