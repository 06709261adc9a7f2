"""Properties of ossdesk.domain.sla that hold for every ticket history, policy and instant.

Histories are drawn on a minute grid over nine days from a Monday, so that events, closing times and due
instants often coincide, in three weeks: an ordinary one with Good Friday, and the two daylight-saving
changes of 2025 in Europe/Berlin.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from ossdesk.domain.calendar import WEEKDAYS, BusinessCalendar
from ossdesk.domain.entitlements import TargetDuration
from ossdesk.domain.sla import CLOCK_NAMES, STATUSES, Event, SlaPolicy, evaluate

BERLIN = ZoneInfo("Europe/Berlin")
OFFICE = BusinessCalendar(
    "Europe/Berlin", {day: [("09:00", "17:00")] for day in WEEKDAYS[:5]}, [date(2025, 4, 18)]
)
MONDAYS = [
    datetime(2025, 3, 24, tzinfo=BERLIN),
    datetime(2025, 4, 14, tzinfo=BERLIN),
    datetime(2025, 10, 20, tzinfo=BERLIN),
]
HORIZON = 9 * 24 * 60  # minutes


def targets(**texts: str | None) -> dict[str, TargetDuration | None]:
    return {name: TargetDuration.parse(text) if text else None for name, text in texts.items()}


BH = SlaPolicy(
    targets=targets(
        first_response="2bh", next_response="2bh", update_cadence="4bh", workaround="1bd", resolution="3bd"
    ),
    coverage="business_hours",
    business=OFFICE,
)
S1 = SlaPolicy(
    targets=targets(
        first_response="1h", next_response="1h", update_cadence="2h", workaround="4h", resolution="24h"
    ),
    coverage="24x7",
    business=OFFICE,
)
REACH = replace(S1, requires_reachable_contact=True)
CUSTOM = replace(
    BH,
    pauses={
        "first_response": frozenset({"waiting_on_customer"}),
        "resolution": frozenset({"waiting_on_third_party"}),
    },
)
POLICIES = [BH, S1, REACH, CUSTOM]

KINDS = st.sampled_from(
    ["customer_message", "vendor_reply", "internal_note", "status", "workaround", "reachability"]
)


@st.composite
def histories(draw: st.DrawFn, *, messages_only: bool = False) -> tuple[list[Event], datetime]:
    """A ticket's events and an instant at or after its opening."""
    monday = draw(st.sampled_from(MONDAYS))
    opened = monday + timedelta(minutes=draw(st.integers(0, 3 * 24 * 60)))

    def later(minutes: int) -> datetime:
        # Real-time arithmetic, back in Berlin time: in the repeated autumn hour this gives fold=1 instants,
        # which Python orders by wall clock when compared within the zone.
        return (opened.astimezone(UTC) + timedelta(minutes=minutes)).astimezone(BERLIN)

    reach = "" if messages_only else draw(st.sampled_from(["", "unreachable"]))
    events = [Event(opened, "opened", reach)]
    for _ in range(draw(st.integers(0, 12))):
        kind = draw(
            st.sampled_from(["customer_message", "vendor_reply", "internal_note", "workaround"])
            if messages_only
            else KINDS
        )
        value = ""
        if kind == "status":
            value = draw(st.sampled_from(STATUSES))
        elif kind == "reachability":
            value = draw(st.sampled_from(["yes", "no"]))
        events.append(Event(later(draw(st.integers(0, HORIZON))), kind, value))
    now = later(draw(st.integers(0, HORIZON)))
    return events, now


