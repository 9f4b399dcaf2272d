"""Polls the gateway for balance and today's totals; counts from the ledger where it has none."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from homeassistant.components.notify.legacy import BaseNotificationService
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers.event import async_track_time_change
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from .const import DEFAULT_POLL_MINUTES, DOMAIN, LOGGER, MAX_BACKOFF, OPT_POLL_MINUTES
from .ledger import Ledger
from .providers import Provider
from .providers.base import (
    AuthenticationError,
    Balance,
    DailyTotals,
    IpNotAllowedError,
    ProviderError,
    TransientError,
)
from .seen import SeenReports


@dataclass(frozen=True, slots=True)
class AccountState:
    """What the sensors show: the balance (if the gateway has one) and today's totals."""

    balance: Balance | None
    totals: DailyTotals


@dataclass(slots=True)
class SmsBridgeRuntime:
    """What a loaded entry runs on (`entry.runtime_data`)."""

    provider: Provider
    ledger: Ledger
    coordinator: SmsBridgeCoordinator
    #: Delivery reports already acted on (gateways retry).
    seen_reports: SeenReports
    #: The entry's legacy notify service, once Home Assistant has loaded it.
    legacy_notify: BaseNotificationService | None = field(default=None)


type SmsBridgeConfigEntry = ConfigEntry[SmsBridgeRuntime]


class SmsBridgeCoordinator(DataUpdateCoordinator[AccountState]):
    """One account's balance and totals, polled with back-off while the gateway fails."""

    config_entry: SmsBridgeConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: SmsBridgeConfigEntry,
        provider: Provider,
        ledger: Ledger,
    ) -> None:
        self.provider = provider
        self.ledger = ledger
        self.polls_gateway = provider.has_balance or provider.has_daily_totals
        self.base_interval = timedelta(
            minutes=entry.options.get(OPT_POLL_MINUTES, DEFAULT_POLL_MINUTES)
        )
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} {entry.title}",
            update_interval=self.base_interval if self.polls_gateway else None,
        )

    @callback
    def async_start_tracking(self) -> None:
        """Follow the ledger and local midnight; stopped when the entry unloads."""
        entry = self.config_entry
        entry.async_on_unload(self.ledger.async_add_listener(self._async_ledger_changed))
        entry.async_on_unload(
            async_track_time_change(self.hass, self._async_midnight, hour=0, minute=0, second=1)
        )

    @callback
    def async_gateway_changed(self) -> None:
        """A send or a report changed what the gateway reports: fetch it soon (debounced)."""
        if self.polls_gateway:
            self.config_entry.async_create_background_task(
                self.hass, self.async_request_refresh(), f"{DOMAIN} refresh after a change"
            )

    @property
    def counts_from_ledger(self) -> bool:
        """Whether today's totals are counted here rather than by the gateway."""
        return not self.provider.has_daily_totals

    async def _async_update_data(self) -> AccountState:
        try:
            balance = await self.provider.balance() if self.provider.has_balance else None
            totals = (
                await self.provider.daily_totals()
                if self.provider.has_daily_totals
                else self.ledger.totals_today()
            )
        except AuthenticationError as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="auth_failed"
            ) from err
        except (TransientError, IpNotAllowedError, ProviderError) as err:
            self._back_off()
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="update_failed",
                translation_placeholders={"error": str(err)},
            ) from err
        if self.update_interval != self.base_interval and self.polls_gateway:
            self.update_interval = self.base_interval
        return AccountState(balance=balance, totals=totals)

    def _back_off(self) -> None:
        """Poll less often while the gateway keeps failing, up to once an hour."""
        if self.update_interval is not None:
            self.update_interval = min(self.update_interval * 2, MAX_BACKOFF)

    @callback
    def _async_ledger_changed(self) -> None:
        """A send or a report changed today's counts: show them at once."""
        if self.counts_from_ledger and self.data is not None:
            self.data = replace(self.data, totals=self.ledger.totals_today())
            self.async_update_listeners()

    @callback
    def _async_midnight(self, now: datetime) -> None:
        """A new day: ledger counts start again at once; the gateway is asked anew.

        Ledger counts do not wait for the poll: it fails while the gateway is down, and the
        counts would then stay at yesterday's until it came back.
        """
        self._async_ledger_changed()
        if self.polls_gateway:
            self.config_entry.async_create_background_task(
                self.hass, self.async_request_refresh(), name=f"{self.name} midnight refresh"
            )
