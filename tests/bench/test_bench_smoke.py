"""scripts/bench --quick end to end, so the benchmark cannot rot.

It checks that the table has every row, each with a figure, and never whether a goal was met:
timings are the benchmark's to report, not a test's to assert.
"""

from __future__ import annotations

import itertools
from pathlib import Path
import re
import subprocess
import sys

ROOT = Path(__file__).resolve().parents[2]
#: Only a guard against a hung run; the quick run takes about half a minute.
HANG_GUARD = 600
GATEWAYS = ("FiboSMS", "eSMS", "FPT", "SMSPAY")
EXPECTED = [
    "DLR ingest floor (one event, one event entity), 50 concurrent, vs no-op",
    "DLR ingest floor (one event, one event entity), 1 concurrent, vs no-op",
    *(
        f"DLR ingest {gateway}, {concurrency} concurrent, {what}"
        for gateway in GATEWAYS
        for concurrency in (50, 1)
        for what in ("100 in ledger, vs no-op", "100 vs 20 in ledger")
    ),
    "Flood of 500 eSMS reports for messages never sent: HA memory growth",
    "Flood: a real message's report, median reply after vs before, vs no-op",
    "Flood: a real report from before it, repeated after it: second events",
    "Flood: its last report, repeated after it: second events",
    "Send rate, ",
    "Fan-out: 20 numbers, 200 ms per send, concurrency 10",
    "FPT token requests, burst of 10 sends after a reload",
    "FPT token requests, burst of 10 sends, token expired",
    "Disk writes, ",
    "Durability lag: ",
]


def table(text: str) -> list[list[str]]:
    """The cells of each row of the results table (the page's first table)."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| Measurement "))
    block = list(itertools.takewhile(lambda line: line.startswith("|"), lines[start:]))
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in block]
    assert rows[0] == ["Measurement", "Figure", "Goal", "Result"], rows[0]
    return rows[2:]


def test_quick_run_fills_every_row(tmp_path: Path) -> None:
    output = tmp_path / "results.md"
    run = subprocess.run(  # noqa: S603 - this interpreter, the repository's own module
        [sys.executable, "-m", "bench", "--quick", "--output", str(output)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
        check=False,
    )
    assert run.returncode == 0, f"{run.stdout[-4000:]}\n{run.stderr[-4000:]}"
    rows = table(output.read_text())
    assert len(rows) == len(EXPECTED), [row[0] for row in rows]
    for (measurement, figure, goal, result), expected in zip(rows, EXPECTED, strict=True):
        assert measurement.startswith(expected), (measurement, expected)
        assert re.search(r"\d", figure), (measurement, figure)
        assert not figure.startswith("error"), (measurement, figure)
        assert goal, measurement
        assert result in ("met", "**not met**", "info"), (measurement, result)
    assert output.read_text() in run.stdout  # the same page is printed
