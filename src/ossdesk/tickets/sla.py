"""From a ticket and its customer's contract to SLA clock states, and back into indexed columns.

The rule for re-targeting: a ticket is always evaluated under the contract and severity in force now,
over its whole history (see ossdesk.domain.sla).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from django.db import transaction
from django.utils import timezone

from ossdesk.config.queue import schedule_by_name
from ossdesk.customers.models import Contact, Organization
from ossdesk.domain.calendar import BusinessCalendar
from ossdesk.domain.entitlements import Entitlements
from ossdesk.domain.sla import (
    CLOCK_NAMES,
    ClockState,
    Event,
    SlaPolicy,
    clock_targets,
    evaluate,
    next_deadline,
)
from ossdesk.memo import memoized
from ossdesk.plans.selectors import entitlements_for
from ossdesk.tickets.models import ExtraHoliday, Ticket, TicketClock, TicketEvent, queue_key

HOLIDAY_YEARS_BACK, HOLIDAY_YEARS_AHEAD = 1, 3
# The task that checks a ticket at an instant, queued by name: the task doors import this module.
CHECK_TASK = "ossdesk.tickets.tasks.ticket_check_task"
STATE_RANK = {"breached": 4, "running": 3, "paused": 2, "met": 1, "idle": 0, "none": 0}


def whole_seconds(at: datetime | None = None) -> datetime:
    """SLA time is kept to the second: event instants and evaluation instants drop their microseconds."""
    return (at or timezone.now()).replace(microsecond=0)


def next_whole_second(at: datetime) -> datetime:
    """The first whole second at or after `at`: a check due at 12:00:00.5 must run when an evaluation
    (in whole seconds) can see the threshold crossed, at 12:00:01."""
    return at if at.microsecond == 0 else at.replace(microsecond=0) + timedelta(seconds=1)


@lru_cache(maxsize=256)
def cached_calendar(
    tz: str, weekly_json: str, country: str, subdiv: str, extra: tuple[date, ...], first_year: int
) -> BusinessCalendar:
    weekly = json.loads(weekly_json)
    years = range(first_year, first_year + HOLIDAY_YEARS_BACK + HOLIDAY_YEARS_AHEAD + 1)
    if country:
        base = BusinessCalendar.from_country(tz, weekly, country, subdiv or None, years=years)
        if not extra:
            return base
        return BusinessCalendar(tz, weekly, (*base.holidays, *extra))
    return BusinessCalendar(tz, weekly, extra)


def business_calendar(
    organization: Organization, entitlements: Entitlements, at: datetime | None = None
) -> BusinessCalendar:
    """The customer's SLA calendar: the agreement's or plan's hours, in the customer's time zone and with
    the customer's public holidays unless the terms name others, plus the vendor's extra holidays."""
    terms = entitlements.terms.calendar
    tz = terms.timezone or organization.timezone
    country = terms.holidays_country or organization.country
    subdiv = (
        terms.holidays_subdiv
        if terms.holidays_country
        else (terms.holidays_subdiv or organization.subdivision)
    )
    extra = memoized(("tickets.extra_holidays", country), lambda: _extra_holidays(country))
    year = (at or timezone.now()).year - HOLIDAY_YEARS_BACK
    weekly = {day: [list(pair) for pair in intervals] for day, intervals in terms.weekly.items()}
    try:
        return cached_calendar(tz, json.dumps(weekly, sort_keys=True), country, subdiv or "", extra, year)
    except ValueError:
        # A subdivision the holidays library does not know: fall back to the country's national holidays.
        return cached_calendar(tz, json.dumps(weekly, sort_keys=True), country, "", extra, year)


def _extra_holidays(country: str) -> tuple[date, ...]:
    dates = ExtraHoliday.objects.filter(country=country, calendar__isnull=True).values_list("date", flat=True)
    return tuple(sorted(dates))


def policy_for(
    ticket: Ticket, *, at: datetime | None = None, entitlements: Entitlements | None = None
) -> SlaPolicy | None:
    """The SLA policy for a ticket now; None when the contract gives this ticket no SLA."""
    entitlements = entitlements or entitlements_for(organization=ticket.organization, at=at)
    terms = entitlements.terms
    if not terms.sla:
        return None
    severity = terms.severity(ticket.severity)
    if not severity.allowed:
        return None
    return SlaPolicy(
        targets=clock_targets(severity.target),
        coverage=severity.coverage,
        business=business_calendar(ticket.organization, entitlements, at),
        requires_reachable_contact=ticket.severity == "S1" and severity.coverage == "24x7",
    )


def domain_events(events: Iterable[TicketEvent]) -> list[Event]:
    """The stored events the clocks read, in the domain's form."""
    kinds = {
        "opened",
        "customer_message",
        "vendor_reply",
        "internal_note",
        "status",
        "workaround",
        "reachability",
    }
    return [Event(at=e.at, kind=e.kind, value=e.value) for e in events if e.kind in kinds]  # type: ignore[arg-type]


def reachability_value(organization: Organization) -> str:
    """Whether a contact reachable around the clock is on record (for S1 under 24/7)."""
    reachable = memoized(
        ("customers.reachable_24x7", organization.pk),
        Contact.objects.filter(organization=organization, is_active=True, reachable_24x7=True).exists,
    )
    return "yes" if reachable else "unreachable"


def clock_states(
    ticket: Ticket,
    *,
    now: datetime | None = None,
    events: Sequence[TicketEvent] | None = None,
    policy: SlaPolicy | None = None,
) -> dict[str, ClockState]:
    """Every clock of the ticket at `now` (empty when the contract gives no SLA)."""
    now = whole_seconds(now)
    policy = policy or policy_for(ticket, at=now)
    if policy is None:
        return {}
    stored = events if events is not None else list(ticket.events.all())
    return evaluate(domain_events(stored), policy, now)


