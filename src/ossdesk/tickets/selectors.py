"""Reads of tickets, scoped by who asks: customers see their organisation's, staff see all."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from ossdesk.accounts.actor import Actor
from ossdesk.accounts.models import User
from ossdesk.tickets.models import (
    OPEN_STATUSES,
    Message,
    SavedView,
    Ticket,
    TicketClock,
    TicketEvent,
    queue_key,
)


def ticket_list(*, actor: Actor) -> QuerySet[Ticket]:
    qs = Ticket.objects.select_related(
        "organization", "product", "assignee", "team", "contact"
    ).prefetch_related("tags", Prefetch("clocks", queryset=TicketClock.objects.order_by("due_at")))
    if actor.is_staff:
        return qs
    return qs.filter(organization_id=actor.organization_id) if actor.organization_id else qs.none()


def ticket_page(*, actor: Actor, queryset: QuerySet[Ticket], number: Any, per_page: int) -> Page[Ticket]:
    """One page of a ticket list, for large desks: page through the ids alone (the database walks an index,
    no joins), then load just that page's tickets with everything the row shows."""
    # A page over the ids, then given the tickets in their place.
    page: Page[Any] = Paginator(queryset.values_list("pk", flat=True), per_page).get_page(number)
    page.object_list = tickets_in_order(actor=actor, ids=list(page.object_list))
    return page


def tickets_in_order(*, actor: Actor, ids: list[int]) -> list[Ticket]:
    """The tickets with these ids, in this order, loaded with what lists show."""
    found = ticket_list(actor=actor).in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def ticket_get(*, actor: Actor, pk: int | str) -> Ticket:
    return ticket_list(actor=actor).get(pk=pk)


def message_list(*, actor: Actor, ticket: Ticket) -> QuerySet[Message]:
    """A ticket's messages; customers never see internal notes."""
    qs = Message.objects.filter(ticket=ticket).select_related("author").prefetch_related("attachments")
    return qs if actor.is_staff else qs.filter(is_public=True)


def display_names(*, usernames: Iterable[str]) -> dict[str, str]:
    """The display names of the people with these logins, in one query (for labels that hold a login)."""
    wanted = set(usernames)
    if not wanted:
        return {}
    people = User.objects.filter(username__in=wanted).only(
        "username", "display_name", "first_name", "last_name"
    )
    return {person.username: str(person) for person in people}


PUBLIC_EVENT_KINDS = ("opened", "customer_message", "vendor_reply", "status", "severity", "workaround")


def event_list(*, actor: Actor, ticket: Ticket) -> QuerySet[TicketEvent]:
    """A ticket's timeline; customers see its public part."""
    qs = TicketEvent.objects.filter(ticket=ticket).select_related("message", "actor")
    return qs if actor.is_staff else qs.filter(kind__in=PUBLIC_EVENT_KINDS)


@dataclass(frozen=True)
class QueueFilter:
    """The queue's filters; saved views store these."""

    view: str = ""
    status: str = ""
    severity: str = ""
    organization: int | None = None
    product: int | None = None
    assignee: int | None = None
    team: int | None = None
    tag: str = ""
    q: str = ""

    @classmethod
    def from_mapping(cls, data: Any) -> QueueFilter:
        def number(key: str) -> int | None:
            value = data.get(key) or ""
            return int(value) if str(value).isdigit() else None

        return cls(
            view=data.get("view", ""),
            status=data.get("status", ""),
            severity=data.get("severity", ""),
            organization=number("organization"),
            product=number("product"),
            assignee=number("assignee"),
            team=number("team"),
            tag=data.get("tag", ""),
            q=(data.get("q") or "").strip(),
        )


BUILTIN_VIEWS = {
    "open": "All open",
    "mine": "Mine",
    "my_team": "My team",
    "breaching_soon": "Breaching soon",
    "breached": "Breached",
    "unassigned": "Unassigned",
    "all": "All tickets",
}


def ticket_queue(*, actor: Actor, filters: QueueFilter) -> QuerySet[Ticket]:
    """The staff queue (or a customer's ticket list), filtered and ordered by urgency."""
    qs = ticket_list(actor=actor)
    view = filters.view or "open"
    if view != "all":
        qs = qs.filter(status__in=OPEN_STATUSES) if not filters.status else qs
    if view == "mine":
        qs = qs.filter(assignee_id=actor.user_id)
    elif view == "my_team":
        qs = qs.filter(team__members=actor.user_id)
    elif view == "breaching_soon":
        qs = qs.filter(queue_key__lte=queue_key(timezone.now() + timedelta(hours=2), "S4"))
    elif view == "breached":
        qs = qs.filter(sla_state="breached")
    elif view == "unassigned":
        qs = qs.filter(assignee__isnull=True)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.severity:
        qs = qs.filter(severity=filters.severity)
    if filters.organization:
        qs = qs.filter(organization_id=filters.organization)
    if filters.product:
        qs = qs.filter(product_id=filters.product)
    if filters.assignee:
        qs = qs.filter(assignee_id=filters.assignee)
    if filters.team:
        qs = qs.filter(team_id=filters.team)
    if filters.tag:
        qs = qs.filter(tags__name=filters.tag)
    if filters.q:
        query = Q(subject__icontains=filters.q) | Q(organization__name__icontains=filters.q)
        if filters.q.lstrip("#").isdigit():
            query |= Q(pk=int(filters.q.lstrip("#")))
        qs = qs.filter(query)
    if view == "all":
        return qs.order_by("-opened_at")
    # Most urgent first; tickets with no running deadline (paused, no SLA) after every one that has one.
    return qs.order_by("queue_key", "id")


def saved_view_list(*, actor: Actor) -> QuerySet[SavedView]:
    if not actor.is_staff:
        return SavedView.objects.none()
    return SavedView.objects.filter(Q(owner_id=actor.user_id) | Q(shared=True))


# --- at a glance (the home pages) ------------------------------------------------------------------------

SLA_STATES = ("breached", "running", "paused", "met", "")  # "" = no SLA (best effort)


def sla_state_counts(*, actor: Actor) -> dict[str, int]:
    """The open tickets `actor` may see, counted by SLA state (every state present, zeros included)."""
    rows = (
        ticket_list(actor=actor)
        .prefetch_related(None)
        .filter(status__in=OPEN_STATUSES)
        .order_by()
        .values_list("sla_state")
        .annotate(n=Count("id"))
    )
    counts = dict.fromkeys(SLA_STATES, 0)
    for state, n in rows:
        key = state if state in counts else ""
        counts[key] += n
    return counts


def sla_breaches_by_day(*, actor: Actor, today: date, days: int = 7) -> list[tuple[date, int]]:
    """How many SLA targets were breached on each of the last `days` days up to `today` (in the desk's
    time zone), on the tickets `actor` may see; days without a breach count zero."""
    first = today - timedelta(days=days - 1)
    since = timezone.make_aware(datetime.combine(first, time.min))
    events = TicketEvent.objects.filter(kind=TicketEvent.Kind.SLA_BREACH, at__gte=since)
    if not actor.is_staff:
        events = events.filter(ticket__in=ticket_list(actor=actor).prefetch_related(None).values("pk"))
    per_day = dict(events.annotate(day=TruncDate("at")).order_by().values_list("day").annotate(n=Count("id")))
    return [(first + timedelta(days=n), per_day.get(first + timedelta(days=n), 0)) for n in range(days)]
