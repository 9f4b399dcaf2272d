"""The base of every SMS Bridge entity: one device per gateway account."""

from __future__ import annotations

from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .account import TITLES
from .const import CONF_PROVIDER, DOMAIN
from .coordinator import SmsBridgeConfigEntry, SmsBridgeCoordinator

ADMIN_PAGES = {
    "fibo": "https://admin.fibosms.com",
    "esms": "https://account.esms.vn",
    "fpt": "https://portal.sms.fpt.net",
    "smspay": "https://www.smspay.bg",
}


def account_device(entry: SmsBridgeConfigEntry) -> DeviceInfo:
    """The device that stands for the gateway account."""
    provider = entry.data[CONF_PROVIDER]
    return DeviceInfo(
        identifiers={(DOMAIN, entry.entry_id)},
        name=entry.title,
        manufacturer=TITLES[provider],
        model="SMS gateway account",
        entry_type=DeviceEntryType.SERVICE,
        configuration_url=ADMIN_PAGES[provider],
    )


class SmsBridgeEntity(CoordinatorEntity[SmsBridgeCoordinator]):
    """An entity of a gateway account."""

    _attr_has_entity_name = True

    def __init__(self, coordinator: SmsBridgeCoordinator, key: str) -> None:
        super().__init__(coordinator)
        self._attr_unique_id = f"{coordinator.config_entry.entry_id}_{key}"
        self._attr_device_info = account_device(coordinator.config_entry)
