"""Low balance: a problem sensor for accounts with a balance, once the option sets a threshold."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity_platform import AddEntitiesCallback

from .compat import BinarySensorDeviceClass
from .const import DOMAIN, OPT_LOW_BALANCE
from .coordinator import AccountState, SmsBridgeCoordinator
from .entity import SmsBridgeEntity
from .runtime import SmsBridgeConfigEntry

PARALLEL_UPDATES = 0  # the coordinator does the fetching
KEY = "balance_low"


@dataclass(frozen=True, kw_only=True)
class SmsBridgeBinarySensorDescription(BinarySensorEntityDescription):
    """A binary sensor of the account, judged from the coordinator's state and a threshold."""

    is_on_fn: Callable[[AccountState, Decimal], bool | None]
    #: Whether the state has what the sensor judges (else the sensor is unavailable).
    available_fn: Callable[[AccountState], bool]


LOW_BALANCE = SmsBridgeBinarySensorDescription(
    key=KEY,
    translation_key=KEY,
    device_class=BinarySensorDeviceClass.PROBLEM,
    is_on_fn=lambda state, threshold: (
        None if state.balance is None else state.balance.amount < threshold
    ),
    available_fn=lambda state: state.balance is not None,
)


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

    entity_description: SmsBridgeBinarySensorDescription

    def __init__(self, coordinator: SmsBridgeCoordinator, threshold: Decimal) -> None:
        super().__init__(coordinator, KEY)
        self.entity_description = LOW_BALANCE
        self.threshold = threshold

    @property
    def available(self) -> bool:
        """Only with something to judge: a failed poll leaves no balance to compare."""
        data = self.coordinator.data
        return super().available and data is not None and self.entity_description.available_fn(data)

    @property
    def is_on(self) -> bool | None:
        """Whether the balance is below the threshold."""
        return self.entity_description.is_on_fn(self.coordinator.data, self.threshold)
