"""Business-time arithmetic over weekly opening hours, holidays and a time zone.

A :class:`BusinessCalendar` says when a support desk is open: weekly opening intervals in local wall-clock
time (several a day for split shifts), the local dates on which it is closed (holidays), and the IANA time
zone that turns both into instants. On it, :meth:`~BusinessCalendar.add` finds the instant at which a given
amount of business time has elapsed, :meth:`~BusinessCalendar.elapsed` measures business time between two
instants, and the ``*_many`` forms do the same over numpy arrays of epoch seconds.

How it works: per calendar, the open intervals are laid out once, lazily, as a sorted list of
``[open, close)`` pairs of UTC epoch seconds over whole local years, with the business seconds that precede
each interval. Business time up to an instant is then one binary search, and so is its inverse.

Conventions (the ones that SLA clocks need to agree with themselves):

* Intervals are half-open: a desk open 09:00-17:00 is open at 09:00:00 and closed at 17:00:00.
* ``add(start, d)`` is the *first open instant* at which ``d`` of business time has elapsed since
  ``start``. So a result that would fall on a closing time is the next opening instead (Friday
  16:00 + 1 business hour on a 09:00-17:00 desk is Monday 09:00, as pandas' ``CustomBusinessHour``
  has it), and ``add(start, 0)`` is ``start`` when open, else the next opening. It is also the *last*
  instant at which no more than ``d`` has elapsed, so "breached" can be either ``now > deadline`` or
  ``elapsed(start, now) > d``: the two never disagree.
* Overnight opening is written as two intervals: ``"fri": [("22:00", "24:00")], "sat": [("00:00", "06:00")]``.
  Touching intervals, within a day or across midnight, are one stretch of business time.

Daylight-saving rule: a wall-clock time ``w`` on a date stands for *the first instant at which the local
clock shows ``w`` or later*. Consequently:

* spring forward: local times that do not exist are skipped. In Europe/Berlin on 2025-03-30 an interval
  01:00-03:00 holds one hour of business time, 01:30-02:30 half an hour (01:30-02:00 CET), and 02:00-03:00
  none at all;
* fall back: a repeated time means its first occurrence (``fold=0``). An interval spanning the repeated
  hour holds it twice (Berlin, 2025-10-26, 01:00-04:00 is four hours); one ending inside it ends at the
  first occurrence, one starting inside it starts at the first occurrence.

Resolution is one microsecond for the scalar forms and one second for the array forms; interval
boundaries are whole minutes, so both are exact.

Results are aware datetimes in the calendar's zone. Compare them as instants (``.astimezone(UTC)``, or
subtract them): Python compares two datetimes of one zone by wall clock, ignoring ``fold``, and never finds
a time inside a repeated hour equal to a time in another zone.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import numpy.typing as npt

__all__ = ["DEFAULT_HOLIDAY_YEARS", "WEEKDAYS", "BusinessCalendar"]

WEEKDAYS: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""The keys of a weekly schedule, Monday first (index = ``date.weekday()``)."""

DEFAULT_HOLIDAY_YEARS: Final = range(2020, 2041)
"""Years whose public holidays :meth:`BusinessCalendar.from_country` loads unless told otherwise.

Fixed rather than derived from today's date, so that building a calendar twice gives the same calendar
(and the same fingerprint) whenever it is done.
"""

_DAY_SECONDS: Final = 86_400
_US: Final = 1_000_000
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_US: Final = timedelta(microseconds=1)
_ONE_SECOND: Final = timedelta(seconds=1)
_EPOCH_ORDINAL: Final = date(1970, 1, 1).toordinal()
_CLOCK = re.compile(r"([0-9]{2}):([0-9]{2})")
# The last local date whose 24:00 is still a representable datetime.
_LAST_DAY: Final = date.max - timedelta(days=1)
_FIRST_DAY: Final = date.min + timedelta(days=1)
# Larger durations overflow int64 arithmetic long before they could be answered.
_MAX_ARRAY_SECONDS: Final = 2**52

