"""A flood of delivery reports for messages the entry never sent: what it leaves behind.

eSMS's reports carry no secret, so whoever learns the webhook's address can send them, as many as
they like; each still fires its event (`tracked: false`). The flood is well-formed eSMS reports,
each for a message id never used before, sent as the ingest phase sends its reports. Measured from
outside: Home Assistant's resident memory before and after it (settled), the reply time of a real
message's report before and after it (each against the no-op's, asked by turns), and whether a
report repeated after the flood fires a second event.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
import statistics
import time
from typing import Any
import uuid

import aiohttp

from tools.hass import HassProcess

from .dlr import ACCEPTED, BUILDERS, FIRST_STATUS, NoopReports, Reports, Request
from .ingest import EVENT, Window, cpu_seconds, post
from .rig import Account

#: How long a repeat check waits for the events of its reports.
EVENTS_TIMEOUT = 15.0
#: Resident memory is read this often while it settles, at most `RSS_READINGS` times.
RSS_INTERVAL = 0.5
RSS_READINGS = 20
#: Settled: the last three readings lie within this many bytes of each other.
RSS_STEADY = 256 * 1024


class FloodReports:
    """Reports for messages the entry never sent: a new message id each time, never repeated."""

    name = "flood"

    def __init__(self, account: Account) -> None:
        self._account = account
        self._build = BUILDERS[account.gateway]
        self.accepted: Callable[[int, str], bool] = ACCEPTED[account.gateway]
        #: The message id of the latest report made (its status is always FIRST_STATUS).
        self.last = ""

    def next(self) -> Request:
        """A report for a message id nobody sent (a UUID, as eSMS's ids are)."""
        self.last = str(uuid.uuid4())
        return self.report(self.last)

    def report(self, message_id: str) -> Request:
        """The report for `message_id` (the same request each time)."""
        return self._build(self._account, message_id, "0900000005", FIRST_STATUS)


@dataclass
class Probe:
    """Reply times (seconds) of a real message's reports and of the no-op's, asked by turns."""

    real: list[float] = field(default_factory=list)
    noop: list[float] = field(default_factory=list)

    @property
    def real_median(self) -> float:
        """The median reply time of the real message's reports."""
        return statistics.median(self.real)

    @property
    def noop_median(self) -> float:
        """The median reply time of the no-op webhook."""
        return statistics.median(self.noop)


@dataclass
class FloodResult:
    """What the flood cost, and whether the dedupe held after it."""

    #: The flood's requests: how many, how long, refused ones, CPU time.
    window: Window
    #: Home Assistant's settled resident memory (bytes) before and after the flood.
    rss_before: int
    rss_after: int
    before: Probe
    after: Probe
    #: Events fired again by a repeat after the flood: a real message's report from before it,
    #: and the flood's last report.
    real_repeat_events: int
    flood_repeat_events: int

    @property
    def growth(self) -> int:
        """Bytes of resident memory the flood added."""
        return self.rss_after - self.rss_before

    @property
    def slowdown(self) -> float:
        """A real report's median reply after the flood over before it, each over the no-op's.

        The no-op's reply, asked by turns with it, carries whatever else the machine was doing.
        """
        after = self.after.real_median / self.after.noop_median
        before = self.before.real_median / self.before.noop_median
        return after / before


def rss(pid: int) -> int:
    """A process's resident memory now (VmRSS), in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS in /proc/{pid}/status")


async def settled_rss(pid: int, settle: float) -> int:
    """Resident memory once it stops moving: after `settle` s, the median of three steady reads."""
    await asyncio.sleep(settle)
    readings = [rss(pid)]
    while len(readings) < RSS_READINGS:
        await asyncio.sleep(RSS_INTERVAL)
        readings.append(rss(pid))
        last = readings[-3:]
        if len(last) == 3 and max(last) - min(last) <= RSS_STEADY:
            break
    return int(statistics.median(readings[-3:]))


async def _timed(session: aiohttp.ClientSession, request: Request, accepted: Any) -> float:
    start = time.perf_counter()
    status, text = await post(session, request)
    seconds = time.perf_counter() - start
    if not accepted(status, text):
        raise RuntimeError(f"a probe was refused: HTTP {status}: {text[:80]}")
    return seconds


async def probe(
    session: aiohttp.ClientSession, real: Reports, noop: NoopReports, count: int
) -> Probe:
    """`count` reports of real messages, one at a time, each followed by a no-op request."""
    result = Probe()
    for _ in range(count):
        result.real.append(await _timed(session, real.next(), real.accepted))
        result.noop.append(await _timed(session, noop.next(), noop.accepted))
    return result


async def fired_again(
    hass: HassProcess,
    session: aiohttp.ClientSession,
    repeats: list[tuple[Request, str, str]],
    sentinel: tuple[Request, str, str],
) -> list[int]:
    """Events fired by each repeated report, told by a new report sent after them all.

    Events come in the order the reports were handled: once the sentinel's event is in, every
    event of the repeats would be in too.
    """
    counts = {(message_id, status): 0 for _, message_id, status in repeats}
    async with hass.events(EVENT) as queue:
        for request, _, _ in [*repeats, sentinel]:
            await post(session, request)
        _, sentinel_id, sentinel_status = sentinel
        async with asyncio.timeout(EVENTS_TIMEOUT):
            while True:
                data: dict[str, Any] = (await queue.get())["data"]
                key = (data["message_id"], data["provider_status"])
                if key == (sentinel_id, sentinel_status):
                    break
                if key in counts:
                    counts[key] += 1
    return list(counts.values())


async def flood(
    hass: HassProcess,
    session: aiohttp.ClientSession,
    account: Account,
    noop_url: str,
    *,
    reports: int,
    concurrency: int,
    probes: int,
    settle: float,
) -> FloodResult:
    """Probe, flood `account`'s webhook with `reports` unknown reports, probe again, repeat."""
    assert hass.process is not None
    pid = hass.process.pid
    real, noop, forged = Reports(account), NoopReports(noop_url), FloodReports(account)
    seen_before = real.canary()  # a real message's report, answered before the flood
    await _timed(session, seen_before[0], real.accepted)
    before = await probe(session, real, noop, probes)
    rss_before = await settled_rss(pid, settle)
    window = await _flood(session, forged, reports, concurrency, pid)
    rss_after = await settled_rss(pid, settle)
    after = await probe(session, real, noop, probes)
    last_forged = (forged.report(forged.last), forged.last, str(FIRST_STATUS))
    real_again, forged_again = await fired_again(
        hass, session, [seen_before, last_forged], real.canary()
    )
    return FloodResult(
        window=window,
        rss_before=rss_before,
        rss_after=rss_after,
        before=before,
        after=after,
        real_repeat_events=real_again,
        flood_repeat_events=forged_again,
    )


async def _flood(
    session: aiohttp.ClientSession,
    forged: FloodReports,
    reports: int,
    concurrency: int,
    pid: int,
) -> Window:
    """Exactly `reports` forged reports, `concurrency` in flight, as the ingest phase sends."""
    window = Window()
    remaining = reports
    start = time.perf_counter()
    cpu_before = cpu_seconds(pid), time.process_time()

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            status, text = await post(session, forged.next())
            window.count += 1
            if not forged.accepted(status, text):
                window.refused += 1
                window.first_refusal = window.first_refusal or f"HTTP {status}: {text[:80]}"

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    window.seconds = time.perf_counter() - start
    window.hass_cpu = cpu_seconds(pid) - cpu_before[0]
    window.bench_cpu = time.process_time() - cpu_before[1]
    return window
