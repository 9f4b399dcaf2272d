"""The delivery-report event entity: one per account, event types = the four statuses."""

from __future__ import annotations

from typing import Any

from homeassistant.components.event import EventEntity
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddEntitiesCallback

from .coordinator import SmsBridgeConfigEntry
from .entity import SmsBridgeEntity
from .providers.base import DeliveryStatus
from .reports import report_signal

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SmsBridgeConfigEntry,
    async_add_entities: AddEntitiesCallback,
) -> None:
    """Add the account's delivery-report event entity."""
    async_add_entities([DeliveryReportEvent(entry)])


class DeliveryReportEvent(SmsBridgeEntity, EventEntity):
    """Fires with every new delivery report of the account."""

    _attr_translation_key = "delivery_report"

    def __init__(self, entry: SmsBridgeConfigEntry) -> None:
        super().__init__(entry.runtime_data.coordinator, "delivery_report")
        self._entry_id = entry.entry_id
        self._attr_event_types = [status.value for status in DeliveryStatus]

    @property
    def available(self) -> bool:
        """Reports arrive whether or not the balance could be fetched."""
        return True

    async def async_added_to_hass(self) -> None:
        """Listen for the entry's reports."""
        await super().async_added_to_hass()
        self.async_on_remove(
            async_dispatcher_connect(self.hass, report_signal(self._entry_id), self._async_report)
        )

    @callback
    def _async_report(self, data: dict[str, Any]) -> None:
        attributes = {k: v for k, v in data.items() if k not in ("entry_id", "status")}
        self._trigger_event(data["status"], attributes)
        self.async_write_ha_state()
