"""Deterministic synthetic portraits and the placeholders SharePoint / Microsoft 365 show, drawn with Pillow.

`portrait(seed, variant)` draws one made-up person (`seed` fixes who: face shape, skin tone, eyes, nose,
mouth, hair colour and style, beard) photographed in one session (`variant` fixes how: background colour
and gradient, clothing, hair length, glasses, framing offset and zoom, light direction and colour). Two
variants of one seed are the same person in two different photos, the way an old and a new profile photo
differ; two seeds are two people. Everything comes from `random.Random` seeded with integers only, so the
bytes are the same on every run and every machine with the same Pillow/libjpeg.

Realism, in order of what a perceptual comparison sees: a lit gradient background, a body and neck under
the head, shaded skin (a darker rim and a lit side), hair with its own shading, soft edges (blur) and sensor
noise. No two people share a picture: identity and session draws cover ~10 independent choices each.
"""

from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

Colour = tuple[int, int, int]

_SKIN: tuple[Colour, ...] = (
    (255, 224, 196),
    (241, 194, 160),
    (224, 172, 135),
    (198, 142, 100),
    (170, 113, 75),
    (141, 85, 54),
    (110, 66, 44),
    (84, 52, 36),
)
_HAIR: tuple[Colour, ...] = (
    (24, 20, 18),
    (52, 36, 26),
    (92, 60, 36),
    (140, 86, 46),
    (176, 132, 82),
    (222, 190, 130),
    (150, 62, 34),
    (170, 170, 170),
)
_EYES: tuple[Colour, ...] = ((60, 40, 24), (90, 60, 30), (60, 100, 140), (80, 110, 70), (40, 30, 20))
_CLOTHES: tuple[Colour, ...] = (
    (30, 36, 52),
    (54, 58, 64),
    (210, 210, 214),
    (120, 20, 36),
    (22, 70, 120),
    (40, 90, 60),
    (180, 150, 110),
    (235, 235, 235),
    (90, 60, 110),
    (200, 90, 40),
)
_BACKDROPS: tuple[Colour, ...] = (
    (200, 204, 210),
    (90, 110, 140),
    (40, 44, 52),
    (230, 226, 216),
    (120, 150, 120),
    (160, 120, 90),
    (70, 90, 120),
    (236, 240, 244),
    (150, 160, 175),
    (180, 90, 80),
)
_HAIR_STYLES = ("short", "side", "long", "bob", "bald", "curly", "bun")
# Placeholder colours Microsoft 365 uses for initials avatars (Fluent persona palette, a selection).
INITIALS_COLOURS: tuple[Colour, ...] = (
    (117, 11, 28),
    (164, 38, 44),
    (209, 52, 56),
    (202, 80, 16),
    (152, 111, 11),
    (73, 130, 5),
    (11, 106, 11),
    (3, 131, 135),
    (0, 91, 112),
    (0, 120, 212),
    (79, 107, 237),
    (92, 46, 145),
    (135, 100, 184),
    (136, 23, 152),
    (194, 57, 179),
    (122, 117, 116),
)


@dataclass(frozen=True)
class _Person:
    skin: Colour
    hair: Colour
    eyes: Colour
    style: str
    face_w: float  # head width / picture width at zoom 1
    face_h: float
    eye_gap: float
    nose_w: float
    mouth_w: float
    lips: Colour
    beard: bool


@dataclass(frozen=True)
class _Session:
    backdrop: Colour
    backdrop_far: Colour
    clothes: Colour
    collar: Colour | None
    hair_scale: float  # hair length/volume this time (haircuts change)
    glasses: bool
    dx: float
    dy: float
    zoom: float
    light_from_left: bool
    light: float  # strength of the side light
    tint: Colour  # warm/cool cast of the light
    seed: int


def _shade(c: Colour, f: float) -> Colour:
    return (min(255, int(c[0] * f)), min(255, int(c[1] * f)), min(255, int(c[2] * f)))


def _mix(a: Colour, b: Colour, t: float) -> Colour:
    return (
        int(a[0] + (b[0] - a[0]) * t),
        int(a[1] + (b[1] - a[1]) * t),
        int(a[2] + (b[2] - a[2]) * t),
    )


