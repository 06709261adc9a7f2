"""Business calendars at the edges of what they can lay out: durations and instants beyond the year 9999,
timelines grown forward, reused, or grown meanwhile by another caller; and copying an immutable calendar."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import numpy as np
import pytest

from ossdesk.domain.calendar import WEEKDAYS, BusinessCalendar

HOUR = 3600
WORKING_YEAR = 8 * HOUR * 5 * 52  # business seconds in about a year of 40-hour weeks
MONDAY_9 = int(datetime(2026, 1, 5, 8, tzinfo=UTC).timestamp())  # 09:00 in Berlin


def office() -> BusinessCalendar:
    return BusinessCalendar("Europe/Berlin", {day: [("09:00", "17:00")] for day in WEEKDAYS[:5]}, [])


def test_a_calendar_is_its_own_copy():
    calendar = office()
    assert copy.copy(calendar) is calendar


def test_add_many_grows_its_timeline_for_long_durations_and_reuses_it():
    calendar = office()
    first = calendar.add_many([MONDAY_9], [5 * WORKING_YEAR])
    # 5 working years of 2,080 hours from Monday 5 January 2026 09:00 end in late 2030 (holidays aside)
    assert datetime.fromtimestamp(int(first[0]), UTC).year == 2030
    again = calendar.add_many([MONDAY_9], [5 * WORKING_YEAR])
    assert np.array_equal(first, again)
    assert int(calendar.add_many([MONDAY_9], [HOUR])[0]) == MONDAY_9 + HOUR


def test_a_duration_beyond_any_deadline_is_refused():
    with pytest.raises(OverflowError, match=r"^a duration is beyond any representable deadline$"):
        office().add_many([MONDAY_9], [2**62])


def test_a_result_beyond_the_year_9999_is_refused():
    late = int(datetime(9999, 6, 1, tzinfo=UTC).timestamp())
    with pytest.raises(OverflowError, match=r"^the result lies beyond the year 9999$"):
        office().add_many([late], [WORKING_YEAR])


def test_a_start_beyond_the_year_9999_is_refused():
    year_10000 = int(datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC).timestamp()) + 1
    with pytest.raises(OverflowError, match=rf"^epoch second {year_10000} is beyond the range of dates$"):
        office().add_many([year_10000], [60])


def test_growing_a_timeline_another_caller_already_grew_returns_the_longer_one():
    # Two callers of one shared calendar: one still holds the short timeline it was given while the other
    # has grown it. Growing the short one again must not shrink the calendar's timeline.
    calendar = office()
    short = calendar._covering(MONDAY_9, MONDAY_9)
    calendar.add_many([MONDAY_9], [5 * WORKING_YEAR])
    grown = calendar._timeline
    assert grown is not None
    assert grown.end_day > short.end_day
    assert calendar._extended(short) is grown


def test_a_timeline_is_widened_to_cover_a_later_start_and_keeps_the_earlier_years():
    calendar = office()
    calendar.add_many([MONDAY_9], [HOUR])
    first = calendar._timeline
    monday_2040 = int(datetime(2040, 1, 2, 8, tzinfo=UTC).timestamp())  # a Monday, 09:00 in Berlin
    assert int(calendar.add_many([monday_2040], [HOUR])[0]) == monday_2040 + HOUR
    widened = calendar._timeline
    assert first is not None
    assert widened is not None
    assert widened.first_day == first.first_day
    assert widened.end_day > first.end_day
    assert int(calendar.add_many([MONDAY_9], [HOUR])[0]) == MONDAY_9 + HOUR
