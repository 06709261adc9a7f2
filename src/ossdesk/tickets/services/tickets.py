"""Every write to an open ticket: replies, notes, status, severity, assignment, workaround and tags.
Each one appends events, re-evaluates the clocks and audits, in one transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from ossdesk.accounts.access import can_access_ticket, can_work_tickets, require
from ossdesk.accounts.actor import Actor
from ossdesk.accounts.models import User
from ossdesk.audit.services import audit_record, snapshot
from ossdesk.customers.models import Organization
from ossdesk.domain.entitlements import check_severity
from ossdesk.notify import NotificationKind, notify
from ossdesk.plans.selectors import entitlements_for, plan_refs
from ossdesk.tickets.attachment_files import following_transaction
from ossdesk.tickets.escalation import ticket_check
from ossdesk.tickets.models import (
    OPEN_STATUSES,
    Channel,
    Message,
    Status,
    Tag,
    Team,
    Ticket,
    TicketEvent,
)
from ossdesk.tickets.payloads import ticket_payload
from ossdesk.tickets.services.attachments import Upload, store_attachments
from ossdesk.tickets.sla import reachability_value, whole_seconds
from ossdesk.webhooks.services import emit

ROUTING = Actor.system("routing", name="automatic routing")


def received(at: datetime | None, *, now: datetime) -> datetime:
    """The instant a message counts from, in whole seconds: when it arrived, never later than `now` (the
    caller's one evaluation instant: reading the clock again could land a second after it)."""
    return now if at is None else min(whole_seconds(at), now)


def record_event(
    ticket: Ticket,
    actor: Actor,
    kind: str,
    value: str = "",
    *,
    at: datetime | None = None,
    message: Message | None = None,
    data: dict[str, Any] | None = None,
) -> TicketEvent:
    return TicketEvent.objects.create(
        ticket=ticket,
        at=at or whole_seconds(),
        kind=kind,
        value=value,
        actor_id=actor.user_id,
        actor_label=actor.display_name,
        message=message,
        data=data or {},
    )


def _notify(
    users: Iterable[User | None], kind: NotificationKind, subject: str, ticket: Ticket, body: str = ""
) -> None:
    notify(
        kind=kind, recipients=users, subject=subject, body=body, ticket=ticket, url=f"/tickets/{ticket.pk}/"
    )


def _assign(ticket: Ticket, actor: Actor, *, team: Team | None, assignee: User | None) -> None:
    ticket.team, ticket.assignee = team, assignee
    Ticket.objects.filter(pk=ticket.pk).update(team=team, assignee=assignee)
    record_assignment(ticket, actor)


def record_assignment(ticket: Ticket, actor: Actor) -> TicketEvent:
    """The event and the assignee's notification for the ticket's (stored) team and assignee."""
    team, assignee = ticket.team, ticket.assignee
    event = record_event(
        ticket,
        actor,
        "assigned",
        assignee.username if assignee else "",
        data={
            "team": team.name if team else None,
            "assignee": assignee.pk if assignee else None,
            "assignee_name": str(assignee) if assignee else None,
        },
    )
    _notify(
        [assignee],
        NotificationKind.TICKET_ASSIGNED,
        f"#{ticket.pk} assigned to you: {ticket.subject}",
        ticket,
    )
    return event


def _audit_update(actor: Actor, ticket: Ticket, before: dict[str, Any]) -> None:
    after = snapshot(ticket)
    audit_record(
        actor=actor,
        action="update",
        instance=ticket,
        before=before,
        after=after,
        organization_id=ticket.organization_id,
    )
    changes = {key: [before.get(key), value] for key, value in after.items() if before.get(key) != value}
    changes.pop("updated_at", None)
    if changes.get("status", [None, None])[1] == Status.SOLVED:
        emit_ticket_event("ticket.solved", ticket)
    elif changes:
        emit_ticket_event("ticket.updated", ticket, changes=changes, flat=True)


def emit_ticket_event(event_type: str, ticket: Ticket, *, flat: bool = False, **extra: Any) -> None:
    """Tell the webhooks that subscribe (docs/webhooks.md gives each event's data)."""
    payload = ticket_payload(ticket)
    data = {**payload, **extra} if flat or not extra else {"ticket": payload, **extra}
    emit(event_type, data, organization_id=ticket.organization_id)


def _touch(ticket: Ticket, **fields: Any) -> None:
    fields["updated_at"] = timezone.now()
    for key, value in fields.items():
        setattr(ticket, key, value)
    Ticket.objects.filter(pk=ticket.pk).update(**fields)


@transaction.atomic
@following_transaction
def ticket_reply(
    *,
    actor: Actor,
    ticket: Ticket,
    body: str,
    public: bool = True,
    attachments: Sequence[Upload] = (),
    channel: str = Channel.PORTAL,
    received_at: datetime | None = None,
) -> Message:
    """A public reply (customer or vendor) or an internal note (vendor only). `received_at`: when the
    message reached the vendor (an e-mail's arrival); its clocks count from then. Default now."""
    if not can_access_ticket(actor, ticket.organization_id):
        raise Ticket.DoesNotExist("No such ticket.")
    if not body.strip():
        raise ValidationError({"body": "Write something."})
    if not public:
        require(can_work_tickets(actor), "Internal notes are for the vendor's staff.")
    if ticket.status == Status.CLOSED:
        raise ValidationError({"status": "This ticket is closed; open a new one and mention its number."})
    now = whole_seconds()
    # A server clock behind ours: never before opening.
    at = max(received(received_at, now=now), ticket.opened_at)
    from_customer = actor.is_customer
    message = Message.objects.create(
        ticket=ticket,
        author_id=actor.user_id,
        author_label=actor.display_name,
        from_customer=from_customer,
        is_public=public,
        body=body,
        channel=channel,
        created_at=at,
    )
    store_attachments(message, attachments)
    if not public:
        record_event(ticket, actor, "internal_note", at=at, message=message)
    elif from_customer:
        record_event(ticket, actor, "customer_message", at=at, message=message)
        if ticket.status in {Status.WAITING_ON_CUSTOMER, Status.SOLVED}:
            record_event(ticket, actor, "status", Status.OPEN, at=at, data={"reason": "customer replied"})
            _touch(ticket, status=Status.OPEN, solved_at=None)
        _notify(
            [ticket.assignee],
            NotificationKind.TICKET_CUSTOMER_REPLY,
            f"#{ticket.pk} customer replied: {ticket.subject}",
            ticket,
            body[:500],
        )
    else:
        record_event(ticket, actor, "vendor_reply", at=at, message=message)
        if ticket.status == Status.NEW:
            record_event(ticket, actor, "status", Status.OPEN, at=at, data={"reason": "first reply"})
            _touch(ticket, status=Status.OPEN)
    _touch(ticket)
    ticket_check(ticket, now=now)
    audit_record(
        actor=actor,
        action="create",
        instance=message,
        after={"ticket": ticket.pk, "public": public, "length": len(body)},
        organization_id=ticket.organization_id,
    )
    if public:
        reply = {
            "id": message.pk,
            "from_customer": message.from_customer,
            "author": message.author_label,
            "created_at": message.created_at.isoformat().replace("+00:00", "Z"),
        }
        emit_ticket_event("ticket.replied", ticket, reply=reply)
    return message


ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset(
        {Status.OPEN, Status.WAITING_ON_CUSTOMER, Status.WAITING_ON_THIRD_PARTY, Status.SOLVED, Status.CLOSED}
    ),
    Status.OPEN: frozenset(
        {Status.WAITING_ON_CUSTOMER, Status.WAITING_ON_THIRD_PARTY, Status.SOLVED, Status.CLOSED}
    ),
    Status.WAITING_ON_CUSTOMER: frozenset(
        {Status.OPEN, Status.WAITING_ON_THIRD_PARTY, Status.SOLVED, Status.CLOSED}
    ),
    Status.WAITING_ON_THIRD_PARTY: frozenset(
        {Status.OPEN, Status.WAITING_ON_CUSTOMER, Status.SOLVED, Status.CLOSED}
    ),
    Status.SOLVED: frozenset({Status.OPEN, Status.CLOSED}),
    Status.CLOSED: frozenset(),
}
CUSTOMER_TRANSITIONS = frozenset({Status.CLOSED, Status.OPEN})


