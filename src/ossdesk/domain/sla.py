"""SLA clocks: pure functions from a ticket's stored events, a policy and an instant to clock states.

Nothing here keeps time in memory: the same events and the same instant always give the same answer,
so a restart or a recomputation cannot change a deadline.

The kinds of clock are the rows of CLOCK_SPECS, one row each: its code and label, the key of the terms
that sets its target, the statuses that pause it, its cycle rule and its warning levels. Today's kinds:
first response (until the first public reply), next response (each unanswered run of customer messages
until the next reply, on the first response's target), update cadence (between public replies), workaround
(until one is given) and resolution (until solved; a reopen resumes it with the time already spent).

Rules (documented in docs/sla.md):

- A clock runs only while the ticket's status is not in the clock's pause set, and never while solved or
  closed. Time is measured on the policy's calendar for the target: clock units (``m``, ``h``) on the
  coverage calendar (always open under 24/7 coverage), business units (``bh``, ``bd``) on the business
  calendar; one business day is the calendar's average open time per open weekday.
- Re-targeting: a change of severity, plan or agreement mid-ticket re-evaluates every clock from the
  ticket's start under the new policy. Pauses already accumulated stay excluded, because pause intervals
  come from the events, not from the policy.
- Under 24/7 coverage a clock whose policy requires a reachable contact (S1, as Red Hat requires) only
  runs outside business hours while a contact reachable 24/7 is on record; otherwise it pauses outside
  business hours and says why.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Literal

from ossdesk.domain.calendar import BusinessCalendar

STATUSES: tuple[str, ...] = (
    "new",
    "open",
    "waiting_on_customer",
    "waiting_on_third_party",
    "solved",
    "closed",
)
STOPPED_STATUSES = frozenset({"solved", "closed"})
WAITING = frozenset({"waiting_on_customer", "waiting_on_third_party"})
DEFAULT_WARNINGS: tuple[float, ...] = (0.5, 0.75, 0.9)

Unit = Literal["m", "h", "bh", "bd"]
_DURATION = re.compile(r"^\s*(\d+)\s*(m|h|bh|bd)\s*$")


@dataclass(frozen=True, order=True)
class TargetDuration:
    """A target such as 15 minutes (15m), 4 business hours (4bh) or 2 business days (2bd)."""

    amount: int
    unit: Unit

    @classmethod
    def parse(cls, text: str) -> TargetDuration:
        """Parse "15m", "1h", "4bh" or "2bd"; raise ValueError otherwise."""
        match = _DURATION.match(text) if isinstance(text, str) else None
        if not match or int(match.group(1)) <= 0:
            raise ValueError(f"{text!r} is not a duration such as 15m, 1h, 4bh or 2bd")
        return cls(int(match.group(1)), match.group(2))  # type: ignore[arg-type]

    @property
    def business(self) -> bool:
        """True when measured on the business calendar rather than the wall clock."""
        return self.unit in ("bh", "bd")

    @property
    def minutes(self) -> int:
        """Length in minutes for clock units and business hours; business days are not minutes."""
        if self.unit == "bd":
            raise ValueError("business days have no fixed length in minutes; use the calendar")
        return self.amount * (1 if self.unit == "m" else 60)

    def __str__(self) -> str:
        return f"{self.amount}{self.unit}"

    def label(self) -> str:
        """Human form: "15 min", "4 business hours", "1 business day"."""
        names = {
            "m": ("min", "min"),
            "h": ("hour", "hours"),
            "bh": ("business hour", "business hours"),
            "bd": ("business day", "business days"),
        }
        singular, plural = names[self.unit]
        return f"{self.amount} {singular if self.amount == 1 else plural}"


class PauseReason(StrEnum):
    """Why a clock that has not stopped does not run: a code stored with the clock, and words to show.

    A status in the clock's pause set pauses it under the status's own code; the calendar pauses it when
    S1 under 24/7 coverage has no contact reachable around the clock (the clock runs in business hours
    then, so it resumes by itself at the next opening)."""

    NEW = "new"
    OPEN = "open"
    WAITING_ON_CUSTOMER = "waiting_on_customer"
    WAITING_ON_THIRD_PARTY = "waiting_on_third_party"
    SOLVED = "solved"
    CLOSED = "closed"
    NO_REACHABLE_CONTACT = "no_reachable_contact"

    @property
    def label(self) -> str:
        """The words shown after "Paused:"."""
        if self is PauseReason.NO_REACHABLE_CONTACT:
            return "no contact reachable 24/7 is on record, so the clock runs in business hours"
        return f"the ticket is {self.value.replace('_', ' ')}"

    @property
    def ends_by_the_calendar(self) -> bool:
        """Whether the pause can end with no event at all (at the next business opening)."""
        return self is PauseReason.NO_REACHABLE_CONTACT

    @classmethod
    def label_of(cls, code: str) -> str:
        """The words for a stored code; text that is not a code is shown as it is."""
        return cls(code).label if code in cls._value2member_map_ else code

    @classmethod
    def for_status(cls, status: str) -> PauseReason:
        """The pause of a status in a clock's pause set."""
        return cls(status)


