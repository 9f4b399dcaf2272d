"""The ledger's index of recent sends: the guard's questions answered without walking the ledger."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest

from custom_components.sms_bridge.providers.models import SendResult
from custom_components.sms_bridge.store.journal import EntryJournal
from custom_components.sms_bridge.store.ledger import Ledger, LedgerMessage, text_digest
from custom_components.sms_bridge.store.ledger_index import KEEP, RecentSends

PHONE = "+84901234567"


type Opener = Callable[[], Awaitable[Ledger]]


@pytest.fixture
async def open_ledger(hass: HomeAssistant) -> AsyncIterator[Opener]:
    """Open the entry's ledger as setup does (again after a "restart"); flushed at the end."""
    journals: list[EntryJournal] = []

    async def _open() -> Ledger:
        journals.append(EntryJournal(hass, "entry1"))
        ledger = Ledger(journals[-1])
        await journals[-1].async_load()
        return ledger

    yield _open
    for journal in journals:
        await journal.async_flush()


def _send(ledger: Ledger, message_id: str, text: str = "Kho 3", phone: str = PHONE) -> None:
    ledger.async_record_sent(SendResult("esms", message_id, phone, 1), text)


async def test_counts_and_oldest_follow_the_clock(
    open_ledger: Opener, freezer: FrozenDateTimeFactory
) -> None:
    """Three sends a minute apart: what counts since a time, and when the oldest went out."""
    ledger = await open_ledger()
    start = dt_util.utcnow()
    for number in range(3):
        _send(ledger, f"m{number}", text=f"t{number}")
        freezer.tick(timedelta(minutes=1))
    assert ledger.recent.count_since(start) == (3, start)
    assert ledger.recent.count_since(start + timedelta(seconds=30)) == (
        2,
        start + timedelta(minutes=1),
    )
    assert ledger.recent.count_since(dt_util.utcnow()) == (0, None)


async def test_the_newest_equal_message_stands_for_a_repeat(
    open_ledger: Opener, freezer: FrozenDateTimeFactory
) -> None:
    """Same text and number: the newest such message, while it is inside the window."""
    ledger = await open_ledger()
    _send(ledger, "old")
    freezer.tick(timedelta(minutes=2))
    _send(ledger, "new")
    _send(ledger, "other-number", phone="+84907654321")
    digest = text_digest("Kho 3")
    found = ledger.recent.equal_since(digest, PHONE, dt_util.utcnow() - timedelta(minutes=5))
    assert found is not None
    assert found.message_id == "new"
    assert ledger.recent.equal_since(digest, PHONE, dt_util.utcnow() + timedelta(seconds=1)) is None
    assert ledger.recent.equal_since(text_digest("Kho 4"), PHONE, dt_util.utcnow()) is None


async def test_a_message_the_ledger_let_go_stands_for_nothing(open_ledger: Opener) -> None:
    """Past the ledger's bound, the oldest message leaves the index too."""
    ledger = await open_ledger()
    with patch("custom_components.sms_bridge.store.ledger.MAX_MESSAGES", 2):
        _send(ledger, "m0", text="first")
        _send(ledger, "m1", text="second")
        _send(ledger, "m2", text="third")
    since = dt_util.utcnow() - timedelta(minutes=5)
    assert ledger.recent.equal_since(text_digest("first"), PHONE, since) is None
    assert ledger.recent.equal_since(text_digest("third"), PHONE, since) is not None


async def test_a_reused_id_leaves_its_old_text_behind(open_ledger: Opener) -> None:
    """A gateway that reuses an id: the earlier text to that id no longer counts as sent."""
    ledger = await open_ledger()
    _send(ledger, "m1", text="first")
    _send(ledger, "m1", text="second")
    since = dt_util.utcnow() - timedelta(minutes=5)
    assert ledger.recent.equal_since(text_digest("first"), PHONE, since) is None
    assert ledger.recent.count_since(since)[0] == 2  # two sends all the same


async def test_the_index_is_rebuilt_from_the_ledger_after_a_restart(
    open_ledger: Opener, freezer: FrozenDateTimeFactory
) -> None:
    """What was sent before a restart still counts, and still stands for a repeat."""
    ledger = await open_ledger()
    start = dt_util.utcnow()
    _send(ledger, "m1")
    freezer.tick(timedelta(seconds=10))
    _send(ledger, "m2", text="Kho 4")
    await ledger._journal.async_flush()  # what a stop writes
    again = await open_ledger()
    assert again.recent.count_since(start) == (2, start)
    found = again.recent.equal_since(text_digest("Kho 3"), PHONE, start)
    assert found is not None
    assert found.message_id == "m1"


async def test_guard_questions_never_walk_the_ledger(
    open_ledger: Opener, freezer: FrozenDateTimeFactory
) -> None:
    """The cost of a send does not grow with the messages inside the windows."""
    ledger = await open_ledger()
    for number in range(500):
        _send(ledger, f"m{number}", text=f"t{number % 7}")
    with patch.object(Ledger, "newest_first", side_effect=AssertionError("walked")):
        since = dt_util.utcnow() - timedelta(hours=1)
        assert ledger.recent.count_since(since)[0] == 500
        assert ledger.recent.equal_since(text_digest("t3"), PHONE, since) is not None


BASE = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def _message(minutes: int) -> LedgerMessage:
    """A message sent `minutes` after BASE."""
    sent = BASE + timedelta(minutes=minutes)
    return LedgerMessage(f"m{minutes}", PHONE, "", 1, sent, digest=f"d{minutes}")


def test_a_clock_stepping_back_keeps_the_times_in_order() -> None:
    """A send stamped before the last one (NTP stepped the clock) is counted in its place."""
    recent = RecentSends()
    for minutes in (0, 10, 5):
        recent.add(_message(minutes))
    assert recent.count_since(BASE + timedelta(minutes=4)) == (2, _message(5).sent_at)


def test_times_older_than_a_day_are_let_go() -> None:
    """The list holds at most a day of sends, however long the entry runs."""
    recent = RecentSends()
    sends = range(0, 3 * 1440, 2)  # one every two minutes (720 a day) for three days
    for minutes in sends:
        recent.add(_message(minutes))
    since = BASE + timedelta(minutes=sends[-1]) - KEEP
    assert recent.count_since(since) == (721, since)
    assert len(recent._times) < 2 * 721  # the bound is the point of the test
