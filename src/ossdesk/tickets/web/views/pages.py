"""What the helpdesk pages share: page size and filters, the ticket a person may see, staff to assign to,
and the customer's own organisation."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from ossdesk.accounts.actor import Actor
from ossdesk.accounts.models import STAFF_ROLES, User
from ossdesk.customers import selectors as customer_selectors
from ossdesk.customers.models import Organization
from ossdesk.tickets import selectors
from ossdesk.tickets.models import Ticket

PAGE_SIZE = 25
FILTER_KEYS = ("view", "status", "severity", "organization", "product", "assignee", "team", "tag", "q")
CUSTOMER_VIEWS = {"open": "Open", "all": "All tickets"}


def filter_querystring(request: HttpRequest) -> str:
    """The current filters (without the page), for links that keep them."""
    return urlencode({key: value for key, value in request.GET.items() if key in FILTER_KEYS and value})


def ticket_or_404(actor: Actor, pk: int) -> Ticket:
    """The ticket if this person may see it; any other answers like a missing one."""
    try:
        return selectors.ticket_get(actor=actor, pk=pk)
    except Ticket.DoesNotExist:
        raise Http404("No such ticket.") from None


def staff_users() -> Any:
    """Active staff, by username: who a ticket can be assigned to."""
    return User.objects.filter(role__in=STAFF_ROLES, is_active=True).order_by("username")


def own_organization(actor: Actor) -> Organization:
    if actor.organization_id is None:
        raise PermissionDenied("Your account is not linked to an organisation; ask your administrator.")
    return customer_selectors.organization_get(actor=actor, pk=actor.organization_id)
