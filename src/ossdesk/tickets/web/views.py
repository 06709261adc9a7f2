"""Helpdesk pages: the staff queue, the customer's ticket list, raising a case, the ticket page and its
actions, attachments, notifications. Each parses input, calls a selector or a service, renders."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ossdesk.accounts import selectors as account_selectors
from ossdesk.accounts import services as account_services
from ossdesk.accounts.access import can_work_tickets
from ossdesk.accounts.actor import Actor
from ossdesk.accounts.models import STAFF_ROLES, User
from ossdesk.customers import selectors as customer_selectors
from ossdesk.customers.models import Organization
from ossdesk.domain.entitlements import EntitlementDenied, Entitlements, check_channel, check_severity
from ossdesk.doors.actor import request_actor
from ossdesk.doors.forms import form_errors
from ossdesk.doors.presenters import severity_rows
from ossdesk.plans.selectors import entitlements_for, plan_refs
from ossdesk.products.selectors import product_list, product_version_list
from ossdesk.tickets import selectors, services
from ossdesk.tickets import services as ticket_services
from ossdesk.tickets.models import Attachment, Channel, Status, Tag, Team, Ticket
from ossdesk.tickets.selectors import BUILTIN_VIEWS, QueueFilter
from ossdesk.tickets.services import ALLOWED_TRANSITIONS
from ossdesk.tickets.sla import clock_states, clock_summary
from ossdesk.tickets.web.downloads import attachment_response
from ossdesk.tickets.web.forms import (
    SEVERITY_CHOICES,
    AssignForm,
    ReplyForm,
    SavedViewForm,
    SeverityForm,
    StaffReplyForm,
    StaffTicketCreateForm,
    StatusForm,
    TagsForm,
    TicketCreateForm,
    TimeForm,
    WorkaroundForm,
)
from ossdesk.tickets.web.presenters import (
    allowed_severities,
    clock_cards,
    labels_to_resolve,
    opened_by,
    severity_choice_label,
    sla_badge,
    timeline,
)

PAGE_SIZE = 25
FILTER_KEYS = ("view", "status", "severity", "organization", "product", "assignee", "team", "tag", "q")
CUSTOMER_VIEWS = {"open": "Open", "all": "All tickets"}


def _querystring(request: HttpRequest) -> str:
    """The current filters (without the page), for links that keep them."""
    return urlencode({key: value for key, value in request.GET.items() if key in FILTER_KEYS and value})


def _ticket(actor: Actor, pk: int) -> Ticket:
    try:
        return selectors.ticket_get(actor=actor, pk=pk)
    except Ticket.DoesNotExist:
        raise Http404("No such ticket.") from None


def _staff_users() -> Any:
    return User.objects.filter(role__in=STAFF_ROLES, is_active=True).order_by("username")


# --- the queue and the customer's list -------------------------------------------------------------------


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """Staff: the queue with saved views and filters. Customers: their organisation's tickets."""
    actor = request_actor(request)
    if not can_work_tickets(actor):
        return _customer_tickets(request, actor)
    filters = QueueFilter.from_mapping(request.GET)
    page = selectors.ticket_page(
        actor=actor,
        queryset=selectors.ticket_queue(actor=actor, filters=filters),
        number=request.GET.get("page"),
        per_page=PAGE_SIZE,
    )
    now = timezone.now()
    organization = None
    if filters.organization:
        organization = (
            customer_selectors.organization_list(actor=actor).filter(pk=filters.organization).first()
        )
    filter_fields = ticket_services.queue_filter_dict(filters)
    saved_views = list(selectors.saved_view_list(actor=actor).select_related("owner"))
    context = {
        "page": page,
        "rows": [(ticket, sla_badge(ticket, now)) for ticket in page.object_list],
        "filters": filters,
        "active_view": filters.view or "open",
        "builtin_views": BUILTIN_VIEWS,
        # The tab to mark: a saved view whose filters are exactly these, else the built-in view.
        "current_saved": next((view.pk for view in saved_views if view.filters == filter_fields), None),
        "saved_views": [(view, urlencode(view.filters)) for view in saved_views],
        "filter_fields": filter_fields,
        "querystring": _querystring(request),
        "organizations": customer_selectors.organization_list(actor=actor).order_by("name"),
        "products": product_list(),
        "severities": SEVERITY_CHOICES,
        "statuses": Status.choices,
        "assignees": _staff_users(),
        "teams": Team.objects.order_by("name"),
        "tags": Tag.objects.order_by("name"),
        "customer": _customer_summary(organization) if organization else None,
    }
    template = "tickets/_queue_rows.html" if request.headers.get("HX-Request") else "tickets/queue.html"
    return render(request, template, context)


