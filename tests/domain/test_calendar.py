"""Tests of ossdesk.domain.calendar: hand-worked tables, the DST rule against a brute-force reference,
validation, identity, the array forms, and differential vectors from pandas' CustomBusinessHour."""

from __future__ import annotations

import copy
import importlib.util
import json
import pickle
import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ossdesk.domain.calendar import WEEKDAYS, BusinessCalendar

VECTORS = Path(__file__).with_name("vectors")
MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
MON_FRI = WEEKDAYS[:5]


def every(days: tuple[str, ...], hours: list[tuple[str, str]]) -> dict[str, list[tuple[str, str]]]:
    """The same opening hours on each of ``days``."""
    return {day: list(hours) for day in days}


def at(text: str) -> datetime:
    """An aware instant from ISO 8601 with an offset."""
    moment = datetime.fromisoformat(text)
    assert moment.utcoffset() is not None
    return moment


CALENDARS = {
    "office": BusinessCalendar(
        "Europe/Berlin",
        every(MON_FRI, [("09:00", "12:00"), ("13:00", "17:00")]),
        [date(2024, 12, 25), date(2024, 12, 26), date(2025, 1, 1)],
    ),
    "berlin-24/7": BusinessCalendar.always_open("Europe/Berlin"),
    "berlin-sunday-night": BusinessCalendar("Europe/Berlin", {"sun": [("00:00", "06:00")]}),
    "new-york-office": BusinessCalendar(
        "America/New_York",
        every(MON_FRI, [("09:00", "17:00")]),
        [date(2025, 7, 4), date(2026, 1, 1)],
    ),
    "new-york-sunday": BusinessCalendar("America/New_York", {"sun": [("01:00", "03:00")]}),
    "kolkata-office": BusinessCalendar(
        "Asia/Kolkata", every(MON_FRI, [("09:30", "18:00")]), [date(2025, 8, 15)]
    ),
    "lord-howe-24/7": BusinessCalendar.always_open("Australia/Lord_Howe"),
    "lord-howe-sunday": BusinessCalendar("Australia/Lord_Howe", {"sun": [("01:00", "03:00")]}),
}

