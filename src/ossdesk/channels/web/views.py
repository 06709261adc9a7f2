"""Mail pages: the outbox (staff) with "retry now", the inbound inbox (staff: held, quarantined and
failed mail with retry / assign / discard), and a person's own mail preferences.
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
from ossdesk.channels.inbox import inbound_assign, inbound_discard, inbound_retry
from ossdesk.channels.mailer import sender_address, smtp_config
from ossdesk.channels.models import InboundMessage, OutboundEmail
from ossdesk.channels.web.forms import AssignContactForm, InboxFilterForm, OutboxFilterForm, PreferencesForm
from ossdesk.doors.actor import request_actor

PAGE_SIZE = 50


@login_required
@require_http_methods(["GET"])
def outbox(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    form = OutboxFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    rows = selectors.outbound_list(actor=actor, status=status or None)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    configured = smtp_config() is not None
    return render(
        request,
        "channels/outbox.html",
        {
            "page": page,
            "rows": [(m, services.retry_refusal(m, configured=configured)) for m in page.object_list],
            "form": form,
            "status": status,
            "counts": selectors.outbound_counts(actor=actor),
            "mail_status": selectors.mail_status(),
        },
    )


@login_required
@require_http_methods(["GET"])
def outbox_mail(request: HttpRequest, pk: int) -> HttpResponse:
    """One mail as it goes out: its headers, its text and its HTML (in a sandboxed frame), its fate."""
    actor = request_actor(request)
    try:
        email = selectors.outbound_get(actor=actor, pk=pk)
    except OutboundEmail.DoesNotExist:
        raise Http404("No such mail.") from None
    return render(
        request,
        "channels/outbox_mail.html",
        {
            "email": email,
            "sender": sender_address(),
            "refusal": services.retry_refusal(email, configured=smtp_config() is not None),
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
    back = request.POST.get("next", "")
    return redirect("web:mail-outbox-mail", pk=email.pk) if back == "mail" else redirect("web:mail-outbox")


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


@login_required
@require_http_methods(["GET"])
def inbox(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    form = InboxFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    rows = selectors.inbound_list(actor=actor, statuses=(status,) if status else selectors.ATTENTION)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "channels/inbox.html",
        {
            "page": page,
            "form": form,
            "status": status,
            "counts": selectors.inbound_counts(actor=actor),
            "failing_mailboxes": selectors.mailboxes_with_errors(actor=actor),
            "assign_form": AssignContactForm(),
        },
    )


def _inbound(request: HttpRequest, pk: int) -> InboundMessage:
    try:
        return selectors.inbound_get(actor=request_actor(request), pk=pk)
    except InboundMessage.DoesNotExist:
        raise Http404("No such mail.") from None


def _report(request: HttpRequest, inbound: InboundMessage) -> None:
    text = f"Mail #{inbound.pk}: {inbound.get_status_display().lower()}"
    if inbound.ticket_id:
        text += f", ticket #{inbound.ticket_id}"
    if inbound.error:
        text += f". {inbound.error}"
    level = messages.success if inbound.status == InboundMessage.Status.PROCESSED else messages.warning
    level(request, text)


@login_required
@require_POST
def inbox_retry(request: HttpRequest, pk: int) -> HttpResponse:
    inbound = _inbound(request, pk)
    try:
        inbound = inbound_retry(actor=request_actor(request), inbound=inbound)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        _report(request, inbound)
    return redirect("web:mail-inbox")


@login_required
@require_POST
def inbox_assign(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    inbound = _inbound(request, pk)
    form = AssignContactForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the contact's e-mail address.")
        return redirect("web:mail-inbox")
    contacts = list(
        selectors.contacts_by_address(
            actor=actor, email=form.cleaned_data["email"], organization=form.cleaned_data["organization"]
        )[:2]
    )
    if len(contacts) != 1:
        messages.error(
            request,
            "No active contact has that address."
            if not contacts
            else "Several customers have a contact with that address; give the customer's slug too.",
        )
        return redirect("web:mail-inbox")
    try:
        inbound = inbound_assign(actor=actor, inbound=inbound, contact=contacts[0])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        _report(request, inbound)
    return redirect("web:mail-inbox")


@login_required
@require_POST
def inbox_discard(request: HttpRequest, pk: int) -> HttpResponse:
    inbound = _inbound(request, pk)
    try:
        inbound_discard(actor=request_actor(request), inbound=inbound)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Mail #{inbound.pk} discarded (it stays stored).")
    return redirect("web:mail-inbox")
