"""Crash-safe storage for one entry: a snapshot per part plus append-only journal files.

Every change is a small record appended to a journal within `FLUSH_DELAY` of the change, however
steady the traffic (the timer is armed by the first change and never pushed back), so a kill -9
loses at most the last second. Records are serialized in the event loop, so the file written
later is the data as it was. A journal's snapshots are rewritten only after twice as many records
as its parts hold items: the cost of a change does not grow with the data.

Parts share the entry's journal, but a part whose changes anyone can cause (the keys of reports no
message claims) keeps a journal of its own: its records never make the ledger's snapshot be
rewritten, and what it puts on disk is bounded by its own size.

Each record carries a sequence number and each snapshot the number it covers, so replaying a
journal that a crash left untruncated never takes a part back in time.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
import json
import os
from pathlib import Path
from typing import Any, Protocol

from homeassistant.const import EVENT_HOMEASSISTANT_FINAL_WRITE
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.helpers.json import json_dumps
from homeassistant.helpers.storage import Store

from ..const import DOMAIN, LOGGER

STORAGE_VERSION = 1
#: Seconds between a change and its record on disk, at most.
FLUSH_DELAY = 0.5
#: A snapshot is rewritten after this many records at least, or twice as many as the data holds
#: items: the journal stays within a few times the data, and a change's share stays constant.
COMPACT_MIN = 1000
#: Key of the sequence number a snapshot covers.
SEQ = "seq"
#: Every part an entry may keep (each module's PART): what removing an entry deletes.
PARTS = ("ledger", "reports", "campaigns", "costs")


class JournalPart(Protocol):
    """Data kept by the journal: it can be snapshotted, restored and replayed record by record."""

    def __len__(self) -> int:
        """How many items the part holds (compaction waits for as many records)."""

    def snapshot(self) -> dict[str, Any]:
        """The part's whole data as JSON-ready values, detached from the live objects."""

    def restore(self, data: dict[str, Any]) -> None:
        """Take back a snapshot (empty on first use)."""

    def replay(self, record: dict[str, Any]) -> None:
        """Apply one record written by `EntryJournal.async_record` for this part."""

    def loaded(self) -> None:
        """Everything is restored and replayed: apply bounds, rebuild what is derived."""


@dataclass(eq=False)
class _JournalFile:
    """One append-only file, the parts it belongs to, and what waits to be written to it."""

    path: Path
    #: The parts whose records go here; the file is emptied once they are all snapshotted.
    parts: list[str] = field(default_factory=list)
    #: Other parts with records here (written before they had a file of their own).
    guests: set[str] = field(default_factory=set)
    pending: list[str] = field(default_factory=list)
    since_snapshot: int = 0


