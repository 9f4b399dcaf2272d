"""Each platform's entities as core snapshots them (`snapshot_platform`), one platform loaded.

Core's snapshots hold every field of the entity registry entry, and those fields change between
Home Assistant versions (2026 keeps aliases as a list, adds object ids): each version of the
default stacks has its own folder, snapshots_per_version/ha-<version>/. The version-stable views of
test_sensor.py and the other platform files stay the one file all stacks share.
"""

from __future__ import annotations

from pathlib import Path
from unittest.mock import patch

from homeassistant.const import Platform, __version__ as ha_version
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import snapshot_platform
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion

from sandbox import Sandbox

from .conftest import make_entry

ENTRY_ID = "01JSNAPSHOT0000000000ENTRY"
#: Outside snapshots/, whose shared files every stack reads (syrupy would take these for unused).
SNAPSHOTS = Path(__file__).parent / "snapshots_per_version" / f"ha-{ha_version}"


class PerVersionSnapshots(HomeAssistantSnapshotExtension):
    """Core's serializer, files in snapshots_per_version/ha-<this Home Assistant's version>/."""

    @classmethod
    def dirname(cls, *, test_location: object) -> str:
        """This version's folder."""
        return str(SNAPSHOTS)


@pytest.fixture
def platform_snapshot(
    snapshot: SnapshotAssertion, request: pytest.FixtureRequest
) -> SnapshotAssertion:
    """Snapshots of this Home Assistant version; a version without a folder is not compared."""
    if not SNAPSHOTS.is_dir() and not request.config.getoption("--snapshot-update"):
        pytest.skip(f"no snapshots for Home Assistant {ha_version} (made with --snapshot-update)")
    return snapshot.use_extension(PerVersionSnapshots)


@pytest.mark.parametrize(
    ("platform", "provider", "options"),
    [
        (Platform.SENSOR, "esms", {}),
        (Platform.BINARY_SENSOR, "esms", {"low_balance": 1000}),
        (Platform.EVENT, "esms", {}),
    ],
)
async def test_platform(
    hass: HomeAssistant,
    sandbox: Sandbox,
    entity_registry: er.EntityRegistry,
    platform_snapshot: SnapshotAssertion,
    platform: Platform,
    provider: str,
    options: dict[str, int],
) -> None:
    """The platform's registry entries and states, as core's integrations test theirs."""
    entry = make_entry(sandbox, provider, options=options, entry_id=ENTRY_ID)
    entry.add_to_hass(hass)
    with patch("custom_components.sms_bridge.PLATFORMS", [platform]):
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        await snapshot_platform(hass, entity_registry, platform_snapshot, entry.entry_id)
        assert await hass.config_entries.async_unload(entry.entry_id)