def _customer_summary(organization: Organization) -> dict[str, Any]:
    entitlements = entitlements_for(organization=organization)
    return {
        "organization": organization,
        "entitlements": entitlements,
        "balance": services.consulting_balance(organization=organization),
    }


def _customer_tickets(request: HttpRequest, actor: Actor) -> HttpResponse:
    organization = _own_organization(actor)
    requested = QueueFilter.from_mapping(request.GET)
    # A customer's list is their organisation's, whatever the query string says about staff filters.
    filters = replace(
        requested,
        view=requested.view if requested.view in CUSTOMER_VIEWS else "open",
        organization=None,
        assignee=None,
        team=None,
        tag="",
    )
    tickets = selectors.ticket_queue(actor=actor, filters=filters).order_by("-updated_at")
    page = selectors.ticket_page(
        actor=actor, queryset=tickets, number=request.GET.get("page"), per_page=PAGE_SIZE
    )
    now = timezone.now()
    entitlements = entitlements_for(organization=organization)
    context = {
        "organization": organization,
        "entitlements": entitlements,
        "page": page,
        "rows": [(ticket, sla_badge(ticket, now)) for ticket in page.object_list],
        "filters": filters,
        "active_view": filters.view,
        "customer_views": CUSTOMER_VIEWS,
        "querystring": _querystring(request),
        "products": product_list().filter(pk__in=entitlements.products),
        "severities": SEVERITY_CHOICES,
        "statuses": Status.choices,
        "balance": services.consulting_balance(organization=organization),
        "can_raise": _intake_refusal(actor, entitlements) is None,
    }
    template = (
        "tickets/_portal_rows.html" if request.headers.get("HX-Request") else "tickets/portal_list.html"
    )
    return render(request, template, context)


def _own_organization(actor: Actor) -> Organization:
    if actor.organization_id is None:
        raise PermissionDenied("Your account is not linked to an organisation; ask your administrator.")
    return customer_selectors.organization_get(actor=actor, pk=actor.organization_id)


# --- saved views ---------------------------------------------------------------------------------------


