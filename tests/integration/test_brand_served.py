"""The integration's icon and logo come from its own folder, offline, where HA serves them.

Home Assistant 2026.x serves a custom integration's brand images from its `brand/` folder
(the `brands` integration); older versions fetch them from brands.home-assistant.io, which a
custom integration cannot reach: the README says so.
"""

from __future__ import annotations

from pathlib import Path

from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.sms_bridge.const import DOMAIN

pytest.importorskip(
    "homeassistant.components.brands", reason="this Home Assistant serves no local brand images"
)

BRAND = Path(__file__).parents[2] / "custom_components" / DOMAIN / "brand"


@pytest.mark.parametrize("image", ["icon.png", "icon@2x.png", "dark_logo.png"])
async def test_brand_images_are_served_from_the_integration(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, image: str
) -> None:
    """The repair rows' and the integration page's image, without any network."""
    assert await async_setup_component(hass, "brands", {})
    client = await hass_client()
    answer = await client.get(f"/api/brands/integration/{DOMAIN}/{image}")
    assert answer.status == 200
    assert await answer.read() == (BRAND / image).read_bytes()