@transaction.atomic
def ticket_set_status(*, actor: Actor, ticket: Ticket, status: str, reason: str = "") -> Ticket:
    """Move a ticket; customers may close it, or reopen a solved one."""
    if not can_access_ticket(actor, ticket.organization_id):
        raise Ticket.DoesNotExist("No such ticket.")
    if status not in Status.values:
        raise ValidationError({"status": f"Choose from {', '.join(Status.values)}."})
    if status == ticket.status:
        return ticket
    if status not in ALLOWED_TRANSITIONS[ticket.status]:
        raise ValidationError(
            {
                "status": f"A {ticket.get_status_display().lower()} ticket cannot become "
                f"{Status(status).label.lower()}."
            }
        )
    if actor.is_customer and (
        status not in CUSTOMER_TRANSITIONS or (status == Status.OPEN and ticket.status != Status.SOLVED)
    ):
        raise PermissionDenied("Customers may close a ticket or reopen a solved one.")
    now = whole_seconds()
    before = snapshot(ticket)
    record_event(ticket, actor, "status", status, at=now, data={"from": ticket.status, "reason": reason})
    solved_at = now if status == Status.SOLVED else (ticket.solved_at if status == Status.CLOSED else None)
    _touch(ticket, status=status, solved_at=solved_at)
    ticket_check(ticket, now=now)
    _audit_update(actor, ticket, before)
    return ticket