EventKind = Literal[
    "opened", "customer_message", "vendor_reply", "internal_note", "status", "workaround", "reachability"
]
State = Literal["running", "paused", "met", "breached", "idle", "none"]
# Events stamped with the same instant are taken in this order, never in the order given, so that the result
# cannot depend on how the caller's query happened to return them. A customer message stamped with the
# instant of a reply counts as after it: still to be answered, rather than silently answered.
_SAME_INSTANT_ORDER: Mapping[str, int] = {
    kind: rank
    for rank, kind in enumerate(
        (
            "opened",
            "status",
            "reachability",
            "vendor_reply",
            "workaround",
            "internal_note",
            "customer_message",
        )
    )
}


@dataclass(frozen=True)
class Event:
    """One stored ticket event. `value` carries the new status or the reachability ("yes"/"no")."""

    at: datetime
    kind: EventKind
    value: str = ""


@dataclass(frozen=True)
class SlaPolicy:
    """What the contract says for this ticket now: targets, calendars and pause rules."""

    targets: Mapping[str, TargetDuration | None]
    coverage: str
    business: BusinessCalendar
    # Per clock kind; a clock left out of `pauses` never pauses, one left out of `warnings` never warns.
    pauses: Mapping[str, frozenset[str]] = field(default_factory=lambda: dict(DEFAULT_PAUSES))
    requires_reachable_contact: bool = False
    warnings: Mapping[str, tuple[float, ...]] = field(default_factory=lambda: dict(DEFAULT_WARNING_LEVELS))

    def calendar_for(self, target: TargetDuration) -> BusinessCalendar:
        """The calendar a target is measured on."""
        if target.business or self.coverage != "24x7":
            return self.business
        return _always_open(self.business.tz)

    def seconds(self, target: TargetDuration) -> int:
        """A target's length in seconds of its calendar's time."""
        if target.unit == "bd":
            return target.amount * business_day_seconds(self.business)
        return target.minutes * 60


@dataclass(frozen=True)
class ClockState:
    """One clock of one ticket at one instant."""

    name: str
    state: State
    target: TargetDuration | None = None
    started_at: datetime | None = None
    due_at: datetime | None = None
    stopped_at: datetime | None = None
    elapsed: timedelta = timedelta(0)
    remaining: timedelta | None = None
    breached: bool = False
    breached_at: datetime | None = None
    pause: PauseReason | None = None
    cycle: int = 0
    breaches: int = 0
    warnings: tuple[float, ...] = ()  # the warning levels its policy sets for this clock

    @property
    def label(self) -> str:
        """Human name of the clock."""
        return clock_spec(self.name).label

    @property
    def pause_reason(self) -> str | None:
        """Why it is paused, in words (None unless paused)."""
        return self.pause.label if self.pause is not None else None

    @property
    def fraction(self) -> float:
        """Share of the target used, 0.0 .. (above 1.0 when overdue)."""
        if self.target is None or self.remaining is None:
            return 0.0
        total = self.elapsed + self.remaining
        return self.elapsed / total if total > timedelta(0) else 1.0

    def warnings_crossed(self, levels: Sequence[float] | None = None) -> tuple[float, ...]:
        """Which warning fractions this cycle has reached (for notifications); `levels`: the policy's
        levels for this clock unless given."""
        if self.state not in ("running", "paused", "breached") or self.target is None:
            return ()
        return tuple(
            level for level in (self.warnings if levels is None else levels) if self.fraction >= level
        )