def _anchor(state: ClockState, now: datetime) -> tuple[datetime | None, int]:
    """Where the current running stretch began and how much ran before it (for bulk recalculation)."""
    if state.state != "running" or state.target is None or state.due_at is None:
        return None, 0
    return now, int(state.elapsed.total_seconds())


def sync_clocks(
    ticket: Ticket,
    *,
    now: datetime | None = None,
    events: Sequence[TicketEvent] | None = None,
    stored_clocks: Sequence[TicketClock] | None = None,
) -> dict[str, ClockState]:
    """Evaluate the ticket's clocks and store them, with the ticket's summary columns. `stored_clocks`:
    the ticket's clock rows when the caller knows them (none for a ticket just opened)."""
    now = whole_seconds(now)
    entitlements = entitlements_for(organization=ticket.organization, at=now)
    policy = policy_for(ticket, at=now, entitlements=entitlements)
    states = clock_states(ticket, now=now, events=events, policy=policy) if policy else {}
    stored = TicketClock.objects.filter(ticket=ticket) if stored_clocks is None else stored_clocks
    existing = {c.name: c for c in stored}
    created: list[TicketClock] = []
    for name in CLOCK_NAMES:
        state = states.get(name)
        if state is None or state.state == "none":
            continue
        assert policy is not None
        anchor, banked = _anchor(state, now)
        fields = {
            "state": state.state,
            "target": str(state.target) if state.target else "",
            "target_seconds": policy.seconds(state.target) if state.target else None,
            "started_at": state.started_at,
            "due_at": state.due_at,
            "stopped_at": state.stopped_at,
            "elapsed_seconds": int(state.elapsed.total_seconds()),
            "anchor_at": anchor,
            "banked_seconds": banked,
            "breached": state.breached,
            "cycle": state.cycle,
            "breaches": state.breaches,
            "pause_reason": state.pause.value if state.pause is not None else "",  # its code
        }
        row = existing.pop(name, None)
        if row is None:
            created.append(TicketClock(ticket=ticket, name=name, **fields))
        elif any(getattr(row, field) != value for field, value in fields.items()):
            for field, value in fields.items():
                setattr(row, field, value)
            row.save(update_fields=list(fields))
    if created:
        TicketClock.objects.bulk_create(created)
    if existing:  # clocks the contract no longer gives this ticket
        TicketClock.objects.filter(pk__in=[row.pk for row in existing.values()]).delete()
    soonest = next_deadline(states)
    next_due_at = soonest.due_at if soonest else None
    summary: dict[str, Any] = {
        "sla_state": max((s.state for s in states.values()), key=lambda s: STATE_RANK[s], default=""),
        "next_due_at": next_due_at,
        "queue_key": queue_key(next_due_at, ticket.severity),
        "next_check_at": next_check(states, policy, now) if policy else None,
        "plan_code": entitlements.plan.code,
    }
    check_moved = ticket.next_check_at != summary["next_check_at"]
    # The summary columns are written only when they change (a reply often leaves them as they were).
    if any(getattr(ticket, field) != value for field, value in summary.items()):
        for field, value in summary.items():
            setattr(ticket, field, value)
        Ticket.objects.filter(pk=ticket.pk).update(**summary)
    if check_moved and summary["next_check_at"] is not None:
        check_schedule(ticket.pk, summary["next_check_at"])
    return states


def check_schedule(ticket_id: int, at: datetime) -> None:
    """Once the transaction commits, queue a check of the ticket for the instant its next warning or
    deadline comes. A check that finds the clocks changed meanwhile announces nothing (notices are
    unique rows) and the check of the new instant is queued by the change itself; the minute's sweep
    remains the backstop for a lost task, or for a queue that cannot be reached: `robust` logs that
    failure instead of failing a request whose change is already committed."""
    transaction.on_commit(
        lambda: schedule_by_name(CHECK_TASK, (ticket_id, at.isoformat()), eta=at), robust=True
    )


def next_check(states: dict[str, ClockState], policy: SlaPolicy, now: datetime) -> datetime | None:
    """The next instant at which a warning or a breach could fire, for the sweep's index."""
    instants = []
    for state in states.values():
        if state.state not in ("running",) or state.target is None or state.remaining is None:
            continue
        total = state.elapsed + state.remaining
        calendar = policy.calendar_for(state.target)
        for level in (*state.warnings, 1.0):
            threshold = total * level
            if threshold > state.elapsed:
                instants.append(next_whole_second(calendar.add(now, threshold - state.elapsed)))
                break
        else:
            if state.due_at is not None:  # used up, due at the next opening: come back then
                instants.append(state.due_at)
    # A pause that the calendar ends (at the next business opening) is looked at again every 15 minutes.
    if any(
        s.state == "paused" and s.pause is not None and s.pause.ends_by_the_calendar for s in states.values()
    ):
        instants.append(now + timedelta(minutes=15))
    return min(instants) if instants else None


def clock_summary(states: dict[str, ClockState]) -> list[dict[str, Any]]:
    """Clock rows for templates and the API."""
    return [
        {
            "name": s.name,
            "label": s.label,
            "state": s.state,
            "target": str(s.target) if s.target else None,
            "started_at": s.started_at,
            "due_at": s.due_at,
            "stopped_at": s.stopped_at,
            "elapsed_seconds": int(s.elapsed.total_seconds()),
            "remaining_seconds": int(s.remaining.total_seconds()) if s.remaining is not None else None,
            "breached": s.breached,
            "pause_reason": s.pause_reason,
            "fraction": round(s.fraction, 3),
            "cycle": s.cycle,
            "breaches": s.breaches,
        }
        for s in states.values()
        if s.state != "none"
    ]
