"""The campaign follower's cadence and bounds, and the campaign store's journal part and limits."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from unittest.mock import patch

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest

from custom_components.sms_bridge.campaigns.follower import deadline, next_check, sent_time
from custom_components.sms_bridge.providers.fpt.ads import CampaignDetail, CampaignStatus
from custom_components.sms_bridge.providers.fpt.hours import VIETNAM
from custom_components.sms_bridge.store.campaigns import (
    MAX_CAMPAIGNS,
    Campaign,
    CampaignState,
    CampaignStore,
)
from custom_components.sms_bridge.store.journal import EntryJournal

CREATED = datetime(2026, 11, 23, 2, 0, tzinfo=dt_util.UTC)  # Monday 09:00 in Vietnam
SCHEDULE = datetime(2026, 11, 23, 6, 30, tzinfo=dt_util.UTC)  # 13:30 in Vietnam
HOUR, MINUTE, DAY = timedelta(hours=1), timedelta(minutes=1), timedelta(days=1)


def campaign(
    state: CampaignState = CampaignState.CREATED, sent_at: datetime | None = None, **kw: Any
) -> Campaign:
    """A campaign created Monday 09:00 (Vietnam) for 13:30."""
    values: dict[str, Any] = {
        "code": "MjIxNQ==60cb098a09ee6",
        "name": "Khuyen mai",
        "batch_id": "qc.2215.1623984019.82989",
        "phones": ("+84901234567",),
        "quota": 1,
        "schedule": SCHEDULE,
        "created_at": CREATED,
    } | kw
    return Campaign(**values, state=state, sent_at=sent_at)


@pytest.mark.parametrize(
    ("state", "now", "expected"),
    [
        # Waiting for approval: every 30 minutes in the first 6 hours, then hourly, then 3-hourly.
        (CampaignState.CREATED, CREATED, CREATED + 30 * MINUTE),
        (CampaignState.CREATED, CREATED + 5 * HOUR, CREATED + 5.5 * HOUR),
        (CampaignState.CREATED, CREATED + 7 * HOUR, CREATED + 8 * HOUR),
        (CampaignState.CREATED, CREATED + 50 * HOUR, SCHEDULE + 2 * DAY),  # the bound comes first
        # Approved: nothing changes before the schedule; after it, its own cadence.
        (CampaignState.APPROVED, CREATED + HOUR, SCHEDULE + 5 * MINUTE),
        (CampaignState.APPROVED, SCHEDULE + 10 * MINUTE, SCHEDULE + 40 * MINUTE),
        # Sent: results take days; checked from the sending time on.
        (CampaignState.SENT, SCHEDULE + HOUR, SCHEDULE + 1.5 * HOUR),
        (CampaignState.SENT, SCHEDULE + DAY, SCHEDULE + 25 * HOUR),
        (CampaignState.SENT, SCHEDULE + 4 * DAY, SCHEDULE + 4 * DAY + 3 * HOUR),
        (CampaignState.SENT, SCHEDULE + 14 * DAY - HOUR, SCHEDULE + 14 * DAY),
    ],
)
def test_cadence(state: CampaignState, now: datetime, expected: datetime) -> None:
    """Checks come often while news is likely, rarely while it is not, never past the bound."""
    sent = SCHEDULE if state is CampaignState.SENT else None
    assert next_check(campaign(state, sent), now) == expected


def test_bounds() -> None:
    """Two days past the schedule for approval and sending; two weeks after sending for results."""
    assert deadline(campaign()) == SCHEDULE + 2 * DAY
    late = campaign(created_at=SCHEDULE + DAY)  # a schedule already past (not from the action)
    assert deadline(late) == SCHEDULE + 3 * DAY
    assert deadline(campaign(CampaignState.SENT, SCHEDULE + HOUR)) == SCHEDULE + HOUR + 14 * DAY
    assert deadline(campaign(CampaignState.SENT)) == SCHEDULE + 14 * DAY


@pytest.mark.parametrize(
    ("sending_time", "expected"),
    [
        (datetime(2026, 11, 23, 13, 30, tzinfo=VIETNAM), SCHEDULE),
        (None, SCHEDULE + HOUR),  # not said: when it was seen sent
        (datetime(2026, 11, 24, 13, 30, tzinfo=VIETNAM), SCHEDULE + HOUR),  # ahead: not believed
    ],
)
def test_sent_time(sending_time: datetime | None, expected: datetime) -> None:
    detail = CampaignDetail("c", 1, 1, True, sending_time, CampaignStatus.SENT, None)
    assert sent_time(detail, SCHEDULE + HOUR) == expected


async def test_store_round_trip_through_snapshots(hass: HomeAssistant, config_dir: Path) -> None:
    """Compacted into its snapshot and back: the same campaigns."""
    journal = EntryJournal(hass, "entry1")
    store = CampaignStore(journal)
    await journal.async_load()
    sent = campaign(CampaignState.SENT, SCHEDULE, reason=None, total=1)
    sent.results, sent.done, sent.ended = 1, True, "results"
    second = campaign(code="second", name="Second")
    for _ in range(2):  # four records for two campaigns: the journal compacts at twice its items
        store.async_save(sent)
        store.async_save(second)
    with patch("custom_components.sms_bridge.store.journal.COMPACT_MIN", 1):
        await journal.async_flush()
    assert not (config_dir / ".storage" / "sms_bridge.entry1.journal").read_text()

    journal2 = EntryJournal(hass, "entry1")
    store2 = CampaignStore(journal2)
    await journal2.async_load()
    assert store2.get(sent.code) == sent
    assert [c.code for c in store2.open()] == ["second"]
    assert store2.has_name("Second")
    assert not store2.has_name("Third")


async def test_store_forgets_old_finished_campaigns(hass: HomeAssistant) -> None:
    """Finished campaigns go after 60 days or beyond the count bound; followed ones stay."""
    journal = EntryJournal(hass, "entry1")
    store = CampaignStore(journal)
    await journal.async_load()
    old = campaign(code="old", created_at=dt_util.utcnow() - timedelta(days=61))
    old.done = True
    store.async_save(old)
    assert store.get("old") is None
    followed = campaign(code="followed", created_at=dt_util.utcnow() - timedelta(days=61))
    store.async_save(followed)
    for number in range(MAX_CAMPAIGNS + 5):
        finished = campaign(code=f"c{number}", created_at=dt_util.utcnow())
        finished.done = True
        store.async_save(finished)
    assert len(store) == MAX_CAMPAIGNS
    assert store.get("followed") is followed
    assert store.get("c0") is None
    assert store.get(f"c{MAX_CAMPAIGNS + 4}") is not None
    await journal.async_flush()
