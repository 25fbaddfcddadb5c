"""A generated, labelled set of (Microsoft 365 photo, SharePoint picture) pairs and the rates measured on it.

Every person is drawn by bot.demo.portraits from an original upload (300 px wide, square or 4:5 portrait).
The Microsoft 365 side is what Graph serves: the original resized to one of Graph's sizes and re-encoded.
The SharePoint side is the original after a random chain of what SharePoint does to a profile picture:
an optional centre crop to a square, a resize to one of its thumbnail widths (48/72/96/200/300) with a
random resampling filter, gamma 0.9-1.1, saturation +-10 %, and a JPEG re-encode at quality 60-95.

Kinds of pair (expected verdict):
  same          the same upload on both sides                                   SAME
  other_person  two different people                                           DIFFERENT
  old_new       the same person, an older photo session on SharePoint           DIFFERENT
  placeholder   a real photo vs a SharePoint silhouette/initials avatar        PLACEHOLDER
  none          a real photo vs nothing / garbage on SharePoint                 NONE
"""

from __future__ import annotations

import io
import random
from collections import Counter
from dataclasses import dataclass, field

from PIL import Image, ImageEnhance

from bot.demo.portraits import INITIALS_COLOURS, initials_image, portrait_image, silhouette_image
from bot.pictures import PictureVerdict, compare, decode

GRAPH_SIZES = (48, 64, 96, 120, 240)
SHAREPOINT_WIDTHS = (48, 72, 96, 200, 300)
FILTERS = (
    Image.Resampling.NEAREST,
    Image.Resampling.BOX,
    Image.Resampling.BILINEAR,
    Image.Resampling.HAMMING,
    Image.Resampling.BICUBIC,
    Image.Resampling.LANCZOS,
)
ORIGINAL = 300


@dataclass(frozen=True)
class Pair:
    kind: str
    m365: bytes | None
    sharepoint: bytes | None
    expected: PictureVerdict


@dataclass
class Rates:
    counts: Counter[str] = field(default_factory=Counter)
    verdicts: dict[str, Counter[PictureVerdict]] = field(default_factory=dict)
    same_distances: list[float] = field(default_factory=list)  # distance of every `same` pair
    different_distances: list[float] = field(default_factory=list)  # other_person + old_new

    def rate(self, kind: str, verdict: PictureVerdict, *, equal: bool) -> float:
        seen = self.verdicts.get(kind, Counter())
        total = sum(seen.values())
        hits = seen[verdict] if equal else total - seen[verdict]
        return hits / total if total else 0.0

    @property
    def false_same(self) -> int:
        return sum(self.verdicts.get(k, Counter())[PictureVerdict.SAME] for k in ("other_person", "old_new"))

    @property
    def false_different_rate(self) -> float:
        return self.rate("same", PictureVerdict.SAME, equal=False)


def jpeg(img: Image.Image, quality: int = 90) -> bytes:
    out = io.BytesIO()
    img.save(out, "JPEG", quality=quality)
    return out.getvalue()


def original(seed: int, variant: int, rng: random.Random) -> Image.Image:
    """The upload: square, or a 4:5 portrait that SharePoint may crop to a square."""
    height = ORIGINAL if rng.random() < 0.5 else ORIGINAL * 5 // 4
    return portrait_image(seed, variant, ORIGINAL, height)


def graph_copy(img: Image.Image, rng: random.Random) -> bytes:
    """What Graph serves: the upload scaled to fit one of its sizes (aspect kept), re-encoded."""
    size = rng.choice(GRAPH_SIZES)
    scaled = img.copy()
    scaled.thumbnail((size, size), Image.Resampling.LANCZOS)
    return jpeg(scaled, rng.randint(85, 95))