# (calendar, start, business time to add, expected deadline in the calendar's zone)
ADD_CASES = [
    # office: Mon-Fri 09:00-12:00 + 13:00-17:00 in Berlin; 2024-11-05 is a Tuesday
    ("office", "2024-11-05T07:30:00+01:00", HOUR, "2024-11-05T10:00:00+01:00"),  # before hours
    ("office", "2024-11-05T10:30:00+01:00", HOUR, "2024-11-05T11:30:00+01:00"),  # inside
    ("office", "2024-11-05T10:30:00+01:00", 2 * HOUR, "2024-11-05T13:30:00+01:00"),  # across lunch
    ("office", "2024-11-05T11:00:00+01:00", HOUR, "2024-11-05T13:00:00+01:00"),  # ends at lunch: reopening
    ("office", "2024-11-05T12:30:00+01:00", 30 * MINUTE, "2024-11-05T13:30:00+01:00"),  # starts at lunch
    ("office", "2024-11-05T18:00:00+01:00", HOUR, "2024-11-06T10:00:00+01:00"),  # after hours
    ("office", "2024-11-05T16:00:00+01:00", HOUR, "2024-11-06T09:00:00+01:00"),  # ends at closing
    ("office", "2024-11-08T16:00:00+01:00", 2 * HOUR, "2024-11-11T10:00:00+01:00"),  # Friday to Monday
    ("office", "2024-11-09T11:00:00+01:00", HOUR, "2024-11-11T10:00:00+01:00"),  # Saturday
    ("office", "2024-11-04T09:00:00+01:00", 14 * HOUR, "2024-11-06T09:00:00+01:00"),  # two whole days
    ("office", "2024-11-04T09:00:00+01:00", 35 * HOUR, "2024-11-11T09:00:00+01:00"),  # a whole week
    ("office", "2024-11-05T11:59:30+01:00", timedelta(seconds=45), "2024-11-05T13:00:15+01:00"),
    (
        "office",
        "2024-11-05T10:00:00.250000+01:00",
        timedelta(milliseconds=500),
        "2024-11-05T10:00:00.750000+01:00",
    ),
    ("office", "2024-11-05T10:15:00+01:00", timedelta(0), "2024-11-05T10:15:00+01:00"),  # zero, open
    ("office", "2024-11-05T12:00:00+01:00", timedelta(0), "2024-11-05T13:00:00+01:00"),  # zero, lunch
    ("office", "2024-11-09T11:00:00+01:00", timedelta(0), "2024-11-11T09:00:00+01:00"),  # zero, weekend
    ("office", "2024-12-24T16:30:00+01:00", HOUR, "2024-12-27T09:30:00+01:00"),  # Christmas holidays
    ("office", "2024-12-25T10:00:00+01:00", 3 * HOUR, "2024-12-27T13:00:00+01:00"),  # start on a holiday
    ("office", "2024-12-31T16:00:00+01:00", 2 * HOUR, "2025-01-02T10:00:00+01:00"),  # New Year holiday
    ("office", "2024-11-05T09:30:00+00:00", HOUR, "2024-11-05T11:30:00+01:00"),  # start given in UTC
    ("office", "2025-03-28T16:00:00+01:00", 2 * HOUR, "2025-03-31T10:00:00+02:00"),  # weekend of spring DST
    ("office", "2025-10-24T16:00:00+02:00", 2 * HOUR, "2025-10-27T10:00:00+01:00"),  # weekend of autumn DST
    # around the clock: business time is real time, whatever the wall clock does
    ("berlin-24/7", "2025-03-29T12:00:00+01:00", 24 * HOUR, "2025-03-30T13:00:00+02:00"),
    ("berlin-24/7", "2025-10-25T12:00:00+02:00", 24 * HOUR, "2025-10-26T11:00:00+01:00"),
    ("berlin-24/7", "2024-12-31T23:30:00+01:00", HOUR, "2025-01-01T00:30:00+01:00"),
    # open Sundays 00:00-06:00 in Berlin: five real hours on 2025-03-30, seven on 2025-10-26
    ("berlin-sunday-night", "2025-03-30T00:00:00+01:00", 2 * HOUR, "2025-03-30T03:00:00+02:00"),
    ("berlin-sunday-night", "2025-03-30T00:00:00+01:00", 5 * HOUR, "2025-04-06T00:00:00+02:00"),
    ("berlin-sunday-night", "2025-10-26T00:00:00+02:00", 2 * HOUR, "2025-10-26T02:00:00+02:00"),
    ("berlin-sunday-night", "2025-10-26T00:00:00+02:00", 3 * HOUR, "2025-10-26T02:00:00+01:00"),
    ("berlin-sunday-night", "2025-10-26T00:00:00+02:00", 7 * HOUR - MINUTE, "2025-10-26T05:59:00+01:00"),
    ("berlin-sunday-night", "2025-10-26T02:30:00+01:00", HOUR, "2025-10-26T03:30:00+01:00"),
    # New York, Mon-Fri 09:00-17:00; DST changes on 2025-03-09 and 2025-11-02
    ("new-york-office", "2025-03-07T16:00:00-05:00", 2 * HOUR, "2025-03-10T10:00:00-04:00"),
    ("new-york-office", "2025-10-31T16:30:00-04:00", HOUR, "2025-11-03T09:30:00-05:00"),
    ("new-york-office", "2025-07-03T16:00:00-04:00", 2 * HOUR, "2025-07-07T10:00:00-04:00"),
    ("new-york-office", "2025-12-31T16:00:00-05:00", 2 * HOUR, "2026-01-02T10:00:00-05:00"),
    ("new-york-sunday", "2025-11-02T01:00:00-04:00", 30 * MINUTE, "2025-11-02T01:30:00-04:00"),
    ("new-york-sunday", "2025-11-02T01:00:00-04:00", 90 * MINUTE, "2025-11-02T01:30:00-05:00"),
    ("new-york-sunday", "2025-03-09T01:00:00-05:00", 30 * MINUTE, "2025-03-09T01:30:00-05:00"),
    ("new-york-sunday", "2025-03-09T01:00:00-05:00", HOUR, "2025-03-16T01:00:00-04:00"),
    # Kolkata, +05:30, Mon-Fri 09:30-18:00, closed on Independence Day (Friday 2025-08-15)
    ("kolkata-office", "2025-08-14T17:00:00+05:30", 2 * HOUR, "2025-08-18T10:30:00+05:30"),
    ("kolkata-office", "2025-08-14T11:30:00+00:00", 2 * HOUR, "2025-08-18T10:30:00+05:30"),
    ("kolkata-office", "2025-12-31T17:30:00+05:30", HOUR, "2026-01-01T10:00:00+05:30"),
    # Lord Howe moves its clocks by 30 minutes at 02:00: +10:30 <-> +11:00
    ("lord-howe-24/7", "2025-10-04T12:00:00+10:30", 24 * HOUR, "2025-10-05T12:30:00+11:00"),
    ("lord-howe-24/7", "2025-04-05T12:00:00+11:00", 24 * HOUR, "2025-04-06T11:30:00+10:30"),
    ("lord-howe-sunday", "2025-10-05T01:00:00+10:30", HOUR, "2025-10-05T02:30:00+11:00"),
    ("lord-howe-sunday", "2025-10-05T01:00:00+10:30", 80 * MINUTE, "2025-10-05T02:50:00+11:00"),
    ("lord-howe-sunday", "2025-04-06T01:00:00+11:00", 2 * HOUR, "2025-04-06T02:30:00+10:30"),
]


