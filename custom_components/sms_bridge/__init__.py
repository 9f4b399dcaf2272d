"""SMS Bridge: SMS through FiboSMS, eSMS.vn, FPT SMS Brandname and SMSPAY."""

from __future__ import annotations

from homeassistant.const import CONF_NAME, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv, discovery
from homeassistant.helpers.typing import ConfigType

from .assemble import async_build_runtime, async_start_runtime
from .const import DOMAIN
from .inbound.address import async_delete_cloudhook
from .inbound.repairs import async_remove_issues
from .migration import async_migrate_entry
from .notify import ATTR_ENTRY_ID
from .runtime import SmsBridgeConfigEntry
from .services import async_setup_services
from .store.journal import async_remove_entry_storage

__all__ = ["async_migrate_entry"]

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.EVENT,
    Platform.NOTIFY,
    Platform.SENSOR,
]
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions once, for every entry."""
    async_setup_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: SmsBridgeConfigEntry) -> bool:
    """Connect the account: client, storage, poller, report path, webhook, repairs, entities."""
    entry.runtime_data = await async_build_runtime(hass, entry)
    async_start_runtime(hass, entry)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    if entry.runtime_data.campaigns is not None:  # once its event entity listens
        entry.async_on_unload(entry.runtime_data.campaigns.async_start())
    # notify.<slug of the title>, for `alert` and automations that name a notifier.
    await discovery.async_load_platform(
        hass,
        Platform.NOTIFY,
        DOMAIN,
        {CONF_NAME: entry.title, ATTR_ENTRY_ID: entry.entry_id},
        {},
    )
    return True


async def async_unload_entry(hass: HomeAssistant, entry: SmsBridgeConfigEntry) -> bool:
    """Stop everything the entry started and write what is pending out."""
    unloaded = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    if unloaded:
        entry.runtime_data.reports.async_release_all()
        await entry.runtime_data.journal.async_flush()
    return bool(unloaded)


async def async_remove_entry(hass: HomeAssistant, entry: SmsBridgeConfigEntry) -> None:
    """The account was deleted: delete what it stored, its cloudhook and its repairs too."""
    await async_remove_entry_storage(hass, entry.entry_id)
    await async_delete_cloudhook(hass, entry.data)
    async_remove_issues(hass, entry.entry_id)