@transaction.atomic
def ticket_set_severity(*, actor: Actor, ticket: Ticket, severity: str, reason: str) -> Ticket:
    """Change severity; every clock is re-targeted from the ticket's start (pauses kept)."""
    require(can_work_tickets(actor), "Only the vendor's staff may change a ticket's severity.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the severity changes; the customer sees it."})
    if severity == ticket.severity:
        return ticket
    check_severity(entitlements_for(organization=ticket.organization), severity=severity, plans=plan_refs())
    before = snapshot(ticket)
    now = whole_seconds()
    record_event(
        ticket, actor, "severity", severity, at=now, data={"from": ticket.severity, "reason": reason}
    )
    _touch(ticket, severity=severity)
    ticket_check(ticket, now=now)
    _audit_update(actor, ticket, before)
    return ticket


@transaction.atomic
def ticket_assign(*, actor: Actor, ticket: Ticket, assignee: User | None, team: Team | None = None) -> Ticket:
    """Manual (re)assignment to an engineer and/or a team."""
    require(can_work_tickets(actor), "Only the vendor's staff may assign tickets.")
    if assignee is not None and not assignee.is_vendor_staff:
        raise ValidationError({"assignee": f"{assignee} is not on the vendor's staff."})
    team = team if team is not None else ticket.team
    before = snapshot(ticket)
    _assign(ticket, actor, team=team, assignee=assignee)
    _touch(ticket)
    _audit_update(actor, ticket, before)
    return ticket


@transaction.atomic
def ticket_mark_workaround(*, actor: Actor, ticket: Ticket, note: str = "") -> Ticket:
    """Record that a workaround was given: the workaround clock is met."""
    require(can_work_tickets(actor), "Only the vendor's staff may record a workaround.")
    now = whole_seconds()
    record_event(ticket, actor, "workaround", at=now, data={"note": note})
    _touch(ticket)
    ticket_check(ticket, now=now)
    audit_record(
        actor=actor,
        action="action",
        instance=ticket,
        after={"workaround": note or True},
        organization_id=ticket.organization_id,
    )
    return ticket


@transaction.atomic
def ticket_set_tags(*, actor: Actor, ticket: Ticket, tags: Sequence[str]) -> Ticket:
    require(can_work_tickets(actor), "Only the vendor's staff may tag tickets.")
    names = sorted({t.strip().lower() for t in tags if t.strip()})
    ticket.tags.set([Tag.objects.get_or_create(name=name)[0] for name in names])
    record_event(ticket, actor, "tagged", ",".join(names)[:100])
    audit_record(
        actor=actor,
        action="update",
        instance=ticket,
        after={"tags": names},
        organization_id=ticket.organization_id,
    )
    return ticket


def organization_reachability_changed(*, organization: Organization) -> None:
    """A contact's 24/7 reachability changed: S1 clocks of open tickets take note."""
    value = reachability_value(organization)
    for ticket in Ticket.objects.filter(organization=organization, status__in=OPEN_STATUSES, severity="S1"):
        last = ticket.events.filter(kind__in=["reachability", "opened"]).order_by("-at", "-pk").first()
        if last is not None and last.value == value:
            continue
        record_event(ticket, Actor.system("contacts"), "reachability", value)
        ticket_check(ticket)
