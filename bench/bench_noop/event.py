"""The floor's event entity: triggered by every floor request, as SMS Bridge's by every report."""

from __future__ import annotations

from typing import Any

from homeassistant.components.event import EventEntity
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddEntitiesCallback

from . import FloorEntry


async def async_setup_entry(
    hass: HomeAssistant, entry: FloorEntry, async_add_entities: AddEntitiesCallback
) -> None:
    """One event entity for the entry."""
    async_add_entities([FloorEvent(entry)])


class FloorEvent(EventEntity):
    """Fires with the request's data as its attributes."""

    _attr_has_entity_name = True
    _attr_name = "Floor report"

    def __init__(self, entry: FloorEntry) -> None:
        self._entry = entry
        self._attr_event_types = ["delivered"]
        self._attr_unique_id = f"{entry.entry_id}_floor"

    async def async_added_to_hass(self) -> None:
        """Take the floor webhook's requests."""
        self._entry.runtime_data.append(self._async_fire)
        self.async_on_remove(lambda: self._entry.runtime_data.remove(self._async_fire))

    @callback
    def _async_fire(self, data: dict[str, Any]) -> None:
        self._trigger_event(data["status"], {k: v for k, v in data.items() if k != "entry_id"})
        self.async_write_ha_state()