@dataclass(frozen=True)
class _Segment:
    start: datetime
    end: datetime | None  # None: still going at `now`
    status: str
    reachable: bool


def _ordered(events: Sequence[Event]) -> list[Event]:
    """The events in time order, as UTC instants: Python compares two datetimes of one zone by wall clock,
    which puts the two passes of a repeated (fall-back) hour in the wrong order."""
    if any(e.at.tzinfo is None for e in events):
        raise ValueError("event instants must be aware datetimes")
    in_utc = [Event(e.at.astimezone(UTC), e.kind, e.value) for e in events]
    last = len(_SAME_INSTANT_ORDER)
    return sorted(in_utc, key=lambda e: (e.at, _SAME_INSTANT_ORDER.get(e.kind, last), e.value))


def _segments(events: Sequence[Event], now: datetime) -> list[_Segment]:
    ordered = _ordered(events)
    if not ordered or ordered[0].kind != "opened":
        raise ValueError("a ticket's events must start with 'opened'")
    if ordered[0].at > now:
        raise ValueError("`now` is before the ticket was opened")
    status, reachable = "new", ordered[0].value != "unreachable"
    segments: list[_Segment] = []
    cursor = ordered[0].at
    for event in ordered[1:]:
        if event.at > now:
            break
        changed = False
        if event.kind == "status" and event.value != status:
            if event.value not in STATUSES:
                raise ValueError(f"unknown status {event.value!r}")
            new_status, changed = event.value, True
        elif event.kind == "vendor_reply" and status == "new":
            new_status, changed = "open", True
        elif event.kind == "reachability" and (event.value == "yes") != reachable:
            changed = True
            new_status = status
        if changed:
            if event.at > cursor:
                segments.append(_Segment(cursor, event.at, status, reachable))
            cursor = event.at
            status = new_status
            if event.kind == "reachability":
                reachable = event.value == "yes"
    segments.append(_Segment(cursor, None, status, reachable))
    return segments


@lru_cache(maxsize=64)
def _always_open(tz: str) -> BusinessCalendar:
    # One per zone: a calendar lays out its timeline (a year of days) on first use, which would otherwise
    # be redone for every clock of every 24/7 ticket.
    return BusinessCalendar.always_open(tz)


@lru_cache(maxsize=1024)
def business_day_seconds(calendar: BusinessCalendar) -> int:
    """The calendar's average open seconds per open weekday (8 h for 09:00-17:00)."""
    totals = []
    for intervals in calendar.weekly.values():
        seconds = 0
        for start, end in intervals:
            seconds += _hhmm(end) - _hhmm(start)
        if seconds:
            totals.append(seconds)
    return sum(totals) // len(totals) if totals else 8 * 3600


def _hhmm(value: str) -> int:
    hours, minutes = value.split(":")
    return int(hours) * 3600 + int(minutes) * 60


@dataclass(frozen=True)
class Cycle:
    """One cycle of a clock: from `start` until met."""

    start: datetime
    stop: datetime | None  # met (answered, solved ...) or None while outstanding


