"""The ticket page: its timeline, clocks and the forms a person may use; and its attachments."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from ossdesk.accounts.access import can_work_tickets
from ossdesk.accounts.actor import Actor
from ossdesk.doors.actor import request_actor
from ossdesk.plans.selectors import entitlements_for
from ossdesk.tickets import selectors, services
from ossdesk.tickets.models import Attachment, Status, Ticket
from ossdesk.tickets.services import ALLOWED_TRANSITIONS
from ossdesk.tickets.sla import clock_states, clock_summary
from ossdesk.tickets.web.downloads import attachment_response
from ossdesk.tickets.web.forms import (
    SEVERITY_CHOICES,
    AssignForm,
    ReplyForm,
    SeverityForm,
    StaffReplyForm,
    StatusForm,
    TagsForm,
    TimeForm,
    WorkaroundForm,
)
from ossdesk.tickets.web.presenters import (
    clock_cards,
    labels_to_resolve,
    opened_by,
    severity_choice_label,
    sla_badge,
    timeline,
)
from ossdesk.tickets.web.views.pages import ticket_or_404


def _staff_forms(ticket: Ticket, terms: Any) -> dict[str, forms.Form]:
    severity = SeverityForm(initial={"severity": ticket.severity})
    severity.fields["severity"].choices = [  # type: ignore[attr-defined]
        (value, severity_choice_label(value, terms)) for value, _ in SEVERITY_CHOICES
    ]
    status = StatusForm(initial={"status": ticket.status})
    allowed = ALLOWED_TRANSITIONS.get(ticket.status, frozenset())
    status.fields["status"].choices = [  # type: ignore[attr-defined]
        (value, label) for value, label in Status.choices if value in allowed or value == ticket.status
    ]
    return {
        "reply": StaffReplyForm(),
        "status": status,
        "severity": severity,
        "assign": AssignForm(initial={"team": ticket.team_id, "assignee": ticket.assignee_id}),
        "workaround": WorkaroundForm(),
        "tags": TagsForm(initial={"tags": ", ".join(t.name for t in ticket.tags.all())}),
        "time": TimeForm(),
    }


def render_ticket(
    request: HttpRequest, actor: Actor, ticket: Ticket, bound: dict[str, forms.Form] | None = None
) -> HttpResponse:
    organization = ticket.organization
    entitlements = entitlements_for(organization=organization)
    states = clock_states(ticket, now=timezone.now())
    events = list(selectors.event_list(actor=actor, ticket=ticket))
    ticket_messages = list(selectors.message_list(actor=actor, ticket=ticket))
    names = selectors.display_names(usernames=labels_to_resolve(events, ticket_messages))
    entries = timeline(events, ticket_messages, names)
    works_tickets = can_work_tickets(actor)
    page_forms: dict[str, forms.Form] = (
        _staff_forms(ticket, entitlements.terms) if works_tickets else {"reply": ReplyForm()}
    )
    page_forms.update(bound or {})
    balance = services.consulting_balance(organization=organization)
    context = {
        "ticket": ticket,
        "organization": organization,
        "entitlements": entitlements,
        "severity_label": severity_choice_label(ticket.severity, entitlements.terms),
        "clocks": clock_cards(clock_summary(states)),
        "timeline": entries,
        "opened_by": opened_by(ticket, events),
        "forms": page_forms,
        "open_form": next(iter(bound)) if bound else "",
        "balance": balance,
        "time_entries": ticket.time_entries.select_related("user") if works_tickets else [],
        "works_tickets": works_tickets,
        "can_close": ticket.status != Status.CLOSED,
        "can_reopen": ticket.status == Status.SOLVED,
        "badge": sla_badge(ticket, timezone.now()),
    }
    # A customer has no severity, assignment ... forms on the page; a refusal of one still shows.
    context["other_errors"] = [
        message
        for name, form in (bound or {}).items()
        if not works_tickets and name not in {"reply", "status"}
        for errors in form.errors.values()
        for message in errors
    ]
    has_errors = any(form.errors for form in (bound or {}).values())
    return render(request, "tickets/ticket_detail.html", context, status=400 if has_errors else 200)


@login_required
@require_GET
def ticket_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    return render_ticket(request, actor, ticket_or_404(actor, pk))


@login_required
@require_GET
def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponseBase:
    """A file of a message the person may see; anything else answers like a missing file."""
    actor = request_actor(request)
    ticket = ticket_or_404(actor, pk)
    visible = selectors.message_list(actor=actor, ticket=ticket)
    attachment = Attachment.objects.filter(pk=attachment_pk, message__in=visible).first()
    if attachment is None:
        raise Http404("No such attachment.")
    return attachment_response(attachment)
