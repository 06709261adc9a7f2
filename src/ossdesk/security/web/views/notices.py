"""Notice pages: a customer's notices of new findings, one notice, acknowledged."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from ossdesk.accounts.access import can_act_for_any_customer
from ossdesk.accounts.actor import Actor
from ossdesk.doors.actor import request_actor
from ossdesk.security import selectors, services
from ossdesk.security.models import Notice
from ossdesk.security.web.presenters import finding_rows
from ossdesk.security.web.views.pages import HEAVY, paginate

NOTICE_TABS = {"open": "Not acknowledged", "all": "All notices"}


def _notice(actor: Actor, pk: int) -> Notice:
    try:
        return selectors.notice_get(actor=actor, pk=pk)
    except Notice.DoesNotExist:
        raise Http404("No such notice.") from None


@login_required
@require_GET
def notice_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    show = request.GET.get("show", "all" if can_act_for_any_customer(actor) else "open")
    show = show if show in NOTICE_TABS else "open"
    notices = selectors.notice_list(actor=actor, unacknowledged=show == "open")
    page = paginate(request, notices.defer("advisory__record", "advisory__details"))
    return render(
        request,
        "security/notice_list.html",
        {"page": page, "show": show, "tabs": NOTICE_TABS, "querystring": f"show={show}"},
    )


@login_required
@require_GET
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    notice = _notice(actor, pk)
    findings = selectors.finding_list(
        actor=actor, advisory_id=notice.advisory_id, organization_id=notice.organization_id
    ).defer(*HEAVY)
    page = paginate(request, findings)
    return render(
        request,
        "security/notice_detail.html",
        {"notice": notice, "page": page, "rows": finding_rows(page.object_list, timezone.now())},
    )


@login_required
@require_POST
def notice_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    notice = _notice(actor, pk)
    services.notice_acknowledge(actor=actor, notice=notice)
    messages.success(request, f"Notice of {notice.advisory.public_id} acknowledged.")
    if request.POST.get("next") == "detail":
        return redirect("web:security-notice", pk=notice.pk)
    return redirect("web:security-notices")
