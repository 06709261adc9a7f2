"""The home page: staff see their queue and the desk's SLA state, a customer its tickets and exposure.
Every other page lives with its app (`<app>/web/`); this module only composes what the home shows."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from ossdesk.accounts.access import can_work_tickets
from ossdesk.accounts.actor import Actor
from ossdesk.customers import selectors as customer_selectors
from ossdesk.domain.entitlements import EntitlementDenied, Entitlements, check_channel, check_severity
from ossdesk.doors.actor import request_actor
from ossdesk.plans.selectors import entitlements_for, plan_refs
from ossdesk.security import selectors as security_selectors
from ossdesk.security.web.presenters import sbom_scanning_refusal
from ossdesk.tickets import selectors as ticket_selectors
from ossdesk.tickets.models import Channel, Ticket
from ossdesk.tickets.selectors import QueueFilter
from ossdesk.tickets.web.presenters import allowed_severities, sla_badge
from ossdesk.web.presenters import SLA_STATE_LABELS, breach_bars

HOME_TICKETS = 10  # the rest are a click away, in the queue
EXPOSURE_SEVERITIES = ("critical", "high", "medium", "low")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Staff: their own queue and the desk's SLA state. A customer: its open tickets and exposure."""
    actor = request_actor(request)
    if can_work_tickets(actor):
        return _staff_home(request, actor)
    if actor.organization_id is None:
        return redirect("web:portal")  # which says why there is nothing to show
    return _customer_home(request, actor, actor.organization_id)


def _first_tickets(actor: Actor, tickets: Any) -> tuple[list[Ticket], int]:
    """The first tickets of a list, loaded with what a row shows, and how many there are in all."""
    ids = list(tickets.values_list("pk", flat=True)[:HOME_TICKETS])
    return ticket_selectors.tickets_in_order(actor=actor, ids=ids), tickets.count()


def _staff_home(request: HttpRequest, actor: Actor) -> HttpResponse:
    now = timezone.now()
    mine, mine_count = _first_tickets(
        actor, ticket_selectors.ticket_queue(actor=actor, filters=QueueFilter(view="mine"))
    )
    counts = ticket_selectors.sla_state_counts(actor=actor)
    days = ticket_selectors.sla_breaches_by_day(actor=actor, today=timezone.localdate(now))
    bars, width, height = breach_bars(days)
    context = {
        "rows": [(ticket, sla_badge(ticket, now)) for ticket in mine],
        "mine_count": mine_count,
        "sla_counts": [(state, SLA_STATE_LABELS[state], counts[state]) for state in SLA_STATE_LABELS],
        "open_count": sum(counts.values()),
        "bars": bars,
        "chart_width": width,
        "chart_height": height,
        "breaches": sum(count for _, count in days),
    }
    return render(request, "ossdesk/home_staff.html", context)


def _raise_refusal(actor: Actor, entitlements: Entitlements) -> str:
    """Why this customer cannot raise a ticket in the portal at all (Community), naming the plan that can."""
    try:
        check_channel(entitlements, channel=Channel.PORTAL, plans=plan_refs())
        if not allowed_severities(entitlements.terms):
            check_severity(entitlements, severity="S4", plans=plan_refs())
    except EntitlementDenied as exc:
        return str(exc)
    return ""


def _customer_home(request: HttpRequest, actor: Actor, organization_id: int) -> HttpResponse:
    now = timezone.now()
    organization = customer_selectors.organization_get(actor=actor, pk=organization_id)
    tickets, open_count = _first_tickets(
        actor,
        ticket_selectors.ticket_queue(actor=actor, filters=QueueFilter(view="open")).order_by("-updated_at"),
    )
    exposure = security_selectors.portfolio(actor=actor, now=now)
    entitlements = entitlements_for(organization=organization)
    context = {
        "organization": organization,
        "rows": [(ticket, sla_badge(ticket, now)) for ticket in tickets],
        "open_count": open_count,
        "exposure": [(s, exposure.totals.get(s, 0)) for s in EXPOSURE_SEVERITIES],
        "open_findings": sum(exposure.totals.values()),
        "overdue_findings": exposure.overdue,
        "raise_refusal": _raise_refusal(actor, entitlements),
        # Zero findings means nothing only once an inventory was matched: say why there is none instead.
        "sbom_refusal": sbom_scanning_refusal(entitlements, plan_refs()),
        "has_inventory": security_selectors.sbom_list(actor=actor).filter(current=True).exists(),
    }
    return render(request, "ossdesk/home_customer.html", context)
