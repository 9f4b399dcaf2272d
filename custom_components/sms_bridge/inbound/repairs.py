"""Repairs that tell the user when delivery reports cannot work, and clear themselves.

- `webhook_unreachable_<entry>`: the report address is missing, loopback or private.
- `reports_refused_<entry>`: three reports in a row were refused (wrong secret or source).
- `reports_missing_<entry>`: messages went out and no report came within the entry's window.

Texts are per gateway (`<kind>_<gateway>` translation keys): what to check differs by admin page.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import EVENT_CORE_CONFIG_UPDATE
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.util import dt as dt_util

from ..const import DEFAULT_REPORTS_WINDOW, DOMAIN, OPT_REPORTS_WINDOW
from ..providers.base import Provider
from ..signals import AppliedReport, EntrySignals, SendUnderWay
from ..store.ledger import Ledger
from ..texts import short_name
from .address import (
    CONF_CLOUDHOOK_URL,
    async_ensure_cloudhook,
    cloud_module,
    reachable,
    report_url,
)

REFUSED_IN_A_ROW = 3
CHECK_EVERY = timedelta(minutes=5)


def issue_id(kind: str, entry_id: str) -> str:
    """The repair's id (DESIGN.md): `<kind>_<entry_id>`."""
    return f"{kind}_{entry_id}"


class EntryIssues:
    """Watches one entry's report address, refused reports and missing reports."""

    def __init__(
        self, hass: HomeAssistant, entry: ConfigEntry, ledger: Ledger, provider: Provider
    ) -> None:
        self._hass = hass
        self._entry = entry
        self._provider = provider
        self._refused = 0
        #: Whether the reports_missing repair may be up (unknown after a restart: it persists).
        self._missing_up = True
        minutes = entry.options.get(OPT_REPORTS_WINDOW, DEFAULT_REPORTS_WINDOW)
        self._window = timedelta(minutes=int(minutes)) if minutes else None
        self._waiting_since = _first_unanswered(ledger)

    # -- the repairs --

    def _raise(self, kind: str, **placeholders: str) -> None:
        cls = self._provider
        ir.async_create_issue(
            self._hass,
            DOMAIN,
            issue_id(kind, self._entry.entry_id),
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key=kind if kind == "webhook_unreachable" else f"{kind}_{cls.name}",
            translation_placeholders={
                "name": self._entry.title,
                "short_name": short_name(self._entry.title),
                "provider": cls.title,
                "admin_page": cls.admin_page,
                **placeholders,
            },
        )

    def _clear(self, kind: str) -> None:
        ir.async_delete_issue(self._hass, DOMAIN, issue_id(kind, self._entry.entry_id))

    # -- the address --

    @callback
    def async_check_address(self) -> None:
        """Raise or clear `webhook_unreachable` for the address the gateway is given now."""
        url = report_url(self._hass, self._entry.data)
        if reachable(url):
            self._clear("webhook_unreachable")
        else:
            self._raise("webhook_unreachable", url=url or "-")

    async def _async_cloud_changed(self, state: Any) -> None:
        """Cloud connected: make the cloudhook if the entry has none, then check again."""
        if getattr(state, "value", state) == "cloud_connected":
            url = await async_ensure_cloudhook(self._hass, self._entry.data)
            if url and url != self._entry.data.get(CONF_CLOUDHOOK_URL):
                self._hass.config_entries.async_update_entry(
                    self._entry, data={**self._entry.data, CONF_CLOUDHOOK_URL: url}
                )
        self.async_check_address()

    # -- reports --

    @callback
    def async_report_refused(self) -> None:
        """A report was refused for its secret or source."""
        self._refused += 1
        if self._refused >= REFUSED_IN_A_ROW:
            self._raise("reports_refused", count=str(self._refused))

    @callback
    def async_report_accepted(self) -> None:
        """A report was accepted: the secret works."""
        if self._refused >= REFUSED_IN_A_ROW:
            self._clear("reports_refused")
        self._refused = 0

    @callback
    def _async_report_applied(self, applied: AppliedReport) -> None:
        """A report of a message this account sent arrived: reports are not missing.

        One that no message claims proves nothing (eSMS reports carry no secret: anyone who
        knows the address could post one and hide the repair).
        """
        if applied.message is None:
            return
        self._waiting_since = None
        if self._missing_up:
            self._missing_up = False
            self._clear("reports_missing")

    @callback
    def _async_sent(self, send: SendUnderWay) -> None:
        """A message went out: a report is due within the window."""
        if send.message is not None and self._waiting_since is None:
            self._waiting_since = send.message.sent_at

    @callback
    def _async_check_missing(self, now: datetime | None = None) -> None:
        if self._window is None or self._waiting_since is None:
            return
        if (now or dt_util.utcnow()) - self._waiting_since >= self._window:
            minutes = int(self._window.total_seconds() // 60)
            self._missing_up = True
            self._raise("reports_missing", minutes=str(minutes))

    # -- life --

    @callback
    def async_start(self, signals: EntrySignals) -> list[CALLBACK_TYPE]:
        """Check now, then on every change that matters; returns what stops it."""
        self.async_check_address()
        self._async_check_missing()

        @callback
        def _core_config_updated(_event: Event) -> None:
            self.async_check_address()

        stops = [
            signals.report.listen(self._async_report_applied),
            signals.send_finished.listen(self._async_sent),
            self._hass.bus.async_listen(EVENT_CORE_CONFIG_UPDATE, _core_config_updated),
            async_track_time_interval(self._hass, self._async_check_missing, CHECK_EVERY),
        ]
        if (cloud := cloud_module(self._hass)) is not None:
            stops.append(
                cloud.async_listen_connection_change(self._hass, self._async_cloud_changed)
            )
        return stops


def _first_unanswered(ledger: Ledger) -> datetime | None:
    """When the first message sent after the last report went out (None: none is waiting)."""
    last_report: datetime | None = None
    for message in ledger.messages():
        if message.history:
            last: datetime = message.history[-1].time
            last_report = last if last_report is None else max(last_report, last)
    for message in ledger.messages():
        if last_report is None or message.sent_at > last_report:
            return message.sent_at
    return None


def async_remove_issues(hass: HomeAssistant, entry_id: str) -> None:
    """Delete every repair of a removed entry."""
    for kind in ("webhook_unreachable", "reports_refused", "reports_missing", "sending_paused"):
        ir.async_delete_issue(hass, DOMAIN, issue_id(kind, entry_id))
