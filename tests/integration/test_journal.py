"""Storage that survives a crash: every change on disk within a second, also under steady load."""

from __future__ import annotations

import asyncio
from datetime import timedelta
import json
from pathlib import Path
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    async_fire_time_changed,
    get_scheduled_timer_handles,
)

from custom_components.sms_bridge.providers.models import DeliveryReport, DeliveryStatus, SendResult
from custom_components.sms_bridge.store.campaigns import PART as CAMPAIGN_PART
from custom_components.sms_bridge.store.costs import PART as COST_PART
from custom_components.sms_bridge.store.journal import (
    PARTS,
    EntryJournal,
    async_remove_entry_storage,
)
from custom_components.sms_bridge.store.ledger import MAX_HISTORY, PART as LEDGER_PART, Ledger
from custom_components.sms_bridge.store.seen_reports import (
    MAX_KEYS,
    PART as SEEN_PART,
    SeenReports,
    report_key,
)

ENTRY = "entry1"


def _sent(message_id: str) -> SendResult:
    return SendResult("esms", message_id, "+84901234567", 1)


def _journal_file(config_dir: Path) -> Path:
    return config_dir / ".storage" / f"sms_bridge.{ENTRY}.journal"


def _reports_journal(config_dir: Path) -> Path:
    return config_dir / ".storage" / f"sms_bridge.{ENTRY}.reports.journal"


def _on_disk(config_dir: Path) -> str:
    path = _journal_file(config_dir)
    return path.read_text() if path.exists() else ""


async def _open(hass: HomeAssistant) -> tuple[EntryJournal, Ledger, SeenReports]:
    """What an entry opens at setup: after a crash, this is all there is."""
    journal = EntryJournal(hass, ENTRY)
    ledger, seen = Ledger(journal), SeenReports(journal)
    await journal.async_load()
    return journal, ledger, seen


async def _tick(hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float) -> None:
    freezer.tick(timedelta(seconds=seconds))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


def _flush_timers(hass: HomeAssistant, journal: EntryJournal) -> list[asyncio.TimerHandle]:
    return [
        handle
        for handle in get_scheduled_timer_handles(hass.loop)
        if not handle.cancelled() and getattr(handle._callback, "__self__", None) is journal
    ]


async def test_steady_traffic_never_postpones_the_write(
    hass: HomeAssistant, config_dir: Path
) -> None:
    """The first change arms a one-second timer; later changes never push it back.

    A delayed save that every change re-arms writes nothing while traffic goes on.
    """
    journal, ledger, _ = await _open(hass)
    ledger.async_record_sent(_sent("m0"), "steady")
    [first] = _flush_timers(hass, journal)
    assert first.when() - hass.loop.time() <= 1.0
    for number in range(1, 30):
        ledger.async_record_sent(_sent(f"m{number}"), "steady")
    assert _flush_timers(hass, journal) == [first]

    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=1))
    await hass.async_block_till_done(wait_background_tasks=True)
    written = _on_disk(config_dir)
    assert all(f'"m{number}"' in written for number in range(30))
    assert _flush_timers(hass, journal) == []


async def test_what_reached_disk_survives_a_crash(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, config_dir: Path
) -> None:
    """Nothing unloads (kill -9): a fresh open finds every change older than a second."""
    journal, ledger, seen = await _open(hass)
    ledger.async_record_sent(_sent("m1"), "before the crash")
    ledger.async_record_report(DeliveryReport("esms", "m1", DeliveryStatus.DELIVERED, "5"))
    assert seen.async_first_time(report_key("m1", "5"))
    await _tick(hass, freezer, 1.0)
    ledger.async_record_sent(_sent("m2"), "the last second: may be lost")

    journal2, ledger2, seen2 = await _open(hass)
    message = ledger2.get("m1")
    assert message is not None
    assert (message.status, message.final) == (DeliveryStatus.DELIVERED, True)
    assert not seen2.async_first_time(report_key("m1", "5"))
    await journal2.async_flush()
    await journal.async_flush()  # (only so the test leaves no timer behind)


