"""What messages cost: the day's and the month's totals, by when each message was sent."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from custom_components.sms_bridge.store.costs import CostBook, CostTotals
from custom_components.sms_bridge.store.journal import EntryJournal

ENTRY = "costs-entry"


async def _open(hass: HomeAssistant) -> tuple[EntryJournal, CostBook]:
    journal = EntryJournal(hass, ENTRY)
    book = CostBook(journal)
    await journal.async_load()
    return journal, book


async def test_totals_follow_the_day_and_the_month(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Costs land in the day and month their message was sent; midnight and the 1st reset."""
    await hass.config.async_set_time_zone("Asia/Ho_Chi_Minh")
    freezer.move_to(datetime(2026, 11, 30, 22, 0, tzinfo=dt_util.get_default_time_zone()))
    _, book = await _open(hass)
    sent = dt_util.utcnow()
    book.async_add(Decimal(850), sent)
    book.async_add(Decimal(300), sent)
    assert book.totals() == CostTotals(Decimal(1150), Decimal(1150))

    freezer.tick(timedelta(hours=3))  # 01:00 on December 1st
    assert book.totals() == CostTotals(Decimal(0), Decimal(0))
    book.async_add(Decimal(-850), sent)  # yesterday's message got its real price: no change now
    book.async_add(Decimal(470), dt_util.utcnow())
    assert book.totals() == CostTotals(Decimal(470), Decimal(470))

    freezer.tick(timedelta(days=1))
    book.async_add(Decimal(30), dt_util.utcnow())
    assert book.totals() == CostTotals(Decimal(30), Decimal(500))


async def test_totals_survive_a_crash(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Every change is a journal record: read back whole, the totals are the same."""
    journal, book = await _open(hass)
    now = dt_util.utcnow()
    for amount in ("850", "0.5", "-300"):
        book.async_add(Decimal(amount), now)
    await journal.async_flush()

    _, again = await _open(hass)  # a kill -9 and a new start read only what is on disk
    assert again.totals() == CostTotals(Decimal("550.5"), Decimal("550.5"))
    assert len(again) == 0  # it never holds compaction back
    assert set(again.snapshot()) == {"day", "today", "month", "month_total"}
