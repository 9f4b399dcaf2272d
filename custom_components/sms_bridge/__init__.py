"""SMS Bridge: SMS through FiboSMS, eSMS.vn, FPT SMS Brandname and SMSPAY."""

from __future__ import annotations

import asyncio
from functools import partial

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
from .const import (
    CONF_PROVIDER,
    DEFAULT_CONCURRENCY,
    DOMAIN,
    OPT_BALANCE_UNIT,
    OPT_CONCURRENCY,
    UNIT_VND_OPTION,
)
from .coordinator import SmsBridgeConfigEntry, SmsBridgeCoordinator, SmsBridgeRuntime
from .journal import EntryJournal
from .ledger import Ledger, LedgerMessage
from .notify import ATTR_ENTRY_ID, async_unload_legacy_service
from .providers.base import DeliveryReport
from .reports import ReportRouter
from .seen import SeenReports
from .services import async_setup_services
from .webhook import async_handle_webhook

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
    """Connect the account: client, ledger, coordinator, webhook, entities."""
    try:
        provider = build_provider(hass, entry.data)
    except (KeyError, ValueError) as err:
        raise ConfigEntryError(translation_domain=DOMAIN, translation_key="invalid_config") from err
    journal = EntryJournal(hass, entry.entry_id)
    ledger = Ledger(journal)
    seen = SeenReports(journal)
    await journal.async_load()
    coordinator = SmsBridgeCoordinator(hass, entry, provider, ledger)
    await coordinator.async_config_entry_first_refresh()
    reports = ReportRouter(hass, entry.entry_id, entry.data[CONF_PROVIDER], ledger, seen)
    if provider.has_daily_totals:
        reports.on_applied.append(partial(_async_totals_moved, coordinator))
    entry.runtime_data = SmsBridgeRuntime(
        provider=provider,
        journal=journal,
        ledger=ledger,
        coordinator=coordinator,
        reports=reports,
        send_slots=asyncio.Semaphore(int(entry.options.get(OPT_CONCURRENCY, DEFAULT_CONCURRENCY))),
    )
    coordinator.async_start_tracking()
    entry.async_on_unload(journal.async_start())

    async_register_webhook(
        hass,
        DOMAIN,
        f"{TITLES[entry.data[CONF_PROVIDER]]} delivery reports ({entry.title})",
        entry.data[CONF_WEBHOOK_ID],
        partial(async_handle_webhook, entry),
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


def _async_totals_moved(
    coordinator: SmsBridgeCoordinator, report: DeliveryReport, _message: LedgerMessage | None
) -> None:
    """A final report moved the gateway's own daily totals: fetch them soon."""
    if report.final:
        coordinator.async_gateway_changed()


async def _async_options_updated(hass: HomeAssistant, entry: SmsBridgeConfigEntry) -> None:
    """Options change the poll interval, units and sending defaults: reload."""
    await hass.config_entries.async_reload(entry.entry_id)


async def async_unload_entry(hass: HomeAssistant, entry: SmsBridgeConfigEntry) -> bool:
    """Stop everything the entry started and write what is pending out."""
    unloaded = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    if unloaded:
        await async_unload_legacy_service(hass, entry)
        entry.runtime_data.reports.async_release_all()
        await entry.runtime_data.journal.async_flush()
    return bool(unloaded)


async def async_remove_entry(hass: HomeAssistant, entry: SmsBridgeConfigEntry) -> None:
    """The account was deleted: delete what it stored too."""
    journal = EntryJournal(hass, entry.entry_id)
    Ledger(journal)
    SeenReports(journal)
    await journal.async_remove()


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
