"""From results to the table (figure, goal, met) and the details behind each figure."""

from __future__ import annotations

import math
import statistics

from .ingest import Window
from .rig import LABELS
from .run import GATEWAYS, Results
from .table import Row, markdown

NOOP = "no-op"
FLOOR = "floor"
VS_NOOP_GOAL = 0.75
FLAT_GOAL = 0.9
SEND_RATE_GOAL = 0.8
FANOUT_GOAL = 1.25
WRITES_GOAL = 2.0
LAG_GOAL = 1.5
FLOOD_MEMORY_GOAL = 5_000_000
FLOOD_SLOWDOWN_GOAL = 1.5
MB = 1_000_000


def _refused(window: Window) -> str:
    return f"; {window.refused} refused: {window.first_refusal}" if window.refused else ""


def round_ratio(target: Window, baseline: Window) -> float:
    """The median over rounds of the target's rate / its neighbouring baseline windows' mean.

    A burst of load from elsewhere on the machine then skews one round, not the figure. Without
    neighbours (a target measured on its own), the ratio of the totals.
    """
    pairs = [t / b for t, b in zip(target.rounds, target.beside, strict=True) if b]
    return statistics.median(pairs) if pairs else target.rate / baseline.rate


def _ingest_rows(results: Results, label: str, concurrency: int) -> list[Row]:
    """vs the no-op with the large ledger, and large vs small ledger, at one concurrency."""
    sizes = results.sizes
    big, small = results.ingest[("big", concurrency)], results.ingest[("small", concurrency)]
    vs_noop = round_ratio(big[label], big[NOOP])
    small_vs_noop = round_ratio(small[label], small[NOOP])
    floor = round_ratio(big[FLOOR], big[NOOP])
    flat = vs_noop / small_vs_noop
    valid = not (big[label].refused or small[label].refused)
    goal_applies = concurrency == max(sizes.concurrencies)  # the goal: at 50 concurrent
    where = f"DLR ingest {label}, {concurrency} concurrent"
    return [
        Row(
            f"{where}, {sizes.big_ledger:,} in ledger, vs no-op",
            f"{vs_noop:.2f}x ({big[label].rate:,.0f}/s vs {big[NOOP].rate:,.0f}/s;"
            f" {vs_noop / floor:.2f}x the floor)" + _refused(big[label]),
            f">= {VS_NOOP_GOAL}x" if goal_applies else "-",
            (valid and vs_noop >= VS_NOOP_GOAL) if goal_applies else None,
        ),
        Row(
            f"{where}, {sizes.big_ledger:,} vs {sizes.small_ledger:,} in ledger",
            f"{flat:.2f}x ({vs_noop:.2f}x vs {small_vs_noop:.2f}x of no-op)"
            + _refused(small[label]),
            f">= {FLAT_GOAL}x",
            valid and flat >= FLAT_GOAL,
        ),
    ]


def _flood_rows(results: Results) -> list[Row]:
    """What a flood of reports for messages never sent leaves behind, and whether dedupe held."""
    sizes = results.sizes
    names = (
        f"Flood of {sizes.flood_reports:,} eSMS reports for messages never sent: HA memory growth",
        "Flood: a real message's report, median reply after vs before, vs no-op",
        "Flood: a real report from before it, repeated after it: second events",
        "Flood: its last report, repeated after it: second events",
    )
    goals = (f"<= {FLOOD_MEMORY_GOAL / MB:g} MB", f"<= {FLOOD_SLOWDOWN_GOAL}x", "0", "0")
    flood = results.flood
    if flood is None:
        error = f"error: {results.errors.get('flood', '')}"
        return [Row(name, error, goal, False) for name, goal in zip(names, goals, strict=True)]
    window = flood.window
    valid = not window.refused
    memory = (
        f"{flood.growth / MB:.1f} MB ({flood.rss_before / MB:.1f} -> {flood.rss_after / MB:.1f} MB"
        f" resident; {window.rate:,.0f} reports/s)" + _refused(window)
    )
    ms = 1000
    reply = (
        f"{flood.slowdown:.2f}x ({flood.after.real_median * ms:.2f} ms vs"
        f" {flood.before.real_median * ms:.2f} ms; no-op {flood.after.noop_median * ms:.2f} ms"
        f" vs {flood.before.noop_median * ms:.2f} ms)"
    )
    return [
        Row(names[0], memory, goals[0], valid and flood.growth <= FLOOD_MEMORY_GOAL),
        Row(names[1], reply, goals[1], valid and flood.slowdown <= FLOOD_SLOWDOWN_GOAL),
        Row(names[2], str(flood.real_repeat_events), goals[2], flood.real_repeat_events == 0),
        Row(names[3], str(flood.flood_repeat_events), goals[3], flood.flood_repeat_events == 0),
    ]


def flood_details(results: Results) -> str:
    """The flood's pace and CPU, and the reply times it is compared on."""
    flood = results.flood
    if flood is None:
        return "Not measured."
    window = flood.window
    hass, bench = window.cpu_shares()
    ms = 1000
    return (
        f"{window.count:,} reports in {window.seconds:.1f} s ({window.rate:,.0f}/s; CPU: HA"
        f" {hass:.0%}, bench {bench:.0%}). Median replies of {len(flood.before.real)} real"
        " reports, each followed by a no-op request: before the flood"
        f" {flood.before.real_median * ms:.2f} ms (no-op {flood.before.noop_median * ms:.2f} ms),"
        " after it"
        f" {flood.after.real_median * ms:.2f} ms (no-op {flood.after.noop_median * ms:.2f} ms)."
        f" Resident memory {flood.rss_before / MB:.1f} MB before, {flood.rss_after / MB:.1f} MB"
        " after (each read once it held still)."
    )


