"""Draw the Teams app icons once: `python manifest/make_icons.py [OUT_DIR]` (needs Pillow).

- color.png   192×192, opaque: a white person inside two sync arrows on the accent colour.
- outline.png  32×32, transparent background, white only (every visible pixel is #FFFFFF; only alpha varies).

Shapes are drawn as 8× supersampled masks and scaled down, so edges are anti-aliased through alpha alone.
The PNGs are committed; run this again only to change the design. The accent colour is also the manifest's
`accentColor`.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

from PIL import Image, ImageDraw

ACCENT = (15, 108, 189)  # #0F6CBD, the manifest's accentColor
ARROWS = (168, 230, 207)  # soft mint: the sync arrows on the colour icon
WHITE = (255, 255, 255)
SUPERSAMPLE = 8

Point = tuple[float, float]


def _arrow_head(center: Point, radius: float, angle_deg: float, width: float) -> list[Point]:
    """A triangle at the end of an arc, pointing clockwise (PIL angles grow clockwise, y down)."""
    a = math.radians(angle_deg)
    px, py = center[0] + radius * math.cos(a), center[1] + radius * math.sin(a)
    nx, ny = math.cos(a), math.sin(a)  # radial
    tx, ty = -math.sin(a), math.cos(a)  # tangent, clockwise
    half = width * 1.35
    length = width * 1.9
    return [
        (px + nx * half, py + ny * half),
        (px - nx * half, py - ny * half),
        (px + tx * length, py + ty * length),
    ]


def _masks(size: int, *, stroke: float) -> tuple[Image.Image, Image.Image]:
    """(person mask, sync-arrows mask) in mode L at `size`, drawn on a unit square scaled up."""
    big = size * SUPERSAMPLE

    def s(v: float) -> float:
        return v * big

    person = Image.new("L", (big, big), 0)
    draw = ImageDraw.Draw(person)
    head_r = 0.095
    draw.ellipse([s(0.5 - head_r), s(0.405 - head_r), s(0.5 + head_r), s(0.405 + head_r)], fill=255)
    # shoulders: the upper half of an ellipse, base on y = 0.72
    draw.pieslice([s(0.31), s(0.535), s(0.69), s(0.905)], start=180, end=360, fill=255)

    arrows = Image.new("L", (big, big), 0)
    draw = ImageDraw.Draw(arrows)
    center = (s(0.5), s(0.5))
    radius = s(0.385)
    width = s(stroke)
    box = [center[0] - radius, center[1] - radius, center[0] + radius, center[1] + radius]
    for start, end in ((200.0, 318.0), (20.0, 138.0)):
        draw.arc(box, start=start, end=end, fill=255, width=round(width))
        mid_radius = radius - width / 2  # PIL draws the arc's width inwards from the box
        draw.polygon(_arrow_head(center, mid_radius, end, width / 2 * 1.6), fill=255)
    return (
        person.resize((size, size), Image.Resampling.LANCZOS),
        arrows.resize((size, size), Image.Resampling.LANCZOS),
    )


def color_icon() -> Image.Image:
    person, arrows = _masks(192, stroke=0.075)
    image = Image.new("RGB", (192, 192), ACCENT)
    image.paste(Image.new("RGB", (192, 192), ARROWS), mask=arrows)
    image.paste(Image.new("RGB", (192, 192), WHITE), mask=person)
    return image


def outline_icon() -> Image.Image:
    person, arrows = _masks(32, stroke=0.095)
    alpha = Image.new("L", (32, 32), 0)
    alpha.paste(255, mask=arrows)
    alpha.paste(255, mask=person)
    image = Image.new("RGBA", (32, 32), (*WHITE, 0))
    image.putalpha(alpha)
    return image


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else Path(__file__).resolve().parent
    out.mkdir(parents=True, exist_ok=True)
    color_icon().save(out / "color.png", optimize=True)
    outline_icon().save(out / "outline.png", optimize=True)
    print(f"wrote {out / 'color.png'} and {out / 'outline.png'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