@pytest.mark.parametrize(("name", "start", "duration", "expected"), ADD_CASES)
def test_add(name: str, start: str, duration: timedelta, expected: str) -> None:
    calendar = CALENDARS[name]
    deadline = calendar.add(at(start), duration)
    assert deadline.isoformat() == expected
    assert deadline.tzinfo is calendar.zone
    assert calendar.elapsed(at(start), deadline) == duration
    assert calendar.is_open(deadline)


# (calendar, start, end, expected business time)
ELAPSED_CASES = [
    ("office", "2024-11-05T08:00:00+01:00", "2024-11-05T18:00:00+01:00", 7 * HOUR),
    ("office", "2024-11-05T11:30:00+01:00", "2024-11-05T13:15:00+01:00", 45 * MINUTE),
    ("office", "2024-11-08T16:30:00+01:00", "2024-11-11T09:30:00+01:00", HOUR),
    ("office", "2024-12-24T00:00:00+01:00", "2024-12-28T00:00:00+01:00", 14 * HOUR),
    ("office", "2024-12-31T12:00:00+01:00", "2025-01-02T12:00:00+01:00", 7 * HOUR),
    ("office", "2025-03-28T09:00:00+01:00", "2025-03-31T17:00:00+02:00", 14 * HOUR),
    (
        "office",
        "2024-11-05T11:59:59.999999+01:00",
        "2024-11-05T13:00:00.000001+01:00",
        timedelta(microseconds=2),
    ),
    ("office", "2024-11-05T15:00:00+01:00", "2024-11-05T10:00:00+01:00", timedelta(0)),  # end before start
    ("office", "2024-11-05T15:00:00+01:00", "2024-11-05T15:00:00+01:00", timedelta(0)),
    ("office", "2024-11-09T10:00:00+01:00", "2024-11-10T10:00:00+01:00", timedelta(0)),  # weekend
    ("berlin-24/7", "2025-03-30T00:00:00+01:00", "2025-03-31T00:00:00+02:00", 23 * HOUR),
    ("berlin-24/7", "2025-10-26T00:00:00+02:00", "2025-10-27T00:00:00+01:00", 25 * HOUR),
    ("berlin-sunday-night", "2025-03-29T00:00:00+01:00", "2025-03-31T00:00:00+02:00", 5 * HOUR),
    ("berlin-sunday-night", "2025-10-25T00:00:00+02:00", "2025-10-27T00:00:00+01:00", 7 * HOUR),
    ("kolkata-office", "2025-08-14T09:00:00+05:30", "2025-08-14T12:00:00+05:30", 150 * MINUTE),
    ("kolkata-office", "2025-08-14T00:00:00+05:30", "2025-08-19T00:00:00+05:30", 17 * HOUR),
    ("new-york-sunday", "2025-11-01T00:00:00-04:00", "2025-11-03T00:00:00-05:00", 3 * HOUR),
    ("new-york-sunday", "2025-03-08T00:00:00-05:00", "2025-03-10T00:00:00-04:00", HOUR),
    ("lord-howe-sunday", "2025-10-04T00:00:00+10:30", "2025-10-06T00:00:00+11:00", 90 * MINUTE),
    ("lord-howe-sunday", "2025-04-05T00:00:00+11:00", "2025-04-07T00:00:00+10:30", 150 * MINUTE),
]


@pytest.mark.parametrize(("name", "start", "end", "expected"), ELAPSED_CASES)
def test_elapsed(name: str, start: str, end: str, expected: timedelta) -> None:
    assert CALENDARS[name].elapsed(at(start), at(end)) == expected