async def test_compaction_keeps_everything_and_empties_the_journal(
    hass: HomeAssistant, hass_storage: dict[str, Any], config_dir: Path
) -> None:
    """After enough records the data goes to its snapshots and the journal starts again."""
    journal, ledger, seen = await _open(hass)
    with patch("custom_components.sms_bridge.store.journal.COMPACT_MIN", 10):
        for number in range(12):  # 24 items, so compaction after 48 records
            ledger.async_record_sent(_sent(f"m{number}"), "x")
            seen.async_first_time(report_key(f"x{number}", "7"))
            for raw in ("7", "5"):
                report = DeliveryReport("esms", f"m{number}", DeliveryStatus.SENT, raw)
                ledger.async_record_report(report)
        await journal.async_flush()
    assert _on_disk(config_dir) == ""
    snapshot = hass_storage[f"sms_bridge.{ENTRY}.ledger"]["data"]
    assert len(snapshot["messages"]) == 12
    assert snapshot["seq"] == 48
    assert [raw for _, _, raw in snapshot["messages"][0]["history"]] == ["7", "5"]

    ledger.async_record_sent(_sent("after"), "y")
    await journal.async_flush()
    _, ledger2, seen2 = await _open(hass)
    assert len(ledger2) == 13
    assert len(seen2) == 12


async def test_old_records_never_take_a_snapshot_back(
    hass: HomeAssistant, hass_storage: dict[str, Any], config_dir: Path
) -> None:
    """A crash after the snapshots were written, before the journal was emptied.

    The records the snapshot covers are skipped: the status does not go back to pending.
    """
    journal, ledger, _ = await _open(hass)
    ledger.async_record_sent(_sent("m1"), "x")
    await journal.async_flush()
    journal_before = _on_disk(config_dir)
    ledger.async_record_report(DeliveryReport("esms", "m1", DeliveryStatus.DELIVERED, "5"))
    with patch("custom_components.sms_bridge.store.journal.COMPACT_MIN", 1):
        await journal.async_flush()
    # As if the crash came before the journal was emptied: the old record is back.
    _journal_file(config_dir).write_text(journal_before)

    _, ledger2, _ = await _open(hass)
    message = ledger2.get("m1")
    assert message is not None
    assert message.status is DeliveryStatus.DELIVERED


async def test_a_torn_last_line_is_skipped(hass: HomeAssistant, config_dir: Path) -> None:
    """kill -9 in the middle of a write leaves half a line: the rest loads."""
    journal, ledger, _ = await _open(hass)
    ledger.async_record_sent(_sent("whole"), "x")
    await journal.async_flush()
    with _journal_file(config_dir).open("a") as file:
        file.write('{"p": "ledger", "q": 98, "m": {"nonsense": 1}}\n')  # unreadable: skipped
        file.write('{"p": "ledger", "q": 99, "m": {"id": "tor')
    _, ledger2, _ = await _open(hass)
    assert ledger2.get("whole") is not None
    assert len(ledger2) == 1


