"""scripts/brand: draws SMS Bridge's brand images (a message bubble with a delivery tick).

Everything is drawn with Pillow at two to eight times the final size and scaled down, so the
edges are smooth; the wordmark uses the font Pillow ships (Aileron), so no system font is needed.
Output: custom_components/sms_bridge/brand/{,dark_}{icon,logo}{,@2x}.png, sized as Home
Assistant's brands repository asks (icons 256 and 512 px square, logos 256 and 512 px high,
transparent, trimmed). Light images are for light themes, dark_ ones for dark themes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
import sys

from PIL import Image, ImageDraw, ImageFont

BRAND_DIR = Path(__file__).parent.parent / "custom_components" / "sms_bridge" / "brand"
ICON = 256  # icon.png side; icon@2x.png is twice that
LOGO = 256  # logo.png height; logo@2x.png is twice that
SCALE = 8  # drawn at 8x of icon.png, then scaled down

type RGB = tuple[int, int, int]


@dataclass(frozen=True)
class Palette:
    """Colours of one theme variant."""

    top: RGB  # the bubble's gradient, top to bottom
    bottom: RGB
    tick: RGB
    accent: RGB  # "SMS" in the logo
    name: RGB  # "Bridge" in the logo


LIGHT = Palette(
    top=(41, 170, 245),
    bottom=(16, 102, 214),
    tick=(255, 255, 255),
    accent=(16, 102, 214),
    name=(31, 41, 55),
)
DARK = Palette(  # a lighter bubble and light text, for dark themes
    top=(92, 194, 255),
    bottom=(37, 131, 235),
    tick=(255, 255, 255),
    accent=(92, 184, 255),
    name=(241, 245, 249),
)


def bezier(
    p0: tuple[float, float], p1: tuple[float, float], p2: tuple[float, float]
) -> Iterator[tuple[float, float]]:
    """Points along a quadratic Bézier curve: the tail's curved sides."""
    steps = 32
    for i in range(steps + 1):
        t = i / steps
        yield (
            (1 - t) ** 2 * p0[0] + 2 * (1 - t) * t * p1[0] + t**2 * p2[0],
            (1 - t) ** 2 * p0[1] + 2 * (1 - t) * t * p1[1] + t**2 * p2[1],
        )


def bubble_mask(size: int) -> Image.Image:
    """The bubble's silhouette: a rounded body and a curved tail down to the bottom-left corner."""
    mask = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(mask)
    body = 0.80 * size
    draw.rounded_rectangle((0, 0, size - 1, body), radius=0.24 * size, fill=255)
    s = size
    tail = [
        *bezier((0.14 * s, 0.70 * s), (0.16 * s, 0.90 * s), (0.04 * s, s - 1)),
        *bezier((0.04 * s, s - 1), (0.30 * s, 0.94 * s), (0.46 * s, 0.76 * s)),
    ]
    draw.polygon(tail, fill=255)
    return mask


def gradient(size: tuple[int, int], top: RGB, bottom: RGB) -> Image.Image:
    """A vertical colour gradient, for the bubble's slight depth."""
    width, height = size
    column = Image.new("RGB", (1, height))
    for y in range(height):
        t = y / max(height - 1, 1)
        column.putpixel(
            (0, y), tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        )
    return column.resize((width, height))


def draw_tick(image: Image.Image, colour: RGB) -> None:
    """The delivery tick: one thick stroke with round ends, centred on the bubble's body."""
    s = image.width
    points = [(0.265 * s, 0.425 * s), (0.435 * s, 0.585 * s), (0.745 * s, 0.255 * s)]
    width = round(0.115 * s)
    draw = ImageDraw.Draw(image)
    draw.line(points, fill=colour, width=width, joint="curve")
    r = width / 2
    for x, y in (points[0], points[-1]):
        draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)


@cache
def master_icon(palette: Palette) -> Image.Image:
    """The icon drawn once per palette, large, for every smaller size to be scaled from."""
    big = ICON * SCALE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    image.paste(gradient((big, big), palette.top, palette.bottom), (0, 0), bubble_mask(big))
    draw_tick(image, palette.tick)
    return image


def icon(palette: Palette, size: int) -> Image.Image:
    """The square icon at `size` pixels."""
    return master_icon(palette).resize((size, size), Image.Resampling.LANCZOS, reducing_gap=2.0)


def wordmark(palette: Palette, height: int) -> Image.Image:
    """The words SMS Bridge for a logo `height` pixels high, SMS bold in the accent colour."""
    font = ImageFont.load_default(size=round(0.50 * height))
    # (text, colour, stroke as a share of the height: Pillow's font has one weight only)
    letters = [(c, palette.accent, 0.020) for c in "SMS"] + [(" Bridge", palette.name, 0.008)]
    width = round(sum(font.getlength(t) + 2 * w * height for t, _, w in letters)) + height // 4
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    x = 0.0
    baseline = 0.58 * height  # cap height centred on the bubble's body, not on the tail
    for text, colour, weight in letters:
        stroke = round(weight * height)
        draw.text(
            (x + stroke, baseline),
            text,
            font=font,
            fill=colour,
            anchor="ls",
            stroke_width=stroke,
            stroke_fill=colour,
        )
        x += font.getlength(text) + 2 * stroke
    return image


def logo(palette: Palette, height: int) -> Image.Image:
    """Icon and wordmark side by side, trimmed, `height` pixels high."""
    big = height * 2  # the text is anti-aliased already; twice is enough for the rest
    mark = icon(palette, big)
    words = wordmark(palette, big)
    gap = round(0.16 * big)
    image = Image.new("RGBA", (big + gap + words.width, big), (0, 0, 0, 0))
    image.alpha_composite(mark, (0, 0))
    image.alpha_composite(words, (big + gap, 0))
    left, _, right, _ = image.getbbox() or (0, 0, image.width, big)
    image = image.crop((left, 0, right + (right - left) % 2, big))
    return image.resize((image.width // 2, height), Image.Resampling.LANCZOS, reducing_gap=2.0)


def render() -> dict[str, Image.Image]:
    """Every brand image by file name."""
    images: dict[str, Image.Image] = {}
    for prefix, palette in (("", LIGHT), ("dark_", DARK)):
        images[f"{prefix}icon.png"] = icon(palette, ICON)
        images[f"{prefix}icon@2x.png"] = icon(palette, 2 * ICON)
        images[f"{prefix}logo.png"] = logo(palette, LOGO)
        images[f"{prefix}logo@2x.png"] = logo(palette, 2 * LOGO)
    return images


def main() -> int:
    """Write the images and say what was written."""
    BRAND_DIR.mkdir(exist_ok=True)
    for name, image in render().items():
        image.save(BRAND_DIR / name, optimize=True)
        print(f"{BRAND_DIR / name}: {image.width}x{image.height}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
