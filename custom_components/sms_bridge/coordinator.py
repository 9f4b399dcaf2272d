"""Polls the gateway for balance and today's totals; counts from the ledger where it has none.

What the account's messages cost today and this month always comes from the ledger's totals.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers.event import async_call_later, async_track_time_change
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from .const import DEFAULT_POLL_MINUTES, DOMAIN, LOGGER, MAX_BACKOFF, OPT_POLL_MINUTES
from .providers import Provider
from .providers.errors import AuthenticationError, IpNotAllowedError, ProviderError, TransientError
from .providers.models import Balance, DailyTotals
from .signals import AppliedReport, EntrySignals
from .store.costs import CostTotals
from .store.ledger import Ledger


@dataclass(frozen=True, slots=True)
class AccountState:
    """What the sensors show: the balance (if the gateway has one) and today's totals."""

    balance: Balance | None
    totals: DailyTotals
    costs: CostTotals


# Kept importable from here: other modules of the integration once took them from this one.
__all__ = ["AccountState", "SmsBridgeCoordinator"]

#: Seconds between two updates of the counting sensors, at least (reports can come in bursts).
COUNTS_INTERVAL = 1.0


class SmsBridgeCoordinator(DataUpdateCoordinator[AccountState]):
    """One account's balance and totals, polled with back-off while the gateway fails.

    Only scheduled polls back off: a refresh a send asks for during an outage never makes the
    interval longer, and any good answer brings the entities back at once.
    """

    config_entry: ConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        provider: Provider,
        ledger: Ledger,
    ) -> None:
        self.provider = provider
        self.ledger = ledger
        self.polls_gateway = provider.has_balance or provider.has_daily_totals
        self.base_interval = timedelta(
            minutes=entry.options.get(OPT_POLL_MINUTES, DEFAULT_POLL_MINUTES)
        )
        self._requested = False
        self._refresh_asked = False
        self._ask_again = False
        self._counts_pushed_at = 0.0
        self._counts_timer: CALLBACK_TYPE | None = None
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} {entry.title}",
            update_interval=self.base_interval if self.polls_gateway else None,
        )

    @callback
    def async_start_tracking(self, signals: EntrySignals) -> list[CALLBACK_TYPE]:
        """Follow sends, reports and local midnight; returns what stops it."""
        return [
            signals.ledger_changed.listen(self._async_ledger_changed),
            signals.report.listen(self._async_report),
            async_track_time_change(self.hass, self._async_midnight, hour=0, minute=0, second=1),
            self._async_cancel_counts_timer,
        ]

    @callback
    def _async_report(self, applied: AppliedReport) -> None:
        """A final report moved the gateway's own daily totals: fetch them soon."""
        if self.provider.has_daily_totals and applied.report.final:
            self.async_gateway_changed()

    @callback
    def async_gateway_changed(self) -> None:
        """A send or a report changed what the gateway reports: fetch it soon (debounced).

        One request at a time: a burst of reports asks once more at its end, not once per report.
        """
        if not self.polls_gateway:
            return
        if self._refresh_asked:
            self._ask_again = True
            return
        self._refresh_asked = True
        self.config_entry.async_create_background_task(
            self.hass, self._async_refresh_asked(), f"{DOMAIN} refresh after a change"
        )

    async def _async_refresh_asked(self) -> None:
        try:
            await self.async_request_refresh()
            while self._ask_again:  # changes came while it ran: the debouncer takes them
                self._ask_again = False
                await self.async_request_refresh()
        finally:
            self._refresh_asked = False

    async def async_refresh(self) -> None:
        """A refresh asked for (after a send, at midnight), not a scheduled poll."""
        self._requested = True
        try:
            await super().async_refresh()
        finally:
            self._requested = False

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
            if not self._requested:
                self._back_off()
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="update_failed",
                translation_placeholders={"error": str(err)},
            ) from err
        if self.update_interval != self.base_interval and self.polls_gateway:
            self.update_interval = self.base_interval
        return AccountState(balance=balance, totals=totals, costs=self.ledger.costs.totals())

    def _back_off(self) -> None:
        """Poll less often while the gateway keeps failing, up to once an hour."""
        if self.update_interval is not None:
            self.update_interval = min(self.update_interval * 2, MAX_BACKOFF)

    @callback
    def _async_ledger_changed(self, _: None = None) -> None:
        """A send or a report changed today's counts or costs: show them, at most once a second."""
        if self.data is None or self._counts_timer is not None:
            return
        wait = self._counts_pushed_at + COUNTS_INTERVAL - self.hass.loop.time()
        if wait <= 0:
            self._async_push_counts()
        else:
            self._counts_timer = async_call_later(self.hass, wait, self._async_counts_due)

    @callback
    def _async_counts_due(self, _now: datetime) -> None:
        self._counts_timer = None
        self._async_push_counts()

    @callback
    def _async_push_counts(self) -> None:
        self._counts_pushed_at = self.hass.loop.time()
        totals = self.ledger.totals_today() if self.counts_from_ledger else self.data.totals
        self.data = replace(self.data, totals=totals, costs=self.ledger.costs.totals())
        self.async_update_listeners()

    @callback
    def _async_cancel_counts_timer(self) -> None:
        if self._counts_timer is not None:
            self._counts_timer()
            self._counts_timer = None

    @callback
    def _async_midnight(self, now: datetime) -> None:
        """A new day: ledger counts start again at once; the gateway is asked anew.

        Ledger counts do not wait for the poll: it fails while the gateway is down, and the
        counts would then stay at yesterday's until it came back.
        """
        self.ledger.async_new_day()
        if self.data is not None:  # the counts and today's (and the month's) cost start again
            self._async_push_counts()
        if self.polls_gateway:
            self.config_entry.async_create_background_task(
                self.hass, self.async_request_refresh(), name=f"{self.name} midnight refresh"
            )