_Hours = tuple[tuple[int, int], ...]  # one day's intervals, seconds after local midnight
_Week = tuple[_Hours, _Hours, _Hours, _Hours, _Hours, _Hours, _Hours]
_Int64Array = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True, eq=False)
class _Timeline:
    """The open intervals of local dates ``[first_day, end_day)`` as UTC epoch seconds.

    Index 0 is an empty sentinel interval at ``lo`` so that every instant in ``[lo, hi]`` has an interval
    at or before it. ``cum[i]`` is the business time before interval ``i``; ``total`` is all of it.
    """

    first_day: date
    end_day: date
    lo: int
    hi: int
    starts: list[int]
    ends: list[int]
    cum: list[int]
    total: int
    starts_arr: _Int64Array
    ends_arr: _Int64Array
    cum_arr: _Int64Array
    open_offset_arr: _Int64Array  # cum - starts: business time at instant t inside interval i is t + this


class BusinessCalendar:
    """Weekly opening hours and holidays in one IANA time zone, with exact business-time arithmetic.

    ``weekly`` maps ``"mon"`` .. ``"sun"`` to lists of ``("HH:MM", "HH:MM")`` opening intervals in local
    wall-clock time (``"24:00"`` is allowed as an end; a missing day is closed). ``holidays`` are local
    dates on which the calendar is closed all day. Instances are immutable, hashable, comparable and
    picklable; equal calendars have equal :meth:`fingerprint` values. See the module documentation for
    the conventions at closing times and across daylight-saving changes.

    Raises:
        ValueError: for an unknown time zone, an unknown weekday key, a malformed or out-of-range time,
            an empty, inverted or overlapping interval, a holiday that is not a date, or a week without
            any opening hours.
    """

    __slots__ = ("__weakref__", "_hash", "_holidays", "_lock", "_timeline", "_tz", "_weekly", "_zone")

    _tz: str
    _zone: ZoneInfo
    _weekly: _Week
    _holidays: frozenset[date]
    _hash: int
    _lock: threading.Lock
    _timeline: _Timeline | None

    def __init__(
        self,
        tz: str,
        weekly: Mapping[str, Iterable[Sequence[str]]],
        holidays: Iterable[date] = (),
    ) -> None:
        zone = _parse_zone(tz)
        week = _parse_weekly(weekly)
        closed = _parse_holidays(holidays)
        init = object.__setattr__
        init(self, "_tz", zone.key)
        init(self, "_zone", zone)
        init(self, "_weekly", week)
        init(self, "_holidays", closed)
        init(self, "_hash", hash((zone.key, week, closed)))
        init(self, "_lock", threading.Lock())
        init(self, "_timeline", None)

    # -- construction -------------------------------------------------------------------------------

    @classmethod
    def from_country(
        cls,
        tz: str,
        weekly: Mapping[str, Iterable[Sequence[str]]],
        country: str,
        subdiv: str | None = None,
        years: Iterable[int] = DEFAULT_HOLIDAY_YEARS,
    ) -> BusinessCalendar:
        """A calendar closed on the public holidays of ``country`` (ISO 3166-1 alpha-2), as listed by the
        ``holidays`` library for ``subdiv`` (a state or region code, e.g. ``"BY"``) and ``years``.

        Holidays outside ``years`` are not known to the calendar: pass the years that deadlines will fall
        in. Observed days (a holiday moved off a weekend) count as holidays.

        Raises:
            ValueError: for an unknown country or subdivision, or any reason :class:`BusinessCalendar`
                gives.
        """
        import holidays as holiday_library  # a slow import (0.1 s), needed only here

        try:
            listed = holiday_library.country_holidays(country, subdiv=subdiv, years=list(years))
        except NotImplementedError as error:
            raise ValueError(f"no holidays known for {country!r}, subdivision {subdiv!r}: {error}") from None
        return cls(tz, weekly, listed.keys())

    @classmethod
    def always_open(cls, tz: str = "UTC") -> BusinessCalendar:
        """A calendar open around the clock every day (24/7 coverage), where business time is real time."""
        return cls(tz, {key: [("00:00", "24:00")] for key in WEEKDAYS})

    # -- what it is ---------------------------------------------------------------------------------

    @property
    def tz(self) -> str:
        """The IANA time-zone key, e.g. ``"Europe/Berlin"``."""
        return self._tz

    @property
    def zone(self) -> ZoneInfo:
        """The time zone results are expressed in."""
        return self._zone

    @property
    def weekly(self) -> dict[str, list[tuple[str, str]]]:
        """The weekly opening hours in canonical form: every day present, touching intervals merged."""
        return {
            key: [(_clock(a), _clock(b)) for a, b in hours]
            for key, hours in zip(WEEKDAYS, self._weekly, strict=True)
        }

    @property
    def holidays(self) -> tuple[date, ...]:
        """The holiday dates, in order."""
        return tuple(sorted(self._holidays))

    def fingerprint(self) -> str:
        """A stable digest of the time zone, weekly hours and holidays.

        It is the same in every process and release for an equal calendar and changes whenever any of the
        three changes, so a stored fingerprint tells whether deadlines computed with a calendar are stale.
        It does not cover the tz database's own rules for the zone.
        """
        canonical = json.dumps(
            {
                "version": 1,
                "tz": self._tz,
                "weekly": [[[a, b] for a, b in hours] for hours in self._weekly],
                "holidays": [day.isoformat() for day in sorted(self._holidays)],
            },
            separators=(",", ":"),
        )
        return "cal1-" + hashlib.sha256(canonical.encode()).hexdigest()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BusinessCalendar):
            return NotImplemented
        return (self._tz, self._weekly, self._holidays) == (other._tz, other._weekly, other._holidays)

    def __hash__(self) -> int:
        return self._hash

    def __repr__(self) -> str:
        holidays = f"<{len(self._holidays)} dates>"
        return f"BusinessCalendar(tz={self._tz!r}, weekly={self.weekly!r}, holidays={holidays})"

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"BusinessCalendar is immutable: cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"BusinessCalendar is immutable: cannot delete {name!r}")

    def __reduce__(self) -> tuple[type[BusinessCalendar], tuple[object, ...]]:
        return (type(self), (self._tz, self.weekly, self.holidays))

    def __copy__(self) -> BusinessCalendar:
        return self

    def __deepcopy__(self, memo: object) -> BusinessCalendar:
        return self

    # -- scalar arithmetic --------------------------------------------------------------------------

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The first open instant at which ``duration`` of business time has elapsed since ``start``.

        A ``start`` outside opening hours counts from the next opening; a zero ``duration`` gives ``start``
        when open, else the next opening. ``start`` must be timezone-aware (any zone); the result is in
        the calendar's zone.

        Raises:
            ValueError: if ``start`` is naive or ``duration`` negative.
            OverflowError: if the result would lie beyond the year 9999.
        """
        start_us = _epoch_us(start, "start")
        duration_us = duration // _ONE_US
        if duration_us < 0:
            raise ValueError(f"duration must not be negative, got {duration}")
        start_s = start_us // _US
        timeline = self._covering(start_s, start_s)
        while True:
            target_us = _business_us(timeline, start_us) + duration_us
            target = target_us // _US
            if target < timeline.total:
                break
            timeline = self._extended(timeline)
        i = bisect_right(timeline.cum, target) - 1
        return _datetime_from_us((timeline.starts[i] - timeline.cum[i]) * _US + target_us, self._zone)

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """The business time between two aware instants; zero when ``end`` is not after ``start``.

        Raises:
            ValueError: if either instant is naive.
        """
        start_us = _epoch_us(start, "start")
        end_us = _epoch_us(end, "end")
        if end_us <= start_us:
            return timedelta(0)
        timeline = self._covering(start_us // _US, end_us // _US)
        return timedelta(microseconds=_business_us(timeline, end_us) - _business_us(timeline, start_us))

    def next_open(self, at: datetime) -> datetime:
        """``at`` itself when the calendar is open then, else the next opening; in the calendar's zone.

        Raises:
            ValueError: if ``at`` is naive.
        """
        return self.add(at, timedelta(0))

    def is_open(self, at: datetime) -> bool:
        """Whether the calendar is open at the aware instant ``at``.

        Raises:
            ValueError: if ``at`` is naive.
        """
        at_s = _epoch_us(at, "at") // _US
        timeline = self._covering(at_s, at_s)
        i = bisect_right(timeline.starts, at_s) - 1
        return at_s < timeline.ends[i]

    # -- array arithmetic ---------------------------------------------------------------------------

    def add_many(self, starts: npt.ArrayLike, durations: npt.ArrayLike) -> _Int64Array:
        """:meth:`add` over arrays: integer epoch seconds and integer seconds in, epoch seconds out.

        The two arrays broadcast against each other (one duration for many starts is fine); the result has
        their broadcast shape and dtype int64.

        Raises:
            TypeError: if an array is not of an integer dtype.
            ValueError: if a duration is negative.
            OverflowError: if a result would lie beyond the year 9999.
        """
        start_arr, duration_arr = np.broadcast_arrays(
            _seconds(starts, "starts"), _seconds(durations, "durations")
        )
        if start_arr.size == 0:
            return np.empty(start_arr.shape, dtype=np.int64)
        if int(duration_arr.min()) < 0:
            raise ValueError("durations must not be negative")
        if int(duration_arr.max()) > _MAX_ARRAY_SECONDS:
            raise OverflowError("a duration is beyond any representable deadline")
        timeline = self._covering(int(start_arr.min()), int(start_arr.max()))
        while True:
            targets = _business_seconds(timeline, start_arr) + duration_arr
            if int(targets.max()) < timeline.total:
                break
            timeline = self._extended(timeline)
        i = np.searchsorted(timeline.cum_arr, targets, side="right") - 1
        result: _Int64Array = timeline.starts_arr[i] - timeline.cum_arr[i] + targets
        return result

    def elapsed_many(self, starts: npt.ArrayLike, ends: npt.ArrayLike) -> _Int64Array:
        """:meth:`elapsed` over arrays of integer epoch seconds; business seconds out (int64).

        The two arrays broadcast against each other; a pair whose end is not after its start gives 0.

        Raises:
            TypeError: if an array is not of an integer dtype.
        """
        start_arr, end_arr = np.broadcast_arrays(_seconds(starts, "starts"), _seconds(ends, "ends"))
        if start_arr.size == 0:
            return np.empty(start_arr.shape, dtype=np.int64)
        timeline = self._covering(
            min(int(start_arr.min()), int(end_arr.min())), max(int(start_arr.max()), int(end_arr.max()))
        )
        result: _Int64Array = np.maximum(
            _business_seconds(timeline, end_arr) - _business_seconds(timeline, start_arr), 0
        )
        return result

    # -- the timeline -------------------------------------------------------------------------------

    def _covering(self, first: int, last: int) -> _Timeline:
        """A timeline complete over the epoch seconds ``[first, last]``, built or widened if need be."""
        timeline = self._timeline
        if timeline is not None and timeline.lo <= first and last <= timeline.hi:
            return timeline
        # Whole years, and a day's margin: a fall-back across midnight can put an instant's local date
        # after the date of the last interval it needs.
        first_day = _local_date(first, self._zone) - timedelta(days=1)
        last_day = _local_date(last, self._zone) + timedelta(days=2)
        want_first = date(first_day.year, 1, 1)
        want_end = date(last_day.year + 1, 1, 1) if last_day.year < date.max.year else _LAST_DAY
        with self._lock:
            timeline = self._timeline
            if timeline is not None:
                if timeline.lo <= first and last <= timeline.hi:
                    return timeline
                want_first = min(want_first, timeline.first_day)
                want_end = max(want_end, timeline.end_day)
            timeline = self._build(want_first, want_end)
            if not (timeline.lo <= first and last <= timeline.hi):
                raise OverflowError("instant beyond the range of dates this calendar can lay out")
            object.__setattr__(self, "_timeline", timeline)
            return timeline

    def _extended(self, timeline: _Timeline) -> _Timeline:
        """``timeline`` lengthened forward by at least its own span (so repeated growth stays cheap)."""
        if timeline.end_day >= _LAST_DAY:
            raise OverflowError("the result lies beyond the year 9999")
        years = max(1, timeline.end_day.year - timeline.first_day.year)
        end_year = timeline.end_day.year + years
        want_end = date(end_year, 1, 1) if end_year <= date.max.year else _LAST_DAY
        with self._lock:
            # Timelines only ever grow, so the current one covers at least what ``timeline`` did.
            current = self._timeline or timeline
            if current.end_day >= want_end:
                return current
            longer = self._build(current.first_day, want_end)
            object.__setattr__(self, "_timeline", longer)
            return longer

    def _build(self, first_day: date, end_day: date) -> _Timeline:
        """Lay out the open intervals of the local dates ``[first_day, end_day)``."""
        first_day = max(first_day, _FIRST_DAY)
        zone = self._zone
        lo = _first_instant_showing(datetime.combine(first_day, time()), zone)
        hi = _first_instant_showing(datetime.combine(end_day, time()), zone)
        starts, ends = [lo], [lo]
        spans = [
            tuple((a, b, timedelta(seconds=a), timedelta(seconds=b)) for a, b in hours)
            for hours in self._weekly
        ]
        for ordinal in range(first_day.toordinal(), end_day.toordinal()):
            day = date.fromordinal(ordinal)
            if day in self._holidays:
                continue
            midnight = datetime.combine(day, time())
            naive_midnight = (ordinal - _EPOCH_ORDINAL) * _DAY_SECONDS
            for opening, closing, opening_delta, closing_delta in spans[(ordinal - 1) % 7]:  # 1 was a Monday
                start = _instant(midnight + opening_delta, naive_midnight + opening, zone)
                end = _instant(midnight + closing_delta, naive_midnight + closing, zone)
                if end <= start:  # wholly inside a spring-forward gap
                    continue
                if start == ends[-1] and len(ends) > 1:
                    ends[-1] = end
                else:
                    starts.append(start)
                    ends.append(end)
        lengths = [end - start for start, end in zip(starts, ends, strict=True)]
        cum = [0, *accumulate(lengths)]
        total = cum.pop()
        starts_arr = np.array(starts, dtype=np.int64)
        cum_arr = np.array(cum, dtype=np.int64)
        return _Timeline(
            first_day=first_day,
            end_day=end_day,
            lo=lo,
            hi=hi,
            starts=starts,
            ends=ends,
            cum=cum,
            total=total,
            starts_arr=starts_arr,
            ends_arr=np.array(ends, dtype=np.int64),
            cum_arr=cum_arr,
            open_offset_arr=cum_arr - starts_arr,
        )


# -- validation ---------------------------------------------------------------------------------------


def _parse_zone(tz: object) -> ZoneInfo:
    if not isinstance(tz, str) or not tz:
        raise ValueError(f"time zone must be an IANA name such as 'Europe/Berlin', got {tz!r}")
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {tz!r}: expected an IANA name such as 'Europe/Berlin'") from None


def _parse_weekly(weekly: object) -> _Week:
    if not isinstance(weekly, Mapping):
        raise ValueError(f"weekly hours must map weekdays to intervals, got {type(weekly).__name__}")
    days: dict[str, _Hours] = dict.fromkeys(WEEKDAYS, ())
    for key, intervals in weekly.items():
        if key not in days:
            raise ValueError(f"unknown weekday {key!r}: expected one of {', '.join(WEEKDAYS)}")
        days[key] = _parse_day(key, intervals)
    if not any(days.values()):
        raise ValueError("weekly hours have no opening interval: the calendar would never open")
    mon, tue, wed, thu, fri, sat, sun = (days[key] for key in WEEKDAYS)
    return (mon, tue, wed, thu, fri, sat, sun)


def _parse_day(day: str, intervals: object) -> _Hours:
    if isinstance(intervals, str | bytes) or not isinstance(intervals, Iterable):
        raise ValueError(f"{day}: expected a list of (start, end) intervals, got {intervals!r}")
    parsed: list[tuple[int, int]] = []
    for interval in intervals:
        if isinstance(interval, str | bytes) or not isinstance(interval, Sequence) or len(interval) != 2:
            raise ValueError(f"{day}: an interval is a pair of 'HH:MM' times, got {interval!r}")
        opening = _parse_clock(day, interval[0], is_end=False)
        closing = _parse_clock(day, interval[1], is_end=True)
        if closing <= opening:
            raise ValueError(
                f"{day}: interval {interval[0]}-{interval[1]} is empty or inverted; an interval must end"
                " after it starts (write overnight hours as two intervals: to 24:00, and from 00:00)"
            )
        parsed.append((opening, closing))
    parsed.sort()
    merged: list[tuple[int, int]] = []
    for opening, closing in parsed:
        if merged and opening < merged[-1][1]:
            previous = merged[-1]
            raise ValueError(
                f"{day}: intervals {_clock(previous[0])}-{_clock(previous[1])} and"
                f" {_clock(opening)}-{_clock(closing)} overlap"
            )
        if merged and opening == merged[-1][1]:
            merged[-1] = (merged[-1][0], closing)
        else:
            merged.append((opening, closing))
    return tuple(merged)


def _parse_clock(day: str, value: object, *, is_end: bool) -> int:
    match = _CLOCK.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"{day}: time {value!r} is not of the form 'HH:MM'")
    hours, minutes = int(match[1]), int(match[2])
    if hours == 24 and minutes == 0 and is_end:
        return _DAY_SECONDS
    if hours > 23 or minutes > 59:
        at_midnight = hours == 24 and minutes == 0
        detail = "24:00 may only end an interval" if at_midnight else "expected 00:00 to 24:00"
        raise ValueError(f"{day}: time {value!r} is out of range: {detail}")
    return hours * 3600 + minutes * 60


def _parse_holidays(holidays: Iterable[date]) -> frozenset[date]:
    if isinstance(holidays, str | bytes):
        raise ValueError("holidays must be an iterable of dates, not a string")
    closed = frozenset(holidays)
    for day in closed:
        if not isinstance(day, date) or isinstance(day, datetime):
            raise ValueError(f"holiday {day!r} is not a date")
    return closed


def _clock(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


# -- instants -----------------------------------------------------------------------------------------


def _epoch_us(at: datetime, name: str) -> int:
    try:
        return (at - _EPOCH) // _ONE_US
    except TypeError:  # naive, or not a datetime: say which
        if not isinstance(at, datetime):
            raise TypeError(f"{name} must be a datetime, got {type(at).__name__}") from None
        raise ValueError(f"{name} must be timezone-aware, got naive {at.isoformat()}") from None


def _datetime_from_us(epoch_us: int, zone: ZoneInfo) -> datetime:
    seconds, micro = divmod(epoch_us, _US)
    moment = datetime.fromtimestamp(seconds, zone)
    if not micro:
        return moment
    if moment.fold:  # adding a timedelta would lose the fold (the repeated hour's second pass)
        return moment.replace(microsecond=micro)
    # Offsets change on whole seconds, so the wall clock moves with the instant within one.
    return moment + timedelta(0, 0, micro)


def _local_date(epoch_seconds: int, zone: ZoneInfo) -> date:
    try:
        return datetime.fromtimestamp(epoch_seconds, zone).date()
    except (OverflowError, OSError, ValueError):
        raise OverflowError(f"epoch second {epoch_seconds} is beyond the range of dates") from None


def _wall(epoch_seconds: int, zone: ZoneInfo) -> datetime:
    return datetime.fromtimestamp(epoch_seconds, zone).replace(tzinfo=None)


def _instant(wall: datetime, naive_seconds: int, zone: ZoneInfo) -> int:
    """``_first_instant_showing(wall, zone)``, fast for the usual case; ``naive_seconds`` is ``wall`` read
    as if it were UTC."""
    offset = zone.utcoffset(wall)  # fold=0: for a repeated time, the offset of its first occurrence
    if offset is not None:
        guess = naive_seconds - offset // _ONE_SECOND
        if datetime.fromtimestamp(guess, zone).utcoffset() == offset:  # the clock shows wall then
            return guess
    return _first_instant_showing(wall, zone)


def _first_instant_showing(wall: datetime, zone: ZoneInfo) -> int:
    """The first epoch second at which the local clock in ``zone`` shows ``wall`` or later.

    For an existing time that is ``wall`` itself (its first occurrence when repeated: ``fold=0``); for a
    time skipped by a spring-forward change it is the instant of the change.
    """
    guess = (wall.replace(tzinfo=zone) - _EPOCH) // _ONE_SECOND
    if _wall(guess, zone) == wall:
        return guess
    # In a gap, fold=0 reads the time with the offset from before the change, which lands after the change;
    # fold=1 reads it with the offset from after, which lands before. The change is between the two.
    before = (wall.replace(tzinfo=zone, fold=1) - _EPOCH) // _ONE_SECOND
    after = guess
    while after - before > 1:
        middle = (before + after) // 2
        if _wall(middle, zone) >= wall:
            after = middle
        else:
            before = middle
    return after


def _business_us(timeline: _Timeline, epoch_us: int) -> int:
    """Business microseconds from the start of ``timeline`` to an instant it covers."""
    seconds = epoch_us // _US
    i = bisect_right(timeline.starts, seconds) - 1
    if seconds < timeline.ends[i]:
        # Boundaries are whole seconds, so a second that starts open stays open to its end.
        return (timeline.cum[i] - timeline.starts[i]) * _US + epoch_us
    return (timeline.cum[i] + timeline.ends[i] - timeline.starts[i]) * _US


def _business_seconds(timeline: _Timeline, epoch_seconds: _Int64Array) -> _Int64Array:
    i = np.searchsorted(timeline.starts_arr, epoch_seconds, side="right") - 1
    result: _Int64Array = timeline.open_offset_arr[i] + np.minimum(epoch_seconds, timeline.ends_arr[i])
    return result


def _seconds(values: npt.ArrayLike, name: str) -> _Int64Array:
    array = np.asarray(values)
    if array.dtype.kind not in "iu":
        raise TypeError(f"{name} must be integer epoch seconds, got an array of dtype {array.dtype}")
    return array.astype(np.int64, copy=False)
