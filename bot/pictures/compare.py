"""Is SharePoint's picture of a user the same photo as the user's Microsoft 365 photo? Perceptually, with Pillow.

SharePoint never serves Graph's bytes: it keeps its own thumbnails (48, 72 and 200-300 px), resized with its
own filter, re-encoded at its own JPEG quality, sometimes centre-cropped to a square, sometimes with a
slightly different colour profile. So both pictures are reduced to what those steps cannot change:

* the centre square (a centre crop of a non-square photo leaves exactly that square),
* area-averaged down to 32 x 32 px (resampling filters and JPEG blocks differ only above that detail),
* compared three ways, each blind to a different SharePoint step:
  - `ncc`: normalised cross-correlation of the 32 x 32 luminance, blind to brightness and contrast; counts
    the detail (eyes, hair line, collar) where two headshots with the same layout differ;
  - `phash`: a 63-bit DCT hash of the 16 x 16 luminance (signs of the low frequencies against their
    median), blind to brightness, contrast and gamma; counts the layout;
  - `colour`: mean absolute difference of the 4 x 4 RGB means; counts background and clothing colours,
    which the two luminance measures do not see.

SAME needs all three within their limits; `distance` is the worst of the three divided by its limit, so
<= 1.0 is SAME and the margin shows in logs. The limits and the measured rates are in docs/PICTURES.md.
"""

from __future__ import annotations

import base64
import io
import math
import warnings
from dataclasses import dataclass
from operator import mul

from PIL import Image, ImageChops

from bot.domain.model import PictureVerdict

# What decode accepts. Real profile pictures are <= 648 px and well under 1 MB; the limits only keep a
# hostile or broken answer from costing memory or CPU (the whole bot stays under 120 MB RSS).
MAX_BYTES = 4 * 1024 * 1024
MAX_SIDE = 4096
# JPEG decodes through libjpeg's DCT scaling (draft) at <= 1/8 of the pixels; other formats decode whole,
# so they get a smaller pixel budget: 2048 x 2048 RGBA is 16 MB for the moment of decoding.
MAX_PIXELS_FULL_DECODE = 2048 * 2048
_FORMATS = ("JPEG", "PNG", "GIF", "WEBP", "BMP")

WORK = 32  # side of the working square
_HASH = 16  # side of the luminance the DCT hash is taken from
_FREQ = 8  # low frequencies kept per axis (8 x 8, DC dropped: 63 bits)

# Limits for SAME, between the measured extremes of same pairs and of different pairs (docs/PICTURES.md):
# ncc: same >= 0.95, different <= 0.89; colour: same <= 9; phash: same <= 12 bits.
NCC_LIMIT = 0.92  # correlation at or above this
COLOUR_LIMIT = 14.0  # mean |difference| of 4 x 4 RGB means, 0..255
PHASH_LIMIT = 16  # bits of 63; layout only (old/new photos of one person can be 8 apart), so generous

# Placeholder rule (looks_like_placeholder): colours on one line in RGB, luminance in two flat levels.
# Strict on purpose: calling a real (old) photo a placeholder would misinform; missing a placeholder gives
# DIFFERENT, which leads to the same fix (resync). Measured: ~20 % of placeholders missed, no photo taken.
PLACEHOLDER_OFF_LINE = 6.0  # RGB std off the principal colour axis; most placeholders ~0-6, photos >= 3.5
PLACEHOLDER_TWO_LEVELS = 0.85  # share of pixels in the two main luminance levels
_LEVEL_HALF_WIDTH = 6  # a "level" is +-6 luminance steps (JPEG noise, gamma)

_COS = tuple(
    tuple(math.cos(math.pi * (2 * x + 1) * u / (2 * _HASH)) for x in range(_HASH)) for u in range(_FREQ)
)
_LEVELS = range(256)
_SQUARES = tuple(v * v for v in _LEVELS)


@dataclass(frozen=True, slots=True)
class Picture:
    """A decoded picture, reduced to what the comparison needs (a few KB, no full-size pixels)."""

    width: int  # as served
    height: int
    format: str
    preview: Image.Image  # the centre square, RGB, 2 WORK x 2 WORK (thumbnails)
    square: Image.Image  # the same at WORK x WORK
    luma: Image.Image  # its luminance, "L", WORK x WORK
    luma_mean: float
    luma_square_mean: float  # mean of luma², for the correlation
    colour: bytes  # 4 x 4 RGB means, 48 bytes

    @property
    def luma_variance(self) -> float:
        # A flat picture has no shape to correlate: floor the variance so the correlation stays finite.
        return max(self.luma_square_mean - self.luma_mean**2, 1.0)


@dataclass(frozen=True, slots=True)
class PictureComparison:
    verdict: PictureVerdict
    distance: float | None  # worst measure / its limit; <= 1.0 is SAME; None when nothing was compared
    phash_bits: int | None = None
    ncc: float | None = None
    colour: float | None = None

    def log_fields(self) -> dict[str, object]:
        return {
            "picture_verdict": self.verdict.value,
            "picture_distance": None if self.distance is None else round(self.distance, 3),
            "picture_phash_bits": self.phash_bits,
            "picture_ncc": None if self.ncc is None else round(self.ncc, 3),
            "picture_colour": None if self.colour is None else round(self.colour, 1),
        }


