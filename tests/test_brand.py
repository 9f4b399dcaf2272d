"""Brand images: the sizes Home Assistant and HACS ask for, and drawn by tools/brand.py."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageChops, ImageStat
import pytest

from tools import brand

NAMES = [
    f"{prefix}{kind}{hdpi}.png"
    for prefix in ("", "dark_")
    for kind in ("icon", "logo")
    for hdpi in ("", "@2x")
]


@pytest.fixture(scope="module")
def drawn() -> dict[str, Image.Image]:
    """What tools/brand.py draws today."""
    return brand.render()


def committed(name: str) -> Image.Image:
    """The image in the integration's brand folder."""
    path: Path = brand.BRAND_DIR / name
    with Image.open(path) as image:
        image.load()
        return image


@pytest.mark.parametrize("name", NAMES)
def test_size_and_transparency(name: str) -> None:
    """Icons 256/512 px square, logos 256/512 px high and wide; transparent and trimmed."""
    image = committed(name)
    side = 512 if "@2x" in name else 256
    if "icon" in name:
        assert image.size == (side, side)
    else:
        assert image.height == side
        assert image.width > image.height
    assert image.mode == "RGBA"
    alpha = image.getchannel("A")
    assert alpha.getpixel((image.width - 1, image.height - 1)) == 0  # no background
    assert alpha.getbbox() == (0, 0, *image.size)  # nothing left to trim


@pytest.mark.parametrize("name", NAMES)
def test_drawn_by_the_script(drawn: dict[str, Image.Image], name: str) -> None:
    """The committed image is what scripts/brand draws (run it after changing the drawing)."""
    image = committed(name)
    assert drawn[name].size == image.size
    difference = ImageStat.Stat(ImageChops.difference(drawn[name], image)).mean
    assert max(difference) < 1.0, difference  # per channel, out of 255: rendering noise only
