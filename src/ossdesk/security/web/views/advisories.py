"""The advisory pages: the list with its filters, and one advisory with who it affects."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from ossdesk.accounts.access import can_act_for_any_customer
from ossdesk.doors.actor import request_actor
from ossdesk.security import selectors
from ossdesk.security.models import Advisory
from ossdesk.security.web.forms import AdvisoryFilterForm
from ossdesk.security.web.presenters import advisory_view, finding_rows, percent, status_cells
from ossdesk.security.web.views.pages import HEAVY, paginate, query_string

ADVISORY_FILTERS = ("q", "severity", "ecosystem", "kev")


@login_required
@require_GET
def advisory_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    form = AdvisoryFilterForm(request.GET)
    page = paginate(request, selectors.advisory_list(actor=actor, **form.filters()))
    context = {
        "form": form,
        "page": page,
        "filtered": any(request.GET.get(key) for key in ADVISORY_FILTERS),
        "querystring": query_string(request, ADVISORY_FILTERS),
    }
    template = (
        "security/_advisory_rows.html" if request.headers.get("HX-Request") else "security/advisory_list.html"
    )
    return render(request, template, context)


@login_required
@require_GET
def advisory_detail(request: HttpRequest, key: str) -> HttpResponse:
    actor = request_actor(request)
    try:
        affected = selectors.who_is_affected(actor=actor, key=key)
    except Advisory.DoesNotExist:
        raise Http404(f"No advisory {key}.") from None
    advisory = affected.advisory
    if advisory.osv_id != key:  # reached by an alias: one address per advisory
        return redirect("web:security-advisory", key=advisory.osv_id)
    context: dict[str, Any] = {
        "advisory": advisory,
        "view": advisory_view(advisory),
        "epss": percent(advisory.epss),
        "epss_percentile": percent(advisory.epss_percentile),
        "vendor_advisory": selectors.vendor_advisory_list(actor=actor).filter(advisory=advisory).first()
        if advisory.source == Advisory.Source.VENDOR
        else None,
    }
    if can_act_for_any_customer(actor):
        page = paginate(request, affected.customers)
        context["page"] = page
        context["customers"] = [{**c, "statuses": status_cells(c["by_status"])} for c in page.object_list]
        context["affected_total"] = len(affected.customers)
    else:
        findings = selectors.finding_list(actor=actor, advisory_id=advisory.pk).defer(*HEAVY)
        page = paginate(request, findings)
        context["page"] = page
        context["rows"] = finding_rows(page.object_list, timezone.now())
    return render(request, "security/advisory_detail.html", context)
