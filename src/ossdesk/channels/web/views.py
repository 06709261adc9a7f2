"""Outbound mail pages: the outbox (staff) with "retry now", and a person's own mail preferences.
Each parses input, calls a selector or a service, renders; the selectors decide who sees the outbox."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from ossdesk.accounts.models import User
from ossdesk.channels import selectors, services
from ossdesk.channels.models import OutboundEmail
from ossdesk.channels.web.forms import OutboxFilterForm, PreferencesForm
from ossdesk.web.api import request_actor

PAGE_SIZE = 50


@login_required
@require_http_methods(["GET"])
def outbox(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    form = OutboxFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    rows = selectors.outbound_list(actor=actor, status=status or None)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "channels/outbox.html",
        {
            "page": page,
            "form": form,
            "status": status,
            "counts": selectors.outbound_counts(actor=actor),
            "mail_status": selectors.mail_status(),
        },
    )


@login_required
@require_POST
def outbox_retry(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    try:
        email = selectors.outbound_get(actor=actor, pk=pk)
    except OutboundEmail.DoesNotExist:
        raise Http404("No such mail.") from None
    try:
        services.outbound_retry(actor=actor, email=email)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Mail to {email.recipient} will be sent at the next attempt.")
    return redirect("web:mail-outbox")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    user = request.user
    assert isinstance(user, User)  # login_required
    kinds = selectors.preference_kinds(user)
    current = selectors.preferences_for(user)
    form = PreferencesForm(request.POST or None, kinds=kinds, current=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.notification_preferences_set(actor=actor, user=user, choices=form.cleaned_data)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, "Your mail preferences are saved.")
            return redirect("web:notification-preferences")
    return render(request, "channels/preferences.html", {"form": form})
