"""Tests of ossdesk.domain.sla: every clock through every state, worked out by hand from the calendar rules.

The business calendar is Europe/Berlin, Monday to Friday 09:00-17:00, closed on Good Friday 2025-04-18. The
tickets live in the week of Monday 2025-04-14 (CEST, +02:00), written as "Mon 10:00"; "Mon2" and "Tue2" are
2025-04-21 and 2025-04-22. Every expected instant and duration below is counted on that calendar by hand,
never produced by the code under test. The calendar's convention applies: a deadline that lands on a
closing time is the next opening instead.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ossdesk.domain.calendar import WEEKDAYS, BusinessCalendar
from ossdesk.domain.entitlements import TargetDuration
from ossdesk.domain.sla import (
    CLOCK_NAMES,
    DEFAULT_PAUSES,
    STATUSES,
    ClockState,
    Event,
    SlaPolicy,
    business_day_seconds,
    evaluate,
    evaluate_clock,
    next_deadline,
)

BERLIN = ZoneInfo("Europe/Berlin")
M = timedelta(minutes=1)
H = timedelta(hours=1)
MON_FRI = WEEKDAYS[:5]
GOOD_FRIDAY = date(2025, 4, 18)
OFFICE = BusinessCalendar("Europe/Berlin", {day: [("09:00", "17:00")] for day in MON_FRI}, [GOOD_FRIDAY])
DAYS = {
    name: date(2025, 4, 14) + timedelta(days=offset)
    for offset, name in enumerate(
        ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "Mon2", "Tue2", "Wed2", "Thu2", "Fri2"]
    )
}


def at(text: str) -> datetime:
    """ "Mon 10:00" in the test week, Berlin time; or an ISO 8601 instant with an offset."""
    if text[0].isdigit():
        moment = datetime.fromisoformat(text)
        assert moment.utcoffset() is not None
        return moment
    day, clock = text.split()
    return datetime.combine(DAYS[day], time.fromisoformat(clock), tzinfo=BERLIN)


def ev(when: str, kind: Any, value: str = "") -> Event:
    return Event(at(when), kind, value)


def policy(
    coverage: str = "business_hours",
    *,
    business: BusinessCalendar = OFFICE,
    pauses: dict[str, frozenset[str]] | None = None,
    reachable: bool = False,
    **targets: str | None,
) -> SlaPolicy:
    parsed = {name: TargetDuration.parse(text) if text else None for name, text in targets.items()}
    extra: dict[str, Any] = {} if pauses is None else {"pauses": pauses}
    return SlaPolicy(
        targets=parsed, coverage=coverage, business=business, requires_reachable_contact=reachable, **extra
    )


# An S2-like plan in business hours: 2 business hours to respond, an update every 4, a workaround within a
# business day (8 h), resolution within three (24 h).
BH = policy(
    first_response="2bh", next_response="2bh", update_cadence="4bh", workaround="1bd", resolution="3bd"
)
# An S1-like plan under 24/7 coverage: clock hours, no resolution target.
S1 = policy(
    "24x7", first_response="1h", next_response="1h", update_cadence="2h", workaround="4h", resolution=None
)
# Clock hours, but business-hours coverage: measured on the business calendar.
BH_CLOCK_UNITS = policy(first_response="2h", workaround="4h")
# Each clock its own pause set; clocks left out of the mapping never pause.
CUSTOM = replace(
    BH,
    pauses={
        "first_response": frozenset({"waiting_on_customer"}),
        "resolution": frozenset({"waiting_on_third_party"}),
    },
)
# S1 under 24/7 coverage that needs a contact reachable around the clock.
REACH = policy("24x7", reachable=True, first_response="1h", workaround="4h", resolution="8bh")
POLICIES = {"BH": BH, "S1": S1, "BH_CLOCK_UNITS": BH_CLOCK_UNITS, "CUSTOM": CUSTOM, "REACH": REACH}

OPENED = ev("Mon 10:00", "opened")
REPLIED = [OPENED, ev("Mon 10:30", "vendor_reply")]


INSTANTS = frozenset({"started_at", "due_at", "stopped_at", "breached_at"})


def expect(state: ClockState, fields: dict[str, Any]) -> None:
    """Compare the named fields; instants as instants, `reason` as a substring of the pause reason."""
    for key, want in fields.items():
        if key == "reason":
            assert state.pause_reason is not None, state
            assert want in state.pause_reason, state
            continue
        got = getattr(state, key)
        if key in INSTANTS and isinstance(want, str):
            want = at(want)
        if isinstance(want, datetime):
            assert got is not None, (key, state)
            assert got.astimezone(UTC) == want.astimezone(UTC), (key, got, want, state)
        else:
            assert got == want, (key, got, want, state)
    if state.state == "paused":
        assert state.pause_reason, state
    assert state.breached == (state.state == "breached"), state


# (id, policy, clock, events, now, expected fields). One case a row or two: the formatter would spread each
# over a dozen lines, so it is told to leave the table alone.
# fmt: off
CASES: list[tuple[str, str, str, list[Event], str, dict[str, Any]]] = [
    # -- first_response (2 business hours) ----------------------------------------------------------------
    ("fr-running", "BH", "first_response", [OPENED], "Mon 11:00",
     {"state": "running", "started_at": "Mon 10:00", "elapsed": H, "remaining": H, "due_at": "Mon 12:00",
      "stopped_at": None}),
    ("fr-running-overnight", "BH", "first_response", [ev("Mon 16:00", "opened")], "Tue 09:30",
     {"state": "running", "elapsed": 90 * M, "remaining": 30 * M, "due_at": "Tue 10:00"}),
    # Thu 16:30-17:00 is half an hour; Good Friday and the weekend are closed; Monday 09:00 + 1.5 h.
    ("fr-over-holiday-and-weekend", "BH", "first_response", [ev("Thu 16:30", "opened")], "Sat 12:00",
     {"state": "running", "elapsed": 30 * M, "due_at": "Mon2 10:30"}),
    ("fr-waiting-on-customer-does-not-pause", "BH", "first_response",
     [OPENED, ev("Mon 10:30", "status", "waiting_on_customer")], "Mon 11:30",
     {"state": "running", "elapsed": 90 * M, "due_at": "Mon 12:00"}),
    ("fr-internal-note-is-no-response", "BH", "first_response",
     [OPENED, ev("Mon 10:30", "internal_note")], "Mon 11:00",
     {"state": "running", "elapsed": H, "due_at": "Mon 12:00"}),
    ("fr-customer-message-is-no-response", "BH", "first_response",
     [OPENED, ev("Mon 10:30", "customer_message")], "Mon 11:00",
     {"state": "running", "elapsed": H}),
    ("fr-met", "BH", "first_response", [OPENED, ev("Mon 11:30", "vendor_reply")], "Mon 15:00",
     {"state": "met", "elapsed": 90 * M, "remaining": 30 * M, "stopped_at": "Mon 11:30", "breaches": 0}),
    ("fr-met-at-the-due-instant", "BH", "first_response", [OPENED, ev("Mon 12:00", "vendor_reply")],
     "Mon 15:00", {"state": "met", "elapsed": 2 * H, "remaining": timedelta(0)}),
    ("fr-met-by-solving", "BH", "first_response", [OPENED, ev("Mon 11:00", "status", "solved")], "Mon 12:00",
     {"state": "met", "elapsed": H, "stopped_at": "Mon 11:00"}),
    ("fr-met-late", "BH", "first_response", [OPENED, ev("Mon 13:00", "vendor_reply")], "Mon 15:00",
     {"state": "breached", "elapsed": 3 * H, "remaining": -H, "stopped_at": "Mon 13:00",
      "breached_at": "Mon 12:00", "breaches": 1}),
    ("fr-overdue", "BH", "first_response", [OPENED], "Mon 12:30",
     {"state": "breached", "elapsed": 150 * M, "remaining": -30 * M, "due_at": "Mon 12:00",
      "breached_at": "Mon 12:00", "stopped_at": None}),
    # The target is used up at Monday's closing; the deadline is Tuesday's opening, and until then the
    # clock is still running (an answer in the evening is in time).
    ("fr-used-up-at-closing", "BH", "first_response", [ev("Mon 15:00", "opened")], "Mon 17:30",
     {"state": "running", "elapsed": 2 * H, "remaining": timedelta(0), "due_at": "Tue 09:00",
      "breached_at": None}),
    ("fr-used-up-at-closing-answered-in-the-evening", "BH", "first_response",
     [ev("Mon 15:00", "opened"), ev("Mon 18:00", "vendor_reply")], "Tue 12:00",
     {"state": "met", "elapsed": 2 * H, "stopped_at": "Mon 18:00"}),
    ("fr-used-up-at-closing-due-instant", "BH", "first_response", [ev("Mon 15:00", "opened")], "Tue 09:00",
     {"state": "breached", "elapsed": 2 * H, "breached_at": "Tue 09:00"}),
    ("fr-used-up-at-closing-next-morning", "BH", "first_response", [ev("Mon 15:00", "opened")], "Tue 09:01",
     {"state": "breached", "elapsed": 2 * H + M, "remaining": -M, "breached_at": "Tue 09:00"}),
    # -- next_response (2 business hours) -----------------------------------------------------------------
    ("nr-idle-nothing-outstanding", "BH", "next_response", REPLIED, "Mon 12:00",
     {"state": "idle", "target": TargetDuration(2, "bh"), "started_at": None, "due_at": None}),
    ("nr-before-first-reply-not-started", "BH", "next_response",
     [OPENED, ev("Mon 10:15", "customer_message")], "Mon 11:00", {"state": "idle"}),
    ("nr-message-answered-by-first-reply", "BH", "next_response",
     [OPENED, ev("Mon 10:15", "customer_message"), ev("Mon 10:30", "vendor_reply")], "Mon 13:00",
     {"state": "idle"}),
    ("nr-running-repeated-messages-do-not-move-it", "BH", "next_response",
     [*REPLIED, ev("Mon 11:00", "customer_message"), ev("Mon 11:30", "customer_message"),
      ev("Mon 12:15", "customer_message")], "Mon 12:30",
     {"state": "running", "started_at": "Mon 11:00", "elapsed": 90 * M, "due_at": "Mon 13:00", "cycle": 0}),
    ("nr-internal-note-is-no-response", "BH", "next_response",
     [*REPLIED, ev("Mon 11:00", "customer_message"), ev("Mon 11:45", "internal_note")], "Mon 12:30",
     {"state": "running", "started_at": "Mon 11:00", "elapsed": 90 * M}),
    ("nr-met", "BH", "next_response",
     [*REPLIED, ev("Mon 11:00", "customer_message"), ev("Mon 11:30", "customer_message"),
      ev("Mon 12:30", "vendor_reply")], "Mon 14:00",
     {"state": "met", "started_at": "Mon 11:00", "stopped_at": "Mon 12:30", "elapsed": 90 * M,
      "remaining": 30 * M}),
    ("nr-overdue", "BH", "next_response", [*REPLIED, ev("Mon 11:00", "customer_message")], "Mon 13:30",
     {"state": "breached", "elapsed": 150 * M, "due_at": "Mon 13:00", "breached_at": "Mon 13:00"}),
    ("nr-met-late", "BH", "next_response",
     [*REPLIED, ev("Mon 11:00", "customer_message"), ev("Mon 14:00", "vendor_reply")], "Mon 15:00",
     {"state": "breached", "elapsed": 3 * H, "stopped_at": "Mon 14:00", "breached_at": "Mon 13:00",
      "breaches": 1}),
    ("nr-paused-waiting-on-third-party", "BH", "next_response",
     [*REPLIED, ev("Mon 11:00", "customer_message"), ev("Mon 11:30", "status", "waiting_on_third_party")],
     "Mon 12:30", {"state": "paused", "elapsed": 30 * M, "reason": "waiting on third party"}),
    ("nr-waiting-on-customer-not-in-its-pause-set", "BH", "next_response",
     [*REPLIED, ev("Mon 11:00", "customer_message"), ev("Mon 11:30", "status", "waiting_on_customer")],
     "Mon 12:30", {"state": "running", "elapsed": 90 * M, "due_at": "Mon 13:00"}),
    ("nr-second-cycle", "BH", "next_response",
     [*REPLIED, ev("Mon 11:00", "customer_message"), ev("Mon 11:30", "vendor_reply"),
      ev("Mon 14:00", "customer_message")], "Mon 15:00",
     {"state": "running", "cycle": 1, "started_at": "Mon 14:00", "elapsed": H, "due_at": "Mon 16:00",
      "breaches": 0}),
    ("nr-breach-of-an-earlier-cycle-is-counted", "BH", "next_response",
     [*REPLIED, ev("Mon 11:00", "customer_message"), ev("Mon 14:00", "vendor_reply"),
      ev("Mon 15:00", "customer_message")], "Mon 15:30",
     {"state": "running", "cycle": 1, "breaches": 1, "elapsed": 30 * M}),
    ("nr-solve-stops", "BH", "next_response",
     [*REPLIED, ev("Mon 11:00", "customer_message"), ev("Mon 12:00", "status", "solved")], "Mon 16:00",
     {"state": "met", "stopped_at": "Mon 12:00", "elapsed": H}),
    ("nr-reopen-resumes", "BH", "next_response",
     [*REPLIED, ev("Mon 11:00", "customer_message"), ev("Mon 12:00", "status", "solved"),
      ev("Tue 10:00", "status", "open")], "Tue 10:30",
     {"state": "running", "started_at": "Mon 11:00", "stopped_at": None, "elapsed": 90 * M,
      "due_at": "Tue 11:00"}),
    # -- update_cadence (4 business hours) ----------------------------------------------------------------
    ("uc-first-cycle-from-opening", "BH", "update_cadence", [OPENED], "Mon 12:00",
     {"state": "running", "cycle": 0, "started_at": "Mon 10:00", "elapsed": 2 * H, "due_at": "Mon 14:00"}),
    ("uc-restarts-at-reply", "BH", "update_cadence", [OPENED, ev("Mon 11:00", "vendor_reply")], "Mon 12:00",
     {"state": "running", "cycle": 1, "started_at": "Mon 11:00", "elapsed": H, "due_at": "Mon 15:00"}),
    ("uc-internal-note-does-not-restart", "BH", "update_cadence",
     [OPENED, ev("Mon 11:00", "internal_note")], "Mon 12:00",
     {"state": "running", "cycle": 0, "started_at": "Mon 10:00", "elapsed": 2 * H}),
    ("uc-customer-message-does-not-restart", "BH", "update_cadence",
     [OPENED, ev("Mon 11:00", "customer_message")], "Mon 12:00",
     {"state": "running", "cycle": 0, "elapsed": 2 * H}),
    ("uc-paused-waiting-on-customer", "BH", "update_cadence",
     [OPENED, ev("Mon 11:00", "vendor_reply"), ev("Mon 12:00", "status", "waiting_on_customer")], "Mon 14:00",
     {"state": "paused", "elapsed": H, "reason": "waiting on customer", "due_at": None}),
    ("uc-paused-waiting-on-third-party", "BH", "update_cadence",
     [OPENED, ev("Mon 11:00", "vendor_reply"), ev("Mon 12:00", "status", "waiting_on_third_party")],
     "Mon 14:00", {"state": "paused", "elapsed": H, "reason": "waiting on third party"}),
    # 2 h used, 2 h left from 15:00 would end at 17:00, a closing time: Tuesday's opening instead.
    ("uc-resumes-after-pause", "BH", "update_cadence",
     [OPENED, ev("Mon 11:00", "vendor_reply"), ev("Mon 12:00", "status", "waiting_on_customer"),
      ev("Mon 14:00", "status", "open")], "Mon 15:00",
     {"state": "running", "elapsed": 2 * H, "remaining": 2 * H, "due_at": "Tue 09:00"}),
    ("uc-overdue", "BH", "update_cadence", REPLIED, "Mon 15:00",
     {"state": "breached", "cycle": 1, "elapsed": 270 * M, "due_at": "Mon 14:30",
      "breached_at": "Mon 14:30"}),
    ("uc-next-reply-meets-the-cycle", "BH", "update_cadence", [*REPLIED, ev("Mon 12:00", "vendor_reply")],
     "Mon 12:30",
     {"state": "running", "cycle": 2, "started_at": "Mon 12:00", "elapsed": 30 * M, "breaches": 0}),
    # 10:30-15:30 is 5 h without an update; the new cycle's 4 h run 15:30-17:00 and Tue 09:00-11:30.
    ("uc-late-update-counted", "BH", "update_cadence", [*REPLIED, ev("Mon 15:30", "vendor_reply")],
     "Mon 16:00", {"state": "running", "cycle": 2, "breaches": 1, "elapsed": 30 * M, "due_at": "Tue 11:30"}),
    ("uc-solve-stops", "BH", "update_cadence",
     [OPENED, ev("Mon 11:00", "vendor_reply"), ev("Mon 13:00", "status", "solved")], "Tue 12:00",
     {"state": "met", "cycle": 1, "started_at": "Mon 11:00", "stopped_at": "Mon 13:00", "elapsed": 2 * H}),
    ("uc-missed-update-before-solve-stays-breached", "BH", "update_cadence",
     [ev("Mon 09:00", "opened"), ev("Mon 09:30", "vendor_reply"), ev("Mon 15:00", "status", "solved")],
     "Tue 12:00",
     {"state": "breached", "cycle": 1, "stopped_at": "Mon 15:00", "elapsed": 330 * M,
      "breached_at": "Mon 13:30", "breaches": 1}),
    ("uc-solved-without-any-reply", "BH", "update_cadence", [OPENED, ev("Mon 12:00", "status", "solved")],
     "Mon 13:00", {"state": "met", "cycle": 0, "stopped_at": "Mon 12:00", "elapsed": 2 * H}),
    ("uc-reopen-resumes", "BH", "update_cadence",
     [OPENED, ev("Mon 11:00", "vendor_reply"), ev("Mon 13:00", "status", "solved"),
      ev("Tue 10:00", "status", "open")], "Tue 11:00",
     {"state": "running", "cycle": 1, "started_at": "Mon 11:00", "elapsed": 3 * H, "due_at": "Tue 12:00"}),
    # -- workaround (1 business day = 8 business hours) ---------------------------------------------------
    ("wa-running", "BH", "workaround", [OPENED], "Tue 09:00",
     {"state": "running", "elapsed": 7 * H, "due_at": "Tue 10:00"}),
    ("wa-met-by-workaround", "BH", "workaround", [OPENED, ev("Mon 15:00", "workaround")], "Tue 12:00",
     {"state": "met", "elapsed": 5 * H, "stopped_at": "Mon 15:00"}),
    ("wa-met-by-solving", "BH", "workaround", [OPENED, ev("Mon 16:00", "status", "solved")], "Tue 12:00",
     {"state": "met", "elapsed": 6 * H, "stopped_at": "Mon 16:00"}),
    ("wa-paused-waiting-on-customer", "BH", "workaround",
     [OPENED, ev("Mon 12:00", "status", "waiting_on_customer")], "Mon 15:00",
     {"state": "paused", "elapsed": 2 * H, "reason": "waiting on customer"}),
    ("wa-paused-waiting-on-third-party", "BH", "workaround",
     [OPENED, ev("Mon 12:00", "status", "waiting_on_third_party")], "Tue 15:00",
     {"state": "paused", "elapsed": 2 * H, "reason": "waiting on third party"}),
    # 10:00-11:00 and 13:00-14:00 ran; 6 h left from 14:00 run to 17:00 and Tue 09:00-12:00.
    ("wa-pause-excluded-from-due", "BH", "workaround",
     [OPENED, ev("Mon 11:00", "status", "waiting_on_customer"), ev("Mon 13:00", "status", "open")],
     "Mon 14:00", {"state": "running", "elapsed": 2 * H, "due_at": "Tue 12:00"}),
    ("wa-overdue", "BH", "workaround", [OPENED], "Tue 11:00",
     {"state": "breached", "elapsed": 9 * H, "due_at": "Tue 10:00", "breached_at": "Tue 10:00"}),
    ("wa-met-late", "BH", "workaround", [OPENED, ev("Tue 12:00", "workaround")], "Tue 13:00",
     {"state": "breached", "elapsed": 10 * H, "stopped_at": "Tue 12:00", "breached_at": "Tue 10:00"}),
    # 4 clock hours run out at 14:00 exactly as the ticket starts waiting: not late while paused, in time if
    # the workaround comes before the clock runs again, late from the first minute it runs again.
    ("wa-paused-with-nothing-left", "S1", "workaround",
     [OPENED, ev("Mon 14:00", "status", "waiting_on_customer")], "Mon 15:00",
     {"state": "paused", "elapsed": 4 * H, "remaining": timedelta(0), "breaches": 0}),
    ("wa-paused-with-nothing-left-then-given", "S1", "workaround",
     [OPENED, ev("Mon 14:00", "status", "waiting_on_customer"), ev("Mon 16:00", "workaround")], "Mon 17:00",
     {"state": "met", "elapsed": 4 * H, "stopped_at": "Mon 16:00"}),
    ("wa-paused-with-nothing-left-then-resumed", "S1", "workaround",
     [OPENED, ev("Mon 14:00", "status", "waiting_on_customer"), ev("Mon 15:00", "status", "open")],
     "Mon 15:01", {"state": "breached", "elapsed": 4 * H + M, "breached_at": "Mon 14:00"}),
    # -- resolution (3 business days = 24 business hours) -------------------------------------------------
    # Mon 10:00-17:00 is 7 h, Tue and Wed 8 h each: 23 h; the last hour is Thu 09:00-10:00.
    ("rs-running", "BH", "resolution", [OPENED], "Mon 12:00",
     {"state": "running", "elapsed": 2 * H, "remaining": 22 * H, "due_at": "Thu 10:00"}),
    # Wed 7 h + Thu 8 h = 15 h; Good Friday and the weekend are closed; Mon2 8 h; Tue2 09:00-10:00.
    ("rs-over-the-holiday", "BH", "resolution", [ev("Wed 10:00", "opened")], "Thu 17:00",
     {"state": "running", "elapsed": 15 * H, "due_at": "Tue2 10:00"}),
    ("rs-paused-waiting-on-customer", "BH", "resolution",
     [OPENED, ev("Mon 12:00", "status", "waiting_on_customer")], "Tue 10:00",
     {"state": "paused", "elapsed": 2 * H, "reason": "waiting on customer"}),
    ("rs-paused-waiting-on-third-party", "BH", "resolution",
     [OPENED, ev("Mon 12:00", "status", "waiting_on_third_party")], "Tue 10:00",
     {"state": "paused", "elapsed": 2 * H, "reason": "waiting on third party"}),
    ("rs-met", "BH", "resolution", [OPENED, ev("Tue 12:00", "status", "solved")], "Wed 10:00",
     {"state": "met", "elapsed": 10 * H, "remaining": 14 * H, "stopped_at": "Tue 12:00"}),
    ("rs-overdue", "BH", "resolution", [OPENED], "Thu 11:00",
     {"state": "breached", "elapsed": 25 * H, "remaining": -H, "breached_at": "Thu 10:00"}),
    ("rs-met-late", "BH", "resolution", [OPENED, ev("Thu 12:00", "status", "solved")], "Fri2 12:00",
     {"state": "breached", "elapsed": 26 * H, "stopped_at": "Thu 12:00", "breached_at": "Thu 10:00"}),
    ("rs-stopped-at-the-solve-not-the-close", "BH", "resolution",
     [OPENED, ev("Mon 12:00", "status", "solved"), ev("Tue 12:00", "status", "closed")], "Wed 12:00",
     {"state": "met", "elapsed": 2 * H, "stopped_at": "Mon 12:00"}),
    # -- no target: none ------------------------------------------------------------------------------------
    ("none-null-target", "S1", "resolution", [OPENED], "Mon 12:00",
     {"state": "none", "target": None, "due_at": None, "elapsed": timedelta(0)}),
    ("none-target-not-listed", "BH_CLOCK_UNITS", "update_cadence", [OPENED], "Mon 12:00", {"state": "none"}),
    # -- a custom pause mapping: each clock its own set -----------------------------------------------------
    ("custom-first-response-pauses-on-customer", "CUSTOM", "first_response",
     [OPENED, ev("Mon 10:30", "status", "waiting_on_customer")], "Mon 11:30",
     {"state": "paused", "elapsed": 30 * M, "reason": "waiting on customer"}),
    ("custom-resolution-runs-while-waiting-on-customer", "CUSTOM", "resolution",
     [OPENED, ev("Mon 10:30", "status", "waiting_on_customer")], "Mon 11:30",
     {"state": "running", "elapsed": 90 * M}),
    ("custom-resolution-pauses-on-third-party", "CUSTOM", "resolution",
     [OPENED, ev("Mon 10:30", "status", "waiting_on_third_party")], "Mon 11:30",
     {"state": "paused", "elapsed": 30 * M, "reason": "waiting on third party"}),
    ("custom-unlisted-clock-never-pauses", "CUSTOM", "update_cadence",
     [OPENED, ev("Mon 10:30", "status", "waiting_on_third_party")], "Mon 11:30",
     {"state": "running", "elapsed": 90 * M}),
    ("custom-unlisted-next-response-never-pauses", "CUSTOM", "next_response",
     [*REPLIED, ev("Mon 11:00", "customer_message"), ev("Mon 11:30", "status", "waiting_on_third_party")],
     "Mon 12:30", {"state": "running", "elapsed": 90 * M}),
    # -- 24/7 coverage: clock time around the clock -------------------------------------------------------
    ("247-running-on-saturday-night", "S1", "first_response", [ev("Sat 22:00", "opened")], "Sat 22:30",
     {"state": "running", "elapsed": 30 * M, "due_at": "Sat 23:00"}),
    ("247-overdue-past-midnight", "S1", "first_response", [ev("Sat 22:00", "opened")], "Sun 00:30",
     {"state": "breached", "elapsed": 150 * M, "breached_at": "Sat 23:00"}),
    ("247-update-overdue", "S1", "update_cadence",
     [ev("Sat 22:00", "opened"), ev("Sat 22:10", "vendor_reply")], "Sun 01:00",
     {"state": "breached", "cycle": 1, "elapsed": 170 * M, "breached_at": "Sun 00:10"}),
    ("247-workaround-pause-excluded", "S1", "workaround",
     [ev("Sat 22:00", "opened"), ev("Sun 00:00", "status", "waiting_on_customer"),
      ev("Sun 08:00", "status", "open")], "Sun 09:00",
     {"state": "running", "elapsed": 3 * H, "due_at": "Sun 10:00"}),
    # Clock hours under business-hours coverage are business hours: the weekend does not count, so 2 h
    # run Monday 09:00-11:00.
    ("clock-units-on-business-calendar", "BH_CLOCK_UNITS", "first_response", [ev("Sat 10:00", "opened")],
     "Mon2 09:30", {"state": "running", "elapsed": 30 * M, "due_at": "Mon2 11:00"}),
    # -- reachability: S1 under 24/7 needs a contact reachable around the clock ---------------------------
    ("reach-unreachable-outside-hours-paused", "REACH", "first_response",
     [ev("Sat 10:00", "opened", "unreachable")], "Sat 11:30",
     {"state": "paused", "elapsed": timedelta(0), "reason": "24/7", "due_at": "Mon2 10:00"}),
    ("reach-unreachable-inside-hours-runs", "REACH", "first_response",
     [ev("Mon 16:30", "opened", "unreachable")], "Mon 16:45",
     {"state": "running", "elapsed": 15 * M, "pause_reason": None, "due_at": "Tue 09:30"}),
    ("reach-unreachable-after-closing-paused", "REACH", "first_response",
     [ev("Mon 16:30", "opened", "unreachable")], "Mon 18:00",
     {"state": "paused", "elapsed": 30 * M, "reason": "24/7", "due_at": "Tue 09:30"}),
    # 16:30-17:00 ran on business hours, 17:00-18:00 did not, 18:00-18:20 ran around the clock.
    ("reach-contact-recorded-runs-around-the-clock", "REACH", "first_response",
     [ev("Mon 16:30", "opened", "unreachable"), ev("Mon 18:00", "reachability", "yes")], "Mon 18:20",
     {"state": "running", "elapsed": 50 * M, "due_at": "Mon 18:30", "pause_reason": None}),
    ("reach-reachable-from-the-start", "REACH", "first_response", [ev("Sat 10:00", "opened", "yes")],
     "Sat 10:30", {"state": "running", "elapsed": 30 * M, "due_at": "Sat 11:00"}),
    ("reach-contact-lost", "REACH", "first_response",
     [ev("Sat 10:00", "opened", "yes"), ev("Sat 10:20", "reachability", "no")], "Sat 11:00",
     {"state": "paused", "elapsed": 20 * M, "reason": "24/7", "due_at": "Mon2 09:40"}),
    ("reach-not-required", "S1", "first_response", [ev("Sat 10:00", "opened", "unreachable")], "Sat 10:30",
     {"state": "running", "elapsed": 30 * M, "due_at": "Sat 11:00"}),
    # A business-unit target is on the business calendar anyway: 8 h from Mon2 09:00 end at its closing.
    ("reach-business-target-unaffected", "REACH", "resolution", [ev("Sat 10:00", "opened", "unreachable")],
     "Sat 11:00",
     {"state": "running", "elapsed": timedelta(0), "pause_reason": None, "due_at": "Tue2 09:00"}),
    ("reach-status-pause-wins", "REACH", "workaround",
     [ev("Sat 10:00", "opened", "unreachable"), ev("Sat 10:05", "status", "waiting_on_customer")],
     "Sat 11:00", {"state": "paused", "reason": "waiting on customer"}),
    # -- daylight saving under 24/7: real elapsed time ----------------------------------------------------
    # 2025-03-30 02:00 CET jumps to 03:00 CEST: 01:30+01:00 to 03:15+02:00 is 45 minutes.
    ("dst-spring-forward", "S1", "first_response", [ev("2025-03-30T01:30:00+01:00", "opened")],
     "2025-03-30T03:15:00+02:00",
     {"state": "running", "elapsed": 45 * M, "remaining": 15 * M, "due_at": "2025-03-30T03:30:00+02:00"}),
    # 2025-10-26 03:00 CEST falls back to 02:00 CET: an hour after the first 02:30 is the second 02:30.
    ("dst-fall-back", "S1", "first_response", [ev("2025-10-26T02:30:00+02:00", "opened")],
     "2025-10-26T02:15:00+01:00",
     {"state": "running", "elapsed": 45 * M, "due_at": "2025-10-26T02:30:00+01:00"}),
    # Business hours across the spring change: Fri 16:00-17:00 CET, then Mon 09:00-10:00 CEST.
    ("dst-business-hours-week", "BH", "first_response", [ev("2025-03-28T16:00:00+01:00", "opened")],
     "2025-03-31T09:30:00+02:00",
     {"state": "running", "elapsed": 90 * M, "due_at": "2025-03-31T10:00:00+02:00"}),
]
# fmt: on


@pytest.mark.parametrize(
    ("policy_name", "clock", "events", "now", "fields"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_clock(policy_name: str, clock: str, events: list[Event], now: str, fields: dict[str, Any]) -> None:
    state = evaluate_clock(clock, events, POLICIES[policy_name], at(now))
    assert state.name == clock
    expect(state, fields)


def test_cases_reach_every_state_of_every_clock() -> None:
    """The table above is meant to cover each clock in each state: keep it that way."""
    reached = {
        (clock, evaluate_clock(clock, events, POLICIES[name], at(now)).state)
        for _, name, clock, events, now, _ in CASES
    }
    for clock in CLOCK_NAMES:
        for state in ("running", "paused", "met", "breached"):
            assert (clock, state) in reached
    assert ("next_response", "idle") in reached
    assert ("resolution", "none") in reached


# -- a whole ticket: solve stops every clock, reopen resumes -----------------------------------------------

TICKET = [OPENED, ev("Mon 10:30", "vendor_reply"), ev("Mon 14:00", "status", "solved")]


def test_solve_stops_every_clock() -> None:
    states = evaluate(TICKET, BH, at("Mon 16:00"))
    expect(states["first_response"], {"state": "met", "stopped_at": "Mon 10:30", "elapsed": 30 * M})
    expect(states["next_response"], {"state": "idle"})
    expect(
        states["update_cadence"],
        {"state": "met", "started_at": "Mon 10:30", "stopped_at": "Mon 14:00", "elapsed": 210 * M},
    )
    expect(states["workaround"], {"state": "met", "stopped_at": "Mon 14:00", "elapsed": 4 * H})
    expect(states["resolution"], {"state": "met", "stopped_at": "Mon 14:00", "elapsed": 4 * H})
    assert next_deadline(states) is None
    # Nothing moves while solved.
    assert evaluate(TICKET, BH, at("Wed 16:00")) == states


def test_reopen_resumes_resolution_and_first_response_stays_met() -> None:
    # Mon 10:00-14:00 (4 h) before the solve, Tue 10:00-12:00 (2 h) after reopening: 18 h are left,
    # Tue 12:00-17:00 (5 h), Wed (8 h), Thu 09:00-14:00.
    states = evaluate([*TICKET, ev("Tue 10:00", "status", "open")], BH, at("Tue 12:00"))
    expect(
        states["resolution"],
        {
            "state": "running",
            "elapsed": 6 * H,
            "remaining": 18 * H,
            "due_at": "Thu 14:00",
            "stopped_at": None,
        },
    )
    expect(states["first_response"], {"state": "met", "stopped_at": "Mon 10:30"})
    # Workaround was met by the solve and stays met.
    expect(states["workaround"], {"state": "met", "stopped_at": "Mon 14:00"})


def test_closing_a_solved_ticket_keeps_the_solve_as_stop() -> None:
    states = evaluate([*TICKET, ev("Tue 09:00", "status", "closed")], BH, at("Wed 09:00"))
    for clock in ("update_cadence", "workaround", "resolution"):
        expect(states[clock], {"stopped_at": "Mon 14:00"})


# -- re-targeting: the same events under another policy, from the ticket's start -----------------------

PAUSED_TICKET = [
    OPENED,
    ev("Mon 10:30", "vendor_reply"),
    ev("Mon 11:00", "status", "waiting_on_customer"),
    ev("Mon 13:00", "status", "open"),
]


@pytest.mark.parametrize(
    ("policy_name", "now", "fields"),
    [
        # 1 business day: 10:00-11:00 and 13:00-13:30 ran; 6.5 h left run 13:30-17:00 and Tue 09:00-12:00.
        pytest.param(
            "BH",
            "Mon 13:30",
            {"state": "running", "elapsed": 90 * M, "due_at": "Tue 12:00"},
            id="s2-business-day",
        ),
        # 4 clock hours under 24/7: the same 1.5 h ran; 2.5 h left from 13:30.
        pytest.param(
            "S1", "Mon 13:30", {"state": "running", "elapsed": 90 * M, "due_at": "Mon 16:00"}, id="s1-24x7"
        ),
        # Raised to S1 at 16:30: re-measured from the start, 4.5 h ran, the 4th hour ended at 16:00.
        pytest.param(
            "S1",
            "Mon 16:30",
            {"state": "breached", "elapsed": 270 * M, "breached_at": "Mon 16:00"},
            id="raised-to-s1-breaches-from-the-start",
        ),
        pytest.param(
            "BH", "Mon 16:30", {"state": "running", "elapsed": 270 * M, "due_at": "Tue 12:00"}, id="still-s2"
        ),
    ],
)
def test_retargeting_measures_from_the_start_and_keeps_pauses(
    policy_name: str, now: str, fields: dict[str, Any]
) -> None:
    expect(evaluate_clock("workaround", PAUSED_TICKET, POLICIES[policy_name], at(now)), fields)


def test_retargeting_coverage_24x7_versus_business_hours() -> None:
    events = [
        ev("Thu 16:00", "opened"),
        ev("Thu 16:30", "status", "waiting_on_customer"),
        ev("Thu 20:00", "status", "open"),
    ]
    now = at("Thu 21:00")
    # Business hours: only 16:00-16:30 ran; 3.5 h are left after Good Friday and the weekend.
    expect(
        evaluate_clock("workaround", events, BH_CLOCK_UNITS, now),
        {"elapsed": 30 * M, "remaining": 210 * M, "due_at": "Mon2 12:30"},
    )
    # 24/7: 16:00-16:30 and 20:00-21:00 ran; 2.5 h are left.
    expect(
        evaluate_clock("workaround", events, S1, now),
        {"elapsed": 90 * M, "remaining": 150 * M, "due_at": "Thu 23:30"},
    )


# -- business days --------------------------------------------------------------------------------------

SPLIT = BusinessCalendar(
    "Europe/Berlin",
    {
        **{day: [("08:00", "12:00"), ("13:00", "17:00")] for day in MON_FRI[:4]},
        "fri": [("08:00", "12:00")],
    },
)


@pytest.mark.parametrize(
    ("calendar", "seconds"),
    [
        pytest.param(OFFICE, 8 * 3600, id="09-17"),
        pytest.param(
            BusinessCalendar("Europe/Berlin", {d: [("09:00", "12:00"), ("13:00", "17:00")] for d in MON_FRI}),
            7 * 3600,
            id="split-shift",
        ),
        pytest.param(SPLIT, (4 * 8 + 4) * 3600 // 5, id="split-shift-short-friday-averaged"),
        pytest.param(BusinessCalendar.always_open("Europe/Berlin"), 24 * 3600, id="24x7"),
        pytest.param(BusinessCalendar("UTC", {"sat": [("10:00", "14:00")]}), 4 * 3600, id="one-day-a-week"),
    ],
)
def test_business_day_seconds(calendar: BusinessCalendar, seconds: int) -> None:
    assert business_day_seconds(calendar) == seconds


def test_business_day_target_on_a_split_shift_calendar() -> None:
    # 1bd = 7.2 h = 7 h 12 min: Mon 08:00-12:00 (4 h), then 13:00 + 3 h 12 min.
    split = policy(business=SPLIT, workaround="1bd")
    assert split.seconds(TargetDuration(1, "bd")) == 7 * 3600 + 12 * 60
    expect(
        evaluate_clock("workaround", [ev("Mon 08:00", "opened")], split, at("Mon 09:00")),
        {"state": "running", "elapsed": H, "due_at": "Mon 16:12"},
    )


# -- next_deadline ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("events", "now", "clock", "due"),
    [
        pytest.param([OPENED], "Mon 11:00", "first_response", "Mon 12:00", id="first-response-soonest"),
        pytest.param(REPLIED, "Mon 11:00", "update_cadence", "Mon 14:30", id="update-after-reply"),
        pytest.param([OPENED], "Mon 12:30", "first_response", "Mon 12:00", id="overdue-first"),
        pytest.param(PAUSED_TICKET, "Mon 12:00", None, None, id="everything-paused-or-met"),
        pytest.param(TICKET, "Mon 16:00", None, None, id="solved"),
    ],
)
def test_next_deadline(events: list[Event], now: str, clock: str | None, due: str | None) -> None:
    soonest = next_deadline(evaluate(events, BH, at(now)))
    if clock is None:
        assert soonest is None
    else:
        assert soonest is not None
        expect(soonest, {"name": clock, "due_at": due})


def test_next_deadline_compares_instants_in_a_repeated_hour() -> None:
    # 02:30 on the second pass (CET) is 45 minutes after 02:45 on the first pass (CEST).
    later = datetime(2025, 10, 26, 2, 30, tzinfo=BERLIN, fold=1)
    sooner = datetime(2025, 10, 26, 2, 45, tzinfo=BERLIN)
    states = {
        "first_response": ClockState("first_response", "running", TargetDuration(1, "h"), due_at=later),
        "workaround": ClockState("workaround", "running", TargetDuration(4, "h"), due_at=sooner),
        "resolution": ClockState("resolution", "paused", TargetDuration(8, "h")),
    }
    soonest = next_deadline(states)
    assert soonest is not None
    assert soonest.name == "workaround"
    assert next_deadline({}) is None


# -- determinism, the `now` horizon, and errors ------------------------------------------------------------

BUSY = [
    OPENED,
    ev("Mon 10:05", "customer_message"),
    ev("Mon 10:30", "vendor_reply"),
    ev("Mon 10:40", "internal_note"),
    ev("Mon 11:00", "customer_message"),
    ev("Mon 11:10", "status", "waiting_on_third_party"),
    ev("Mon 13:00", "status", "open"),
    ev("Mon 13:20", "customer_message"),
    ev("Mon 14:00", "workaround"),
    ev("Mon 15:00", "vendor_reply"),
    ev("Mon 15:30", "status", "solved"),
    ev("Tue 10:00", "status", "open"),
    ev("Tue 10:00", "customer_message"),
]


@pytest.mark.parametrize("policy_name", sorted(POLICIES))
def test_same_answer_twice_and_for_any_order(policy_name: str) -> None:
    now = at("Tue 12:00")
    first = evaluate(BUSY, POLICIES[policy_name], now)
    assert evaluate(BUSY, POLICIES[policy_name], now) == first
    for seed in range(10):
        shuffled = list(BUSY)
        random.Random(seed).shuffle(shuffled)
        assert evaluate(shuffled, POLICIES[policy_name], now) == first


def test_events_at_the_same_instant_in_either_order() -> None:
    opened = [ev("Mon 10:00", "status", "waiting_on_customer"), OPENED]
    assert evaluate(opened, BH, at("Mon 11:00")) == evaluate(opened[::-1], BH, at("Mon 11:00"))
    expect(evaluate_clock("resolution", opened, BH, at("Mon 11:00")), {"state": "paused"})
    # A customer message stamped with a reply's instant still waits for an answer.
    tie = [ev("Mon 11:00", "vendor_reply"), ev("Mon 11:00", "customer_message")]
    for events in ([*REPLIED, *tie], [*REPLIED, *tie[::-1]]):
        expect(
            evaluate_clock("next_response", events, BH, at("Mon 12:00")),
            {"state": "running", "started_at": "Mon 11:00", "elapsed": H},
        )


def test_event_zones_do_not_matter() -> None:
    in_utc = [Event(e.at.astimezone(UTC), e.kind, e.value) for e in BUSY]
    now = at("Tue 12:00")
    assert evaluate(in_utc, BH, now.astimezone(UTC)) == evaluate(BUSY, BH, now)


def test_events_in_a_repeated_hour_are_ordered_as_instants() -> None:
    # Opened 01:00 CEST (23:00 UTC); waiting at 02:45 CEST (00:45 UTC); open again at 02:30 CET (01:30 UTC);
    # now 05:00 CET (04:00 UTC). Ran 23:00-00:45 and 01:30-04:00: 4 h 15 min, the 4th hour ending 03:45 UTC.
    events = [
        Event(datetime(2025, 10, 26, 1, 0, tzinfo=BERLIN), "opened"),
        Event(datetime(2025, 10, 26, 2, 45, tzinfo=BERLIN), "status", "waiting_on_customer"),
        Event(datetime(2025, 10, 26, 2, 30, tzinfo=BERLIN, fold=1), "status", "open"),
    ]
    expect(
        evaluate_clock("workaround", events, S1, at("2025-10-26T05:00:00+01:00")),
        {"state": "breached", "elapsed": 255 * M, "breached_at": "2025-10-26T03:45:00+00:00"},
    )


def test_events_after_now_are_ignored() -> None:
    later = [
        ev("Mon 10:45", "status", "solved"),
        ev("Mon 11:00", "vendor_reply"),
        ev("Mon 11:00", "workaround"),
    ]
    now = at("Mon 10:30")
    assert evaluate([OPENED, *later], BH, now) == evaluate([OPENED], BH, now)
    expect(
        evaluate_clock("first_response", [OPENED, *later], BH, now),
        {"state": "running", "elapsed": 30 * M, "stopped_at": None},
    )


def test_default_pause_sets() -> None:
    assert set(DEFAULT_PAUSES) == set(CLOCK_NAMES)
    assert all(pauses <= set(STATUSES) for pauses in DEFAULT_PAUSES.values())
    assert BH.pauses == DEFAULT_PAUSES


@pytest.mark.parametrize(
    ("events", "now", "message"),
    [
        pytest.param([OPENED], datetime(2025, 4, 14, 12), "aware", id="naive-now"),
        pytest.param([], at("Mon 12:00"), "opened", id="no-events"),
        pytest.param(
            [ev("Mon 09:00", "customer_message"), OPENED],
            at("Mon 12:00"),
            "opened",
            id="not-starting-with-opened",
        ),
        pytest.param([OPENED], at("Mon 09:00"), "before", id="now-before-opening"),
        pytest.param(
            [OPENED, ev("Mon 11:00", "status", "pending")],
            at("Mon 12:00"),
            "unknown status",
            id="unknown-status",
        ),
        pytest.param(
            [Event(datetime(2025, 4, 14, 10), "opened")], at("Mon 12:00"), "aware", id="naive-event"
        ),
    ],
)
def test_invalid_input(events: list[Event], now: datetime, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        evaluate(events, BH, now)


def test_unknown_clock() -> None:
    with pytest.raises(ValueError, match="unknown clock"):
        evaluate_clock("resolutoin", [OPENED], BH, at("Mon 12:00"))


def test_clock_state_helpers() -> None:
    state = evaluate_clock("workaround", [OPENED], BH, at("Mon 16:00"))  # 6 of 8 hours
    assert state.label == "Workaround"
    assert state.fraction == 0.75
    assert state.warnings_crossed((0.5, 0.75, 0.9)) == (0.5, 0.75)
    met = evaluate_clock("workaround", [OPENED, ev("Mon 11:00", "workaround")], BH, at("Mon 16:00"))
    assert met.warnings_crossed((0.5,)) == ()