@pytest.mark.parametrize(
    ("moment", "is_open", "next_open"),
    [
        ("2024-11-05T09:00:00+01:00", True, "2024-11-05T09:00:00+01:00"),
        ("2024-11-05T08:59:59.999999+01:00", False, "2024-11-05T09:00:00+01:00"),
        ("2024-11-05T11:59:59.999999+01:00", True, "2024-11-05T11:59:59.999999+01:00"),
        ("2024-11-05T12:00:00+01:00", False, "2024-11-05T13:00:00+01:00"),
        ("2024-11-05T17:00:00+01:00", False, "2024-11-06T09:00:00+01:00"),
        ("2024-11-09T10:00:00+01:00", False, "2024-11-11T09:00:00+01:00"),
        ("2024-12-25T10:00:00+01:00", False, "2024-12-27T09:00:00+01:00"),
        ("2024-11-05T09:30:00+00:00", True, "2024-11-05T10:30:00+01:00"),
    ],
)
def test_is_open_and_next_open(moment: str, is_open: bool, next_open: str) -> None:
    office = CALENDARS["office"]
    assert office.is_open(at(moment)) is is_open
    assert office.next_open(at(moment)).isoformat() == next_open


# -- the daylight-saving rule ---------------------------------------------------------------------------

# The transition days (local dates) of a few zones in 2025: (zone, spring forward, fall back).
TRANSITIONS = [
    ("Europe/Berlin", date(2025, 3, 30), date(2025, 10, 26)),  # 02:00 -> 03:00, 03:00 -> 02:00
    ("America/New_York", date(2025, 3, 9), date(2025, 11, 2)),  # 02:00 -> 03:00, 02:00 -> 01:00
    ("Australia/Lord_Howe", date(2025, 10, 5), date(2025, 4, 6)),  # 02:00 -> 02:30, 02:00 -> 01:30
    ("America/Santiago", date(2025, 9, 7), date(2025, 4, 6)),  # 24:00 -> 01:00, 24:00 -> 23:00 (Saturday)
]


@pytest.mark.parametrize(
    ("tz", "interval", "on_spring_day", "on_autumn_day"),
    [
        ("Europe/Berlin", ("01:30", "02:30"), 30 * MINUTE, HOUR),
        ("Europe/Berlin", ("02:00", "03:00"), timedelta(0), 2 * HOUR),
        ("Europe/Berlin", ("01:00", "03:00"), HOUR, 3 * HOUR),
        ("Europe/Berlin", ("02:30", "04:00"), HOUR, 150 * MINUTE),
        ("Europe/Berlin", ("00:00", "02:30"), 2 * HOUR, 150 * MINUTE),
        ("Europe/Berlin", ("01:00", "04:00"), 2 * HOUR, 4 * HOUR),
        ("America/New_York", ("01:00", "03:00"), HOUR, 3 * HOUR),
        ("America/New_York", ("01:30", "02:30"), 30 * MINUTE, 2 * HOUR),
        ("Australia/Lord_Howe", ("01:00", "03:00"), 90 * MINUTE, 150 * MINUTE),
    ],
)
def test_dst_rule_for_one_interval(
    tz: str, interval: tuple[str, str], on_spring_day: timedelta, on_autumn_day: timedelta
) -> None:
    """Skipped local times hold no business time; a repeated hour counts twice when spanned."""
    zone = ZoneInfo(tz)
    _, spring, autumn = next(row for row in TRANSITIONS if row[0] == tz)
    calendar = BusinessCalendar(tz, {"sun": [interval]})
    for day, expected in [(spring, on_spring_day), (autumn, on_autumn_day)]:
        start = datetime.combine(day - timedelta(days=1), datetime.min.time(), tzinfo=zone)
        end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=zone)
        assert calendar.elapsed(start, end) == expected, day


def reference_open_minutes(tz: str, hours: list[tuple[str, str]], first: int, last: int) -> list[bool]:
    """Whether each minute from epoch second ``first`` to ``last`` is open, worked out minute by minute
    from the rule as the module states it in other words: an instant is open when the latest local time
    the clock has shown so far lies in an interval of its day (so a repeated hour keeps the time reached
    before the clock went back, and a skipped time is reached when the clock jumps past it)."""
    zone = ZoneInfo(tz)
    spans = [(int(a[:2]) * 60 + int(a[3:]), int(b[:2]) * 60 + int(b[3:])) for a, b in hours]
    latest: datetime | None = None
    openness = []
    for second in range(first - 3 * 3600, last, 60):
        wall = datetime.fromtimestamp(second, zone).replace(tzinfo=None, fold=0)
        if latest is None or wall > latest:
            latest = wall
        if second >= first:
            minute = latest.hour * 60 + latest.minute
            openness.append(any(a <= minute < b for a, b in spans))
    return openness


