"""Where a ticket stands against what its customer is promised, for the mails that say so: the first
response the acknowledgement promises, and the facts a breach notice gives (due, overdue, who has it,
whom to call). Read from the customer's effective terms (plan or agreement), its calendar and the
ticket's stored clocks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ossdesk.customers.models import Contact
from ossdesk.domain.promises import response_promise
from ossdesk.domain.sla import CLOCK_LABELS, PauseReason
from ossdesk.tickets.models import Ticket, TicketClock
from ossdesk.tickets.sla import policy_for
from ossdesk.tickets.web.presenters import duration_label, target_label


@dataclass(frozen=True)
class FirstResponse:
    """ "within 10 min, 24/7", the instant it is due, or why the clock waits (S1 without a 24/7 contact)."""

    promise: str
    due_at: datetime | None
    waiting: str = ""


def first_response(ticket: Ticket, *, at: datetime | None = None) -> FirstResponse | None:
    """The first-response target the ticket's contract sets, in words; None when it sets none."""
    policy = policy_for(ticket, at=at)
    target = policy.targets.get("first_response") if policy is not None else None
    if policy is None or target is None:
        return None
    clock = TicketClock.objects.filter(ticket=ticket, name="first_response").first()
    running = clock is not None and clock.state == "running"
    return FirstResponse(
        response_promise(target, policy.coverage, policy.business.weekly, policy.business.tz),
        clock.due_at if clock is not None and running else None,
        PauseReason.label_of(clock.pause_reason) if clock is not None and clock.state == "paused" else "",
    )


@dataclass(frozen=True)
class MissedTarget:
    label: str  # "First response"
    target: str  # "10m"
    due_at: datetime
    overdue_seconds: int  # until now, or until it was met late
    met_late: bool

    @property
    def overdue(self) -> str:
        return duration_label(self.overdue_seconds)

    @property
    def target_label(self) -> str:
        return target_label(self.target)


@dataclass(frozen=True)
class BreachReport:
    missed: list[MissedTarget]  # most overdue first
    assignee: str
    reachable: list[Contact]  # the customer's contacts reachable around the clock
    timezone: str


def breach_report(ticket: Ticket, *, now: datetime) -> BreachReport:
    """What a breach notice tells the people who must act: each missed target with its due time and how
    far past it, who has the ticket, and the customer's 24/7 contacts."""
    missed = []
    for clock in TicketClock.objects.filter(ticket=ticket, breached=True, due_at__isnull=False):
        assert clock.due_at is not None
        until = clock.stopped_at or now
        missed.append(
            MissedTarget(
                label=CLOCK_LABELS.get(clock.name, clock.name),
                target=clock.target,
                due_at=clock.due_at,
                overdue_seconds=max(0, int((until - clock.due_at).total_seconds())),
                met_late=clock.stopped_at is not None,
            )
        )
    missed.sort(key=lambda m: (m.met_late, -m.overdue_seconds))
    reachable = list(
        Contact.objects.filter(
            organization_id=ticket.organization_id, is_active=True, reachable_24x7=True
        ).order_by("name")[:5]
    )
    return BreachReport(
        missed=missed,
        assignee=str(ticket.assignee) if ticket.assignee is not None else "",
        reachable=reachable,
        timezone=ticket.organization.timezone,
    )
