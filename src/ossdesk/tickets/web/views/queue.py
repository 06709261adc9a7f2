"""The staff queue and the customer's list of tickets."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from ossdesk.accounts.access import can_work_tickets
from ossdesk.accounts.actor import Actor
from ossdesk.customers import selectors as customer_selectors
from ossdesk.customers.models import Organization
from ossdesk.doors.actor import request_actor
from ossdesk.plans.selectors import entitlements_for
from ossdesk.products.selectors import product_list
from ossdesk.tickets import selectors, services
from ossdesk.tickets import services as ticket_services
from ossdesk.tickets.models import Status, Tag, Team
from ossdesk.tickets.selectors import BUILTIN_VIEWS, QueueFilter
from ossdesk.tickets.web.forms import SEVERITY_CHOICES
from ossdesk.tickets.web.presenters import sla_badge
from ossdesk.tickets.web.views.new_ticket import intake_refusal
from ossdesk.tickets.web.views.pages import (
    CUSTOMER_VIEWS,
    PAGE_SIZE,
    filter_querystring,
    own_organization,
    staff_users,
)


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """Staff: the queue with saved views and filters. Customers: their organisation's tickets."""
    actor = request_actor(request)
    if not can_work_tickets(actor):
        return _customer_tickets(request, actor)
    filters = QueueFilter.from_mapping(request.GET)
    page = selectors.ticket_page(
        actor=actor,
        queryset=selectors.ticket_queue(actor=actor, filters=filters),
        number=request.GET.get("page"),
        per_page=PAGE_SIZE,
    )
    now = timezone.now()
    organization = None
    if filters.organization:
        organization = (
            customer_selectors.organization_list(actor=actor).filter(pk=filters.organization).first()
        )
    filter_fields = ticket_services.queue_filter_dict(filters)
    saved_views = list(selectors.saved_view_list(actor=actor).select_related("owner"))
    context = {
        "page": page,
        "rows": [(ticket, sla_badge(ticket, now)) for ticket in page.object_list],
        "filters": filters,
        "active_view": filters.view or "open",
        "builtin_views": BUILTIN_VIEWS,
        # The tab to mark: a saved view whose filters are exactly these, else the built-in view.
        "current_saved": next((view.pk for view in saved_views if view.filters == filter_fields), None),
        "saved_views": [(view, urlencode(view.filters)) for view in saved_views],
        "filter_fields": filter_fields,
        "querystring": filter_querystring(request),
        "organizations": customer_selectors.organization_list(actor=actor).order_by("name"),
        "products": product_list(),
        "severities": SEVERITY_CHOICES,
        "statuses": Status.choices,
        "assignees": staff_users(),
        "teams": Team.objects.order_by("name"),
        "tags": Tag.objects.order_by("name"),
        "customer": _customer_summary(organization) if organization else None,
    }
    template = "tickets/_queue_rows.html" if request.headers.get("HX-Request") else "tickets/queue.html"
    return render(request, template, context)


def _customer_summary(organization: Organization) -> dict[str, Any]:
    entitlements = entitlements_for(organization=organization)
    return {
        "organization": organization,
        "entitlements": entitlements,
        "balance": services.consulting_balance(organization=organization),
    }


def _customer_tickets(request: HttpRequest, actor: Actor) -> HttpResponse:
    organization = own_organization(actor)
    requested = QueueFilter.from_mapping(request.GET)
    # A customer's list is their organisation's, whatever the query string says about staff filters.
    filters = replace(
        requested,
        view=requested.view if requested.view in CUSTOMER_VIEWS else "open",
        organization=None,
        assignee=None,
        team=None,
        tag="",
    )
    tickets = selectors.ticket_queue(actor=actor, filters=filters).order_by("-updated_at")
    page = selectors.ticket_page(
        actor=actor, queryset=tickets, number=request.GET.get("page"), per_page=PAGE_SIZE
    )
    now = timezone.now()
    entitlements = entitlements_for(organization=organization)
    context = {
        "organization": organization,
        "entitlements": entitlements,
        "page": page,
        "rows": [(ticket, sla_badge(ticket, now)) for ticket in page.object_list],
        "filters": filters,
        "active_view": filters.view,
        "customer_views": CUSTOMER_VIEWS,
        "querystring": filter_querystring(request),
        "products": product_list().filter(pk__in=entitlements.products),
        "severities": SEVERITY_CHOICES,
        "statuses": Status.choices,
        "balance": services.consulting_balance(organization=organization),
        "can_raise": intake_refusal(actor, entitlements) is None,
    }
    template = (
        "tickets/_portal_rows.html" if request.headers.get("HX-Request") else "tickets/portal_list.html"
    )
    return render(request, template, context)
