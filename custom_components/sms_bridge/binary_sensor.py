"""Low balance: a problem sensor for accounts with a balance, once the option sets a threshold."""

from __future__ import annotations

from decimal import Decimal

from homeassistant.components.binary_sensor import BinarySensorEntity
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity_platform import AddEntitiesCallback

from .compat import BinarySensorDeviceClass
from .const import DOMAIN, OPT_LOW_BALANCE
from .coordinator import SmsBridgeCoordinator
from .entity import SmsBridgeEntity
from .runtime import SmsBridgeConfigEntry

PARALLEL_UPDATES = 0  # the coordinator does the fetching
KEY = "balance_low"


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SmsBridgeConfigEntry,
    async_add_entities: AddEntitiesCallback,
) -> None:
    """Add the sensor where the gateway has a balance and a threshold is set; else drop it."""
    coordinator = entry.runtime_data.coordinator
    threshold = entry.options.get(OPT_LOW_BALANCE)
    if coordinator.provider.has_balance and threshold is not None:
        async_add_entities([LowBalanceSensor(coordinator, Decimal(str(threshold)))])
        return
    registry = er.async_get(hass)
    unique_id = f"{entry.entry_id}_{KEY}"
    if entity_id := registry.async_get_entity_id(Platform.BINARY_SENSOR, DOMAIN, unique_id):
        registry.async_remove(entity_id)  # the threshold was cleared: no sensor left behind


class LowBalanceSensor(SmsBridgeEntity, BinarySensorEntity):
    """On while the balance is below the threshold; unavailable while the balance is."""

    _attr_device_class = BinarySensorDeviceClass.PROBLEM
    _attr_translation_key = KEY

    def __init__(self, coordinator: SmsBridgeCoordinator, threshold: Decimal) -> None:
        super().__init__(coordinator, KEY)
        self.threshold = threshold

    @property
    def available(self) -> bool:
        """Only with a balance to compare: a failed poll leaves nothing to judge."""
        data = self.coordinator.data
        return super().available and data is not None and data.balance is not None

    @property
    def is_on(self) -> bool | None:
        """Whether the balance is below the threshold."""
        balance = self.coordinator.data.balance
        return None if balance is None else balance.amount < self.threshold