def _person(seed: int) -> _Person:
    r = random.Random(seed * 7919 + 1)  # noqa: S311 - a reproducible picture, not a secret
    skin = r.choice(_SKIN)
    hair = r.choice(_HAIR)
    return _Person(
        skin=skin,
        hair=hair,
        eyes=r.choice(_EYES),
        style=r.choice(_HAIR_STYLES),
        face_w=r.uniform(0.30, 0.38),
        face_h=r.uniform(0.40, 0.48),
        eye_gap=r.uniform(0.26, 0.34),
        nose_w=r.uniform(0.08, 0.14),
        mouth_w=r.uniform(0.28, 0.42),
        lips=_mix(skin, (170, 60, 70), r.uniform(0.2, 0.5)),
        beard=r.random() < 0.2,
    )


def _session(seed: int, variant: int) -> _Session:
    r = random.Random(seed * 104729 + variant * 31 + 2)  # noqa: S311 - a reproducible picture, not a secret
    backdrop = r.choice(_BACKDROPS)
    return _Session(
        backdrop=backdrop,
        backdrop_far=_shade(backdrop, r.uniform(0.55, 1.25)),
        clothes=r.choice(_CLOTHES),
        collar=r.choice(((250, 250, 250), (200, 220, 240), None)),
        hair_scale=r.uniform(0.8, 1.25),
        glasses=r.random() < 0.25,
        dx=r.uniform(-0.07, 0.07),
        dy=r.uniform(-0.05, 0.06),
        zoom=r.uniform(0.85, 1.15),
        light_from_left=r.random() < 0.5,
        light=r.uniform(0.1, 0.35),
        tint=r.choice(((255, 244, 230), (240, 246, 255), (255, 255, 255))),
        seed=seed * 1_000_003 + variant,
    )


def _backdrop(size: tuple[int, int], s: _Session) -> Image.Image:
    """A studio backdrop: a linear gradient from one of four sides, or a radial one (a lit spot)."""
    kind = s.seed % 5
    gradient = Image.radial_gradient("L") if kind == 4 else Image.linear_gradient("L").rotate(90 * kind)
    mask = gradient.resize(size, Image.Resampling.BILINEAR)
    near = Image.new("RGB", size, s.backdrop)
    far = Image.new("RGB", size, s.backdrop_far)
    return Image.composite(far, near, mask)


def _draw_person(img: Image.Image, p: _Person, s: _Session) -> None:
    w, h = img.size
    u = min(w, h) * s.zoom  # the unit: the person scales with the shorter side
    cx, cy = w / 2 + s.dx * w, h * 0.44 + s.dy * h
    fw, fh = p.face_w * u, p.face_h * u
    d = ImageDraw.Draw(img)
    hair_dark = _shade(p.hair, 0.7)
    if p.style in ("long", "bob"):  # hair behind the head and shoulders
        reach = (1.05 if p.style == "long" else 0.55) * fh * s.hair_scale
        d.rounded_rectangle(
            (cx - fw * 0.62, cy - fh * 0.45, cx + fw * 0.62, cy + reach), radius=fw * 0.4, fill=hair_dark
        )
    # Shoulders and clothing, then the neck and the collar.
    body = (cx - 0.56 * u, cy + 0.42 * fh + 0.2 * u, cx + 0.56 * u, cy + 1.6 * u)
    d.rounded_rectangle(body, radius=0.22 * u, fill=s.clothes)
    d.rectangle((cx - fw * 0.22, cy + fh * 0.25, cx + fw * 0.22, cy + fh * 0.72), fill=_shade(p.skin, 0.82))
    if s.collar is not None:
        top = cy + fh * 0.62
        d.polygon([(cx - fw * 0.35, top), (cx, top + fh * 0.35), (cx + fw * 0.35, top)], fill=s.collar)
        d.polygon(
            [(cx - fw * 0.2, top), (cx, top + fh * 0.22), (cx + fw * 0.2, top)], fill=_shade(p.skin, 0.8)
        )
    # Ears and head: a darker rim under a lighter face gives the skin its roundness after the blur.
    for side in (-1, 1):
        ex = cx + side * fw * 0.5
        d.ellipse((ex - fw * 0.09, cy - fh * 0.08, ex + fw * 0.09, cy + fh * 0.12), fill=_shade(p.skin, 0.9))
    d.ellipse((cx - fw / 2, cy - fh / 2, cx + fw / 2, cy + fh / 2), fill=_shade(p.skin, 0.88))
    d.ellipse((cx - fw * 0.42, cy - fh * 0.44, cx + fw * 0.42, cy + fh * 0.44), fill=p.skin)
    _draw_hair(d, p, s, cx, cy, fw, fh)
    _draw_face(d, p, s, cx, cy, fw, fh)