async def test_files_from_before_the_journal_load(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """The previous version's ledger and report files are read as they are."""
    hass_storage[f"sms_bridge.{ENTRY}.ledger"] = {
        "version": 1,
        "key": f"sms_bridge.{ENTRY}.ledger",
        "data": {
            "messages": [
                {
                    "id": "old-1",
                    "phone": "+84901234567",
                    "text": "hello",
                    "segments": 1,
                    "sent": "2026-11-29T10:00:00+00:00",
                    "status": "failed",
                    "history": [["2026-11-29T10:00:05+00:00", "failed", "4"]],
                }
            ]
        },
    }
    hass_storage[f"sms_bridge.{ENTRY}.reports"] = {
        "version": 1,
        "key": f"sms_bridge.{ENTRY}.reports",
        "data": {"seen": {"old-1\x1f4": "2026-11-30T09:00:00+00:00"}},
    }
    with patch(
        "custom_components.sms_bridge.store.seen_reports.dt_util.utcnow",
        return_value=__import__("datetime").datetime.fromisoformat("2026-11-30T10:00:00+00:00"),
    ):
        _, ledger, seen = await _open(hass)
        assert not seen.async_first_time(report_key("old-1", "4"))
    message = ledger.get("old-1")
    assert message is not None
    assert (message.status, message.final, message.has_report("4")) == (
        DeliveryStatus.FAILED,
        True,
        True,
    )


async def test_records_are_snapshots_taken_at_the_change(
    hass: HomeAssistant, config_dir: Path
) -> None:
    """What is written is the data as it was when it changed, not as it is when written."""
    journal, ledger, _ = await _open(hass)
    message = ledger.async_record_sent(_sent("m1"), "x")
    message.phone = "+840000000000"  # changed behind the ledger's back, after the change
    await journal.async_flush()
    [line] = _on_disk(config_dir).splitlines()
    assert json.loads(line)["m"]["phone"] == "+84901234567"


async def test_dedupe_memory_is_bounded(hass: HomeAssistant) -> None:
    """A flood of made-up reports keeps at most MAX_KEYS keys, dropping the oldest first."""
    journal, _, seen = await _open(hass)
    with patch("custom_components.sms_bridge.store.seen_reports.MAX_KEYS", 100):
        for number in range(250):
            assert seen.async_first_time(report_key(f"junk{number}", "7"))
        assert len(seen) == 100
        assert not seen.async_first_time(report_key("junk249", "7"))
        assert seen.async_first_time(report_key("junk0", "7"))  # long forgotten
    await journal.async_flush()


async def test_made_up_reports_keep_to_their_bound(hass: HomeAssistant) -> None:
    """Past MAX_KEYS the oldest made-up keys go first; a key is a digest, however long its id."""
    journal, _, seen = await _open(hass)
    long_id = "x" * 1000
    for number in range(MAX_KEYS + 500):
        assert seen.async_first_time(report_key(f"{long_id}{number}", "4"))
    assert len(seen) == MAX_KEYS
    assert not seen.async_first_time(report_key(f"{long_id}{MAX_KEYS + 499}", "4"))  # newest
    assert not seen.async_first_time(report_key(f"{long_id}500", "4"))  # oldest kept
    assert seen.async_first_time(report_key(f"{long_id}499", "4"))  # pushed out
    assert len(seen) == MAX_KEYS
    await journal.async_flush()


async def test_made_up_reports_stay_out_of_the_ledger_files(
    hass: HomeAssistant, hass_storage: dict[str, Any], config_dir: Path
) -> None:
    """A flood of made-up reports writes only the report keys' own small files.

    The ledger's snapshot is not rewritten and its journal gets no record; the keys' snapshot
    holds at most MAX_KEYS short digests, and their journal is emptied into it as it grows.
    """
    journal, ledger, seen = await _open(hass)
    for number in range(100):
        ledger.async_record_sent(_sent(f"m{number}"), "x")
        ledger.async_record_report(DeliveryReport("esms", f"m{number}", DeliveryStatus.SENT, "7"))
    with patch("custom_components.sms_bridge.store.journal.COMPACT_MIN", 1):
        await journal.async_flush()
    ledger_seq = hass_storage[f"sms_bridge.{ENTRY}.ledger"]["data"]["seq"]

    def forged(number: int) -> int:
        return report_key(f"forged-{number:06d}-{'y' * 200}", "4")

    for number in range(3 * MAX_KEYS):
        assert seen.async_first_time(forged(number))
        if number % 1000 == 999:
            await journal.async_flush()  # as the timer would, twice a second
    await journal.async_flush()

    assert hass_storage[f"sms_bridge.{ENTRY}.ledger"]["data"]["seq"] == ledger_seq
    assert _on_disk(config_dir) == ""
    digests = hass_storage[f"sms_bridge.{ENTRY}.reports"]["data"]["digests"]
    assert 0 < len(digests) <= MAX_KEYS
    assert {len(digest) for digest in digests} == {16}
    assert len(json.dumps(digests)) < 40 * MAX_KEYS
    # At most twice as many records as keys before the next snapshot, each a short line.
    assert _reports_journal(config_dir).stat().st_size < 2 * MAX_KEYS * 100

    journal2, ledger2, seen2 = await _open(hass)
    assert len(ledger2) == 100
    assert len(seen2) == MAX_KEYS
    assert not seen2.async_first_time(forged(3 * MAX_KEYS - 1))
    assert seen2.async_first_time(forged(0))
    await journal2.async_flush()


async def test_whole_keys_from_before_the_digests(
    hass: HomeAssistant, hass_storage: dict[str, Any], config_dir: Path
) -> None:
    """Keys the previous version kept whole, in its snapshot and in the shared journal, hold.

    When the shared journal is emptied, the keys it held go into their own snapshot.
    """
    now = dt_util.utcnow().timestamp()
    hass_storage[f"sms_bridge.{ENTRY}.reports"] = {
        "version": 1,
        "key": f"sms_bridge.{ENTRY}.reports",
        "data": {"seq": 3, "keys": {"old-1\x1f4": now - 60}},
    }
    path = _journal_file(config_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"p": "reports", "q": 4, "k": "old-2\x1f5", "t": now - 30}) + "\n")

    journal, ledger, seen = await _open(hass)
    assert not seen.async_first_time(report_key("old-1", "4"))
    assert not seen.async_first_time(report_key("old-2", "5"))
    ledger.async_record_sent(_sent("m1"), "x")
    with patch("custom_components.sms_bridge.store.journal.COMPACT_MIN", 1):
        await journal.async_flush()
    assert _on_disk(config_dir) == ""

    _, _, seen2 = await _open(hass)
    assert not seen2.async_first_time(report_key("old-1", "4"))
    assert not seen2.async_first_time(report_key("old-2", "5"))


