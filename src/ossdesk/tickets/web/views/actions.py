"""The ticket page's actions: reply, status, severity, assignment, workaround, tags and time; an invalid
form or a refused service renders the page again with the errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from ossdesk.accounts.access import can_work_tickets
from ossdesk.accounts.actor import Actor
from ossdesk.domain.entitlements import EntitlementDenied
from ossdesk.doors.actor import request_actor
from ossdesk.doors.forms import form_errors
from ossdesk.tickets import services
from ossdesk.tickets.models import Status, Ticket
from ossdesk.tickets.web.forms import (
    AssignForm,
    ReplyForm,
    SeverityForm,
    StaffReplyForm,
    StatusForm,
    TagsForm,
    TimeForm,
    WorkaroundForm,
)
from ossdesk.tickets.web.views.pages import ticket_or_404
from ossdesk.tickets.web.views.ticket import render_ticket

Action = Callable[[Actor, Ticket, dict[str, Any]], Any]


def _act(
    request: HttpRequest, pk: int, name: str, form: forms.Form, action: Action, done: str
) -> HttpResponse:
    """Run one service on a valid form; any refusal shows on that form, with 400, and nothing is written."""
    actor = request_actor(request)
    ticket = ticket_or_404(actor, pk)
    if form.is_valid():
        try:
            action(actor, ticket, form.cleaned_data)
        except EntitlementDenied as exc:
            form.add_error(None, str(exc))
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or "You may not do that on this ticket.")
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect(reverse("web:ticket", args=[ticket.pk]) + "#timeline")
        ticket = ticket_or_404(actor, pk)  # the failed service may have touched the instance; reread it
    return render_ticket(request, actor, ticket, bound={name: form})


@login_required
@require_POST
def ticket_reply(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    form = (
        StaffReplyForm(request.POST, request.FILES)
        if can_work_tickets(actor)
        else ReplyForm(request.POST, request.FILES)
    )

    def reply(actor: Actor, ticket: Ticket, data: dict[str, Any]) -> None:
        services.ticket_reply(
            actor=actor,
            ticket=ticket,
            body=data["body"],
            attachments=data["attachments"],
            public=data.get("visibility", "public") == "public",
        )

    internal = request.POST.get("visibility") == "internal"
    return _act(request, pk, "reply", form, reply, "Internal note added." if internal else "Reply sent.")


@login_required
@require_POST
def ticket_status(request: HttpRequest, pk: int) -> HttpResponse:
    def move(actor: Actor, ticket: Ticket, data: dict[str, Any]) -> None:
        services.ticket_set_status(actor=actor, ticket=ticket, status=data["status"], reason=data["reason"])

    label = dict(Status.choices).get(request.POST.get("status", ""), "changed")
    return _act(request, pk, "status", StatusForm(request.POST), move, f"Status: {label}.")


@login_required
@require_POST
def ticket_severity(request: HttpRequest, pk: int) -> HttpResponse:
    def change(actor: Actor, ticket: Ticket, data: dict[str, Any]) -> None:
        services.ticket_set_severity(
            actor=actor, ticket=ticket, severity=data["severity"], reason=data["reason"]
        )

    return _act(
        request,
        pk,
        "severity",
        SeverityForm(request.POST),
        change,
        "Severity changed; every clock was re-targeted.",
    )


@login_required
@require_POST
def ticket_assign(request: HttpRequest, pk: int) -> HttpResponse:
    def assign(actor: Actor, ticket: Ticket, data: dict[str, Any]) -> None:
        services.ticket_assign(actor=actor, ticket=ticket, assignee=data["assignee"], team=data["team"])

    return _act(request, pk, "assign", AssignForm(request.POST), assign, "Assignment changed.")


@login_required
@require_POST
def ticket_workaround(request: HttpRequest, pk: int) -> HttpResponse:
    def workaround(actor: Actor, ticket: Ticket, data: dict[str, Any]) -> None:
        services.ticket_mark_workaround(actor=actor, ticket=ticket, note=data["note"])

    return _act(
        request,
        pk,
        "workaround",
        WorkaroundForm(request.POST),
        workaround,
        "Workaround recorded: the workaround clock is met.",
    )


@login_required
@require_POST
def ticket_tags(request: HttpRequest, pk: int) -> HttpResponse:
    def tag(actor: Actor, ticket: Ticket, data: dict[str, Any]) -> None:
        services.ticket_set_tags(actor=actor, ticket=ticket, tags=data["tags"])

    return _act(request, pk, "tags", TagsForm(request.POST), tag, "Tags saved.")


@login_required
@require_POST
def ticket_time(request: HttpRequest, pk: int) -> HttpResponse:
    def log(actor: Actor, ticket: Ticket, data: dict[str, Any]) -> None:
        services.time_log(
            actor=actor,
            ticket=ticket,
            minutes=data["minutes"],
            consulting=data["consulting"],
            note=data["note"],
            work_date=data["work_date"],
        )

    return _act(request, pk, "time", TimeForm(request.POST), log, "Time logged.")