class _Runner:
    """Measures running time of one clock over the ticket's segments."""

    def __init__(self, name: str, policy: SlaPolicy, segments: Sequence[_Segment], now: datetime) -> None:
        self.name = name
        self.policy = policy
        self.segments = segments
        self.now = now
        target = policy.targets.get(name)
        self.target = target
        self.pauses = policy.pauses.get(name, frozenset())
        if target is not None:
            self.calendar = policy.calendar_for(target)
            self.target_seconds = policy.seconds(target)
            self.round_the_clock = not target.business and policy.coverage == "24x7"

    def _calendar(self, segment: _Segment) -> BusinessCalendar:
        if self.round_the_clock and self.policy.requires_reachable_contact and not segment.reachable:
            return self.policy.business
        return self.calendar

    def _running(self, segment: _Segment) -> bool:
        return segment.status not in STOPPED_STATUSES and segment.status not in self.pauses

    def measure(self, cycle: Cycle, index: int, breaches: int) -> ClockState:
        """Running time, due instant and state of one cycle."""
        assert self.target is not None
        end = cycle.stop or self.now
        target = timedelta(seconds=self.target_seconds)
        spent = timedelta(0)
        due: datetime | None = None
        for segment in self.segments:
            seg_start, seg_end = max(segment.start, cycle.start), min(segment.end or end, end)
            if seg_end <= seg_start or not self._running(segment):
                continue
            calendar = self._calendar(segment)
            part = calendar.elapsed(seg_start, seg_end)
            if due is None and spent + part >= target:
                due = calendar.add(seg_start, target - spent)
            spent += part
        remaining = target - spent
        current = self.segments[-1]
        state: State = "met" if cycle.stop is not None else "running"
        pause = None
        if cycle.stop is None:
            if not self._running(current):
                state, pause = "paused", PauseReason.for_status(current.status)
            else:
                calendar = self._calendar(current)
                if due is None:
                    due = calendar.add(max(current.start, cycle.start, self.now), remaining)
                if calendar is not self.calendar and not calendar.is_open(self.now):
                    state, pause = "paused", PauseReason.NO_REACHABLE_CONTACT
        # A cycle that has used exactly its target is not late yet (the calendar's `add` convention): on a
        # business calendar the target can run out at a closing time, and an answer before the next opening
        # is in time; a clock paused with nothing left is late only once it runs again. A running clock is
        # breached from its due instant on.
        breached = spent > target or (
            state == "running" and spent == target and due is not None and self.now >= due
        )
        if breached:
            state = "breached"
        return ClockState(
            name=self.name,
            state=state,
            target=self.target,
            started_at=cycle.start,
            due_at=due,
            stopped_at=cycle.stop,
            elapsed=spent,
            remaining=max(remaining, timedelta(0)) if not breached else remaining,
            breached=breached,
            breached_at=due if breached else None,
            pause=pause,
            cycle=index,
            breaches=breaches + (1 if breached else 0),
            warnings=self.policy.warnings.get(self.name, ()),
        )


@dataclass(frozen=True)
class History:
    """What the cycle rules read: a ticket's events up to `now` in order, and when it was solved."""

    events: Sequence[Event]
    opened: datetime
    replies: Sequence[datetime]  # the vendor's public replies
    first_solve: datetime | None
    stopped_since: datetime | None  # the last solve, while the ticket is still solved or closed

    @classmethod
    def of(cls, events: Sequence[Event], segments: Sequence[_Segment], now: datetime) -> History:
        """From the events and their status segments (see `_segments`)."""
        ordered = [e for e in _ordered(events) if e.at <= now]
        solved_at = [s.start for s in segments if s.status in STOPPED_STATUSES]
        # When the ticket was last solved: a later close or reachability change starts a new segment, but
        # the clocks stopped at the solve.
        stopped_since: datetime | None = None
        if segments[-1].status in STOPPED_STATUSES:
            stopped_since = segments[-1].start
            for segment in reversed(segments):
                if segment.status not in STOPPED_STATUSES:
                    break
                stopped_since = segment.start
        return cls(
            events=ordered,
            opened=ordered[0].at,
            replies=[e.at for e in ordered if e.kind == "vendor_reply"],
            first_solve=solved_at[0] if solved_at else None,
            stopped_since=stopped_since,
        )

    def first(self, *instants: datetime | None) -> datetime | None:
        """The earliest of the instants given, None if none is."""
        known = [t for t in instants if t is not None]
        return min(known) if known else None