def check_against_reference(tz: str, hours: list[tuple[str, str]], day: date) -> None:
    zone = ZoneInfo(tz)
    first = int(datetime.combine(day - timedelta(days=1), datetime.min.time(), tzinfo=zone).timestamp())
    last = int(datetime.combine(day + timedelta(days=2), datetime.min.time(), tzinfo=zone).timestamp())
    calendar = BusinessCalendar(tz, every(WEEKDAYS, hours))
    minutes = np.arange(first, last, 60, dtype=np.int64)
    expected = np.array(reference_open_minutes(tz, hours, first, last))

    per_minute = calendar.elapsed_many(minutes, minutes + 60)
    assert set(np.unique(per_minute)) <= {0, 60}
    mismatch = np.flatnonzero((per_minute == 60) != expected)
    assert mismatch.size == 0, [
        datetime.fromtimestamp(int(minutes[i]), zone).isoformat() for i in mismatch[:5]
    ]
    sample = minutes[::7]
    assert [calendar.is_open(datetime.fromtimestamp(int(s), UTC)) for s in sample] == list(expected[::7])

    # Business time from the window start to each open minute leads back to that minute.
    so_far = calendar.elapsed_many(first, minutes)
    assert np.array_equal(so_far, np.concatenate([[0], np.cumsum(expected * 60)[:-1]]))
    assert np.array_equal(calendar.add_many(first, so_far[expected]), minutes[expected])


SCHEDULES = [
    [("00:00", "24:00")],
    [("01:00", "03:00")],
    [("00:00", "02:30"), ("02:30", "24:00")],
    [("01:30", "02:30"), ("22:00", "23:30")],
    [("02:15", "02:45"), ("23:30", "24:00")],
    [("00:00", "00:30"), ("23:00", "24:00")],
]


@pytest.mark.parametrize("hours", SCHEDULES, ids=lambda hours: "+".join(f"{a}-{b}" for a, b in hours))
@pytest.mark.parametrize(
    ("tz", "day"),
    [(tz, day) for tz, spring, autumn in TRANSITIONS for day in (spring, autumn)],
    ids=lambda value: str(value),
)
def test_dst_days_match_minute_by_minute_reference(tz: str, day: date, hours: list[tuple[str, str]]) -> None:
    check_against_reference(tz, hours, day)


@st.composite
def day_hours(draw: st.DrawFn) -> list[tuple[str, str]]:
    """One day's opening intervals on a quarter-hour grid, touching ones allowed."""
    boundaries = sorted(draw(st.sets(st.integers(0, 96), min_size=2, max_size=8)))
    if len(boundaries) % 2:
        boundaries.pop()
    clock = [f"{q // 4:02d}:{q % 4 * 15:02d}" for q in boundaries]
    intervals = list(zip(clock[::2], clock[1::2], strict=True))
    if draw(st.booleans()) and len(intervals) > 1:  # make two intervals touch
        intervals[1] = (intervals[0][1], intervals[1][1])
    return intervals


@settings(max_examples=25, deadline=None)
@given(
    hours=day_hours(),
    transition=st.sampled_from([(tz, day) for tz, spring, autumn in TRANSITIONS for day in (spring, autumn)]),
)
def test_random_hours_match_minute_by_minute_reference(
    hours: list[tuple[str, str]], transition: tuple[str, date]
) -> None:
    check_against_reference(transition[0], hours, transition[1])


# -- validation -------------------------------------------------------------------------------------------

NINE_TO_FIVE = {"mon": [("09:00", "17:00")]}