def decode(data: bytes | None) -> Picture | None:
    """The picture in `data`, or None for no/garbage/truncated/oversized/bomb input. Never raises."""
    if not data or len(data) > MAX_BYTES:
        return None
    try:
        with warnings.catch_warnings():
            # Pillow warns (not raises) between 1x and 2x its bomb limit; our own limits decide first.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            return _decode(data)
    except (OSError, ValueError, SyntaxError, EOFError, MemoryError, Image.DecompressionBombError):
        return None  # Pillow's errors for malformed data; anything else is a bug and should surface


def _decode(data: bytes) -> Picture | None:
    with Image.open(io.BytesIO(data), formats=_FORMATS) as img:
        width, height = img.size  # from the header only; nothing is decoded yet
        fmt = img.format or ""
        if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE):
            return None
        if fmt == "JPEG":
            # libjpeg scales by 1/2, 1/4 or 1/8 while decoding; keep the short side >= 2 x WORK.
            img.draft("RGB", (2 * WORK, 2 * WORK))
        elif width * height > MAX_PIXELS_FULL_DECODE:
            return None
        img.load()  # raises on truncated data (LOAD_TRUNCATED_IMAGES stays False)
        rgb = _flatten(img)
    side = min(rgb.size)
    left, top = (rgb.width - side) // 2, (rgb.height - side) // 2
    preview = rgb.resize((2 * WORK, 2 * WORK), Image.Resampling.BOX, box=(left, top, left + side, top + side))
    return _signature(width, height, fmt, preview)


def _flatten(img: Image.Image) -> Image.Image:
    """RGB, with any transparency composited onto white (what a card on a light theme shows)."""
    if img.mode == "RGB":
        return img
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    return img.convert("RGB")


def _signature(width: int, height: int, fmt: str, preview: Image.Image) -> Picture:
    square = preview.reduce(2)
    luma = square.convert("L")
    mean, square_mean = _moments(luma.histogram())
    colour = square.resize((4, 4), Image.Resampling.BOX).tobytes()
    return Picture(width, height, fmt, preview, square, luma, mean, square_mean, colour)


def _moments(histogram: list[int]) -> tuple[float, float]:
    """Mean and mean square of the values behind a 256-bin histogram."""
    n = sum(histogram) or 1
    return sum(map(mul, histogram, _LEVELS)) / n, sum(map(mul, histogram, _SQUARES)) / n


