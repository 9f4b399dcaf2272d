"""The results table: each measurement, its figure, its goal, met or not; markdown."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

HEADER = ("Measurement", "Figure", "Goal", "Result")


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the table; `met` None means a figure shown for information, without a goal."""

    measurement: str
    figure: str
    goal: str = "-"
    met: bool | None = None

    @property
    def result(self) -> str:
        """What the last column says."""
        if self.met is None:
            return "info"
        return "met" if self.met else "**not met**"

    def cells(self) -> tuple[str, ...]:
        """The row's cells, in HEADER's order."""
        return (self.measurement, self.figure, self.goal, self.result)


def markdown(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A markdown table, columns padded so it also reads as plain text."""
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows, strict=True)]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(header), rule, *(line(row) for row in rows)])


def results_table(rows: list[Row]) -> str:
    """The table of every measurement."""
    return markdown(HEADER, [row.cells() for row in rows])