@pytest.mark.parametrize(
    ("tz", "weekly", "holidays", "message"),
    [
        ("Mars/Olympus_Mons", NINE_TO_FIVE, (), "unknown time zone 'Mars/Olympus_Mons'"),
        ("../../etc/passwd", NINE_TO_FIVE, (), "unknown time zone"),
        ("", NINE_TO_FIVE, (), "time zone must be an IANA name"),
        (None, NINE_TO_FIVE, (), "time zone must be an IANA name"),
        ("UTC", {"monday": [("09:00", "17:00")]}, (), "unknown weekday 'monday'"),
        ("UTC", {"Mon": [("09:00", "17:00")]}, (), "unknown weekday 'Mon'"),
        ("UTC", [("09:00", "17:00")], (), "weekly hours must map weekdays to intervals"),
        ("UTC", {"mon": "09:00-17:00"}, (), "mon: expected a list of"),
        ("UTC", {"mon": [("09:00",)]}, (), "an interval is a pair"),
        ("UTC", {"mon": [("9:00", "17:00")]}, (), "mon: time '9:00' is not of the form 'HH:MM'"),
        ("UTC", {"tue": [("09:00", "17:00:00")]}, (), "tue: time '17:00:00' is not of the form"),
        ("UTC", {"mon": [("09:60", "17:00")]}, (), "time '09:60' is out of range"),
        ("UTC", {"mon": [("09:00", "24:30")]}, (), "time '24:30' is out of range"),
        ("UTC", {"mon": [("24:00", "24:00")]}, (), "24:00 may only end an interval"),
        ("UTC", {"mon": [("09:00", 1700)]}, (), "time 1700 is not of the form"),
        ("UTC", {"wed": [("17:00", "09:00")]}, (), "wed: interval 17:00-09:00 is empty or inverted"),
        ("UTC", {"mon": [("09:00", "09:00")]}, (), "empty or inverted"),
        (
            "UTC",
            {"mon": [("09:00", "12:00"), ("11:00", "13:00")]},
            (),
            "intervals 09:00-12:00 and 11:00-13:00 overlap",
        ),
        (
            "UTC",
            {"fri": [("13:00", "17:00"), ("08:00", "13:30")]},
            (),
            "fri: intervals 08:00-13:30 and 13:00-17:00",
        ),
        ("UTC", {}, (), "no opening interval"),
        ("UTC", {"mon": [], "sat": []}, (), "no opening interval"),
        ("UTC", NINE_TO_FIVE, [datetime(2025, 1, 1)], "is not a date"),
        ("UTC", NINE_TO_FIVE, ["2025-01-01"], "holiday '2025-01-01' is not a date"),
        ("UTC", NINE_TO_FIVE, "2025-01-01", "holidays must be an iterable of dates"),
    ],
)
def test_invalid_input_is_rejected_with_a_clear_message(
    tz: Any, weekly: Any, holidays: Any, message: str
) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        BusinessCalendar(tz, weekly, holidays)


def test_invalid_arguments_to_the_arithmetic() -> None:
    office = CALENDARS["office"]
    naive = datetime(2025, 1, 6, 10)
    aware = naive.replace(tzinfo=UTC)
    with pytest.raises(ValueError, match="start must be timezone-aware"):
        office.add(naive, HOUR)
    with pytest.raises(ValueError, match="end must be timezone-aware"):
        office.elapsed(aware, naive)
    with pytest.raises(ValueError, match="at must be timezone-aware"):
        office.is_open(naive)
    with pytest.raises(TypeError, match="start must be a datetime, got date"):
        office.add(date(2025, 1, 6), HOUR)
    with pytest.raises(ValueError, match="duration must not be negative"):
        office.add(aware, -MINUTE)
    with pytest.raises(OverflowError):
        BusinessCalendar.always_open().add(datetime(9999, 12, 30, tzinfo=UTC), timedelta(days=5))


def test_from_country_loads_public_holidays() -> None:
    bavaria = BusinessCalendar.from_country(
        "Europe/Berlin", every(MON_FRI, [("09:00", "17:00")]), "DE", subdiv="BY", years=[2025]
    )
    assert date(2025, 1, 6) in bavaria.holidays  # Epiphany, a Bavarian holiday
    assert date(2025, 12, 25) in bavaria.holidays
    assert all(day.year == 2025 for day in bavaria.holidays)
    assert bavaria.next_open(at("2025-01-06T10:00:00+01:00")).isoformat() == "2025-01-07T09:00:00+01:00"
    berlin = BusinessCalendar.from_country("Europe/Berlin", {"mon": [("09:00", "17:00")]}, "DE", "BE", [2025])
    assert date(2025, 1, 6) not in berlin.holidays
    with pytest.raises(ValueError, match="no holidays known for 'XX'"):
        BusinessCalendar.from_country("UTC", NINE_TO_FIVE, "XX")
    with pytest.raises(ValueError, match="subdivision 'ZZ'"):
        BusinessCalendar.from_country("UTC", NINE_TO_FIVE, "DE", subdiv="ZZ")


def test_always_open() -> None:
    calendar = BusinessCalendar.always_open("Asia/Kolkata")
    assert calendar.weekly == every(WEEKDAYS, [("00:00", "24:00")])
    start = at("2025-06-01T10:00:00+05:30")
    assert calendar.add(start, timedelta(days=400, seconds=1)) == start + timedelta(days=400, seconds=1)
    assert BusinessCalendar.always_open().tz == "UTC"


