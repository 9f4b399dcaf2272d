"""Notify: an entity per recipient subentry, and a legacy `notify.<entry>` service taking targets.

Recipients come and go while the account stays loaded: a recipient added, renamed or given other
numbers is followed at once, without a reload (HA removes a deleted one's entity and device).
The legacy service is for the `alert` integration and automations that address a notifier by
service name; it is loaded per entry through Home Assistant's own legacy notify machinery
(discovery) and its services are unregistered when the entry unloads.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from homeassistant.components.notify import NotifyEntity
from homeassistant.components.notify.const import ATTR_TARGET, ATTR_TITLE
from homeassistant.components.notify.legacy import BaseNotificationService
from homeassistant.config_entries import (
    SIGNAL_CONFIG_ENTRY_CHANGED,
    ConfigEntry,
    ConfigEntryChange,
    ConfigEntryState,
    ConfigSubentry,
)
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import ConfigType, DiscoveryInfoType

from .compat import linked_to
from .const import CONF_NUMBERS, DOMAIN, SUBENTRY_RECIPIENT
from .flows.zalo import CONF_CHANNEL, CONF_ZALO_PARAM, CONF_ZALO_TEMPLATE, CONF_ZALO_VALUES
from .outbound.pipeline import SendOptions, async_send
from .providers.channels import Channel
from .runtime import SmsBridgeConfigEntry

PARALLEL_UPDATES = 0  # sending is bounded per entry by the send path itself

ATTR_ENTRY_ID = "entry_id"


def with_title(message: str, title: str | None) -> str:
    """The title, when given, goes on its own line before the message."""
    return f"{title}\n{message}" if title else message


def recipient_call(data: Mapping[str, Any], text: str) -> SendOptions:
    """How a notify message goes to a recipient: by SMS, or by Zalo with the text in its place."""
    if data.get(CONF_CHANNEL, Channel.SMS.value) == Channel.SMS.value:
        return SendOptions()
    values = dict(data.get(CONF_ZALO_VALUES) or {})
    return SendOptions(
        channel=data[CONF_CHANNEL],
        zalo_template=data[CONF_ZALO_TEMPLATE],
        zalo_params=values | {data[CONF_ZALO_PARAM]: text},
    )


def recipients(entry: ConfigEntry[Any]) -> dict[str, ConfigSubentry]:
    """The entry's recipients by subentry id."""
    return {
        subentry_id: subentry
        for subentry_id, subentry in entry.subentries.items()
        if subentry.subentry_type == SUBENTRY_RECIPIENT
    }


@callback
def async_on_entry_changed(
    hass: HomeAssistant, entry: ConfigEntry[Any], action: Callable[[], None]
) -> CALLBACK_TYPE:
    """Call `action` after each change of the entry (its recipients among them)."""

    @callback
    def _changed(change: ConfigEntryChange, changed: ConfigEntry[Any]) -> None:
        if change is ConfigEntryChange.UPDATED and changed.entry_id == entry.entry_id:
            action()

    return async_dispatcher_connect(hass, SIGNAL_CONFIG_ENTRY_CHANGED, _changed)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SmsBridgeConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a notify entity for each recipient, now and whenever one is added."""
    added: set[str] = set()

    @callback
    def _add_new() -> None:
        for subentry_id in recipients(entry).keys() - added:
            added.add(subentry_id)
            async_add_entities(
                [RecipientNotifyEntity(entry, subentry_id)], config_subentry_id=subentry_id
            )

    _add_new()
    entry.async_on_unload(async_on_entry_changed(hass, entry, _add_new))


class RecipientNotifyEntity(NotifyEntity):
    """Texts every number of one recipient, as the recipient is now."""

    _attr_has_entity_name = True
    _attr_name = None

    def __init__(self, entry: SmsBridgeConfigEntry, subentry_id: str) -> None:
        self._entry = entry
        self._subentry_id = subentry_id
        self._title = entry.subentries[subentry_id].title
        self._attr_unique_id = f"{entry.entry_id}_{subentry_id}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, f"{entry.entry_id}_{subentry_id}")},
            name=self._title,
            entry_type=DeviceEntryType.SERVICE,
        ) | linked_to(entry.runtime_data.device_id, (DOMAIN, entry.entry_id))

    async def async_added_to_hass(self) -> None:
        """Follow the recipient's name."""
        await super().async_added_to_hass()
        self.async_on_remove(async_on_entry_changed(self.hass, self._entry, self._async_renamed))

    @callback
    def _async_renamed(self) -> None:
        """A new name for the recipient is its device's new name."""
        subentry = self._entry.subentries.get(self._subentry_id)
        if subentry is None or subentry.title == self._title or self.device_entry is None:
            return
        self._title = subentry.title
        dr.async_get(self.hass).async_update_device(self.device_entry.id, name=subentry.title)

    async def async_send_message(self, message: str, title: str | None = None) -> None:
        """Text the recipient's numbers (by Zalo, when the recipient says so)."""
        data = self._entry.subentries[self._subentry_id].data
        text = with_title(message, title)
        await async_send(
            self.hass, self._entry, data[CONF_NUMBERS], text, recipient_call(data, text)
        )


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
    entry.async_on_unload(async_on_entry_changed(hass, entry, service.async_recipients_changed))
    return service


class SmsBridgeNotificationService(BaseNotificationService):
    """`notify.<entry>`: texts the numbers given as `target`.

    Each recipient is also a target service, `notify.<entry>_<recipient>`, whose numbers are
    fixed: what the `alert` integration needs, since it never passes a target.
    """

    def __init__(self, entry: SmsBridgeConfigEntry) -> None:
        self._entry = entry
        #: Whether Home Assistant has set the service up and registered it once.
        self._registered = False

    async def async_register_services(self) -> None:
        """Register (again, on a notify reload) only while the entry is set up or loaded.

        HA 2026.10 sets a discovered platform up at once, while the entry is still being set up;
        earlier versions did it after the entry had loaded.
        """
        if self._entry.state in (ConfigEntryState.SETUP_IN_PROGRESS, ConfigEntryState.LOADED):
            await super().async_register_services()
            self._registered = True

    @property
    def targets(self) -> dict[str, str]:
        """Recipient name -> its numbers, comma separated."""
        return {
            subentry.title: ",".join(subentry.data[CONF_NUMBERS])
            for subentry in recipients(self._entry).values()
        }

    @callback
    def async_recipients_changed(self) -> None:
        """A recipient came, went or changed: its target service follows."""
        if self._registered:
            self._entry.async_create_task(
                self.hass, self.async_register_services(), f"{DOMAIN} notify targets"
            )

    async def async_send_message(self, message: str = "", **kwargs: Any) -> None:
        """Text every target number."""
        targets = kwargs.get(ATTR_TARGET)
        if not targets:
            raise ServiceValidationError(translation_domain=DOMAIN, translation_key="no_target")
        await async_send(
            self.hass, self._entry, targets, with_title(message, kwargs.get(ATTR_TITLE))
        )