def until_first_reply(history: History) -> list[Cycle]:
    """One cycle from opening until the vendor's first public reply (or the first solve)."""
    first_reply = history.replies[0] if history.replies else None
    return [Cycle(history.opened, history.first(first_reply, history.first_solve))]


def until_workaround(history: History) -> list[Cycle]:
    """One cycle from opening until a workaround is given (or the first solve)."""
    given = [e.at for e in history.events if e.kind == "workaround"]
    return [Cycle(history.opened, history.first(given[0] if given else None, history.first_solve))]


def until_solved(history: History) -> list[Cycle]:
    """One cycle from opening until solved; a reopen resumes it with the time already spent."""
    return [Cycle(history.opened, history.stopped_since)]


def per_unanswered_message(history: History) -> list[Cycle]:
    """A cycle per run of customer messages after the first reply, until the vendor's next public reply;
    further customer messages in between do not move it."""
    cycles: list[Cycle] = []
    waiting_since: datetime | None = None
    for event in history.events:
        if (
            event.kind == "customer_message"
            and waiting_since is None
            and history.replies
            and event.at >= history.replies[0]
        ):
            waiting_since = event.at
        elif event.kind == "vendor_reply" and waiting_since is not None:
            cycles.append(Cycle(waiting_since, event.at))
            waiting_since = None
    if waiting_since is not None:
        stopped = history.stopped_since
        cycles.append(Cycle(waiting_since, max(stopped, waiting_since) if stopped is not None else None))
    return cycles


def between_replies(history: History) -> list[Cycle]:
    """A cycle from opening to the first public reply, then from each reply to the next; the open one
    stops at the solve (and resumes on reopen)."""
    cycles = []
    start = history.opened
    for reply in history.replies:
        cycles.append(Cycle(start, reply))
        start = reply
    # Dropping the cycle since the last reply once solved would erase a missed update from the record.
    stopped = history.stopped_since
    cycles.append(Cycle(start, max(stopped, start) if stopped is not None else None))
    return cycles


CycleRule = Callable[[History], list[Cycle]]


@dataclass(frozen=True)
class ClockSpec:
    """One kind of SLA clock. Adding a kind is one row of CLOCK_SPECS (and its tests): the terms, the
    policy, the stored clocks, the pages, the API and the notices all read it from here."""

    name: str  # the clock's code, stored with its rows and notices
    label: str  # its name on a ticket's page, in notices and mails
    target_key: str  # the key of a severity's terms that sets its target (kinds may share one)
    pauses: frozenset[str]  # the statuses that pause it, unless a policy says otherwise
    cycles: CycleRule  # when each cycle of it starts and stops
    warnings: tuple[float, ...] = DEFAULT_WARNINGS  # shares of the target that warn, unless a policy says
    target_label: str = ""  # the plans' heading for its target key, when it owns one (default: label)