# -- identity ---------------------------------------------------------------------------------------------


def test_equal_calendars_are_interchangeable() -> None:
    one = BusinessCalendar(
        "Europe/Berlin",
        {"mon": [("13:00", "17:00"), ("09:00", "13:00")], "tue": []},
        [date(2025, 12, 26), date(2025, 12, 25)],
    )
    other = BusinessCalendar(
        "Europe/Berlin", {"mon": [("09:00", "17:00")]}, (date(2025, 12, 25), date(2025, 12, 26))
    )
    assert one == other
    assert hash(one) == hash(other)
    assert one.fingerprint() == other.fingerprint()
    assert len({one, other}) == 1
    assert one.weekly["mon"] == [("09:00", "17:00")]
    assert one.weekly["sun"] == []
    assert one.holidays == (date(2025, 12, 25), date(2025, 12, 26))
    assert one != "Europe/Berlin"


def test_fingerprint_is_stable_and_tracks_every_part() -> None:
    base = BusinessCalendar("Europe/Berlin", {"mon": [("09:00", "17:00")]}, [date(2025, 12, 25)])
    # Pinned: stored fingerprints must keep matching across processes and releases.
    assert base.fingerprint() == "cal1-480ba366716e33cbca2e43df5be6f7ea7313431201ce87c31eee5324435e2fc2"
    variants = [
        BusinessCalendar("Europe/Vienna", {"mon": [("09:00", "17:00")]}, [date(2025, 12, 25)]),
        BusinessCalendar("Europe/Berlin", {"mon": [("09:00", "17:30")]}, [date(2025, 12, 25)]),
        BusinessCalendar("Europe/Berlin", {"tue": [("09:00", "17:00")]}, [date(2025, 12, 25)]),
        BusinessCalendar(
            "Europe/Berlin", {"mon": [("09:00", "12:00"), ("13:00", "17:00")]}, [date(2025, 12, 25)]
        ),
        BusinessCalendar("Europe/Berlin", {"mon": [("09:00", "17:00")]}, [date(2025, 12, 26)]),
        BusinessCalendar("Europe/Berlin", {"mon": [("09:00", "17:00")]}, []),
    ]
    fingerprints = {calendar.fingerprint() for calendar in [base, *variants]}
    assert len(fingerprints) == len(variants) + 1
    assert all(calendar != base for calendar in variants)


def test_calendar_is_immutable_and_picklable() -> None:
    office = CALENDARS["office"]
    with pytest.raises(AttributeError, match="immutable"):
        office._tz = "UTC"
    with pytest.raises(AttributeError, match="immutable"):
        del office._tz
    weekly = office.weekly
    weekly["sat"].append(("10:00", "12:00"))
    assert office.weekly["sat"] == []
    restored = pickle.loads(pickle.dumps(office))  # noqa: S301 - our own bytes
    assert restored == office
    assert restored.fingerprint() == office.fingerprint()
    assert restored.add(at("2024-11-05T16:00:00+01:00"), HOUR) == office.add(
        at("2024-11-05T16:00:00+01:00"), HOUR
    )
    assert copy.deepcopy(office) is office
    assert "Europe/Berlin" in repr(office)
    assert "<3 dates>" in repr(office)


# -- growth of the laid-out horizon ----------------------------------------------------------------------


def test_far_apart_instants_and_long_durations() -> None:
    """A fresh calendar lays out the years it is asked about, forward and backward, and stays exact."""
    office = BusinessCalendar(
        "Europe/Berlin", every(MON_FRI, [("09:00", "12:00"), ("13:00", "17:00")]), [date(2025, 1, 1)]
    )
    new_year = at("2025-01-01T00:00:00+01:00")
    # 2025 has 261 weekdays, one of them a holiday here: 260 days of seven hours.
    assert office.elapsed(new_year, at("2026-01-01T00:00:00+01:00")) == 1820 * HOUR
    assert office.add(new_year, 1820 * HOUR).isoformat() == "2026-01-01T09:00:00+01:00"
    assert office.add(new_year, 10 * 1820 * HOUR).year == 2034
    assert office.elapsed(at("1999-12-31T09:00:00+01:00"), at("2000-01-03T10:00:00+01:00")) == 8 * HOUR
    assert office.elapsed(new_year, new_year + timedelta(days=366 * 3)) > 5000 * HOUR
    rare = BusinessCalendar("UTC", {"fri": [("23:00", "24:00")], "sat": [("00:00", "01:00")]})
    # Two hours a week, Friday 23:00 to Saturday 01:00: 52 weeks of it run out at 01:00 on the 52nd
    # Saturday, where the deadline is the next opening.
    assert (
        rare.add(at("2025-01-01T00:00:00+00:00"), 104 * HOUR - MINUTE).isoformat()
        == "2025-12-27T00:59:00+00:00"
    )
    assert rare.add(at("2025-01-01T00:00:00+00:00"), 104 * HOUR).isoformat() == "2026-01-02T23:00:00+00:00"


