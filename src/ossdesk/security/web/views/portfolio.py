"""The security portfolio: open findings by organisation and deployment, and who an advisory affects."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from ossdesk.accounts.access import can_act_for_any_customer
from ossdesk.accounts.actor import Actor
from ossdesk.doors.actor import request_actor
from ossdesk.security import selectors
from ossdesk.security.models import Advisory, Finding
from ossdesk.security.web.forms import LookupForm
from ossdesk.security.web.presenters import exposure_cells, exposure_columns, finding_rows, severity_bars
from ossdesk.security.web.views.pages import HEAVY, paginate, sbom_refusal


def _portfolio_page(
    request: HttpRequest, actor: Actor, lookup: LookupForm, status: int = 200
) -> HttpResponse:
    now = timezone.now()
    data = selectors.portfolio(actor=actor, now=now)
    bars, chart_height = severity_bars(data.totals)
    columns = exposure_columns(data.totals)
    context: dict[str, Any] = {
        "portfolio": data,
        "total": sum(data.totals.values()),
        "bars": bars,
        "chart_height": chart_height,
        "columns": columns,
        "lookup": lookup,
        "sbom_refusal": sbom_refusal(actor),
    }
    if can_act_for_any_customer(actor):
        page = paginate(request, data.customers)
        context["page"] = page
        context["exposure"] = [(e, exposure_cells(e.by_severity, columns)) for e in page.object_list]
        context["unacknowledged"] = selectors.notice_list(actor=actor, unacknowledged=True).count()
    else:
        findings = selectors.finding_list(actor=actor, status=Finding.Status.OPEN).defer(*HEAVY)
        page = paginate(request, findings)
        context["page"] = page
        context["rows"] = finding_rows(page.object_list, now)
        notices = selectors.notice_list(actor=actor, unacknowledged=True).defer(*HEAVY)
        context["notices"] = list(notices[:5])
    return render(request, "security/portfolio.html", context, status=status)


@login_required
@require_GET
def portfolio(request: HttpRequest) -> HttpResponse:
    """Staff: exposure by customer and severity, the advisories reaching most deployments. A customer:
    its own exposure and open findings."""
    return _portfolio_page(request, request_actor(request), LookupForm())


@login_required
@require_GET
def affected_lookup(request: HttpRequest) -> HttpResponse:
    """'Who is affected by CVE-…': an id or alias leads to the advisory's affected customers."""
    actor = request_actor(request)
    form = LookupForm(request.GET)
    if form.is_valid():
        key = form.cleaned_data["q"].strip()
        try:
            advisory = selectors.advisory_get(actor=actor, key=key)
        except Advisory.DoesNotExist:
            form.add_error(
                "q",
                f"No advisory has the id or alias “{key}”. Import the source that publishes it, or search "
                "the summaries in the advisory list.",
            )
        else:
            return redirect(reverse("web:security-advisory", args=[advisory.osv_id]) + "#affected")
        return _portfolio_page(request, actor, form, status=404)
    return _portfolio_page(request, actor, form, status=400)
