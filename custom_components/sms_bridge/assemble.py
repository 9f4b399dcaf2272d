"""The account's runtime, built in one place and started in one place.

`async_build_runtime` makes every part from what it needs (the client, the journal and what it
stores, the poller, the report router, repairs, the guard, Zalo lookups, campaigns where the
gateway has them); `async_start_runtime` starts them, each listening for what it needs, and
registers the webhook. `async_setup_entry` is these two and the platforms.
"""

from __future__ import annotations

import asyncio
from functools import partial

from homeassistant.components.webhook import (
    async_register as async_register_webhook,
    async_unregister as async_unregister_webhook,
)
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryError, ConfigEntryNotReady
from homeassistant.helpers import device_registry as dr

from .campaigns.follower import CampaignFollower
from .compat import OPTIONS_RELOAD_BY_LISTENER
from .const import CONF_PROVIDER, DEFAULT_CONCURRENCY, DOMAIN, OPT_CONCURRENCY
from .coordinator import SmsBridgeCoordinator
from .entity import account_device
from .flows.account import build_provider
from .inbound.address import CONF_CLOUDHOOK_URL, async_ensure_cloudhook
from .inbound.repairs import EntryIssues
from .inbound.router import ReportRouter
from .inbound.webhook import async_handle_webhook
from .outbound.backup import async_start_resends
from .outbound.guard import SpendingGuard
from .outbound.zalo import ZaloDirectory
from .providers import Provider
from .providers.errors import AuthenticationError, ProviderError
from .runtime import SmsBridgeConfigEntry, SmsBridgeRuntime
from .signals import EntrySignals
from .store.campaigns import CampaignStore
from .store.costs import currency_of
from .store.journal import EntryJournal
from .store.ledger import Ledger
from .store.seen_reports import SeenReports
from .texts import async_load_texts


async def async_build_runtime(hass: HomeAssistant, entry: SmsBridgeConfigEntry) -> SmsBridgeRuntime:
    """Every part the account runs on, loaded and proved (the account answers)."""
    try:
        provider = build_provider(hass, entry.data)
    except (KeyError, ValueError) as err:
        raise ConfigEntryError(translation_domain=DOMAIN, translation_key="invalid_config") from err
    entry.async_on_unload(provider.close)
    journal = EntryJournal(hass, entry.entry_id)
    signals = EntrySignals()
    ledger = Ledger(journal, signals.ledger_changed)
    seen = SeenReports(journal)
    # FPT entries follow their advertising campaigns: a journal part of their own.
    advertiser = provider.advertising()
    ads = (advertiser, CampaignStore(journal)) if advertiser is not None else None
    await journal.async_load()
    await async_load_texts(hass)
    coordinator = SmsBridgeCoordinator(hass, entry, provider, ledger)
    await coordinator.async_config_entry_first_refresh()
    if not coordinator.polls_gateway:  # the poll did not prove the account: check it here
        await _async_check_account(provider)
    await _async_keep_cloudhook(hass, entry)
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id, **account_device(hass, entry)
    )
    runtime = SmsBridgeRuntime(
        provider=provider,
        journal=journal,
        ledger=ledger,
        coordinator=coordinator,
        signals=signals,
        reports=ReportRouter(
            hass, (entry.entry_id, entry.data[CONF_PROVIDER], device.id), (ledger, seen), signals
        ),
        send_slots=asyncio.Semaphore(int(entry.options.get(OPT_CONCURRENCY, DEFAULT_CONCURRENCY))),
        issues=EntryIssues(hass, entry, ledger, provider),
        guard=SpendingGuard(
            hass,
            ledger,
            account=(entry.entry_id, entry.title),
            options=entry.options,
            currency=currency_of(provider, entry.options),
        ),
        zalo=ZaloDirectory(provider),
        device_id=device.id,
        loaded_options=dict(entry.options),
    )
    if ads is not None:
        runtime.campaigns = CampaignFollower(
            hass, entry, *ads, ledger=ledger, reports=runtime.reports, signals=signals
        )
    return runtime


async def _async_check_account(provider: Provider) -> None:
    """Prove the account works before loading (gateways whose poll does not prove it)."""
    try:
        await provider.check_credentials()
    except AuthenticationError as err:
        raise ConfigEntryAuthFailed(
            translation_domain=DOMAIN, translation_key="auth_failed"
        ) from err
    except ProviderError as err:
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="update_failed",
            translation_placeholders={"error": str(err)},
        ) from err


async def _async_keep_cloudhook(hass: HomeAssistant, entry: SmsBridgeConfigEntry) -> None:
    """With Home Assistant Cloud, the entry's reports come through a cloudhook: make it once."""
    url = await async_ensure_cloudhook(hass, entry.data)
    if url and url != entry.data.get(CONF_CLOUDHOOK_URL):
        hass.config_entries.async_update_entry(entry, data={**entry.data, CONF_CLOUDHOOK_URL: url})


@callback
def async_start_runtime(hass: HomeAssistant, entry: SmsBridgeConfigEntry) -> None:
    """Start what the entry runs (each part listens for what it needs); undone on unload."""
    runtime = entry.runtime_data
    for stop in (
        runtime.journal.async_start(),
        *runtime.reports.async_start(),
        *runtime.coordinator.async_start_tracking(runtime.signals),
        *runtime.issues.async_start(runtime.signals),
        *async_start_resends(hass, entry),
        runtime.guard.async_stop,
    ):
        entry.async_on_unload(stop)
    runtime.guard.async_check_paused()
    async_register_webhook(
        hass,
        DOMAIN,
        f"{runtime.provider.title} delivery reports ({entry.title})",
        entry.data[CONF_WEBHOOK_ID],
        partial(async_handle_webhook, entry),
        allowed_methods=("GET", "POST"),
    )
    entry.async_on_unload(lambda: async_unregister_webhook(hass, entry.data[CONF_WEBHOOK_ID]))
    if OPTIONS_RELOAD_BY_LISTENER:
        entry.async_on_unload(entry.add_update_listener(_async_options_updated))


async def _async_options_updated(hass: HomeAssistant, entry: SmsBridgeConfigEntry) -> None:
    """HA before 2025.8 only: new options reload the entry (later the options flow does it).

    Nothing else reloads here: reauthentication and reconfigure reload the entry themselves,
    recipients are followed live, and a cloudhook made later is read where it is used.
    """
    if dict(entry.options) != entry.runtime_data.loaded_options:
        await hass.config_entries.async_reload(entry.entry_id)