class EntryJournal:
    """The storage of one config entry's parts (ledger, report keys, ...)."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        self._hass = hass
        self._entry_id = entry_id
        self._parts: dict[str, JournalPart] = {}
        self._stores: dict[str, Store[dict[str, Any]]] = {}
        self._main = self._file(f"{DOMAIN}.{entry_id}.journal")
        self._files: list[_JournalFile] = [self._main]
        self._file_of: dict[str, _JournalFile] = {}
        self._seq = 0
        self._timer: asyncio.TimerHandle | None = None
        self._lock = asyncio.Lock()
        #: A pending record is a decision that must be on disk before it is acted on.
        self._urgent = False

    def _file(self, name: str) -> _JournalFile:
        return _JournalFile(Path(self._hass.config.path(".storage", name)))

    @property
    def pending(self) -> int:
        """How many records wait for the next write."""
        return sum(len(file.pending) for file in self._files)

    def add_part(self, name: str, part: JournalPart, *, own_file: bool = False) -> None:
        """Keep `part` under `name` (its snapshot file is `sms_bridge.<entry_id>.<name>`).

        `own_file`: its records go to `sms_bridge.<entry_id>.<name>.journal`, compacted on their
        own, instead of the entry's shared journal.
        """
        self._parts[name] = part
        self._stores[name] = Store(
            self._hass, STORAGE_VERSION, f"{DOMAIN}.{self._entry_id}.{name}", private=True
        )
        file = self._main
        if own_file:
            file = self._file(f"{DOMAIN}.{self._entry_id}.{name}.journal")
            self._files.append(file)
        file.parts.append(name)
        self._file_of[name] = file

    async def async_load(self) -> None:
        """Restore every part from its snapshot, then replay the records written after it."""
        covered: dict[str, int] = {}
        for name, part in self._parts.items():
            data = await self._stores[name].async_load() or {}
            covered[name] = int(data.get(SEQ, 0))
            part.restore(data)
        for file in self._files:
            records = await self._hass.async_add_executor_job(_read_records, file.path)
            for record in records:
                owner, seq = record.get("p"), record.get("q")
                if owner not in self._parts or not isinstance(seq, int) or seq <= covered[owner]:
                    continue
                self._seq = max(self._seq, seq)
                file.since_snapshot += 1
                if owner not in file.parts:
                    file.guests.add(owner)
                try:
                    self._parts[owner].replay(record)
                except (KeyError, TypeError, ValueError):
                    LOGGER.warning("Skipped an unreadable record in %s", file.path.name)
        self._seq = max(self._seq, *covered.values(), 0)
        for each in self._parts.values():
            each.loaded()

    @callback
    def async_start(self) -> CALLBACK_TYPE:
        """Flush when Home Assistant stops; returns the function that stops listening."""

        async def _final_write(_event: Event) -> None:
            await self.async_flush()

        return self._hass.bus.async_listen_once(EVENT_HOMEASSISTANT_FINAL_WRITE, _final_write)

    @callback
    def async_record(self, part: str, record: dict[str, Any], *, urgent: bool = False) -> None:
        """Journal one change of `part`; on disk within FLUSH_DELAY.

        `urgent`: the change is a decision about to be acted on; whoever acts (or answers a
        gateway for it) first awaits `async_flush_urgent`.
        """
        self._urgent = self._urgent or urgent
        self._seq += 1
        # "p" and "q" are the journal's own keys (part, sequence): a record never sets them.
        self._file_of[part].pending.append(json_dumps({**record, "p": part, "q": self._seq}))
        if self._timer is None:
            self._timer = self._hass.loop.call_later(FLUSH_DELAY, self._async_timer_fired)

    @callback
    def _async_timer_fired(self) -> None:
        self._timer = None
        self._hass.async_create_background_task(self.async_flush(), f"{DOMAIN} journal flush")

    async def async_flush_urgent(self) -> None:
        """Write what is pending now if an urgent record is among it; else leave it to the timer."""
        if self._urgent:
            await self.async_flush()

    async def async_flush(self) -> None:
        """Write what is pending now: appended, or as fresh snapshots when they are due."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        async with self._lock:
            urgent, self._urgent = self._urgent, False
            for file in self._files:
                if file.pending and not await self._async_write(file):
                    self._urgent = self._urgent or urgent  # tried again with the next write

    async def _async_write(self, file: _JournalFile) -> bool:
        """Append the file's pending records, then compact it if due; False when not written."""
        lines, file.pending = file.pending, []
        try:
            await self._hass.async_add_executor_job(_append, file.path, lines)
        except OSError as err:
            LOGGER.error("Could not write %s: %s", file.path.name, err.strerror)
            file.pending[:0] = lines  # tried again with the next change or on stop
            return False
        file.since_snapshot += len(lines)
        items = sum(len(self._parts[name]) for name in file.parts)
        if file.since_snapshot >= max(COMPACT_MIN, 2 * items):
            await self._async_compact(file)
        return True

    async def _async_compact(self, file: _JournalFile) -> None:
        """Snapshot the file's parts (taken here, in the event loop), then empty the file.

        The records are in the file already: a crash before it is emptied loses nothing.
        """
        seq = self._seq
        names = [*file.parts, *sorted(file.guests)]
        snapshots = {name: {SEQ: seq, **self._parts[name].snapshot()} for name in names}
        for name, data in snapshots.items():
            await self._stores[name].async_save(data)
        try:
            await self._hass.async_add_executor_job(_truncate, file.path)
        except OSError as err:
            LOGGER.error("Could not empty %s: %s", file.path.name, err.strerror)
        file.since_snapshot = 0
        file.guests.clear()


async def async_remove_entry_storage(hass: HomeAssistant, entry_id: str) -> None:
    """Delete all an entry stored, knowing only its id (the entry was removed, not loaded).

    Every part's snapshot (PARTS) and every journal file of the entry, whichever exist.
    """
    for name in PARTS:
        await Store[dict[str, Any]](
            hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}.{name}", private=True
        ).async_remove()
    folder = Path(hass.config.path(".storage"))
    await hass.async_add_executor_job(_unlink_journals, folder, f"{DOMAIN}.{entry_id}.")


def _unlink_journals(folder: Path, prefix: str) -> None:
    for path in folder.glob(f"{prefix}*journal"):
        path.unlink(missing_ok=True)


def _read_records(path: Path) -> list[dict[str, Any]]:
    """The journal's records; a line torn by a crash, or unreadable, is skipped."""
    try:
        text = path.read_bytes().decode("utf-8", errors="replace")
    except FileNotFoundError:
        return []
    records: list[dict[str, Any]] = []
    for line in text.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict):
            records.append(record)
    return records


def _append(path: Path, lines: list[str]) -> None:
    """Append the lines and make sure they reach the disk."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as file:
        file.write("".join(f"{line}\n" for line in lines))
        file.flush()
        os.fsync(file.fileno())


def _truncate(path: Path) -> None:
    """Empty the journal (everything in it is in the snapshots now)."""
    with path.open("w", encoding="utf-8") as file:
        file.flush()
        os.fsync(file.fileno())


def _unlink(path: Path) -> None:
    path.unlink(missing_ok=True)


__all__ = ["PARTS", "EntryJournal", "JournalPart", "async_remove_entry_storage"]