@pytest.mark.parametrize("keys", [0, 5])
async def test_remove_deletes_every_file(
    hass: HomeAssistant, hass_storage: dict[str, Any], config_dir: Path, keys: int
) -> None:
    """Deleting the entry deletes its snapshots and its journals, found from its id alone."""
    journal, ledger, seen = await _open(hass)
    ledger.async_record_sent(_sent("m1"), "x")
    for number in range(keys):
        seen.async_first_time(report_key(f"k{number}", "1"))
    await journal.async_flush()
    for file in journal._files:  # the snapshots too
        await journal._async_compact(file)
    assert f"sms_bridge.{ENTRY}.ledger" in hass_storage
    await async_remove_entry_storage(hass, ENTRY)
    assert not _journal_file(config_dir).exists()
    assert not _reports_journal(config_dir).exists()
    assert not [key for key in hass_storage if key.startswith(f"sms_bridge.{ENTRY}.")]


def test_every_part_is_removed_with_its_entry() -> None:
    """Each module's part is among the parts an entry's removal deletes."""
    assert {LEDGER_PART, SEEN_PART, CAMPAIGN_PART, COST_PART} == set(PARTS)


async def test_a_report_is_journaled_as_its_change(hass: HomeAssistant, config_dir: Path) -> None:
    """A report's record is the report, not the whole message, and a fresh open applies it.

    So the cost of a report does not grow with its message's history.
    """
    journal, ledger, _ = await _open(hass)
    ledger.async_record_sent(_sent("m1"), "x")
    for raw in ("7", "5"):
        status = DeliveryStatus.SENT if raw == "7" else DeliveryStatus.DELIVERED
        ledger.async_record_report(DeliveryReport("esms", "m1", status, raw))
    await journal.async_flush()
    lines = [json.loads(line) for line in _on_disk(config_dir).splitlines()]
    assert [("m" in line, line["h"][2] if "h" in line else None) for line in lines] == [
        (True, None),
        (False, "7"),
        (False, "5"),
    ]
    _, ledger2, _ = await _open(hass)
    message = ledger2.get("m1")
    assert message is not None
    assert (message.status, message.final) == (DeliveryStatus.DELIVERED, True)
    assert [report.raw for report in message.history] == ["7", "5"]


async def test_history_keeps_the_latest_reports(hass: HomeAssistant) -> None:
    """A flood of made-up statuses for one message keeps only the latest MAX_HISTORY."""
    journal, ledger, _ = await _open(hass)
    ledger.async_record_sent(_sent("m1"), "x")
    for number in range(MAX_HISTORY + 10):
        ledger.async_record_report(DeliveryReport("esms", "m1", DeliveryStatus.SENT, str(number)))
    message = ledger.get("m1")
    assert message is not None
    assert len(message.history) == MAX_HISTORY
    assert message.history[-1].raw == str(MAX_HISTORY + 9)
    await journal.async_flush()
