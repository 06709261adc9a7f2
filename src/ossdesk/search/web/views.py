"""The search page: parse the query string, ask the selector, render; who finds what is its call."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ossdesk.accounts.access import can_act_for_any_customer
from ossdesk.customers.selectors import organization_list
from ossdesk.doors.actor import request_actor
from ossdesk.products.selectors import product_list
from ossdesk.search.models import Kind
from ossdesk.search.selectors import search
from ossdesk.search.web.forms import SearchForm
from ossdesk.tickets.models import Status


@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    """Everyone: ranked results with snippets, a count per kind, filters and pages; htmx swaps the results."""
    actor = request_actor(request)
    form = SearchForm(request.GET)
    arguments = form.selector_arguments()
    results = search(actor=actor, **arguments)
    filters = {
        "q": arguments["q"],
        "organization": arguments["organization_id"] or "",
        "product": arguments["product_id"] or "",
        "status": arguments["status"] or "",
        "date_from": arguments["date_from"] or "",
        "date_to": arguments["date_to"] or "",
    }
    kept = [(key, value) for key, value in filters.items() if value]
    kinds = arguments["kinds"]
    any_customer = can_act_for_any_customer(actor)
    context = {
        "results": results,
        "q": arguments["q"],
        "filters": filters,
        "kinds": kinds,
        # One link per kind, carrying every other filter: the facets.
        "facets": [
            {
                "kind": kind,
                "label": label,
                "count": results.facets.get(kind, 0),
                "selected": kind in kinds,
                "querystring": urlencode([*kept, ("kind", kind)]),
            }
            for kind, label in Kind.choices
        ],
        "all_querystring": urlencode(kept),
        "all_count": sum(results.facets.values()),
        "page_querystring": urlencode([*kept, *(("kind", k) for k in kinds)]),
        "organizations": organization_list(actor=actor).order_by("name") if any_customer else [],
        "products": product_list().order_by("name"),
        "statuses": Status.choices,
        "show_ticket_filters": actor.is_staff or actor.is_customer,
    }
    template = "search/_results.html" if request.headers.get("HX-Request") else "search/search.html"
    return render(request, template, context)
