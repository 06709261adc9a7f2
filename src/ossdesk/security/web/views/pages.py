"""What the security pages share: paging, query strings, form errors, and who sees what."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

from ossdesk.accounts.access import can_act_for_any_customer
from ossdesk.accounts.actor import Actor
from ossdesk.customers import selectors as customer_selectors
from ossdesk.customers.models import Organization
from ossdesk.plans.selectors import entitlements_for, plan_refs
from ossdesk.security.web.presenters import sbom_scanning_refusal

PAGE_SIZE = 25
# The big JSON columns no list shows: left in the database.
HEAVY = ("advisory__record", "advisory__details")


def paginate(
    request: HttpRequest, items: Any, *, param: str = "page", per_page: int = PAGE_SIZE
) -> Page[Any]:
    return Paginator(items, per_page).get_page(request.GET.get(param))


def query_string(request: HttpRequest, keys: tuple[str, ...]) -> str:
    """The current filters (without the page), for pager links that keep them."""
    return urlencode({key: value for key, value in request.GET.items() if key in keys and value})


def error_messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [str(message) for errors in exc.error_dict.values() for e in errors for message in e.messages]
    return list(exc.messages)


def staff_organizations(actor: Actor) -> QuerySet[Organization] | None:
    """The customers a staff member may pick from; a customer picks none (its own is implied)."""
    if not can_act_for_any_customer(actor):
        return None
    return customer_selectors.organization_list(actor=actor).order_by("name")


def sbom_refusal(actor: Actor, organization: Organization | None = None) -> str:
    """Why a customer cannot upload an SBOM or lockfile (its plan lacks SBOM scanning), naming the plan
    that includes it, so that no page offers an upload that ends in a refusal. Empty for staff."""
    if can_act_for_any_customer(actor) or actor.organization_id is None:
        return ""
    if organization is None:
        organization = customer_selectors.organization_get(actor=actor, pk=actor.organization_id)
    return sbom_scanning_refusal(entitlements_for(organization=organization), plan_refs())