def _send_rate_row(results: Results) -> Row:
    send = results.send
    ratio = send.full.per_second / send.empty.per_second
    return Row(
        f"Send rate, {send.full_ledger:,}+ vs <= {send.empty_ledger:,} in ledger (SMSPAY)",
        f"{ratio:.2f}x ({send.full.per_second:,.0f}/s vs {send.empty.per_second:,.0f}/s)",
        f">= {SEND_RATE_GOAL}x",
        ratio >= SEND_RATE_GOAL,
    )


def _fanout_row(results: Results) -> Row:
    sizes = results.sizes
    ideal = math.ceil(sizes.fanout_numbers / sizes.fanout_concurrency) * sizes.fanout_latency
    name = (
        f"Fan-out: {sizes.fanout_numbers} numbers, {sizes.fanout_latency * 1000:.0f} ms per send,"
        f" concurrency {sizes.fanout_concurrency} (eSMS)"
    )
    goal = f"<= {ideal * FANOUT_GOAL:.2f} s ({FANOUT_GOAL}x ideal)"
    if not results.fanout:
        return Row(name, f"error: {results.errors.get('fanout', '')}", goal, False)
    seconds = statistics.median(results.fanout)
    return Row(
        name,
        f"{seconds:.2f} s ({seconds / ideal:.2f}x ideal {ideal:.1f} s)",
        goal,
        seconds <= ideal * FANOUT_GOAL,
    )


def _token_rows(results: Results) -> list[Row]:
    sizes = results.sizes
    sends = sizes.burst_calls * sizes.burst_numbers
    names = (
        f"FPT token requests, burst of {sends} sends after a reload",
        f"FPT token requests, burst of {sends} sends, token expired",
    )
    if results.tokens is None:
        error = f"error: {results.errors.get('tokens', '')}"
        return [Row(name, error, "1", False) for name in names]
    return [
        Row(name, f"{count} token request{'s' * (count != 1)}", "1", count == 1)
        for name, count in zip(names, results.tokens, strict=True)
    ]


def _disk_rows(results: Results) -> list[Row]:
    sizes = results.sizes
    disk = results.disk
    writes = f"Disk writes, a send every {sizes.disk_interval} s for {sizes.disk_duration:g} s"
    lag = "Durability lag: send returned -> message id in the entry's files"
    if disk is None:
        error = f"error: {results.errors.get('disk', '')}"
        return [Row(writes, error, "<= 2/s", False), Row(lag, error, "max <= 1.5 s", False)]
    longest = max([*disk.lags, disk.watched])
    if disk.missing:
        lag_figure = (
            f"> {longest:.1f} s ({disk.missing} of {disk.sends} not on disk"
            f" {sizes.disk_tail:.0f} s after the last send)"
        )
    else:
        lag_figure = f"{longest:.2f} s max, {statistics.median(disk.lags):.2f} s median"
    return [
        Row(
            writes,
            f"{disk.writes_per_second:.1f}/s per entry",
            "<= 2/s",
            disk.writes_per_second <= WRITES_GOAL,
        ),
        Row(lag, lag_figure, f"max <= {LAG_GOAL} s", not disk.missing and longest <= LAG_GOAL),
    ]


def _floor_rows(results: Results) -> list[Row]:
    """What Home Assistant itself costs per report: the floor webhook against the no-op."""
    sizes = results.sizes
    table = []
    for concurrency in sorted(sizes.concurrencies, reverse=True):
        big = results.ingest[("big", concurrency)]
        table.append(
            Row(
                f"DLR ingest floor (one event, one event entity), {concurrency} concurrent,"
                " vs no-op",
                f"{round_ratio(big[FLOOR], big[NOOP]):.2f}x"
                f" ({big[FLOOR].rate:,.0f}/s vs {big[NOOP].rate:,.0f}/s)" + _refused(big[FLOOR]),
            )
        )
    return table


def rows(results: Results) -> list[Row]:
    """The table's rows, in a fixed order."""
    table: list[Row] = _floor_rows(results)
    for key in GATEWAYS:
        for concurrency in sorted(results.sizes.concurrencies, reverse=True):
            table += _ingest_rows(results, LABELS[key], concurrency)
    table += _flood_rows(results)
    table.append(_send_rate_row(results))
    table.append(_fanout_row(results))
    table += _token_rows(results)
    table += _disk_rows(results)
    return table


def _rate_cell(window: Window) -> str:
    hass, bench = window.cpu_shares()
    return f"{window.rate:,.0f}/s (CPU: HA {hass:.0%}, bench {bench:.0%})"


def ingest_details(results: Results) -> str:
    """Reports per second of every target, and Home Assistant's CPU share while it ran."""
    conditions = sorted(results.ingest, key=lambda c: (c[0] != "small", c[1]))
    ledgers = {"small": results.sizes.small_ledger, "big": results.sizes.big_ledger}
    header = ("Target", *(f"{c} concurrent, {ledgers[p]:,} in ledger" for p, c in conditions))
    targets = [NOOP, FLOOR, *(LABELS[key] for key in GATEWAYS)]
    body = [
        (
            target,
            *(_rate_cell(results.ingest[c][target]) for c in conditions),
        )
        for target in targets
    ]
    return markdown(header, body)


def send_details(results: Results) -> str:
    """The send rate as the SMSPAY entry's ledger grew."""
    body = [(f"{ledger:,}", f"{rate.per_second:,.0f}/s") for ledger, rate in results.send.series]
    return markdown(("Ledger before the window", "Sends per second"), body)