def phash(picture: Picture) -> int:
    """63 bits: is each low-frequency DCT-II coefficient (8 x 8 minus DC) of the 16 px luminance above
    their median? Blind to brightness, contrast and gamma (a monotone change keeps the signs' order)."""
    pixels = picture.luma.resize((_HASH, _HASH), Image.Resampling.BOX).tobytes()
    rows = [pixels[y * _HASH : (y + 1) * _HASH] for y in range(_HASH)]
    by_row = [[sum(map(mul, row, basis)) for basis in _COS] for row in rows]
    columns = list(zip(*by_row, strict=True))
    coefficients = [sum(map(mul, column, basis)) for basis in _COS for column in columns][1:]
    median = sorted(coefficients)[len(coefficients) // 2]
    bits = 0
    for c in coefficients:
        bits = (bits << 1) | (c > median)
    return bits


def _ncc(a: Picture, b: Picture) -> float:
    """Pearson correlation of the two 32 px luminances, from C-level histograms only:
    E[ab] = (E[a²] + E[b²] - E[(a-b)²]) / 2, and |a-b| is what ImageChops.difference gives."""
    _, diff_square_mean = _moments(ImageChops.difference(a.luma, b.luma).histogram())
    cross = (a.luma_square_mean + b.luma_square_mean - diff_square_mean) / 2
    covariance = cross - a.luma_mean * b.luma_mean
    return covariance / math.sqrt(a.luma_variance * b.luma_variance)


def _colour_distance(a: Picture, b: Picture) -> float:
    return sum(abs(x - y) for x, y in zip(a.colour, b.colour, strict=True)) / len(a.colour)


def similarity(a: Picture, b: Picture) -> PictureComparison:
    """SAME or DIFFERENT by the three measures alone (no placeholder or missing-picture cases).

    The DCT hash (the costliest measure) is only taken when the other two already say SAME: it can only
    veto, and a DIFFERENT verdict's distance is already above 1 without it.
    """
    ncc = _ncc(a, b)
    colour = _colour_distance(a, b)
    distance = max((1.0 - ncc) / (1.0 - NCC_LIMIT), colour / COLOUR_LIMIT)
    bits = None
    if distance <= 1.0:
        bits = (phash(a) ^ phash(b)).bit_count()
        distance = max(distance, bits / PHASH_LIMIT)
    verdict = PictureVerdict.SAME if distance <= 1.0 else PictureVerdict.DIFFERENT
    return PictureComparison(verdict, distance, bits, ncc, colour)


def compare(m365: Picture | None, sharepoint: Picture | None) -> PictureComparison:
    """What SharePoint shows, judged against the Microsoft 365 photo.

    NONE when SharePoint has no picture; PLACEHOLDER when it shows a silhouette/initials (unless that is
    exactly the Microsoft 365 photo); UNKNOWN when there is no Microsoft 365 photo to compare a real picture
    with; otherwise SAME or DIFFERENT.
    """
    if sharepoint is None:
        return PictureComparison(PictureVerdict.NONE, None)
    match = similarity(m365, sharepoint) if m365 is not None else None
    if match is not None and match.verdict is PictureVerdict.SAME:
        return match
    if looks_like_placeholder(sharepoint):
        return PictureComparison(
            PictureVerdict.PLACEHOLDER,
            None if match is None else match.distance,
            *(() if match is None else (match.phash_bits, match.ncc, match.colour)),
        )
    return match if match is not None else PictureComparison(PictureVerdict.UNKNOWN, None)


def colour_off_line(picture: Picture) -> float:
    """RGB standard deviation away from the picture's principal colour axis (0 = all colours on one line).

    A silhouette's greys and an initials avatar's disc colour, white and their anti-aliased mixtures all
    lie on one line in RGB; skin, hair, clothing and a backdrop do not. The 3 x 3 covariance comes from
    histograms: cov(x, y) = 2 var((x + y) / 2) - (var x + var y) / 2.
    """
    bands = picture.square.split()
    variances = [_variance(band) for band in bands]
    pairs = ((0, 1), (0, 2), (1, 2))
    cov = {
        (i, j): 2 * _variance(ImageChops.add(bands[i], bands[j], scale=2)) - (variances[i] + variances[j]) / 2
        for i, j in pairs
    }
    largest = _largest_eigenvalue(variances, cov[0, 1], cov[0, 2], cov[1, 2])
    return math.sqrt(max(0.0, sum(variances) - largest))


def _variance(band: Image.Image) -> float:
    mean, square_mean = _moments(band.histogram())
    return square_mean - mean * mean


def _largest_eigenvalue(diagonal: list[float], xy: float, xz: float, yz: float) -> float:
    """Largest eigenvalue of a symmetric 3 x 3 matrix (closed form, trigonometric)."""
    a, b, c = diagonal
    off = xy * xy + xz * xz + yz * yz
    q = (a + b + c) / 3
    p = math.sqrt(((a - q) ** 2 + (b - q) ** 2 + (c - q) ** 2 + 2 * off) / 6)
    if p < 1e-9:
        return q
    a, b, c, xy, xz, yz = (a - q) / p, (b - q) / p, (c - q) / p, xy / p, xz / p, yz / p
    det = a * (b * c - yz * yz) - xy * (xy * c - yz * xz) + xz * (xy * yz - b * xz)
    phi = math.acos(max(-1.0, min(1.0, det / 2))) / 3
    return q + 2 * p * math.cos(phi)


def two_level_share(picture: Picture) -> float:
    """Share of pixels within +-6 steps of the two most populated luminance levels.

    A placeholder is two flat areas (background and figure, or disc and white letters/corners) plus thin
    edges; a photo's light and shading spread its luminance over more levels.
    """
    histogram = picture.luma.histogram()
    width = 2 * _LEVEL_HALF_WIDTH + 1
    cumulative = [0]
    for count in histogram:
        cumulative.append(cumulative[-1] + count)
    windows = [cumulative[min(256, i + width)] - cumulative[i] for i in range(256)]
    first = max(range(256), key=windows.__getitem__)
    others = [i for i in range(256) if abs(i - first) >= width]
    second = windows[max(others, key=windows.__getitem__)] if others else 0
    return (windows[first] + second) / (cumulative[-1] or 1)


def looks_like_placeholder(picture: Picture) -> bool:
    """A silhouette or an initials avatar: colours on one line in RGB and luminance in two flat levels.

    Both tests are needed: a black-and-white photo has its colours on one line (the grey axis) but many
    levels of grey; a photo of a dark suit on a dark backdrop has two big levels but skin and hair off the
    line. Synthetic (flat-shaded) portraits come close on both, so the limits are strict (see above).
    """
    return (
        colour_off_line(picture) <= PLACEHOLDER_OFF_LINE
        and two_level_share(picture) >= PLACEHOLDER_TWO_LEVELS
    )


def thumbnail_data_uri(picture: Picture, size: int = 64) -> str:
    """A small JPEG `data:` URI of the picture's centre square, for inline display in an Adaptive Card.

    Drawn from the 64 px preview decode keeps (it keeps no full-size pixels): sharp up to 64 px, ~1-3 KB.
    """
    img = (
        picture.preview
        if size == picture.preview.width
        else picture.preview.resize((size, size), Image.Resampling.BICUBIC)
    )
    out = io.BytesIO()
    img.save(out, "JPEG", quality=80, optimize=True)
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode("ascii")
