"""The spending guard: limits per hour and per day, and no duplicate inside a short window.

A send takes its place under the limits before any request goes out (a reservation), so a burst
of concurrent calls cannot all pass a check that only sees what has already been sent: N calls at
once against a limit of K send exactly K. A send that surely sent nothing gives its place back;
one that may have gone out keeps it. The same text to the same number inside the duplicate window
goes out once: a later call takes the earlier message, and a call made while an equal send is
still under way waits for that send and shares its outcome.

A send refused because the window is full raises the `sending_paused_<entry_id>` repair until
there is room again; one refused only for its size says how many still fit. Both are
ServiceValidationErrors: a refusal, not a failure. What was sent is counted from the ledger's
index of recent sends (store/ledger_index.py), rebuilt at start, so counting survives a restart.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import MAXYEAR, UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util

from ..const import (
    DEFAULT_DUPLICATE_WINDOW,
    DOMAIN,
    OPT_DUPLICATE_WINDOW,
    OPT_MAX_COST_PER_MONTH,
    OPT_MAX_PER_DAY,
    OPT_MAX_PER_HOUR,
)
from ..providers.errors import ProviderError
from ..store.costs import ZERO
from ..store.ledger import Ledger, LedgerMessage, text_digest
from ..texts import short_name

#: The limits: (option, the window it counts over, its name in texts and repair keys).
LIMITS = (
    (OPT_MAX_PER_HOUR, timedelta(hours=1), "hour"),
    (OPT_MAX_PER_DAY, timedelta(days=1), "day"),
)

#: What became of a send: its message in the ledger, or why it failed.
type Settled = LedgerMessage | ProviderError


@dataclass(slots=True)
class Reservation:
    """One send's place under the limits and in the duplicate window, held while it goes out."""

    key: tuple[str, str]
    #: Resolved with the send's outcome, for equal sends that wait for it.
    outcome: asyncio.Future[Settled]
    #: What it should cost, held against the monthly budget while it goes out.
    cost: Decimal = ZERO

    @property
    def phone(self) -> str:
        """The number it goes to."""
        return self.key[1]


@dataclass(slots=True)
class Plan:
    """What a send will do with each number.

    Send it (under its reservation), take an earlier message, or wait for an equal send under way.
    """

    to_send: dict[str, Reservation] = field(default_factory=dict)
    duplicates: dict[str, LedgerMessage] = field(default_factory=dict)
    waiting: dict[str, asyncio.Future[Settled]] = field(default_factory=dict)


