"""Raising a case: the customer's portal form and the staff form, refused when the plan allows none."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from ossdesk.accounts.access import can_work_tickets
from ossdesk.accounts.actor import Actor
from ossdesk.customers import selectors as customer_selectors
from ossdesk.domain.entitlements import EntitlementDenied, Entitlements, check_channel, check_severity
from ossdesk.doors.actor import request_actor
from ossdesk.doors.forms import form_errors
from ossdesk.doors.presenters import severity_rows
from ossdesk.plans.selectors import entitlements_for, plan_refs
from ossdesk.products.selectors import product_list, product_version_list
from ossdesk.tickets import services
from ossdesk.tickets.models import Channel
from ossdesk.tickets.web.forms import StaffTicketCreateForm, TicketCreateForm
from ossdesk.tickets.web.presenters import allowed_severities
from ossdesk.tickets.web.views.pages import own_organization


def intake_refusal(actor: Actor, entitlements: Entitlements) -> EntitlementDenied | None:
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
        organization = own_organization(actor)
    entitlements = entitlements_for(organization=organization)
    context: dict[str, Any] = {
        "organization": organization,
        "entitlements": entitlements,
        "refusal": intake_refusal(actor, entitlements),
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
