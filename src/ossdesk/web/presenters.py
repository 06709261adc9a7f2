"""The home page's breaches-this-week chart: an inline SVG (matplotlib is not among the locked
dependencies)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

CHART_COLUMN = 48  # px per day
CHART_BAR_WIDTH = 30
CHART_BAR_SPACE = 80  # px of height the tallest bar takes
CHART_TOP = 18  # room for the count above the tallest bar
SLA_STATE_LABELS = {
    "breached": "Breached",
    "running": "Running",
    "paused": "Paused",
    "met": "Met",
    "": "No SLA",
}


@dataclass(frozen=True)
class DayBar:
    day: date
    label: str
    count: int
    x: int
    y: int
    height: int


def breach_bars(days: list[tuple[date, int]]) -> tuple[list[DayBar], int, int]:
    """Vertical bars, one a day: the bars, the chart's width and its height."""
    largest = max((count for _, count in days), default=0) or 1
    bars = []
    for column, (day, count) in enumerate(days):
        height = max(round(count / largest * CHART_BAR_SPACE), 2) if count else 0
        bars.append(
            DayBar(
                day=day,
                label=f"{day:%a}",
                count=count,
                x=column * CHART_COLUMN + (CHART_COLUMN - CHART_BAR_WIDTH) // 2,
                y=CHART_TOP + CHART_BAR_SPACE - height,
                height=height,
            )
        )
    return bars, len(days) * CHART_COLUMN, CHART_TOP + CHART_BAR_SPACE + 20