def sharepoint_copy(img: Image.Image, rng: random.Random) -> bytes:
    """A random chain of SharePoint's thumbnail steps applied to `img`."""
    out = img.convert("RGB")
    if out.width != out.height and rng.random() < 0.6:
        side = min(out.size)
        left, top = (out.width - side) // 2, (out.height - side) // 2
        out = out.crop((left, top, left + side, top + side))
    width = rng.choice(SHAREPOINT_WIDTHS)
    out = out.resize((width, max(1, round(out.height * width / out.width))), rng.choice(FILTERS))
    if rng.random() < 0.6:
        gamma = rng.uniform(0.9, 1.1)
        out = out.point([round(255 * (v / 255) ** gamma) for v in range(256)] * 3)
    if rng.random() < 0.5:
        out = ImageEnhance.Color(out).enhance(rng.uniform(0.9, 1.1))
    return jpeg(out, rng.randint(60, 95))


def placeholder_copy(rng: random.Random) -> bytes:
    """SharePoint's silhouette or an initials avatar, through the same thumbnail steps."""
    size = rng.choice((96, 120, 240))
    if rng.random() < 0.4:
        grey = rng.randint(215, 245)
        img = silhouette_image(size, (grey, grey, grey), (grey - rng.randint(30, 60),) * 3)
    else:
        letters = "".join(rng.choice("ABCDEFGHIJKLMNOPRSTVW") for _ in range(rng.choice((1, 2))))
        img = initials_image(letters, rng.choice(INITIALS_COLOURS), size, rng.choice(("circle", "square")))
    return sharepoint_copy(img, rng)


def build_pairs(people: int, seed: int, per_kind: dict[str, int]) -> list[Pair]:
    """`per_kind[kind]` pairs of each kind drawn from `people` generated people (fixed `seed`)."""
    rng = random.Random(seed)
    cache: dict[tuple[int, int], Image.Image] = {}

    def upload(person: int, variant: int) -> Image.Image:
        if (person, variant) not in cache:
            cache[person, variant] = original(person, variant, random.Random(person * 31 + variant))
        return cache[person, variant]

    pairs: list[Pair] = []
    for i in range(per_kind.get("same", 0)):
        img = upload(i % people, 0)
        pairs.append(Pair("same", graph_copy(img, rng), sharepoint_copy(img, rng), PictureVerdict.SAME))
    for i in range(per_kind.get("other_person", 0)):
        a = i % people
        b = (a + 1 + rng.randrange(people - 1)) % people
        m365, sp = upload(a, 0), upload(b, rng.randrange(2))
        pairs.append(
            Pair("other_person", graph_copy(m365, rng), sharepoint_copy(sp, rng), PictureVerdict.DIFFERENT)
        )
    for i in range(per_kind.get("old_new", 0)):
        person = i % people
        new, old = upload(person, 1 + i // people % 2), upload(person, 0)
        pairs.append(
            Pair("old_new", graph_copy(new, rng), sharepoint_copy(old, rng), PictureVerdict.DIFFERENT)
        )
    for i in range(per_kind.get("placeholder", 0)):
        m365 = graph_copy(upload(i % people, 0), rng)
        pairs.append(Pair("placeholder", m365, placeholder_copy(rng), PictureVerdict.PLACEHOLDER))
    for i in range(per_kind.get("none", 0)):
        m365 = graph_copy(upload(i % people, 0), rng)
        nothing = rng.choice((None, b"", b"<html>404</html>", m365[: len(m365) // 3]))
        pairs.append(Pair("none", m365, nothing, PictureVerdict.NONE))
    return pairs


def measure(pairs: list[Pair]) -> Rates:
    rates = Rates()
    for pair in pairs:
        result = compare(decode(pair.m365), decode(pair.sharepoint))
        rates.counts[pair.kind] += 1
        rates.verdicts.setdefault(pair.kind, Counter())[result.verdict] += 1
        if result.distance is not None and pair.kind == "same":
            rates.same_distances.append(result.distance)
        elif result.distance is not None and pair.kind in ("other_person", "old_new"):
            rates.different_distances.append(result.distance)
    return rates
