"""Warnings before breach, breach events and escalation, evaluated from stored events.

Each change of a ticket's clocks queues a check at the exact instant of its next warning or deadline
(`ticket_check_due`, run by a task with that ETA); a periodic task calls `sla_sweep` as the backstop: it
re-evaluates the tickets whose next check is due. Each warning level and breach is announced once (a
unique SlaNotice row per ticket, clock, cycle and level), so a restart loses nothing and a second or a
stale check notifies nobody twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from ossdesk.accounts.actor import Actor
from ossdesk.accounts.models import User
from ossdesk.domain.sla import ClockState
from ossdesk.memo import memo_scope
from ossdesk.notify import Event, NotificationKind, notify
from ossdesk.plans.selectors import entitlements_for
from ossdesk.tickets.models import OPEN_STATUSES, SlaNotice, Ticket, TicketEvent
from ossdesk.tickets.payloads import ticket_payload
from ossdesk.tickets.sla import check_schedule, sync_clocks, whole_seconds
from ossdesk.webhooks.policy import wire_time

SWEEPER = Actor.system("sla")
# Escalation levels: 1 = a clock passed a warning at 75% or more (team lead told), 2 = breached (account
# manager told). Warnings below it tell the assignee only.
TEAM_LEAD_FROM = 75


def escalation_level(level: str) -> int:
    """The escalation a notice level ("warn50", "warn75" ..., "breach") brings the ticket to."""
    if level == "breach":
        return 2
    return 1 if int(level.removeprefix("warn")) >= TEAM_LEAD_FROM else 0


def _recipients(ticket: Ticket, level: str) -> list[User]:
    people: list[User | None] = [ticket.assignee]
    if escalation_level(level) >= 1 and ticket.team is not None:
        people.append(ticket.team.lead)
    if level == "breach":
        people.append(ticket.organization.account_manager)
    unique: dict[int, User] = {}
    for person in people:
        if person is not None and person.is_active:
            unique[person.pk] = person
    return list(unique.values())


def _announce(ticket: Ticket, state: ClockState, level: str, now: datetime, *, quiet: bool = False) -> bool:
    """Record a level once; tell people unless a higher level is being announced at the same time."""
    try:
        with transaction.atomic():
            SlaNotice.objects.create(ticket=ticket, clock=state.name, cycle=state.cycle, level=level)
    except IntegrityError:
        return False  # announced before
    if quiet:
        return False
    kind = "sla_breach" if level == "breach" else "sla_warning"
    text = (
        f"#{ticket.pk} {state.label} breached ({ticket.severity}, {ticket.organization.name})"
        if level == "breach"
        else f"#{ticket.pk} {state.label} at {level[4:]}% of {state.target} ({ticket.severity}, "
        f"{ticket.organization.name})"
    )
    TicketEvent.objects.create(
        ticket=ticket,
        at=now,
        kind=kind,
        value=f"{state.name}:{level}",
        actor_label=SWEEPER.label,
        data={"clock": state.name, "cycle": state.cycle},
    )
    notify(
        kind=NotificationKind.SLA_BREACH if level == "breach" else NotificationKind.SLA_WARNING,
        recipients=_recipients(ticket, level),
        subject=text,
        ticket=ticket,
        url=f"/tickets/{ticket.pk}/",
        event=_webhook_event(ticket, state, level),
    )
    new_level = escalation_level(level)
    if new_level > ticket.escalation_level:
        ticket.escalation_level = new_level
        Ticket.objects.filter(pk=ticket.pk).update(escalation_level=new_level)
        TicketEvent.objects.create(
            ticket=ticket, at=now, kind="escalated", value=str(new_level), actor_label=SWEEPER.label
        )
    return True


def _webhook_event(ticket: Ticket, state: ClockState, level: str) -> Event:
    data: dict[str, Any] = {
        "ticket": ticket_payload(ticket),
        "clock": state.name,
        "due_at": wire_time(state.due_at),
    }
    if level == "breach":
        return Event("sla.breached", data, ticket.organization_id)
    return Event("sla.warning", {**data, "level": level}, ticket.organization_id)


def levels_for(state: ClockState) -> list[str]:
    """The notice levels a clock has reached: the warnings its policy sets for it, then the breach."""
    levels = [f"warn{round(level * 100)}" for level in state.warnings_crossed()]
    if state.breached:
        levels.append("breach")
    return levels


def ticket_check(
    ticket: Ticket, *, now: datetime | None = None, opened: Sequence[TicketEvent] | None = None
) -> int:
    """Re-evaluate one ticket and announce what is new; returns how many notices were sent. `opened`:
    the events of a ticket created in this transaction, which has no stored clocks yet."""
    now = whole_seconds(now)
    sent = 0
    # Without a savepoint of its own: a failure fails the caller's transaction as a whole.
    with transaction.atomic(savepoint=False):
        if opened is None:
            states = sync_clocks(ticket, now=now)
        else:
            states = sync_clocks(ticket, now=now, events=opened, stored_clocks=[])
        for state in states.values():
            levels = levels_for(state)
            for index, level in enumerate(levels):
                sent += _announce(ticket, state, level, now, quiet=index < len(levels) - 1)
    return sent


def ticket_check_due(*, ticket_id: int, due_at: datetime, now: datetime | None = None) -> int:
    """The check queued for `due_at`: re-evaluate the ticket if it is still open. A task that a clock
    running behind delivered early is queued again for its instant rather than lost until the sweep."""
    now = now or timezone.now()
    if now < due_at:
        check_schedule(ticket_id, due_at)
        return 0
    ticket = (
        Ticket.objects.filter(pk=ticket_id, status__in=OPEN_STATUSES)
        .select_related("organization__account_manager", "team__lead", "assignee")
        .first()
    )
    if ticket is None:
        return 0
    with memo_scope():
        # The contract is read before the check takes the write lock (SQLite has one writer at a time).
        entitlements_for(organization=ticket.organization, at=now)
        return ticket_check(ticket, now=now)


def sla_sweep(*, now: datetime | None = None, limit: int = 5000) -> int:
    """Check every open ticket whose next warning or deadline has come."""
    now = whole_seconds(now)
    due = (
        Ticket.objects.filter(status__in=OPEN_STATUSES, next_check_at__lte=now)
        .select_related("organization__account_manager", "team__lead", "assignee")
        .order_by("next_check_at")[:limit]
    )
    return sum(ticket_check(ticket, now=now) for ticket in due)
