"""SMS Bridge: SMS through FiboSMS, eSMS.vn, FPT SMS Brandname and SMSPAY."""

from __future__ import annotations

from homeassistant.components.webhook import (
    async_register as async_register_webhook,
    async_unregister as async_unregister_webhook,
)
from homeassistant.const import CONF_NAME, CONF_WEBHOOK_ID, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryError
from homeassistant.helpers import config_validation as cv, discovery
from homeassistant.helpers.typing import ConfigType

from .account import TITLES, build_provider
from .const import CONF_PROVIDER, DOMAIN, OPT_BALANCE_UNIT, UNIT_VND_OPTION
from .coordinator import SmsBridgeConfigEntry, SmsBridgeCoordinator, SmsBridgeRuntime
from .ledger import Ledger
from .notify import ATTR_ENTRY_ID, async_unload_legacy_service
from .seen import SeenReports
from .services import async_setup_services
from .webhook import async_handle_webhook

PLATFORMS: list[Platform] = [Platform.EVENT, Platform.NOTIFY, Platform.SENSOR]
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions once, for every entry."""
    async_setup_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: SmsBridgeConfigEntry) -> bool:
    """Connect the account: client, ledger, coordinator, webhook, entities."""
    try:
        provider = build_provider(hass, entry.data)
    except (KeyError, ValueError) as err:
        raise ConfigEntryError(translation_domain=DOMAIN, translation_key="invalid_config") from err
    ledger = Ledger(hass, entry.entry_id)
    await ledger.async_load()
    seen_reports = SeenReports(hass, entry.entry_id)
    await seen_reports.async_load()
    coordinator = SmsBridgeCoordinator(hass, entry, provider, ledger)
    await coordinator.async_config_entry_first_refresh()
    entry.runtime_data = SmsBridgeRuntime(
        provider=provider, ledger=ledger, coordinator=coordinator, seen_reports=seen_reports
    )
    coordinator.async_start_tracking()

    async_register_webhook(
        hass,
        DOMAIN,
        f"{TITLES[entry.data[CONF_PROVIDER]]} delivery reports ({entry.title})",
        entry.data[CONF_WEBHOOK_ID],
        async_handle_webhook,
        allowed_methods=("GET", "POST"),
    )
    entry.async_on_unload(lambda: async_unregister_webhook(hass, entry.data[CONF_WEBHOOK_ID]))
    entry.async_on_unload(entry.add_update_listener(_async_options_updated))

    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    # notify.<slug of the title>, for `alert` and automations that name a notifier.
    await discovery.async_load_platform(
        hass,
        Platform.NOTIFY,
        DOMAIN,
        {CONF_NAME: entry.title, ATTR_ENTRY_ID: entry.entry_id},
        {},
    )
    return True


async def _async_options_updated(hass: HomeAssistant, entry: SmsBridgeConfigEntry) -> None:
    """Options change the poll interval, units and sending defaults: reload."""
    await hass.config_entries.async_reload(entry.entry_id)


async def async_unload_entry(hass: HomeAssistant, entry: SmsBridgeConfigEntry) -> bool:
    """Stop everything the entry started and write the ledger out."""
    unloaded = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    if unloaded:
        await async_unload_legacy_service(hass, entry)
        await entry.runtime_data.ledger.async_save()
        await entry.runtime_data.seen_reports.async_save()
    return bool(unloaded)


async def async_remove_entry(hass: HomeAssistant, entry: SmsBridgeConfigEntry) -> None:
    """The account was deleted: delete what it stored too."""
    await Ledger(hass, entry.entry_id).async_remove()
    await SeenReports(hass, entry.entry_id).async_remove()


async def async_migrate_entry(hass: HomeAssistant, entry: SmsBridgeConfigEntry) -> bool:
    """Bring an entry stored by an older version up to date; refuse one from a newer version."""
    if entry.version > 1:
        return False
    if entry.minor_version < 2:
        # 1.2: Fibo's VND balance unit is stored as "vnd" (a valid translation key), not "VND".
        options = dict(entry.options)
        if options.get(OPT_BALANCE_UNIT) == "VND":
            options[OPT_BALANCE_UNIT] = UNIT_VND_OPTION
        hass.config_entries.async_update_entry(entry, options=options, minor_version=2)
    return True
