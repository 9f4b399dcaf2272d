"""How big each measurement is: the full run, and the quick run the smoke test uses."""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True, slots=True)
class Sizes:
    """Every count and duration of a run."""

    name: str
    #: Messages in each entry's ledger for the small- and the large-ledger ingest phases.
    small_ledger: int
    big_ledger: int
    #: Messages in the send-rate entry's ledger for the "full" send-rate windows.
    send_rate_ledger: int
    #: Numbers per `sms_bridge.send` call while filling and measuring.
    batch: int
    #: Sends per window of the send-rate series (as the ledger grows) and of the comparison.
    series_window: int
    compare_window: int
    compare_rounds: int
    #: DLR ingest: seconds per measured window, rounds of every target, warm-up seconds.
    ingest_window: float
    ingest_rounds: int
    ingest_warmup: float
    concurrencies: tuple[int, ...]
    #: Flood: reports for unknown messages, sent this many at once; real reports timed before
    #: and after it (each with a no-op request); seconds before resident memory is read.
    flood_reports: int
    flood_concurrency: int
    flood_probes: int
    flood_settle: float
    #: Fan-out: numbers in the one call, runs (median taken), gateway latency, concurrency option.
    fanout_numbers: int
    fanout_runs: int
    fanout_latency: float
    fanout_concurrency: int
    #: FPT token burst: concurrent calls, numbers per call.
    burst_calls: int
    burst_numbers: int
    #: Disk: seconds between sends, seconds of traffic, longest wait for the last write after it.
    disk_interval: float
    disk_duration: float
    disk_tail: float


FULL = Sizes(
    name="full",
    small_ledger=300,
    big_ledger=4000,
    send_rate_ledger=9000,
    batch=50,
    series_window=500,
    compare_window=200,
    compare_rounds=3,
    ingest_window=1.0,
    ingest_rounds=7,
    ingest_warmup=0.25,
    concurrencies=(1, 50),
    flood_reports=20_000,
    flood_concurrency=50,
    flood_probes=300,
    flood_settle=3.0,
    fanout_numbers=100,
    fanout_runs=3,
    fanout_latency=0.2,
    fanout_concurrency=10,
    burst_calls=4,
    burst_numbers=5,
    disk_interval=0.3,
    disk_duration=10.0,
    disk_tail=12.0,
)

QUICK = replace(
    FULL,
    name="quick",
    small_ledger=20,
    big_ledger=100,
    send_rate_ledger=200,
    batch=20,
    series_window=50,
    compare_window=20,
    compare_rounds=1,
    ingest_window=0.25,
    ingest_rounds=1,
    ingest_warmup=0.05,
    flood_reports=500,
    flood_probes=20,
    flood_settle=1.0,
    fanout_numbers=20,
    fanout_runs=1,
    burst_calls=2,
    disk_duration=1.5,
    disk_tail=2.0,
)