# -- array forms ------------------------------------------------------------------------------------------


def test_array_forms_broadcast_and_check_their_input() -> None:
    office = CALENDARS["office"]
    tuesday_10 = int(at("2024-11-05T10:00:00+01:00").timestamp())
    starts = np.array([[tuesday_10, tuesday_10 + 3600], [tuesday_10 + 7200, tuesday_10 + 86400]])
    deadlines = office.add_many(starts, 3600)
    assert deadlines.shape == (2, 2)
    assert deadlines.dtype == np.int64
    assert deadlines.tolist() == [
        [tuesday_10 + 3600, tuesday_10 + 3 * 3600],
        [tuesday_10 + 4 * 3600, tuesday_10 + 86400 + 3600],
    ]
    assert office.elapsed_many(starts, deadlines).tolist() == [[3600, 3600], [3600, 3600]]
    assert office.elapsed_many([tuesday_10 + 60], [tuesday_10]).tolist() == [0]
    assert office.add_many([tuesday_10], [0]).tolist() == [tuesday_10]
    assert office.add_many(np.array([], dtype=np.int64), 60).shape == (0,)
    assert office.elapsed_many(np.empty((0, 3), dtype=np.int32), 0).shape == (0, 3)
    with pytest.raises(TypeError, match="starts must be integer epoch seconds"):
        office.add_many(np.array([1.7e9]), 60)
    with pytest.raises(TypeError, match="ends must be integer epoch seconds"):
        office.elapsed_many([tuesday_10], np.array(["2025-01-01"], dtype="datetime64[s]"))
    with pytest.raises(ValueError, match="durations must not be negative"):
        office.add_many([tuesday_10, tuesday_10], [60, -1])
    with pytest.raises(ValueError, match="broadcast"):
        office.add_many([1, 2, 3], [1, 2])


# -- differential: pandas' CustomBusinessHour --------------------------------------------------------------

PANDAS_VECTORS = json.loads((VECTORS / "calendar_pandas.json").read_text(encoding="utf-8"))


def calendar_from_spec(spec: dict[str, Any]) -> BusinessCalendar:
    return BusinessCalendar(spec["tz"], spec["weekly"], [date.fromisoformat(day) for day in spec["holidays"]])


@pytest.mark.parametrize("spec", PANDAS_VECTORS["calendars"], ids=lambda spec: spec["name"])
def test_agrees_with_pandas_vectors(spec: dict[str, Any]) -> None:
    calendar = calendar_from_spec(spec)
    cases = spec["cases"]
    assert len(cases) >= 100
    wrong = [
        (start, minutes, expected, deadline.isoformat())
        for start, minutes, expected in cases
        if (deadline := calendar.add(at(start), timedelta(minutes=minutes))).isoformat() != expected
    ]
    assert wrong == []
    starts = np.array([int(at(start).timestamp()) for start, _, _ in cases])
    durations = np.array([minutes * 60 for _, minutes, _ in cases])
    expected = np.array([int(at(deadline).timestamp()) for _, _, deadline in cases])
    assert np.array_equal(calendar.add_many(starts, durations), expected)
    assert np.array_equal(calendar.elapsed_many(starts, expected), durations)


def test_agrees_with_pandas_live_on_a_fresh_sample() -> None:
    """Fresh random cases through pandas itself, when it is installed (it is a test dependency)."""
    pytest.importorskip("pandas")
    location = VECTORS / "gen_calendar_vectors.py"
    module_spec = importlib.util.spec_from_file_location("gen_calendar_vectors", location)
    assert module_spec is not None
    assert module_spec.loader is not None
    generator = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(generator)
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    for spec in PANDAS_VECTORS["calendars"]:
        calendar = calendar_from_spec(spec)
        for start, minutes, expected in generator.make_cases(spec, rng, 40):
            deadline = calendar.add(at(start), timedelta(minutes=minutes))
            assert deadline.isoformat() == expected, (spec["name"], start, minutes, f"seed={seed}")