def instant(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


@settings(max_examples=200, deadline=None)
@given(histories(), st.sampled_from(POLICIES))
def test_states_are_consistent(history: tuple[list[Event], datetime], policy: SlaPolicy) -> None:
    events, now = history
    for name, state in evaluate(events, policy, now).items():
        assert state.name == name
        if state.state in ("none", "idle"):
            continue
        assert state.target is not None
        assert state.remaining is not None
        assert state.started_at is not None
        target = timedelta(seconds=policy.seconds(state.target))
        end = state.stopped_at or now
        # Business time never exceeds the wall time of the cycle.
        assert timedelta(0) <= state.elapsed <= instant(end) - instant(state.started_at)
        assert instant(state.started_at) <= instant(end) <= instant(now)
        assert state.elapsed + state.remaining == target
        assert state.breached == (state.state == "breached")
        if state.state in ("running", "paused"):
            assert state.stopped_at is None
        if state.state == "met":
            assert state.stopped_at is not None
            assert state.elapsed <= target
        if state.state == "running":
            assert state.due_at is not None
            assert instant(state.due_at) >= instant(now)
            assert state.remaining >= timedelta(0)
        if state.breached:
            # The breach happened by the end of the cycle, never in the future.
            assert state.breached_at is not None
            assert instant(state.breached_at) <= instant(end)
            assert state.remaining <= timedelta(0)
        if state.state == "paused":
            assert state.pause_reason


@settings(max_examples=60, deadline=None)
@given(histories(), st.sampled_from(POLICIES))
def test_elapsed_and_breaches_never_go_back(history: tuple[list[Event], datetime], policy: SlaPolicy) -> None:
    events, now = history
    # Just before, at and just after every event, and at the end: where clocks change.
    instants = {now}
    for event in events:
        instants |= {event.at - timedelta(minutes=1), event.at, event.at + timedelta(minutes=1)}
    timeline = sorted(t for t in instants if t >= events[0].at)
    previous = None
    for moment in sorted(timeline, key=instant):
        states = evaluate(events, policy, moment)
        if previous is not None:
            for name in CLOCK_NAMES:
                assert states[name].breaches >= previous[name].breaches, (name, moment)
                if name in ("first_response", "workaround", "resolution"):  # one cycle each
                    assert states[name].elapsed >= previous[name].elapsed, (name, moment)
        previous = states


@settings(max_examples=100, deadline=None)
@given(histories(), st.sampled_from(POLICIES), st.randoms(use_true_random=False))
def test_order_of_events_does_not_matter(
    history: tuple[list[Event], datetime], policy: SlaPolicy, rng: random.Random
) -> None:
    events, now = history
    shuffled = list(events)
    rng.shuffle(shuffled)
    assert evaluate(shuffled, policy, now) == evaluate(events, policy, now)


@settings(max_examples=100, deadline=None)
@given(histories(), histories(), st.sampled_from(POLICIES))
def test_events_after_now_are_ignored(
    history: tuple[list[Event], datetime], extra: tuple[list[Event], datetime], policy: SlaPolicy
) -> None:
    events, now = history
    later = [replace(e, at=now + (e.at - extra[0][0].at) + timedelta(minutes=1)) for e in extra[0][1:]]
    assert evaluate([*events, *later], policy, now) == evaluate(events, policy, now)


@settings(max_examples=200, deadline=None)
@given(
    histories(messages_only=True),
    st.sampled_from([BH, S1, CUSTOM]),
    st.integers(0, HORIZON),
    st.integers(1, HORIZON),
)
def test_a_pause_never_brings_a_deadline_forward(
    history: tuple[list[Event], datetime], policy: SlaPolicy, pause_at: int, pause_for: int
) -> None:
    events, now = history
    start = events[0].at + timedelta(minutes=pause_at)
    end = start + timedelta(minutes=pause_for)
    paused = [*events, Event(start, "status", "waiting_on_third_party"), Event(end, "status", "open")]
    without, with_pause = evaluate(events, policy, now), evaluate(paused, policy, now)
    for name in ("workaround", "resolution"):  # both pause while waiting on a third party here
        assert with_pause[name].elapsed <= without[name].elapsed
        assert with_pause[name].breaches <= without[name].breaches
        due, later_due = without[name].due_at, with_pause[name].due_at
        if due is not None and later_due is not None:
            assert instant(later_due) >= instant(due)


@settings(max_examples=100, deadline=None)
@given(histories(messages_only=True), st.sampled_from(["1h", "2h", "8h"]))
def test_24x7_coverage_is_never_more_lenient(history: tuple[list[Event], datetime], target: str) -> None:
    events, now = history
    same = {name: TargetDuration.parse(target) for name in CLOCK_NAMES}
    office = evaluate(events, SlaPolicy(targets=same, coverage="business_hours", business=OFFICE), now)
    around = evaluate(events, SlaPolicy(targets=same, coverage="24x7", business=OFFICE), now)
    for name in CLOCK_NAMES:
        assert around[name].elapsed >= office[name].elapsed
        assert around[name].breaches >= office[name].breaches
        strict, lenient = around[name].due_at, office[name].due_at
        if strict is not None and lenient is not None:
            assert instant(strict) <= instant(lenient)