def _draw_hair(
    d: ImageDraw.ImageDraw, p: _Person, s: _Session, cx: float, cy: float, fw: float, fh: float
) -> None:
    if p.style == "bald":
        d.chord((cx - fw * 0.52, cy - fh * 0.1, cx + fw * 0.52, cy + fh * 0.3), 160, 200, fill=p.hair)
        return
    lift = fh * 0.08 * s.hair_scale
    top = (cx - fw * 0.55, cy - fh * 0.55 - lift, cx + fw * 0.55, cy + fh * 0.25)
    d.chord(top, 180, 360, fill=p.hair)
    if p.style == "side":
        d.pieslice((cx - fw * 0.55, cy - fh * 0.5, cx + fw * 0.3, cy - fh * 0.05), 180, 300, fill=p.hair)
    elif p.style == "curly":
        for i in range(9):
            ang = 180 + i * 22.5
            bx = cx + fw * 0.5 * _cos(ang)
            by = cy - fh * 0.15 + fh * 0.42 * _sin(ang)
            rad = fw * 0.14 * s.hair_scale
            d.ellipse((bx - rad, by - rad, bx + rad, by + rad), fill=p.hair)
    elif p.style == "bun":
        rad = fw * 0.18
        d.ellipse((cx - rad, cy - fh * 0.62 - rad * 1.4, cx + rad, cy - fh * 0.62 + rad * 0.6), fill=p.hair)
    # A highlight stripe: hair is rarely one flat colour in a photo.
    d.arc(
        (cx - fw * 0.4, cy - fh * 0.5 - lift * 0.5, cx + fw * 0.4, cy + fh * 0.1),
        215,
        300,
        fill=_shade(p.hair, 1.45),
        width=max(1, int(fw * 0.05)),
    )


def _draw_face(
    d: ImageDraw.ImageDraw, p: _Person, s: _Session, cx: float, cy: float, fw: float, fh: float
) -> None:
    eye_y = cy - fh * 0.02
    er = fw * 0.075
    for side in (-1, 1):
        ex = cx + side * fw * p.eye_gap
        d.line(
            (ex - er * 1.5, eye_y - er * 2.1, ex + er * 1.5, eye_y - er * 2.3 + side * er * 0.2),
            fill=_shade(p.hair, 0.8),
            width=max(1, int(er * 0.6)),
        )
        d.ellipse((ex - er * 1.3, eye_y - er * 0.75, ex + er * 1.3, eye_y + er * 0.75), fill=(238, 236, 230))
        d.ellipse((ex - er * 0.7, eye_y - er * 0.7, ex + er * 0.7, eye_y + er * 0.7), fill=p.eyes)
        d.ellipse((ex - er * 0.3, eye_y - er * 0.3, ex + er * 0.3, eye_y + er * 0.3), fill=(12, 10, 10))
        if s.glasses:
            d.ellipse(
                (ex - er * 2.2, eye_y - er * 1.7, ex + er * 2.2, eye_y + er * 1.7),
                outline=(30, 30, 34),
                width=max(1, int(er * 0.35)),
            )
    nose_y = cy + fh * 0.14
    d.polygon(
        [(cx, eye_y + er), (cx - fw * p.nose_w / 2, nose_y), (cx + fw * p.nose_w / 2, nose_y)],
        fill=_shade(p.skin, 0.86),
    )
    mouth_y = cy + fh * 0.27
    mw = fw * p.mouth_w / 2
    d.chord((cx - mw, mouth_y - fh * 0.05, cx + mw, mouth_y + fh * 0.06), 0, 180, fill=p.lips)
    d.line((cx - mw, mouth_y, cx + mw, mouth_y), fill=_shade(p.lips, 0.6), width=max(1, int(fh * 0.012)))
    if p.beard:
        d.chord(
            (cx - fw * 0.45, cy + fh * 0.05, cx + fw * 0.45, cy + fh * 0.52), 0, 180, fill=_shade(p.hair, 0.9)
        )
        d.chord((cx - mw, mouth_y - fh * 0.04, cx + mw, mouth_y + fh * 0.05), 0, 180, fill=p.lips)


def _cos(deg: float) -> float:
    return math.cos(math.radians(deg))


