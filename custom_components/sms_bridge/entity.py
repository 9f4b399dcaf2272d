"""The base of the account's entities, and the device that stands for the account."""

from __future__ import annotations

from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .account import gateway
from .const import DOMAIN
from .coordinator import SmsBridgeCoordinator
from .runtime import SmsBridgeConfigEntry


def account_device(entry: SmsBridgeConfigEntry) -> DeviceInfo:
    """The device that stands for the gateway account."""
    cls = gateway(entry.data)
    return DeviceInfo(
        identifiers={(DOMAIN, entry.entry_id)},
        name=entry.title,
        manufacturer=cls.title,
        model="SMS gateway account",
        entry_type=DeviceEntryType.SERVICE,
        configuration_url=cls.admin_page,
    )


class SmsBridgeEntity(CoordinatorEntity[SmsBridgeCoordinator]):
    """An entity of a gateway account."""

    _attr_has_entity_name = True

    def __init__(self, coordinator: SmsBridgeCoordinator, key: str) -> None:
        super().__init__(coordinator)
        self._attr_unique_id = f"{coordinator.config_entry.entry_id}_{key}"
        self._attr_device_info = account_device(coordinator.config_entry)
