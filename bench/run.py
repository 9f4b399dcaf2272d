"""The run: every measurement, in an order that lets the ledgers grow once, smallest first."""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass, field
import time
from typing import Any

from .disk import DiskResult, watch_disk
from .dlr import FloorReports, NoopReports, Reports
from .flood import FloodResult, flood
from .ingest import Source, Window, canary, client, interleaved
from .rig import Rig, running_rig
from .sending import SendRates, compare, fan_out, fill, grow, token_bursts
from .sizes import Sizes

GATEWAYS = ("fibo", "esms", "fpt", "smspay")
#: The entry whose ledger grows to `send_rate_ledger`; "reference" is its nearly empty twin.
SEND_RATE_KEY = "smspay"
#: The entry with the fan-out's concurrency option; also the one whose disk writes are watched
#: (its message ids are UUIDs, which cannot turn up in the files by chance).
FANOUT_KEY = "esms"
#: The entry flooded with reports for messages it never sent: eSMS's reports carry no secret.
FLOOD_KEY = "esms"


@dataclass
class Results:
    """Everything measured; `errors` names the measurements that could not be made."""

    sizes: Sizes
    ingest: dict[tuple[str, int], dict[str, Window]] = field(default_factory=dict)
    send: SendRates = field(default_factory=SendRates)
    fanout: list[float] = field(default_factory=list)
    tokens: tuple[int, int] | None = None
    disk: DiskResult | None = None
    flood: FloodResult | None = None
    errors: dict[str, str] = field(default_factory=dict)
    #: Seconds each phase of the run took, in order.
    phases: dict[str, float] = field(default_factory=dict)


class Clock:
    """Times the run's phases into `Results.phases`."""

    def __init__(self, phases: dict[str, float]) -> None:
        self._phases = phases
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        """The phase called `name` ends now."""
        now = time.perf_counter()
        self._phases[name] = now - self._last
        self._last = now


async def _ingest_phase(rig: Rig, results: Results, phase: str) -> None:
    """Every gateway and the no-op, at each concurrency, after a canary proves the reports."""
    sizes = results.sizes
    reports = [Reports(rig.accounts[key]) for key in GATEWAYS]
    sources: list[Source] = [NoopReports(rig.noop_url), FloorReports(rig.noop_url), *reports]
    assert rig.hass.process is not None
    async with client() as session:
        await canary(rig.hass, session, reports)
        for concurrency in sizes.concurrencies:
            results.ingest[(phase, concurrency)] = await interleaved(
                session,
                sources,
                concurrency,
                window=sizes.ingest_window,
                rounds=sizes.ingest_rounds,
                warmup=sizes.ingest_warmup,
                pid=rig.hass.process.pid,
            )


async def _flood_phase(rig: Rig, results: Results) -> FloodResult:
    """Reports for messages the entry never sent, at the large ledgers' size."""
    sizes = results.sizes
    async with client() as session:
        return await flood(
            rig.hass,
            session,
            rig.accounts[FLOOD_KEY],
            rig.noop_url,
            reports=sizes.flood_reports,
            concurrency=sizes.flood_concurrency,
            probes=sizes.flood_probes,
            settle=sizes.flood_settle,
        )


async def _fill_to(rig: Rig, results: Results, size: int) -> None:
    """Every gateway's ledger to `size`: the send-rate entry alone, a window at a time."""
    sizes = results.sizes
    others = [rig.accounts[key] for key in GATEWAYS if key != SEND_RATE_KEY]
    await fill(rig, others, size, sizes.batch)
    await grow(
        rig,
        rig.accounts[SEND_RATE_KEY],
        target=size,
        window=sizes.series_window,
        batch=sizes.batch,
        rates=results.send,
    )


async def _ledgers_and_ingest(rig: Rig, results: Results, clock: Clock) -> None:
    """Small ledgers, ingest; large ledgers, ingest; the send rate at the largest ledger."""
    sizes = results.sizes
    for account in rig.accounts.values():
        await rig.send(account, 1)  # an entry's first send: connections, its first refresh
    await _fill_to(rig, results, sizes.small_ledger)
    clock.lap(f"ledgers to {sizes.small_ledger:,}")
    await _ingest_phase(rig, results, "small")
    clock.lap("DLR ingest, small ledgers")
    await _fill_to(rig, results, sizes.big_ledger)
    clock.lap(f"ledgers to {sizes.big_ledger:,}")
    await _ingest_phase(rig, results, "big")
    clock.lap("DLR ingest, large ledgers")
    results.flood = await _guarded(results, "flood", _flood_phase(rig, results))
    clock.lap(f"flood of {sizes.flood_reports:,} unknown reports")
    rate_entry = rig.accounts[SEND_RATE_KEY]
    await grow(
        rig,
        rate_entry,
        target=sizes.send_rate_ledger,
        window=sizes.series_window,
        batch=sizes.batch,
        rates=results.send,
    )
    await compare(
        rig,
        rate_entry,
        rig.accounts["reference"],
        rates=results.send,
        window=sizes.compare_window,
        rounds=sizes.compare_rounds,
        batch=sizes.batch,
    )
    clock.lap(f"send rate, ledger to {sizes.send_rate_ledger:,}")


async def _guarded(results: Results, name: str, work: Awaitable[Any]) -> Any:
    """A measurement that may fail on its own without taking the others with it."""
    try:
        return await work
    except Exception as err:  # noqa: BLE001 - the table says which measurement failed, and why
        results.errors[name] = f"{type(err).__name__}: {err}"[:200]
        return None


async def _the_rest(rig: Rig, results: Results, clock: Clock) -> None:
    """Fan-out, FPT tokens, disk writes: each on its own."""
    sizes = results.sizes
    fanout = rig.accounts[FANOUT_KEY]
    results.fanout = (
        await _guarded(
            results,
            "fanout",
            fan_out(rig, fanout, sizes.fanout_numbers, sizes.fanout_latency, sizes.fanout_runs),
        )
        or []
    )
    clock.lap("fan-out")
    results.tokens = await _guarded(
        results,
        "tokens",
        token_bursts(rig, rig.accounts["fpt"], sizes.burst_calls, sizes.burst_numbers),
    )
    clock.lap("FPT token bursts")
    results.disk = await _guarded(
        results,
        "disk",
        watch_disk(rig, fanout, sizes.disk_interval, sizes.disk_duration, sizes.disk_tail),
    )
    clock.lap("disk writes")


async def run(sizes: Sizes) -> Results:
    """Start the world, measure everything, stop the world."""
    results = Results(sizes)
    clock = Clock(results.phases)
    async with running_rig(FANOUT_KEY, sizes.fanout_concurrency) as rig:
        clock.lap("start Home Assistant, add the entries")
        await _ledgers_and_ingest(rig, results, clock)
        await _the_rest(rig, results, clock)
    clock.lap("stop")
    return results