class SpendingGuard:
    """One account's limits and duplicate window, with the sends under way."""

    def __init__(
        self,
        hass: HomeAssistant,
        ledger: Ledger,
        *,
        account: tuple[str, str],
        options: Mapping[str, Any],
        currency: str,
    ) -> None:
        """`account`: the entry's id and title (the repair's id and its words)."""
        self._hass = hass
        self._entry_id, self._title = account
        self._currency = currency
        self._ledger = ledger
        minutes = options.get(OPT_DUPLICATE_WINDOW, DEFAULT_DUPLICATE_WINDOW)
        self._window = timedelta(minutes=float(minutes)) if minutes else None
        self._limits = [
            (int(options[key]), period, name) for key, period, name in LIMITS if options.get(key)
        ]
        self._budget = budget(options)
        self._under_way: dict[tuple[str, str], Reservation] = {}
        self._timer: CALLBACK_TYPE | None = None
        self._paused = True  # until checked: a repair may be left from before a restart

    def plan(self, phones: Iterable[str], text: str, cost: Decimal | None = None) -> Plan:
        """Reserve a place for each number that goes out; the rest are covered by equal sends.

        `cost`: what each message should cost (None: unknown), held against the budget.
        Raises ServiceValidationError (and, when the window is full, the repair) when the send
        would pass a limit; then nothing is reserved.
        """
        plan = Plan()
        each = cost if cost is not None else ZERO
        digest = text_digest(text)
        since = dt_util.utcnow() - self._window if self._window else None
        for phone in phones:
            key = (digest, phone)
            if since and (earlier := self._ledger.recent.equal_since(digest, phone, since)):
                plan.duplicates[phone] = earlier
            elif since and (under_way := self._under_way.get(key)) is not None:
                plan.waiting[phone] = under_way.outcome
            elif phone not in plan.to_send:
                plan.to_send[phone] = Reservation(key, self._hass.loop.create_future(), each)
        self._check_limits(len(plan.to_send))
        self._check_budget(len(plan.to_send), each)
        for reservation in plan.to_send.values():
            self._under_way.setdefault(reservation.key, reservation)
        return plan

    @callback
    def async_done(self, reservation: Reservation, outcome: Settled) -> None:
        """A reserved send ended: its place is the ledger's now, kept, or given back."""
        if self._under_way.get(reservation.key) is reservation:
            del self._under_way[reservation.key]
        if isinstance(outcome, ProviderError) and outcome.maybe_sent:
            now = dt_util.utcnow()
            self._ledger.recent.add_time(now)  # it may count: keep its place
            self._ledger.costs.async_add(reservation.cost, now)  # and it may cost
        if not reservation.outcome.done():
            reservation.outcome.set_result(outcome)
        if self._paused:
            self.async_check_paused()

    def _used(self, now: datetime, period: timedelta) -> tuple[int, datetime | None]:
        """Sends in the window (the ledger's and those under way), and the oldest one's time."""
        used, oldest = self._ledger.recent.count_since(now - period)
        return used + len(self._under_way), oldest or (now if self._under_way else None)

    def _check_limits(self, wanted: int) -> None:
        if not wanted:
            return
        now = dt_util.utcnow()
        for limit, period, name in self._limits:
            used, oldest = self._used(now, period)
            if used + wanted <= limit:
                continue
            placeholders = {"name": self._title, "limit": str(limit), "count": str(wanted)}
            if used < limit:  # room for some, not for all: the size is the problem
                raise _refused(f"limit_too_many_{name}", **placeholders, room=str(limit - used))
            room_at = oldest + period if oldest else now + period
            self._pause(name, limit, room_at)
            raise _refused(
                f"limit_reached_{name}", **placeholders, used=str(used), until=_clock(room_at)
            )
        if self._paused:
            self.async_check_paused()

    def _spent(self) -> Decimal:
        """This month's cost so far, with what the sends under way should cost."""
        held = sum((r.cost for r in self._under_way.values()), ZERO)
        return self._ledger.costs.totals().month + held

    def _check_budget(self, wanted: int, each: Decimal) -> None:
        """Refuse what would take this month's cost over the budget (the estimate counts)."""
        if not wanted or self._budget is None:
            return
        spent = self._spent()
        if spent + wanted * each <= self._budget:
            return
        currency = self._currency
        placeholders = {
            "name": self._title,
            "limit": f"{_amount(self._budget)} {currency}",
            "count": str(wanted),
            "spent": f"{_amount(spent)} {currency}",
        }
        if each and spent + each <= self._budget:  # room for some, not for all
            room = int((self._budget - spent) // each)
            raise _refused("limit_too_many_budget", **placeholders, room=str(room))
        until = _next_month(dt_util.now())
        self._pause("budget", placeholders["limit"], until)
        raise _refused("limit_reached_budget", **placeholders, until=_date(until))

    # -- the repair --

    def _pause(self, name: str, limit: int | str, room_at: datetime) -> None:
        self._paused = True
        ir.async_create_issue(
            self._hass,
            DOMAIN,
            f"sending_paused_{self._entry_id}",
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key=f"sending_paused_{name}",
            translation_placeholders={
                "name": self._title,
                "short_name": short_name(self._title),
                "limit": str(limit),
                "until": _date(room_at) if name == "budget" else _clock(room_at),
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
            used, oldest = self._used(now, period)
            if used >= limit and oldest is not None:
                if self._timer is None:
                    delay = (oldest + period - now).total_seconds() + 1
                    self._timer = async_call_later(self._hass, delay, self._async_recheck)
                return
        if self._budget is not None and self._spent() >= self._budget:
            if self._timer is None:
                delay = (_next_month(dt_util.now()) - dt_util.now()).total_seconds() + 1
                self._timer = async_call_later(self._hass, delay, self._async_recheck)
            return
        self._paused = False
        ir.async_delete_issue(self._hass, DOMAIN, f"sending_paused_{self._entry_id}")

    @callback
    def async_stop(self) -> None:
        """The entry unloads."""
        self._cancel_timer()

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer()
            self._timer = None


def budget(options: Mapping[str, Any]) -> Decimal | None:
    """The account's monthly budget, None when it has none (0 = off)."""
    amount = options.get(OPT_MAX_COST_PER_MONTH)
    return Decimal(str(amount)) if amount else None


def _next_month(now: datetime) -> datetime:
    """Local midnight on the first of the next month: where the budget starts again."""
    first = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    if first.year == MAXYEAR and first.month == 12:  # a clock at the end of time
        return datetime.max.replace(tzinfo=UTC)
    return dt_util.as_utc(
        first.replace(year=first.year + 1, month=1)
        if first.month == 12
        else first.replace(month=first.month + 1)
    )


def _amount(amount: Decimal) -> str:
    """An amount as a person reads it: no trailing zeros, no exponent."""
    return format(amount.normalize(), "f")


def _date(when: datetime) -> str:
    """A day as the user reads it (Home Assistant's zone)."""
    return dt_util.as_local(when).date().isoformat()


def _clock(when: datetime) -> str:
    """A time of day as the user reads it (Home Assistant's zone)."""
    return dt_util.as_local(when).strftime("%H:%M")


def _refused(key: str, **placeholders: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
    )
