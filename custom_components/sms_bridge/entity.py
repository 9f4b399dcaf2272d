"""The base of the account's entities, and the device that stands for the account."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DOMAIN
from .coordinator import SmsBridgeCoordinator
from .flows.account import gateway
from .runtime import SmsBridgeConfigEntry
from .texts import words


def account_device(hass: HomeAssistant, entry: SmsBridgeConfigEntry) -> DeviceInfo:
    """The device that stands for the gateway account (its model in the server's language)."""
    cls = gateway(entry.data)
    return DeviceInfo(
        identifiers={(DOMAIN, entry.entry_id)},
        name=entry.title,
        manufacturer=cls.title,
        model=words(hass, "exceptions.device_model.message"),
        entry_type=DeviceEntryType.SERVICE,
        configuration_url=cls.admin_page,
    )


def of_the_account(entry: SmsBridgeConfigEntry) -> DeviceInfo:
    """An entity's link to the account's device (made, with its details, at setup)."""
    return DeviceInfo(identifiers={(DOMAIN, entry.entry_id)})


class SmsBridgeEntity(CoordinatorEntity[SmsBridgeCoordinator]):
    """An entity of a gateway account."""

    _attr_has_entity_name = True

    def __init__(self, coordinator: SmsBridgeCoordinator, key: str) -> None:
        super().__init__(coordinator)
        self._attr_unique_id = f"{coordinator.config_entry.entry_id}_{key}"
        self._attr_device_info = of_the_account(coordinator.config_entry)
