"""Notify: an entity per recipient subentry, and a legacy `notify.<entry>` service taking targets.

The legacy service is for the `alert` integration and automations that address a notifier by
service name; it is loaded per entry through Home Assistant's own legacy notify machinery
(discovery) and its services are unregistered when the entry unloads.
"""

from __future__ import annotations

from typing import Any

from homeassistant.components.notify import NotifyEntity
from homeassistant.components.notify.const import ATTR_TARGET, ATTR_TITLE
from homeassistant.components.notify.legacy import BaseNotificationService
from homeassistant.config_entries import ConfigEntryState, ConfigSubentry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import ConfigType, DiscoveryInfoType

from .const import CONF_NUMBERS, DOMAIN, SUBENTRY_RECIPIENT
from .runtime import SmsBridgeConfigEntry
from .sending import async_send

PARALLEL_UPDATES = 0  # sending is bounded per entry by the send path itself

ATTR_ENTRY_ID = "entry_id"


def with_title(message: str, title: str | None) -> str:
    """The title, when given, goes on its own line before the message."""
    return f"{title}\n{message}" if title else message


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SmsBridgeConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a notify entity for each recipient."""
    for subentry_id, subentry in entry.subentries.items():
        if subentry.subentry_type == SUBENTRY_RECIPIENT:
            async_add_entities(
                [RecipientNotifyEntity(entry, subentry)], config_subentry_id=subentry_id
            )


class RecipientNotifyEntity(NotifyEntity):
    """Texts every number of one recipient."""

    _attr_has_entity_name = True
    _attr_name = None

    def __init__(self, entry: SmsBridgeConfigEntry, subentry: ConfigSubentry) -> None:
        self._entry = entry
        self._numbers: list[str] = list(subentry.data[CONF_NUMBERS])
        self._attr_unique_id = f"{entry.entry_id}_{subentry.subentry_id}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, f"{entry.entry_id}_{subentry.subentry_id}")},
            name=subentry.title,
            entry_type=DeviceEntryType.SERVICE,
            via_device=(DOMAIN, entry.entry_id),
        )

    async def async_send_message(self, message: str, title: str | None = None) -> None:
        """Text the recipient's numbers."""
        await async_send(self.hass, self._entry, self._numbers, with_title(message, title))


async def async_get_service(
    hass: HomeAssistant,
    config: ConfigType,
    discovery_info: DiscoveryInfoType | None = None,
) -> SmsBridgeNotificationService | None:
    """The legacy notify service of the entry named in the discovery info.

    Its services are removed when the entry unloads (public notify API only).
    """
    if discovery_info is None:
        return None
    entry: SmsBridgeConfigEntry | None = hass.config_entries.async_get_entry(
        discovery_info[ATTR_ENTRY_ID]
    )
    if entry is None or entry.state not in (
        ConfigEntryState.SETUP_IN_PROGRESS,
        ConfigEntryState.LOADED,
    ):
        return None
    service = SmsBridgeNotificationService(entry)
    entry.async_on_unload(service.async_unregister_services)
    return service


class SmsBridgeNotificationService(BaseNotificationService):
    """`notify.<entry>`: texts the numbers given as `target`.

    Each recipient is also a target service, `notify.<entry>_<recipient>`, whose numbers are
    fixed: what the `alert` integration needs, since it never passes a target.
    """

    def __init__(self, entry: SmsBridgeConfigEntry) -> None:
        self._entry = entry

    async def async_register_services(self) -> None:
        """Register (again, on a notify reload) only while the entry is set up or loaded.

        HA 2026.10 sets a discovered platform up at once, while the entry is still being set up;
        earlier versions did it after the entry had loaded.
        """
        if self._entry.state in (ConfigEntryState.SETUP_IN_PROGRESS, ConfigEntryState.LOADED):
            await super().async_register_services()

    @property
    def targets(self) -> dict[str, str]:
        """Recipient name -> its numbers, comma separated."""
        return {
            subentry.title: ",".join(subentry.data[CONF_NUMBERS])
            for subentry in self._entry.subentries.values()
            if subentry.subentry_type == SUBENTRY_RECIPIENT
        }

    async def async_send_message(self, message: str = "", **kwargs: Any) -> None:
        """Text every target number."""
        targets = kwargs.get(ATTR_TARGET)
        if not targets:
            raise ServiceValidationError(translation_domain=DOMAIN, translation_key="no_target")
        await async_send(
            self.hass, self._entry, targets, with_title(message, kwargs.get(ATTR_TITLE))
        )