def _sin(deg: float) -> float:
    return math.sin(math.radians(deg))


def _light(img: Image.Image, s: _Session) -> Image.Image:
    """Side light: multiply by a horizontal ramp from (1 - light) to 1, tinted by the light's colour."""
    w, h = img.size
    ramp = Image.linear_gradient("L").rotate(90 if s.light_from_left else -90).resize((w, h))
    low = int(255 * (1 - s.light))
    ramp = ramp.point(lambda v: low + v * (255 - low) // 255)
    tinted = ImageChops.multiply(Image.merge("RGB", (ramp, ramp, ramp)), Image.new("RGB", (w, h), s.tint))
    return ImageChops.multiply(img, tinted)


def portrait_image(seed: int, variant: int = 0, width: int = 240, height: int | None = None) -> Image.Image:
    """The RGB picture of person `seed` in photo session `variant` (height defaults to width)."""
    size = (width, height or width)
    person, session = _person(seed), _session(seed, variant)
    img = _backdrop(size, session)
    _draw_person(img, person, session)
    img = _light(img, session).filter(ImageFilter.GaussianBlur(max(0.5, min(size) / 300)))
    # Sensor noise: a per-session seeded noise field added around zero (Pillow's noise is not seedable).
    noise = _noise(size, session.seed)
    return ImageChops.add(img, Image.merge("RGB", (noise, noise, noise)), scale=1.0, offset=-128)


_NOISE_TILE: list[Image.Image] = []


def _noise(size: tuple[int, int], seed: int) -> Image.Image:
    """Grain around 128 (sigma 5): one seeded 128 px tile, shifted per session and tiled to `size`."""
    if not _NOISE_TILE:
        r = random.Random(20240611)  # noqa: S311 - reproducible grain, not a secret
        grain = bytes(max(0, min(255, int(r.gauss(128, 5)))) for _ in range(128 * 128))
        _NOISE_TILE.append(Image.frombytes("L", (128, 128), grain))
    tile = ImageChops.offset(_NOISE_TILE[0], seed % 128, (seed // 128) % 128)
    out = Image.new("L", size)
    for x in range(0, size[0], 128):
        for y in range(0, size[1], 128):
            out.paste(tile, (x, y))
    return out


def portrait(
    seed: int, variant: int = 0, size: int = 240, height: int | None = None, quality: int = 90
) -> bytes:
    """JPEG bytes of person `seed` photographed in session `variant`; `size` wide (and high unless `height`)."""
    return _jpeg(portrait_image(seed, variant, size, height), quality)


def _jpeg(img: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    img.save(out, "JPEG", quality=quality)
    return out.getvalue()


def silhouette_image(
    size: int = 96, background: Colour = (234, 234, 234), figure: Colour = (190, 190, 190)
) -> Image.Image:
    """SharePoint's "no photo" person: a grey head and shoulders on a flat light grey square."""
    img = Image.new("RGB", (size, size), background)
    d = ImageDraw.Draw(img)
    u = size / 100
    d.ellipse((31 * u, 16 * u, 69 * u, 56 * u), fill=figure)
    d.chord((12 * u, 62 * u, 88 * u, 138 * u), 180, 360, fill=figure)
    return img


def silhouette_placeholder(
    size: int = 96, background: Colour = (234, 234, 234), figure: Colour = (190, 190, 190)
) -> bytes:
    """JPEG of the grey silhouette placeholder."""
    return _jpeg(silhouette_image(size, background, figure), 90)


def initials_image(text: str, colour: Colour, size: int = 96, shape: str = "circle") -> Image.Image:
    """Microsoft 365's initials avatar: up to two white letters on a flat colour circle (or square)."""
    img = Image.new("RGB", (size, size), (255, 255, 255))
    d = ImageDraw.Draw(img)
    if shape == "circle":
        d.ellipse((0, 0, size - 1, size - 1), fill=colour)
    else:
        d.rectangle((0, 0, size - 1, size - 1), fill=colour)
    font = ImageFont.load_default(size=max(8, int(size * 0.4)))
    d.text((size / 2, size / 2), text.upper()[:2], fill=(255, 255, 255), font=font, anchor="mm")
    return img


def initials_placeholder(text: str, colour: Colour, size: int = 96, shape: str = "circle") -> bytes:
    """JPEG of an initials avatar."""
    return _jpeg(initials_image(text, colour, size, shape), 90)
