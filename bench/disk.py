"""Disk writes and durability lag, seen from outside: the entry's files polled as opaque bytes.

Under steady traffic (one send every `interval` s), a poller stats `.storage/sms_bridge.<entry
id>.*` every few milliseconds. A file whose inode, mtime or size changed was written; its bytes
are then searched for the message ids not yet seen on disk. The format is never parsed.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from pathlib import Path
import time

from .rig import Account, Rig

POLL = 0.01
#: Writes are counted until this long after the last send returned.
WRITE_GRACE = 1.0


@dataclass
class DiskResult:
    """Writes per second, and each message's lag from send-call return to being on disk."""

    writes_per_second: float
    sends: int
    lags: list[float]
    #: Messages never seen on disk while watched, and how long the longest-waiting one waited.
    missing: int
    watched: float


class DiskWatch:
    """The entry's files: when they were written, when each awaited message id appeared."""

    def __init__(self, storage: Path, entry_id: str) -> None:
        self._storage = storage
        self._pattern = f"sms_bridge.{entry_id}.*"
        self._stamps: dict[Path, tuple[int, int, int]] = {}
        self._data: dict[Path, bytes] = {}
        self.writes: list[float] = []
        self.pending: dict[str, float] = {}  # message id -> when its send returned
        self.lags: dict[str, float] = {}
        #: Set while no message id is awaited.
        self.all_seen = asyncio.Event()
        self.all_seen.set()
        self.scan(count=False)  # the files as they are before the traffic: not writes

    def expect(self, message_id: str, returned: float) -> None:
        """A send returned: look for its id from now on (it may already be on disk)."""
        if any(message_id.encode() in data for data in self._data.values()):
            self.lags[message_id] = 0.0
        else:
            self.pending[message_id] = returned
            self.all_seen.clear()

    def scan(self, *, count: bool = True) -> None:
        """One poll: note changed files, search their bytes for the awaited ids."""
        now = time.perf_counter()
        for path in self._storage.glob(self._pattern):
            try:
                stat = path.stat()
                stamp = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
                if self._stamps.get(path) == stamp:
                    continue
                data = path.read_bytes()
            except FileNotFoundError:  # replaced between the listing and the read
                continue
            if count:
                self.writes.append(now)
            self._stamps[path] = stamp
            self._data[path] = data
            for message_id in [m for m in self.pending if m.encode() in data]:
                self.lags[message_id] = now - self.pending.pop(message_id)
        if not self.pending:
            self.all_seen.set()

    async def run(self) -> None:
        """Poll until cancelled."""
        while True:
            self.scan()
            await asyncio.sleep(POLL)


async def _traffic(
    rig: Rig, account: Account, watch: DiskWatch, interval: float, count: int
) -> None:
    """One single-number send every `interval` s, `count` times, each awaited on disk."""

    async def one() -> None:
        for message_id, _ in await rig.send(account, 1):
            watch.expect(message_id, time.perf_counter())

    tasks = []
    start = time.perf_counter()
    for tick in range(count):
        await asyncio.sleep(max(0.0, start + tick * interval - time.perf_counter()))
        tasks.append(asyncio.create_task(one()))
    await asyncio.gather(*tasks)


async def watch_disk(
    rig: Rig, account: Account, interval: float, duration: float, tail: float
) -> DiskResult:
    """Steady sends through `account` while its files are watched; then wait for the last."""
    watch = DiskWatch(rig.storage, account.entry_id)
    poller = asyncio.create_task(watch.run())
    sends = round(duration / interval)
    try:
        start = time.perf_counter()
        await _traffic(rig, account, watch, interval, sends)
        last = time.perf_counter()
        await asyncio.sleep(WRITE_GRACE)  # writes are counted until then
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(
                watch.all_seen.wait(), max(0.0, last + tail - time.perf_counter())
            )
        end = time.perf_counter()
    finally:
        poller.cancel()
    writes = sum(1 for t in watch.writes if start <= t <= last + WRITE_GRACE)
    waited = [end - returned for returned in watch.pending.values()]
    return DiskResult(
        writes_per_second=writes / (last + WRITE_GRACE - start),
        sends=sends,
        lags=list(watch.lags.values()),
        missing=len(waited),
        watched=max(waited, default=0.0),
    )