CLOCK_SPECS: tuple[ClockSpec, ...] = (
    ClockSpec(
        "first_response",
        "First response",
        target_key="first_response",
        pauses=frozenset(),
        cycles=until_first_reply,
    ),
    # Its target is the first response's: a customer who writes again waits no longer than at first.
    ClockSpec(
        "next_response",
        "Next response",
        target_key="first_response",
        pauses=frozenset({"waiting_on_third_party"}),
        cycles=per_unanswered_message,
    ),
    ClockSpec(
        "update_cadence",
        "Update",
        target_key="update_cadence",
        pauses=WAITING,
        cycles=between_replies,
        target_label="Updates every",
    ),
    ClockSpec("workaround", "Workaround", target_key="workaround", pauses=WAITING, cycles=until_workaround),
    ClockSpec("resolution", "Resolution", target_key="resolution", pauses=WAITING, cycles=until_solved),
)
_SPECS_BY_NAME: Mapping[str, ClockSpec] = {spec.name: spec for spec in CLOCK_SPECS}
CLOCK_NAMES: tuple[str, ...] = tuple(_SPECS_BY_NAME)
CLOCK_LABELS: Mapping[str, str] = {spec.name: spec.label for spec in CLOCK_SPECS}
DEFAULT_PAUSES: Mapping[str, frozenset[str]] = {spec.name: spec.pauses for spec in CLOCK_SPECS}
DEFAULT_WARNING_LEVELS: Mapping[str, tuple[float, ...]] = {spec.name: spec.warnings for spec in CLOCK_SPECS}


def _target_label(key: str) -> str:
    owner = _SPECS_BY_NAME.get(key) or next(s for s in CLOCK_SPECS if s.target_key == key)
    return owner.target_label or owner.label


# The keys of a severity's terms that set targets, in the order the plans list them, with their headings
# (a key is headed by the kind of its own name, if there is one).
TARGET_LABELS: Mapping[str, str] = {
    key: _target_label(key) for key in dict.fromkeys(spec.target_key for spec in CLOCK_SPECS)
}
TARGET_KEYS: tuple[str, ...] = tuple(TARGET_LABELS)


def clock_spec(name: str) -> ClockSpec:
    """The registry row of a clock kind (ValueError for an unknown one)."""
    try:
        return _SPECS_BY_NAME[name]
    except KeyError:
        raise ValueError(f"unknown clock {name!r}") from None


def clock_targets(targets: Callable[[str], TargetDuration | None]) -> dict[str, TargetDuration | None]:
    """Each clock kind's target, from a lookup by target key (a severity's terms)."""
    return {spec.name: targets(spec.target_key) for spec in CLOCK_SPECS}


def _evaluate(
    spec: ClockSpec, segments: Sequence[_Segment], history: History, policy: SlaPolicy, now: datetime
) -> ClockState:
    runner = _Runner(spec.name, policy, segments, now)
    if runner.target is None:
        return ClockState(name=spec.name, state="none")
    cycles = spec.cycles(history)
    if not cycles:
        return ClockState(name=spec.name, state="idle", target=runner.target)
    breaches = 0
    result: ClockState | None = None
    for index, cycle in enumerate(cycles):
        result = runner.measure(cycle, index, breaches)
        breaches = result.breaches
    assert result is not None
    return result


def evaluate_clock(name: str, events: Sequence[Event], policy: SlaPolicy, now: datetime) -> ClockState:
    """The state of one clock at `now`: the open cycle if any, else the last one."""
    return evaluate(events, policy, now, (name,))[name]


def evaluate(
    events: Sequence[Event], policy: SlaPolicy, now: datetime, clocks: Iterable[str] = CLOCK_NAMES
) -> dict[str, ClockState]:
    """Every clock of a ticket at `now`."""
    if now.tzinfo is None:
        raise ValueError("`now` must be an aware datetime")
    specs = [clock_spec(name) for name in clocks]
    if not specs:
        return {}
    now = now.astimezone(UTC)
    segments = _segments(events, now)
    history = History.of(events, segments, now)
    return {spec.name: _evaluate(spec, segments, history, policy, now) for spec in specs}


def next_deadline(states: Mapping[str, ClockState]) -> ClockState | None:
    """The running clock due soonest (for the queue's badge)."""
    # Compared as UTC instants: due instants are in the calendar's zone, where Python compares wall clocks.
    running = [
        (s.due_at.astimezone(UTC), s)
        for s in states.values()
        if s.state in ("running", "breached") and s.stopped_at is None and s.due_at is not None
    ]
    return min(running, key=lambda pair: pair[0])[1] if running else None
