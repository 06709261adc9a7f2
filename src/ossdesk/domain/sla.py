"""SLA clocks: pure functions from a ticket's stored events, a policy and an instant to clock states.

Nothing here keeps time in memory: the same events and the same instant always give the same answer,
so a restart or a recomputation cannot change a deadline.

The clocks of a ticket:

- ``first_response``: from opening until the first public reply by the vendor.
- ``next_response``: from the earliest customer public message not yet answered until the vendor's next
  public reply; further customer messages in between do not move it. Its target is the plan's first
  response target. One cycle per unanswered customer message run.
- ``update_cadence``: while the ticket is open, the vendor posts a public update at least this often; each
  public reply starts a new cycle.
- ``workaround``: from opening until a workaround is given (or the ticket is solved).
- ``resolution``: from opening until solved; a reopen resumes it with the time already spent.

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

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Literal

from ossdesk.domain.calendar import BusinessCalendar
from ossdesk.domain.entitlements import TargetDuration

CLOCK_NAMES: tuple[str, ...] = (
    "first_response",
    "next_response",
    "update_cadence",
    "workaround",
    "resolution",
)
CLOCK_LABELS: Mapping[str, str] = {
    "first_response": "First response",
    "next_response": "Next response",
    "update_cadence": "Update",
    "workaround": "Workaround",
    "resolution": "Resolution",
}
STATUSES: tuple[str, ...] = (
    "new",
    "open",
    "waiting_on_customer",
    "waiting_on_third_party",
    "solved",
    "closed",
)
STOPPED_STATUSES = frozenset({"solved", "closed"})
DEFAULT_PAUSES: Mapping[str, frozenset[str]] = {
    "first_response": frozenset(),
    "next_response": frozenset({"waiting_on_third_party"}),
    "update_cadence": frozenset({"waiting_on_customer", "waiting_on_third_party"}),
    "workaround": frozenset({"waiting_on_customer", "waiting_on_third_party"}),
    "resolution": frozenset({"waiting_on_customer", "waiting_on_third_party"}),
}
DEFAULT_WARNINGS: tuple[float, ...] = (0.5, 0.75, 0.9)

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
    pauses: Mapping[str, frozenset[str]] = field(default_factory=lambda: dict(DEFAULT_PAUSES))
    requires_reachable_contact: bool = False
    warnings: tuple[float, ...] = DEFAULT_WARNINGS

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
    pause_reason: str | None = None
    cycle: int = 0
    breaches: int = 0

    @property
    def label(self) -> str:
        """Human name of the clock."""
        return CLOCK_LABELS[self.name]

    @property
    def fraction(self) -> float:
        """Share of the target used, 0.0 .. (above 1.0 when overdue)."""
        if self.target is None or self.remaining is None:
            return 0.0
        total = self.elapsed + self.remaining
        return self.elapsed / total if total > timedelta(0) else 1.0

    def warnings_crossed(self, levels: Sequence[float]) -> tuple[float, ...]:
        """Which warning fractions this cycle has reached (for notifications)."""
        if self.state not in ("running", "paused", "breached") or self.target is None:
            return ()
        return tuple(level for level in levels if self.fraction >= level)


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
class _Cycle:
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

    def measure(self, cycle: _Cycle, index: int, breaches: int) -> ClockState:
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
        pause_reason = None
        if cycle.stop is None:
            if not self._running(current):
                state, pause_reason = "paused", f"the ticket is {current.status.replace('_', ' ')}"
            else:
                calendar = self._calendar(current)
                if due is None:
                    due = calendar.add(max(current.start, cycle.start, self.now), remaining)
                if calendar is not self.calendar and not calendar.is_open(self.now):
                    state = "paused"
                    pause_reason = (
                        "no contact reachable 24/7 is on record, so the clock runs in business hours"
                    )
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
            pause_reason=pause_reason,
            cycle=index,
            breaches=breaches + (1 if breached else 0),
        )


def _cycles(name: str, events: Sequence[Event], segments: Sequence[_Segment], now: datetime) -> list[_Cycle]:
    ordered = [e for e in _ordered(events) if e.at <= now]
    opened = ordered[0].at
    solved_at = [s.start for s in segments if s.status in STOPPED_STATUSES]
    first_solve = solved_at[0] if solved_at else None
    currently_stopped = segments[-1].status in STOPPED_STATUSES
    # When the ticket was last solved: a later close or reachability change starts a new segment, but the
    # clocks stopped at the solve.
    stopped_since = segments[-1].start
    for segment in reversed(segments):
        if segment.status not in STOPPED_STATUSES:
            break
        stopped_since = segment.start
    replies = [e.at for e in ordered if e.kind == "vendor_reply"]
    if name == "first_response":
        candidates = [t for t in (replies[0] if replies else None, first_solve) if t is not None]
        return [_Cycle(opened, min(candidates) if candidates else None)]
    if name == "workaround":
        given = [e.at for e in ordered if e.kind == "workaround"]
        candidates = [t for t in (given[0] if given else None, first_solve) if t is not None]
        return [_Cycle(opened, min(candidates) if candidates else None)]
    if name == "resolution":
        return [_Cycle(opened, stopped_since if currently_stopped else None)]
    if name == "next_response":
        cycles: list[_Cycle] = []
        waiting_since: datetime | None = None
        for event in ordered:
            if (
                event.kind == "customer_message"
                and waiting_since is None
                and replies
                and event.at >= replies[0]
            ):
                waiting_since = event.at
            elif event.kind == "vendor_reply" and waiting_since is not None:
                cycles.append(_Cycle(waiting_since, event.at))
                waiting_since = None
        if waiting_since is not None:
            stop = max(stopped_since, waiting_since) if currently_stopped else None
            cycles.append(_Cycle(waiting_since, stop))
        return cycles
    if name == "update_cadence":
        cycles = []
        start = opened
        for reply in replies:
            cycles.append(_Cycle(start, reply))
            start = reply
        # The cycle since the last reply stops at the solve (and resumes on reopen); dropping it would
        # erase a missed update from the record once the ticket is solved.
        cycles.append(_Cycle(start, max(stopped_since, start) if currently_stopped else None))
        return cycles
    raise ValueError(f"unknown clock {name!r}")


def evaluate_clock(name: str, events: Sequence[Event], policy: SlaPolicy, now: datetime) -> ClockState:
    """The state of one clock at `now`: the open cycle if any, else the last one."""
    if now.tzinfo is None:
        raise ValueError("`now` must be an aware datetime")
    if name not in CLOCK_NAMES:
        raise ValueError(f"unknown clock {name!r}")
    now = now.astimezone(UTC)
    segments = _segments(events, now)
    runner = _Runner(name, policy, segments, now)
    if runner.target is None:
        return ClockState(name=name, state="none")
    cycles = _cycles(name, events, segments, now)
    if not cycles:
        return ClockState(name=name, state="idle", target=runner.target)
    breaches = 0
    result: ClockState | None = None
    for index, cycle in enumerate(cycles):
        result = runner.measure(cycle, index, breaches)
        breaches = result.breaches
    assert result is not None
    return result


def evaluate(
    events: Sequence[Event], policy: SlaPolicy, now: datetime, clocks: Iterable[str] = CLOCK_NAMES
) -> dict[str, ClockState]:
    """Every clock of a ticket at `now`."""
    return {name: evaluate_clock(name, events, policy, now) for name in clocks}


def next_deadline(states: Mapping[str, ClockState]) -> ClockState | None:
    """The running clock due soonest (for the queue's badge)."""
    # Compared as UTC instants: due instants are in the calendar's zone, where Python compares wall clocks.
    running = [
        (s.due_at.astimezone(UTC), s)
        for s in states.values()
        if s.state in ("running", "breached") and s.stopped_at is None and s.due_at is not None
    ]
    return min(running, key=lambda pair: pair[0])[1] if running else None
