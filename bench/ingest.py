"""Delivery-report ingest: webhook requests from this process at a fixed concurrency, timed.

Each target (a gateway's entry, or the no-op webhook) is hammered for a fixed time; targets take
turns, in an order that rotates every round, so drift on a noisy machine hits every one of them.
Home Assistant's own CPU time (from /proc) is kept per window to tell a server-bound figure from
a client-bound one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
import os
from pathlib import Path
import time
from typing import Any, Protocol

import aiohttp

from tools.hass import HassProcess

from .dlr import Reports, Request

EVENT = "sms_bridge_delivery_report"
CANARY_TIMEOUT = 15.0
REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=60)


class Source(Protocol):
    """Where a target's requests come from."""

    name: str
    accepted: Callable[[int, str], bool]

    def next(self) -> Request:
        """The next request."""


@dataclass
class Window:
    """Requests answered in some seconds; `refused` ones were not the accepted reply."""

    count: int = 0
    refused: int = 0
    seconds: float = 0.0
    hass_cpu: float = 0.0
    bench_cpu: float = 0.0
    first_refusal: str = ""
    #: The rate of each window summed into this one, in order: one per round.
    rounds: list[float] = field(default_factory=list)
    #: Per round, the mean rate of the baseline windows right before and after this one.
    beside: list[float] = field(default_factory=list)

    def add(self, other: Window) -> None:
        """Sum another window into this one (and remember its rate as a round's)."""
        self.rounds.append(other.rate)
        self.count += other.count
        self.refused += other.refused
        self.seconds += other.seconds
        self.hass_cpu += other.hass_cpu
        self.bench_cpu += other.bench_cpu
        self.first_refusal = self.first_refusal or other.first_refusal

    @property
    def rate(self) -> float:
        """Requests per second."""
        return self.count / self.seconds if self.seconds else 0.0

    def cpu_shares(self) -> tuple[float, float]:
        """CPU seconds per second of Home Assistant and of this process (1.0 = a core busy)."""
        if not self.seconds:
            return 0.0, 0.0
        return self.hass_cpu / self.seconds, self.bench_cpu / self.seconds


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system, all threads) a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def client() -> aiohttp.ClientSession:
    """An HTTP client as light as aiohttp gets: no connection limit, no cookies."""
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=0), cookie_jar=aiohttp.DummyCookieJar()
    )


async def post(session: aiohttp.ClientSession, request: Request) -> tuple[int, str]:
    """Send one request; its status and body."""
    async with session.request(
        request.method,
        request.url,
        headers=request.headers,
        data=request.body,
        timeout=REQUEST_TIMEOUT,
    ) as response:
        return response.status, (await response.read()).decode(errors="replace")


async def hammer(
    session: aiohttp.ClientSession, source: Source, concurrency: int, seconds: float, pid: int
) -> Window:
    """`concurrency` requests in flight until `seconds` pass; what was answered, and how."""
    window = Window()
    start = time.perf_counter()
    deadline = start + seconds
    cpu_before = cpu_seconds(pid), time.process_time()

    async def worker() -> None:
        while time.perf_counter() < deadline:
            status, text = await post(session, source.next())
            window.count += 1
            if not source.accepted(status, text):
                window.refused += 1
                window.first_refusal = window.first_refusal or f"HTTP {status}: {text[:80]}"

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    window.seconds = time.perf_counter() - start
    window.hass_cpu = cpu_seconds(pid) - cpu_before[0]
    window.bench_cpu = time.process_time() - cpu_before[1]
    return window


async def interleaved(
    session: aiohttp.ClientSession,
    sources: list[Source],
    concurrency: int,
    *,
    window: float,
    rounds: int,
    warmup: float,
    pid: int,
) -> dict[str, Window]:
    """`rounds` turns of every target, each between two windows of the baseline (`sources[0]`).

    The order of the targets rotates from round to round. Each target window remembers the mean
    rate of the baseline windows right before and after it (`Window.beside`): a ratio against its
    own neighbours is not moved by a slow drift of the machine's load.
    """
    baseline, targets = sources[0], sources[1:]
    for source in sources:
        await hammer(session, source, concurrency, warmup, pid)
    totals = {source.name: Window() for source in sources}
    for turn in range(rounds):
        shift = turn % len(targets)
        before = await hammer(session, baseline, concurrency, window, pid)
        totals[baseline.name].add(before)
        for target in targets[shift:] + targets[:shift]:
            measured = await hammer(session, target, concurrency, window, pid)
            after = await hammer(session, baseline, concurrency, window, pid)
            totals[baseline.name].add(after)
            totals[target.name].add(measured)
            totals[target.name].beside.append((before.rate + after.rate) / 2)
            before = after
    return totals


async def canary(hass: HassProcess, session: aiohttp.ClientSession, sources: list[Reports]) -> None:
    """One report per gateway must fire its event, tracked and with the phone, or nothing counts."""
    async with hass.events(EVENT) as queue:
        expected: dict[tuple[str, str], str] = {}
        for source in sources:
            request, message_id, status = source.canary()
            code, text = await post(session, request)
            if not source.accepted(code, text):
                raise RuntimeError(f"{source.name} refused the bench's report: {code} {text[:80]}")
            expected[(message_id, status)] = source.name
        try:
            async with asyncio.timeout(CANARY_TIMEOUT):
                while expected:
                    data: dict[str, Any] = (await queue.get())["data"]
                    name = expected.pop((data["message_id"], data["provider_status"]), None)
                    if name is not None and not (data["tracked"] and data["phone"]):
                        raise RuntimeError(f"{name}: the bench's report was not matched: {data}")
        except TimeoutError:
            missing = ", ".join(expected.values())
            raise RuntimeError(f"no event for the bench's report through {missing}") from None
