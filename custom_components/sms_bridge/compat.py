"""The differences between the Home Assistant versions SMS Bridge runs on, in one place.

Each name here is the public API of the newest version, with what the oldest supported version
(2025.4) offers in its stead. Nothing else in the integration asks which version it runs on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from homeassistant import config_entries
from homeassistant.helpers.device_registry import DeviceInfo

#: HA 2025.8 added the options flow that reloads its entry itself (and, from 2026.6, update
#: listeners that reload beside it are deprecated). Before it, an update listener reloads.
if TYPE_CHECKING:
    ReloadingOptionsFlow = config_entries.OptionsFlow
else:
    ReloadingOptionsFlow = getattr(
        config_entries, "OptionsFlowWithReload", config_entries.OptionsFlow
    )
OPTIONS_RELOAD_BY_LISTENER = not hasattr(config_entries, "OptionsFlowWithReload")

#: HA 2026.8 links a device to its parent by the parent's registry id (`via_device_id`); the
#: parent's identifier (`via_device`) is deprecated there and goes in 2027.8.
LINK_BY_DEVICE_ID = "via_device_id" in DeviceInfo.__annotations__


def linked_to(parent_id: str, parent_identifier: tuple[str, str]) -> DeviceInfo:
    """The DeviceInfo fields that make a device hang under its parent device."""
    if LINK_BY_DEVICE_ID:
        return cast("DeviceInfo", {"via_device_id": parent_id})
    return cast("DeviceInfo", {"via_device": parent_identifier})


# HA 2026.10 validates with probatio, voluptuous' API-compatible successor, and its APIs are typed
# with it (a `voluptuous` import is aliased to it at run time). Before, voluptuous itself.
try:
    import probatio as vol  # type: ignore[import-not-found, unused-ignore]
except ImportError:  # HA before 2026.10
    import voluptuous as vol  # type: ignore[no-redef, unused-ignore]

# HA 2026.10 keeps the binary sensor's device classes in its const module only.
try:
    from homeassistant.components.binary_sensor.const import (  # type: ignore[import-not-found, unused-ignore]
        BinarySensorDeviceClass,
    )
except ImportError:  # HA before 2026.10
    from homeassistant.components.binary_sensor import (  # type: ignore[attr-defined, no-redef, unused-ignore]
        BinarySensorDeviceClass,
    )

__all__ = [
    "LINK_BY_DEVICE_ID",
    "OPTIONS_RELOAD_BY_LISTENER",
    "BinarySensorDeviceClass",
    "ReloadingOptionsFlow",
    "linked_to",
    "vol",
]
