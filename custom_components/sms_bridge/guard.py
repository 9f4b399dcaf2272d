"""The spending guard: limits per hour and per day, and no duplicate inside a short window.

A send that would pass a limit is refused before anything goes out, with an error naming the
limit, and the `sending_paused_<entry_id>` repair stays until the window has room again. The
same text to the same number inside the duplicate window goes out once: the earlier message
stands for it. Both are answered by the ledger's index of recent sends (recent.py), rebuilt
from the ledger at start, so counting survives a restart and costs the same however busy.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util

from .const import (
    DEFAULT_DUPLICATE_WINDOW,
    DOMAIN,
    OPT_DUPLICATE_WINDOW,
    OPT_MAX_PER_DAY,
    OPT_MAX_PER_HOUR,
)
from .ledger import Ledger, LedgerMessage, text_digest
from .runtime import SmsBridgeConfigEntry

#: The limits: (option, the window it counts over, its name in texts and repair keys).
LIMITS = (
    (OPT_MAX_PER_HOUR, timedelta(hours=1), "hour"),
    (OPT_MAX_PER_DAY, timedelta(days=1), "day"),
)


@dataclass(slots=True)
class Plan:
    """What a send will do: the numbers to send to, and those an earlier message covers."""

    to_send: list[str] = field(default_factory=list)
    duplicates: dict[str, LedgerMessage] = field(default_factory=dict)


class SpendingGuard:
    """One account's limits and duplicate window."""

    def __init__(self, hass: HomeAssistant, entry: SmsBridgeConfigEntry, ledger: Ledger) -> None:
        self._hass = hass
        self._entry = entry
        self._ledger = ledger
        options = entry.options
        minutes = options.get(OPT_DUPLICATE_WINDOW, DEFAULT_DUPLICATE_WINDOW)
        self._window = timedelta(minutes=float(minutes)) if minutes else None
        self._limits = [
            (int(options[key]), period, name) for key, period, name in LIMITS if options.get(key)
        ]
        self._timer: CALLBACK_TYPE | None = None
        self._paused = True  # until checked: a repair may be left from before a restart

    def plan(self, phones: Iterable[str], text: str) -> Plan:
        """Split the numbers into what goes out and what a recent equal message covers.

        Raises HomeAssistantError (and the repair) when the send would pass a limit.
        """
        plan = Plan()
        digest = text_digest(text)
        since = dt_util.utcnow() - self._window if self._window else None
        for phone in phones:
            if since and (earlier := self._ledger.recent.equal_since(digest, phone, since)):
                plan.duplicates[phone] = earlier
            else:
                plan.to_send.append(phone)
        self._check_limits(len(plan.to_send))
        return plan

    def _check_limits(self, wanted: int) -> None:
        now = dt_util.utcnow()
        for limit, period, name in self._limits:
            used, oldest = self._ledger.recent.count_since(now - period)
            if wanted and used + wanted > limit:
                self._paused = True
                self._pause(name, limit, oldest + period if oldest else now + period)
                raise HomeAssistantError(
                    translation_domain=DOMAIN,
                    translation_key=f"limit_reached_{name}",
                    translation_placeholders={
                        "name": self._entry.title,
                        "limit": str(limit),
                        "used": str(used),
                        "count": str(wanted),
                    },
                )
        if self._paused:
            self.async_check_paused()

    # -- the repair --

    def _pause(self, name: str, limit: int, room_at: datetime) -> None:
        ir.async_create_issue(
            self._hass,
            DOMAIN,
            f"sending_paused_{self._entry.entry_id}",
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key=f"sending_paused_{name}",
            translation_placeholders={
                "name": self._entry.title,
                "limit": str(limit),
                "until": dt_util.as_local(room_at).strftime("%H:%M"),
            },
        )
        self._cancel_timer()
        delay = max((room_at - dt_util.utcnow()).total_seconds(), 0) + 1
        self._timer = async_call_later(self._hass, delay, self._async_recheck)

    @callback
    def _async_recheck(self, _now: Any) -> None:
        self._timer = None
        self.async_check_paused()

    @callback
    def async_check_paused(self) -> None:
        """Clear the repair when every limit has room for one more message again."""
        now = dt_util.utcnow()
        for limit, period, _name in self._limits:
            used, oldest = self._ledger.recent.count_since(now - period)
            if used >= limit and oldest is not None:
                if self._timer is None:
                    delay = (oldest + period - now).total_seconds() + 1
                    self._timer = async_call_later(self._hass, delay, self._async_recheck)
                return
        self._paused = False
        ir.async_delete_issue(self._hass, DOMAIN, f"sending_paused_{self._entry.entry_id}")

    @callback
    def async_stop(self) -> None:
        """The entry unloads."""
        self._cancel_timer()

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer()
            self._timer = None
