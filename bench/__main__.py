"""scripts/bench [--quick] [--output FILE]: run every measurement, print and save the table."""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime
import os
from pathlib import Path
import statistics
import subprocess
import sys

from homeassistant.const import __version__ as ha_version

from .report import flood_details, ingest_details, rows, send_details
from .run import Results, run
from .sizes import FULL, QUICK
from .table import results_table

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUTPUT = ROOT / "artifacts" / "bench" / "results.md"


def _commit() -> str:
    """The checked-out commit, for the record; "?" outside a git checkout."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607 - git from PATH, like scripts/
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return "?"
    return out.stdout.strip()


def document(results: Results) -> str:
    """The whole results page: the table, then what each figure was made of."""
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    parts = [
        "# SMS Bridge benchmark",
        "",
        f"{results.sizes.name} run, {when}, commit {_commit()}, Home Assistant {ha_version},"
        f" {os.cpu_count()} CPUs, {sum(results.phases.values()):.0f} s.",
        "",
        results_table(rows(results)),
        "",
        "## DLR ingest: reports per second",
        "",
        ingest_details(results),
        "",
        f"## Flood of {results.sizes.flood_reports:,} reports for messages never sent (eSMS)",
        "",
        flood_details(results),
        "",
        "## Send rate as the ledger grew (SMSPAY)",
        "",
        send_details(results),
    ]
    if results.fanout:
        runs = ", ".join(f"{s:.2f} s" for s in results.fanout)
        parts += ["", f"Fan-out runs: {runs} (median {statistics.median(results.fanout):.2f} s)."]
    if results.disk is not None and results.disk.lags:
        lags = sorted(results.disk.lags)
        parts += [
            "",
            f"Durability lags of the {len(lags)} messages seen on disk: min {lags[0]:.2f} s,"
            f" median {statistics.median(lags):.2f} s, max {lags[-1]:.2f} s.",
        ]
    phases = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in results.phases.items())
    parts += ["", f"Phases: {phases}."]
    for name, error in results.errors.items():
        parts += ["", f"Error in {name}: {error}"]
    return "\n".join(parts) + "\n"


def main() -> None:
    """Entry point of scripts/bench."""
    parser = argparse.ArgumentParser(prog="scripts/bench", description=__doc__)
    parser.add_argument(
        "--quick",
        "--smoke",
        action="store_true",
        help="tiny sizes: every row in well under a minute",
    )
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="the results file")
    args = parser.parse_args()
    results = asyncio.run(run(QUICK if args.quick else FULL))
    text = document(results)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text)
    print(text)
    print(f"Written to {args.output}")
    sys.exit(1 if results.errors else 0)


if __name__ == "__main__":
    main()
