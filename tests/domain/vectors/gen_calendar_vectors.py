"""Differential vectors for ossdesk.domain.calendar, computed by pandas' CustomBusinessHour.

Run ``python tests/domain/vectors/gen_calendar_vectors.py`` to rewrite ``calendar_pandas.json`` beside this
file; the tests read the JSON, so they need neither pandas nor this script. When pandas is importable,
tests/domain/test_calendar.py also imports this module to check a fresh random sample live.

What pandas models, and so what the calendars here stay within:

* one list of opening intervals (``start``/``end`` lists) shared by every open weekday, a weekmask and
  holiday dates;
* naive local times: every calendar keeps its zone's daylight-saving changes outside opening hours, so that
  naive local arithmetic and aware arithmetic agree. Starts are real instants, handed to pandas as naive
  local time; results fall inside opening hours, where local time is unambiguous, and are converted back;
* whole hours: ``n`` is an integer number of hours.

Holidays come from the ``holidays`` library once, here, and are written out as dates, so the vectors do not
move when that library's data does.
"""

from __future__ import annotations

import json
import random
import re
from datetime import UTC, date, datetime, time, timedelta
from importlib.metadata import version
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import holidays as holiday_library
import pandas as pd
from pandas.tseries.offsets import CustomBusinessHour

OUTPUT = Path(__file__).with_name("calendar_pandas.json")
SEED = 20251128
CASES_PER_CALENDAR = 400
YEARS = range(2024, 2028)
FIRST_START = datetime(2024, 1, 1, tzinfo=UTC)
LAST_START = datetime(2026, 12, 1, tzinfo=UTC)

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MON_FRI = WEEKDAYS[:5]

CALENDARS: list[dict[str, Any]] = [
    {
        "name": "berlin-split-shift",
        "tz": "Europe/Berlin",
        "days": MON_FRI,
        "hours": [("08:00", "12:00"), ("13:00", "17:30")],
        "country": "DE",
        "subdiv": "BE",
    },
    {
        "name": "new-york-office",
        "tz": "America/New_York",
        "days": MON_FRI,
        "hours": [("09:00", "18:00")],
        "country": "US",
        "subdiv": "NY",
    },
    {
        "name": "kolkata-office",
        "tz": "Asia/Kolkata",
        "days": (*MON_FRI, "sat"),
        "hours": [("09:30", "13:30"), ("14:15", "18:30")],
        "country": "IN",
        "subdiv": None,
    },
    {
        "name": "riyadh-sunday-to-thursday",
        "tz": "Asia/Riyadh",
        "days": ("sun", "mon", "tue", "wed", "thu"),
        "hours": [("08:00", "16:00")],
        "country": "SA",
        "subdiv": None,
    },
    {
        "name": "sydney-three-shifts",
        "tz": "Australia/Sydney",
        "days": (*MON_FRI, "sat"),
        "hours": [("06:15", "10:00"), ("10:30", "14:45"), ("15:00", "19:00")],
        "country": "AU",
        "subdiv": "NSW",
    },
    {
        "name": "lord-howe-office",
        "tz": "Australia/Lord_Howe",
        "days": MON_FRI,
        "hours": [("09:00", "17:00")],
        "country": "AU",
        "subdiv": "NSW",
    },
    {
        "name": "london-long-day",
        "tz": "Europe/London",
        "days": WEEKDAYS,
        "hours": [("07:00", "23:00")],
        "country": "GB",
        "subdiv": "ENG",
    },
]


def calendar_spec(entry: dict[str, Any]) -> dict[str, Any]:
    """The JSON form of one calendar: what BusinessCalendar needs, and what pandas needs."""
    listed = holiday_library.country_holidays(entry["country"], subdiv=entry["subdiv"], years=list(YEARS))
    return {
        "name": entry["name"],
        "tz": entry["tz"],
        "weekly": {day: [list(interval) for interval in entry["hours"]] for day in entry["days"]},
        "holidays": sorted(day.isoformat() for day in listed),
        "holidays_from": f"holidays {version('holidays')}: {entry['country']} {entry['subdiv']}",
    }