@login_required
@require_POST
def saved_view_save(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    form = SavedViewForm(request.POST)
    filters = QueueFilter.from_mapping(request.POST)
    back = f"{reverse('web:tickets')}?{urlencode(ticket_services.queue_filter_dict(filters))}"
    if form.is_valid():
        try:
            view = ticket_services.saved_view_save(
                actor=actor,
                name=form.cleaned_data["name"],
                filters=filters,
                shared=form.cleaned_data["shared"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Saved the view “{view.name}”.")
    else:
        messages.error(request, "Name the view to save it.")
    return redirect(back)


@login_required
@require_POST
def saved_view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    view = selectors.saved_view_list(actor=actor).filter(pk=pk).first()
    if view is None:
        raise Http404("No such view.")
    ticket_services.saved_view_delete(actor=actor, view=view)
    messages.success(request, f"Deleted the view “{view.name}”.")
    return redirect("web:tickets")


# --- raising a case ------------------------------------------------------------------------------------


def _intake_refusal(actor: Actor, entitlements: Entitlements) -> EntitlementDenied | None:
    """Why this customer cannot raise a case at all (Community, or a plan covering no severity)."""
    plans = plan_refs()
    try:
        if actor.is_customer:
            check_channel(entitlements, channel=Channel.PORTAL, plans=plans)
        if not allowed_severities(entitlements.terms):
            check_severity(entitlements, severity="S4", plans=plans)
    except EntitlementDenied as exc:
        return exc
    return None


@login_required
@require_http_methods(["GET", "POST"])
def ticket_create(request: HttpRequest) -> HttpResponse:
    """Raise a case: the form offers what the customer's contract covers; the service checks it again."""
    actor = request_actor(request)
    if can_work_tickets(actor):
        organization = None
        raw = request.POST.get("organization") or request.GET.get("organization") or ""
        if raw.isdigit():
            organization = customer_selectors.organization_list(actor=actor).filter(pk=int(raw)).first()
        if organization is None:
            return render(
                request,
                "tickets/ticket_pick_customer.html",
                {"organizations": customer_selectors.organization_list(actor=actor).order_by("name")},
            )
    else:
        organization = _own_organization(actor)
    entitlements = entitlements_for(organization=organization)
    context: dict[str, Any] = {
        "organization": organization,
        "entitlements": entitlements,
        "refusal": _intake_refusal(actor, entitlements),
        "works_tickets": can_work_tickets(actor),
    }
    covered = list(product_list().filter(pk__in=entitlements.products))
    if context["refusal"] is None and not covered:
        context["no_products"] = True
    if actor.is_customer:
        contact = customer_selectors.contact_list(actor=actor).filter(user_id=actor.user_id or 0).first()
        context["not_named"] = contact is None or not (contact.is_named and contact.is_active)
    if context["refusal"] or context.get("no_products") or context.get("not_named"):
        return render(
            request, "tickets/ticket_new.html", context, status=403 if request.method == "POST" else 200
        )

    kwargs: dict[str, Any] = {
        "products": product_list(),
        "covered": covered,
        "severities": allowed_severities(entitlements.terms),
        "versions": product_version_list().filter(product__in=covered),
        "deployments": organization.deployments.select_related("product"),
    }
    form: TicketCreateForm
    if can_work_tickets(actor):
        contacts = customer_selectors.contact_list(actor=actor, organization_id=organization.pk).filter(
            is_active=True
        )
        form = StaffTicketCreateForm(request.POST or None, request.FILES or None, contacts=contacts, **kwargs)
    else:
        form = TicketCreateForm(request.POST or None, request.FILES or None, **kwargs)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        extra: dict[str, Any] = {}
        if can_work_tickets(actor):
            extra = {
                "contact": data["contact"],
                "channel": data["channel"],
                "tags": data["tags"],
                "is_proactive": data["is_proactive"],
                "planned_for": data["planned_for"],
            }
        try:
            ticket = services.ticket_create(
                actor=actor,
                organization=organization,
                product=data["product"],
                subject=data["subject"],
                body=data["body"],
                severity=data["severity"],
                product_version=data["product_version"],
                deployment=data.get("deployment"),
                attachments=data["attachments"],
                **extra,
            )
        except EntitlementDenied as exc:
            form.add_error(None, str(exc))
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or "You may not raise cases for this organisation.")
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(
                request, f"Ticket #{ticket.pk} raised. We will answer within the times shown below."
            )
            return redirect("web:ticket", pk=ticket.pk)
    context.update({"form": form, "targets": severity_rows(entitlements.terms)})
    return render(request, "tickets/ticket_new.html", context, status=400 if form.errors else 200)


# --- the ticket page -------------------------------------------------------------------------------------


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


def _detail(
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
    return _detail(request, actor, _ticket(actor, pk))


Action = Callable[[Actor, Ticket, dict[str, Any]], Any]


def _act(
    request: HttpRequest, pk: int, name: str, form: forms.Form, action: Action, done: str
) -> HttpResponse:
    """Run one service on a valid form; any refusal shows on that form, with 400, and nothing is written."""
    actor = request_actor(request)
    ticket = _ticket(actor, pk)
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
        ticket = _ticket(actor, pk)  # the failed service may have touched the instance; reread it
    return _detail(request, actor, ticket, bound={name: form})


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


@login_required
@require_GET
def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponseBase:
    """A file of a message the person may see; anything else answers like a missing file."""
    actor = request_actor(request)
    ticket = _ticket(actor, pk)
    visible = selectors.message_list(actor=actor, ticket=ticket)
    attachment = Attachment.objects.filter(pk=attachment_pk, message__in=visible).first()
    if attachment is None:
        raise Http404("No such attachment.")
    return attachment_response(attachment)


# --- notifications ----------------------------------------------------------------------------------------


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
