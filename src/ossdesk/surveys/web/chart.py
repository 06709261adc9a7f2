"""The results page's bar chart, as numbers for a hand-written SVG: CSAT per period, bar height by
per cent, with the answer count under each bar. Pure arithmetic, no Django."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

WIDTH = 640
HEIGHT = 200
TOP = 16  # room for the value above a full bar
BOTTOM = 36  # room for two lines of labels
LEFT = 36  # room for the 0/50/100 % axis labels
PLOT = HEIGHT - TOP - BOTTOM


class PeriodFigures(Protocol):
    @property
    def label(self) -> str: ...
    @property
    def answered(self) -> int: ...
    @property
    def csat(self) -> float | None: ...


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    centre: float
    value_y: float
    label: str
    value: str
    answered: int


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    top: int
    baseline: int
    label_y: int
    count_y: int
    axis_x: int
    bars: tuple[Bar, ...]
    gridlines: tuple[tuple[float, str], ...]


def csat_chart(rows: Sequence[PeriodFigures]) -> Chart:
    """Bars for periods; a period without answers gets no bar, only its label and "—"."""
    baseline = TOP + PLOT
    slot = (WIDTH - LEFT) / max(len(rows), 1)
    width = max(min(slot * 0.7, 48), 2)
    bars = []
    for index, row in enumerate(rows):
        height = PLOT * (row.csat or 0) / 100
        x = LEFT + index * slot + (slot - width) / 2
        bars.append(
            Bar(
                x=round(x, 1),
                y=round(baseline - height, 1),
                width=round(width, 1),
                height=round(height, 1),
                centre=round(x + width / 2, 1),
                value_y=round(baseline - height - 3, 1),
                label=row.label,
                value=f"{row.csat:g}%" if row.csat is not None else "—",
                answered=row.answered,
            )
        )
    gridlines = tuple((round(baseline - PLOT * p / 100, 1), f"{p}%") for p in (0, 50, 100))
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        top=TOP,
        baseline=baseline,
        label_y=baseline + 14,
        count_y=baseline + 28,
        axis_x=LEFT - 4,
        bars=tuple(bars),
        gridlines=gridlines,
    )
