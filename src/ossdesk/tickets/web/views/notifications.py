"""A person's notifications: the list, the badge, reading one or all."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from ossdesk.accounts import selectors as account_selectors
from ossdesk.accounts import services as account_services
from ossdesk.doors.actor import request_actor
from ossdesk.tickets.web.views.pages import PAGE_SIZE


@login_required
@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    unread_only = request.GET.get("show") == "unread"
    notices = account_selectors.notification_list(actor=actor, unread=True if unread_only else None)
    page = Paginator(notices, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "tickets/notifications.html",
        {
            "page": page,
            "unread_only": unread_only,
            "unread": account_selectors.notification_unread_count(actor=actor),
            "querystring": "show=unread" if unread_only else "",
        },
    )


@login_required
@require_GET
def notification_badge(request: HttpRequest) -> HttpResponse:
    """The unread count in the header (loaded and refreshed by htmx)."""
    count = account_selectors.notification_unread_count(actor=request_actor(request))
    return render(request, "tickets/_notification_count.html", {"unread": count})


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    notice = account_selectors.notification_list(actor=actor).filter(pk=pk).first()
    if notice is None:
        raise Http404("No such notification.")
    account_services.notification_mark_read(actor=actor, notification=notice)
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("web:notifications")


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    marked = account_services.notification_mark_all_read(actor=request_actor(request))
    messages.success(request, f"Marked {marked} notification{'s' if marked != 1 else ''} read.")
    return redirect("web:notifications")