class PandasOracle:
    """``naive local start + CustomBusinessHour(n)`` for one calendar spec, offsets cached by n."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.zone = ZoneInfo(spec["tz"])
        days = list(spec["weekly"])
        hours = spec["weekly"][days[0]]
        if any(spec["weekly"][day] != hours for day in days):
            raise ValueError(f"{spec['name']}: pandas needs the same hours on every open day")
        self.base = CustomBusinessHour(
            n=1,
            weekmask=" ".join(day.capitalize() for day in days),
            holidays=spec["holidays"],
            start=[opening for opening, _ in hours],
            end=[closing for _, closing in hours],
        )
        self.offsets: dict[int, CustomBusinessHour] = {}

    def deadline(self, start: datetime, hours: int) -> datetime:
        """The aware instant pandas gives for ``start`` plus ``hours`` business hours."""
        offset = self.offsets.get(hours)
        if offset is None:
            offset = self.offsets[hours] = self.base * hours
        naive = start.astimezone(self.zone).replace(tzinfo=None, fold=0)
        result: datetime = (pd.Timestamp(naive) + offset).to_pydatetime()
        aware = result.replace(tzinfo=self.zone)
        if aware.astimezone(UTC).astimezone(self.zone).replace(tzinfo=None) != result:
            raise AssertionError(f"pandas result {result} does not exist in {self.zone.key}")
        return aware


def random_start(spec: dict[str, Any], rng: random.Random) -> datetime:
    """A start instant: mostly uniform, sometimes on an opening or closing time, sometimes on a holiday."""
    zone = ZoneInfo(spec["tz"])
    kind = rng.random()
    if kind < 0.6:
        span = int((LAST_START - FIRST_START).total_seconds())
        return (FIRST_START + timedelta(seconds=rng.randrange(span))).astimezone(zone)
    if kind < 0.85:
        day = FIRST_START.date() + timedelta(days=rng.randrange((LAST_START - FIRST_START).days))
        boundaries = [clock for interval in next(iter(spec["weekly"].values())) for clock in interval]
        clock = time.fromisoformat(rng.choice(boundaries))
        nudge = timedelta(seconds=rng.choice([0, 0, 0, -1, 1, -59, 59, 1800]))
        return datetime.combine(day, clock, tzinfo=zone) + nudge
    day = date.fromisoformat(rng.choice(spec["holidays"]))
    return datetime.combine(day, time(), tzinfo=zone) + timedelta(seconds=rng.randrange(86_400))


def random_hours(rng: random.Random) -> int:
    """A duration in whole hours: mostly within a day or two, sometimes weeks."""
    kind = rng.random()
    if kind < 0.6:
        return rng.randint(1, 12)
    if kind < 0.9:
        return rng.randint(13, 80)
    return rng.randint(81, 400)


def make_cases(spec: dict[str, Any], rng: random.Random, count: int) -> list[list[Any]]:
    """``count`` cases ``[start ISO, duration minutes, expected ISO]`` computed by pandas."""
    oracle = PandasOracle(spec)
    cases = []
    for _ in range(count):
        start = random_start(spec, rng)
        hours = random_hours(rng)
        cases.append([start.isoformat(), hours * 60, oracle.deadline(start, hours).isoformat()])
    return cases


def main() -> None:
    """Write the vectors file."""
    calendars = []
    for index, entry in enumerate(CALENDARS):
        spec = calendar_spec(entry)
        spec["cases"] = make_cases(spec, random.Random(SEED + index), CASES_PER_CALENDAR)
        calendars.append(spec)
    document = {
        "about": "start + duration minutes of business time -> deadline, by pandas CustomBusinessHour",
        "generator": "tests/domain/vectors/gen_calendar_vectors.py",
        "pandas": pd.__version__,
        "seed": SEED,
        "calendars": calendars,
    }
    OUTPUT.write_text(_dump(document) + "\n", encoding="utf-8")


# Arrays of two or three scalars (an interval, a case) on one line keep the file short and diffs readable.
_SHORT_ARRAY = re.compile(r"\[\n\s+([^\[\]\n]+),\n\s+([^\[\]\n]+)(?:,\n\s+([^\[\]\n]+))?\n\s+\]")


def _dump(document: dict[str, Any]) -> str:
    text = json.dumps(document, indent=1, ensure_ascii=False)
    return _SHORT_ARRAY.sub(lambda match: f"[{', '.join(item for item in match.groups() if item)}]", text)


if __name__ == "__main__":
    main()
