"""Properties of ossdesk.domain.calendar that hold for every calendar, instant and duration.

The calendars are a fixed, varied set (split shifts, 24/7, hours across daylight-saving changes, a 30-minute
DST zone, midnight transitions, a desk open two hours a week) so that their layouts are built once; the
instants lean towards the daylight-saving changes of 2024-2026, where mistakes hide.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ossdesk.domain.calendar import WEEKDAYS, BusinessCalendar

MON_FRI = WEEKDAYS[:5]


def every(days: tuple[str, ...], hours: list[tuple[str, str]]) -> dict[str, list[tuple[str, str]]]:
    """The same opening hours on each of ``days``."""
    return {day: list(hours) for day in days}


POOL = [
    BusinessCalendar(
        "Europe/Berlin",
        every(MON_FRI, [("08:00", "12:00"), ("13:00", "17:30")]),
        [date(2024, 12, 25), date(2025, 1, 1), date(2025, 4, 18), date(2025, 12, 25), date(2026, 1, 1)],
    ),
    BusinessCalendar.always_open("America/New_York"),
    BusinessCalendar(
        "America/New_York", {"sun": [("01:00", "03:00")], "wed": [("09:00", "17:00")]}, [date(2025, 11, 5)]
    ),
    BusinessCalendar("Australia/Lord_Howe", every(WEEKDAYS, [("00:00", "02:15"), ("02:45", "24:00")])),
    BusinessCalendar("Asia/Kolkata", every((*MON_FRI, "sat"), [("09:30", "18:00")]), [date(2025, 8, 15)]),
    BusinessCalendar("America/Santiago", every(WEEKDAYS, [("00:00", "06:00"), ("22:00", "24:00")])),
    BusinessCalendar("UTC", {"fri": [("23:00", "24:00")], "sat": [("00:00", "01:00")]}),
]

FIRST = int(datetime(2024, 1, 1, tzinfo=UTC).timestamp())
LAST = int(datetime(2027, 1, 1, tzinfo=UTC).timestamp())
# UTC instants of daylight-saving changes in the pool's zones.
CHANGES = [
    int(datetime.fromisoformat(text).timestamp())
    for text in [
        "2025-03-30T01:00:00+00:00",  # Berlin
        "2025-10-26T01:00:00+00:00",
        "2025-03-09T07:00:00+00:00",  # New York
        "2025-11-02T06:00:00+00:00",
        "2025-04-05T15:00:00+00:00",  # Lord Howe
        "2025-10-04T15:30:00+00:00",
        "2025-04-06T03:00:00+00:00",  # Santiago
        "2025-09-07T04:00:00+00:00",
    ]
]

calendars = st.sampled_from(POOL)
epoch_seconds = st.one_of(
    st.integers(FIRST, LAST),
    st.builds(
        lambda change, offset: change + offset, st.sampled_from(CHANGES), st.integers(-2 * 86400, 2 * 86400)
    ),
)
durations_s = st.one_of(st.just(0), st.integers(1, 3 * 3600), st.integers(0, 400 * 3600))


@st.composite
def instants(draw: st.DrawFn) -> datetime:
    """An aware instant, sometimes with microseconds, in one of a few zones (the calendar's or not)."""
    seconds = draw(epoch_seconds)
    micro = draw(st.one_of(st.just(0), st.integers(0, 999_999)))
    zone = draw(st.sampled_from([UTC, ZoneInfo("Europe/Berlin"), ZoneInfo("America/Santiago")]))
    return datetime.fromtimestamp(seconds, zone).replace(microsecond=micro)


durations = st.builds(
    lambda seconds, micro: timedelta(seconds=seconds, microseconds=micro),
    durations_s,
    st.one_of(st.just(0), st.integers(0, 999_999)),
)


def utc(moment: datetime) -> datetime:
    """The instant in UTC. Python compares two datetimes of one zone by wall clock, ignoring ``fold``,
    and never finds a time in a repeated hour equal to one in another zone: compare instants in UTC."""
    return moment.astimezone(UTC)


@settings(max_examples=200)
@given(calendar=calendars, start=instants(), duration=durations)
def test_elapsed_undoes_add(calendar: BusinessCalendar, start: datetime, duration: timedelta) -> None:
    deadline = calendar.add(start, duration)
    assert calendar.elapsed(start, deadline) == duration
    assert utc(deadline) >= utc(start)
    assert calendar.is_open(deadline)
    assert deadline.tzinfo is calendar.zone


@settings(max_examples=200)
@given(calendar=calendars, start=instants(), end=instants())
def test_add_undoes_elapsed(calendar: BusinessCalendar, start: datetime, end: datetime) -> None:
    """Adding back the business time between two instants reaches the later one, or the opening after it."""
    later = max(utc(start), utc(end))
    assert utc(calendar.add(start, calendar.elapsed(start, end))) == utc(calendar.next_open(later))


@given(calendar=calendars, moment=instants())
def test_next_open_is_the_first_open_instant(calendar: BusinessCalendar, moment: datetime) -> None:
    opening = utc(calendar.next_open(moment))
    assert opening >= utc(moment)
    assert calendar.is_open(opening)
    assert (opening == utc(moment)) is calendar.is_open(moment)
    assert calendar.elapsed(moment, opening) == timedelta(0)
    if opening > utc(moment):
        assert not calendar.is_open(opening - timedelta(microseconds=1))


@given(
    calendar=calendars,
    starts=st.lists(instants(), min_size=2, max_size=2),
    spans=st.lists(durations, min_size=2, max_size=2),
)
def test_add_is_monotone(calendar: BusinessCalendar, starts: list[datetime], spans: list[timedelta]) -> None:
    early, late = sorted(starts, key=utc)
    short, long = sorted(spans)

    def deadline(start: datetime, span: timedelta) -> datetime:
        return utc(calendar.add(start, span))

    assert deadline(early, short) <= deadline(late, short) <= deadline(late, long)
    assert deadline(early, short) <= deadline(early, long)


@given(calendar=calendars, moments=st.lists(instants(), min_size=3, max_size=3))
def test_elapsed_is_monotone_additive_and_bounded(
    calendar: BusinessCalendar, moments: list[datetime]
) -> None:
    a, b, c = sorted(moments, key=utc)
    assert calendar.elapsed(a, c) == calendar.elapsed(a, b) + calendar.elapsed(b, c)
    assert calendar.elapsed(a, b) <= calendar.elapsed(a, c)
    assert calendar.elapsed(b, c) <= calendar.elapsed(a, c)
    assert calendar.elapsed(a, b) <= utc(b) - utc(a)
    assert calendar.elapsed(c, a) == timedelta(0)


@settings(max_examples=50)
@given(
    calendar=calendars,
    pairs=st.lists(st.tuples(epoch_seconds, durations_s, epoch_seconds), min_size=1, max_size=40),
)
def test_array_forms_agree_with_scalar_forms(
    calendar: BusinessCalendar, pairs: list[tuple[int, int, int]]
) -> None:
    starts = np.array([start for start, _, _ in pairs], dtype=np.int64)
    spans = np.array([span for _, span, _ in pairs], dtype=np.int64)
    ends = np.array([end for _, _, end in pairs], dtype=np.int64)

    def instant(seconds: int) -> datetime:
        return datetime.fromtimestamp(seconds, UTC)

    expected_deadlines = [
        int(calendar.add(instant(start), timedelta(seconds=span)).timestamp()) for start, span, _ in pairs
    ]
    expected_elapsed = [
        int(calendar.elapsed(instant(start), instant(end)).total_seconds()) for start, _, end in pairs
    ]
    assert calendar.add_many(starts, spans).tolist() == expected_deadlines
    assert calendar.elapsed_many(starts, ends).tolist() == expected_elapsed


@settings(max_examples=30, deadline=None)
@given(
    tz=st.sampled_from(["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "UTC"]),
    days=st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=7, unique=True),
    quarters=st.lists(st.integers(0, 96), min_size=2, max_size=6, unique=True),
    holidays=st.lists(st.dates(date(2025, 1, 1), date(2025, 12, 31)), max_size=20),
    start=epoch_seconds,
    duration=durations_s,
)
def test_any_valid_calendar_is_consistent(
    tz: str, days: list[str], quarters: list[int], holidays: list[date], start: int, duration: int
) -> None:
    """Freshly built calendars of any shape: add and elapsed undo each other in both forms."""
    bounds = sorted(quarters)[: len(quarters) // 2 * 2]
    clock = [f"{q // 4:02d}:{q % 4 * 15:02d}" for q in bounds]
    calendar = BusinessCalendar(
        tz, every(tuple(days), list(zip(clock[::2], clock[1::2], strict=True))), holidays
    )
    moment = datetime.fromtimestamp(start, UTC)
    deadline = calendar.add(moment, timedelta(seconds=duration))
    assert calendar.elapsed(moment, deadline) == timedelta(seconds=duration)
    assert calendar.add_many([start], [duration]).tolist() == [int(deadline.timestamp())]
    assert calendar.elapsed_many([start], [int(deadline.timestamp())]).tolist() == [duration]
