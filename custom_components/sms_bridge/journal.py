"""Crash-safe storage for one entry: a snapshot per part plus one append-only journal.

Every change is a small record appended to the journal within `FLUSH_DELAY` of the change, however
steady the traffic (the timer is armed by the first change and never pushed back), so a kill -9
loses at most the last second. Records are serialized in the event loop, so the file written
later is the data as it was. The snapshots are rewritten only after twice as many records as the
data holds items: the cost of a change does not grow with the data.

Each record carries a sequence number and each snapshot the number it covers, so replaying a
journal that a crash left untruncated never takes a part back in time.
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any, Protocol

from homeassistant.const import EVENT_HOMEASSISTANT_FINAL_WRITE
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.helpers.json import json_dumps
from homeassistant.helpers.storage import Store

from .const import DOMAIN, LOGGER

STORAGE_VERSION = 1
#: Seconds between a change and its record on disk, at most.
FLUSH_DELAY = 0.5
#: A snapshot is rewritten after this many records at least, or twice as many as the data holds
#: items: the journal stays within a few times the data, and a change's share stays constant.
COMPACT_MIN = 1000
#: Key of the sequence number a snapshot covers.
SEQ = "seq"


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


class EntryJournal:
    """The storage of one config entry's parts (ledger, report keys, ...)."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        self._hass = hass
        self._entry_id = entry_id
        self._parts: dict[str, JournalPart] = {}
        self._stores: dict[str, Store[dict[str, Any]]] = {}
        self._path = Path(hass.config.path(".storage", f"{DOMAIN}.{entry_id}.journal"))
        self._pending: list[str] = []
        self._seq = 0
        self._since_snapshot = 0
        self._timer: asyncio.TimerHandle | None = None
        self._lock = asyncio.Lock()
        #: A pending record is a decision that must be on disk before it is acted on.
        self._urgent = False

    def add_part(self, name: str, part: JournalPart) -> None:
        """Keep `part` under `name` (its snapshot file is `sms_bridge.<entry_id>.<name>`)."""
        self._parts[name] = part
        self._stores[name] = Store(
            self._hass, STORAGE_VERSION, f"{DOMAIN}.{self._entry_id}.{name}", private=True
        )

    async def async_load(self) -> None:
        """Restore every part from its snapshot, then replay the records written after it."""
        covered: dict[str, int] = {}
        for name, part in self._parts.items():
            data = await self._stores[name].async_load() or {}
            covered[name] = int(data.get(SEQ, 0))
            part.restore(data)
        records = await self._hass.async_add_executor_job(_read_records, self._path)
        for record in records:
            owner, seq = record.get("p"), record.get("q")
            if owner not in self._parts or not isinstance(seq, int) or seq <= covered[owner]:
                continue
            self._seq = max(self._seq, seq)
            self._since_snapshot += 1
            try:
                self._parts[owner].replay(record)
            except (KeyError, TypeError, ValueError):
                LOGGER.warning("Skipped an unreadable record in %s", self._path.name)
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
        self._pending.append(json_dumps({"p": part, "q": self._seq, **record}))
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
            if not self._pending:
                return
            lines, self._pending = self._pending, []
            urgent, self._urgent = self._urgent, False
            try:
                await self._hass.async_add_executor_job(_append, self._path, lines)
            except OSError as err:
                LOGGER.error("Could not write %s: %s", self._path.name, err.strerror)
                self._pending[:0] = lines  # tried again with the next change or on stop
                self._urgent = self._urgent or urgent
                return
            self._since_snapshot += len(lines)
            if self._since_snapshot >= max(COMPACT_MIN, 2 * sum(map(len, self._parts.values()))):
                await self._async_compact()

    async def _async_compact(self) -> None:
        """Snapshot every part (taken here, in the event loop), then empty the journal.

        The records are in the journal already: a crash before it is emptied loses nothing.
        """
        seq = self._seq
        snapshots = {name: {SEQ: seq, **part.snapshot()} for name, part in self._parts.items()}
        for name, data in snapshots.items():
            await self._stores[name].async_save(data)
        try:
            await self._hass.async_add_executor_job(_truncate, self._path)
        except OSError as err:
            LOGGER.error("Could not empty %s: %s", self._path.name, err.strerror)
        self._since_snapshot = 0

    async def async_remove(self) -> None:
        """Delete every file (the entry was removed)."""
        for store in self._stores.values():
            await store.async_remove()
        await self._hass.async_add_executor_job(_unlink, self._path)


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


__all__ = ["EntryJournal", "JournalPart"]
