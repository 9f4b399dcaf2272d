"""What the account's messages cost today and this month, kept across restarts.

A message's cost is what its gateway's reports state (eSMS's TotalPrice, summed over the legs of
a Zalo-then-SMS message), or until one does, the estimate made when it was sent. Each change of
a message's cost moves the totals of the day and the month it was sent in, if they are today's
and this month's (local time); they start again at midnight and on the first of the month. The
totals are their own journal part, so they are exact whatever the ledger has let go.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from homeassistant.core import callback
from homeassistant.util import dt as dt_util

from ..const import DEFAULT_CURRENCY, OPT_CURRENCY
from .journal import EntryJournal

PART = "costs"
ZERO = Decimal(0)


def currency_of(gateway: Any, options: Mapping[str, Any]) -> str:
    """The account's currency: the option, else its gateway's country's (DESIGN.md)."""
    return str(options.get(OPT_CURRENCY) or DEFAULT_CURRENCY.get(gateway.region, "VND"))


@dataclass(frozen=True, slots=True)
class CostTotals:
    """Today's and this month's cost, in the account's currency."""

    today: Decimal
    month: Decimal


def _day(when: datetime) -> str:
    return dt_util.as_local(when).date().isoformat()


def _month(when: datetime) -> str:
    return dt_util.as_local(when).strftime("%Y-%m")


class CostBook:
    """The running totals of one account's costs (a `JournalPart`)."""

    def __init__(self, journal: EntryJournal) -> None:
        self._journal = journal
        now = dt_util.utcnow()
        self._day, self._month = _day(now), _month(now)
        self._today = self._month_total = ZERO
        journal.add_part(PART, self)

    def __len__(self) -> int:
        """No items to speak of: four numbers (compaction waits for the other parts' records)."""
        return 0

    # -- storage (JournalPart) --

    def snapshot(self) -> dict[str, Any]:
        """The buckets and their totals."""
        return {
            "day": self._day,
            "today": str(self._today),
            "month": self._month,
            "month_total": str(self._month_total),
        }

    def restore(self, data: dict[str, Any]) -> None:
        """Take back the stored totals (nothing stored: zero)."""
        if data:
            self._day, self._today = data["day"], Decimal(data["today"])
            self._month, self._month_total = data["month"], Decimal(data["month_total"])

    def replay(self, record: dict[str, Any]) -> None:
        """A change of cost, by the day and month of its message (journal record)."""
        self._add(Decimal(record["a"]), record["d"], record["m"])

    def loaded(self) -> None:
        """Start new buckets if a day or a month went by while Home Assistant was down."""
        self.async_roll()

    # -- use --

    @callback
    def async_add(self, amount: Decimal, sent_at: datetime) -> None:
        """A message sent at `sent_at` costs `amount` more (or less, when negative)."""
        if not amount:
            return
        self.async_roll()
        day, month = _day(sent_at), _month(sent_at)
        self._add(amount, day, month)
        self._journal.async_record(PART, {"a": str(amount), "d": day, "m": month})

    @callback
    def async_roll(self) -> None:
        """Start the day's (and the month's) total afresh once its time is past."""
        now = dt_util.utcnow()
        if (day := _day(now)) != self._day:
            self._day, self._today = day, ZERO
        if (month := _month(now)) != self._month:
            self._month, self._month_total = month, ZERO

    def totals(self) -> CostTotals:
        """Today's and this month's totals, as of now."""
        self.async_roll()
        return CostTotals(self._today, self._month_total)

    def _add(self, amount: Decimal, day: str, month: str) -> None:
        if day == self._day:
            self._today += amount
        if month == self._month:
            self._month_total += amount
