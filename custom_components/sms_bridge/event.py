"""The delivery-report event entity: one per account, event types = the four statuses."""

from __future__ import annotations

from typing import Any

from homeassistant.components.event import EventEntity
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddEntitiesCallback

from .entity import of_the_account
from .providers.models import DeliveryStatus
from .runtime import SmsBridgeConfigEntry
from .signals import AppliedReport
from .store.campaigns import CampaignState

PARALLEL_UPDATES = 0


def report_entity_unique_id(entry_id: str) -> str:
    """The unique id of an account's delivery-report event entity."""
    return f"{entry_id}_delivery_report"


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SmsBridgeConfigEntry,
    async_add_entities: AddEntitiesCallback,
) -> None:
    """Add the account's delivery-report event entity (and, for FPT, its campaign entity)."""
    async_add_entities([DeliveryReportEvent(entry)])
    if entry.runtime_data.campaigns is not None:
        async_add_entities([CampaignEvent(entry)])


class DeliveryReportEvent(EventEntity):
    """Fires with every new delivery report of the account.

    Not a coordinator entity: reports arrive whether or not the balance could be fetched, and a
    poll or a count change must not rewrite its state.
    """

    _attr_has_entity_name = True
    _attr_translation_key = "delivery_report"

    def __init__(self, entry: SmsBridgeConfigEntry) -> None:
        self._entry = entry
        self._attr_unique_id = report_entity_unique_id(entry.entry_id)
        self._attr_device_info = of_the_account(entry)
        self._attr_event_types = [status.value for status in DeliveryStatus]

    async def async_added_to_hass(self) -> None:
        """Listen for the entry's reports."""
        await super().async_added_to_hass()
        self.async_on_remove(self._entry.runtime_data.signals.report.listen(self._async_report))

    @callback
    def _async_report(self, applied: AppliedReport) -> None:
        """The report's event data become the attributes: phone, status, reason and the rest."""
        data = applied.data
        attributes = {k: v for k, v in data.items() if k not in ("entry_id", "device_id")}
        self._trigger_event(data["status"], attributes)
        self.async_write_ha_state()


class CampaignEvent(EventEntity):
    """Fires when one of the account's advertising campaigns moves (FPT entries only)."""

    _attr_has_entity_name = True
    _attr_translation_key = "campaign"

    def __init__(self, entry: SmsBridgeConfigEntry) -> None:
        self._entry = entry
        self._attr_unique_id = f"{entry.entry_id}_campaign"
        self._attr_event_types = [state.value for state in CampaignState]
        self._attr_device_info = of_the_account(entry)

    async def async_added_to_hass(self) -> None:
        """Listen for the entry's campaign changes."""
        await super().async_added_to_hass()
        self.async_on_remove(self._entry.runtime_data.signals.campaign.listen(self._async_campaign))

    @callback
    def _async_campaign(self, data: dict[str, Any]) -> None:
        attributes = {k: v for k, v in data.items() if k not in ("entry_id", "status")}
        self._trigger_event(data["status"], attributes)
        self.async_write_ha_state()
