"""Web pages: each parses input, calls a selector or service, renders. No business rules here."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from ossdesk.accounts import services as account_services
from ossdesk.accounts.access import can_manage_contacts, can_manage_customers
from ossdesk.accounts.actor import Actor
from ossdesk.accounts.models import ApiToken, User
from ossdesk.customers import selectors as customer_selectors
from ossdesk.customers import services as customer_services
from ossdesk.customers.models import Organization
from ossdesk.customers.proof import ProofLinkError, proof_claim
from ossdesk.domain.entitlements import EntitlementDenied, Entitlements, Terms, check_channel, check_severity
from ossdesk.plans.selectors import (
    agreement_list,
    current_plan_names,
    entitlements_for,
    plan_list,
    plan_refs,
    subscription_list,
)
from ossdesk.security import selectors as security_selectors
from ossdesk.security.web.presenters import sbom_scanning_refusal
from ossdesk.tickets import selectors as ticket_selectors
from ossdesk.tickets.models import Channel, Ticket
from ossdesk.tickets.selectors import QueueFilter
from ossdesk.tickets.web.presenters import allowed_severities, sla_badge
from ossdesk.web.api import request_actor
from ossdesk.web.forms import ContactForm, OrganizationForm, TokenForm
from ossdesk.web.presenters import SLA_STATE_LABELS, breach_bars, comparison_rows, terms_summary

CUSTOMER_PAGE_DEPLOYMENTS = 10  # the rest are a click away, on the security pages
HOME_TICKETS = 10  # the rest are a click away, in the queue
EXPOSURE_SEVERITIES = ("critical", "high", "medium", "low")


def _user(request: HttpRequest) -> User:
    """The signed-in user (views that call this are behind login_required)."""
    assert isinstance(request.user, User)
    return request.user


def _staff(request: HttpRequest) -> Actor:
    actor = request_actor(request)
    if not actor.is_staff:
        raise PermissionDenied("This page is for the vendor's staff.")
    return actor


def _apply_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for error in errors:
                for message in error.messages:
                    form.add_error(field if field in form.fields else None, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Staff: their own queue and the desk's SLA state. A customer: its open tickets and exposure."""
    actor = request_actor(request)
    if actor.is_staff:
        return _staff_home(request, actor)
    if actor.organization_id is None:
        return redirect("web:portal")  # which says why there is nothing to show
    return _customer_home(request, actor, actor.organization_id)


def _first_tickets(actor: Actor, tickets: Any) -> tuple[list[Ticket], int]:
    """The first tickets of a list, loaded with what a row shows, and how many there are in all."""
    ids = list(tickets.values_list("pk", flat=True)[:HOME_TICKETS])
    return ticket_selectors.tickets_in_order(actor=actor, ids=ids), tickets.count()


def _staff_home(request: HttpRequest, actor: Actor) -> HttpResponse:
    now = timezone.now()
    mine, mine_count = _first_tickets(
        actor, ticket_selectors.ticket_queue(actor=actor, filters=QueueFilter(view="mine"))
    )
    counts = ticket_selectors.sla_state_counts(actor=actor)
    days = ticket_selectors.sla_breaches_by_day(actor=actor, today=timezone.localdate(now))
    bars, width, height = breach_bars(days)
    context = {
        "rows": [(ticket, sla_badge(ticket, now)) for ticket in mine],
        "mine_count": mine_count,
        "sla_counts": [(state, SLA_STATE_LABELS[state], counts[state]) for state in SLA_STATE_LABELS],
        "open_count": sum(counts.values()),
        "bars": bars,
        "chart_width": width,
        "chart_height": height,
        "breaches": sum(count for _, count in days),
    }
    return render(request, "ossdesk/home_staff.html", context)


def _raise_refusal(actor: Actor, entitlements: Entitlements) -> str:
    """Why this customer cannot raise a ticket in the portal at all (Community), naming the plan that can."""
    try:
        check_channel(entitlements, channel=Channel.PORTAL, plans=plan_refs())
        if not allowed_severities(entitlements.terms):
            check_severity(entitlements, severity="S4", plans=plan_refs())
    except EntitlementDenied as exc:
        return str(exc)
    return ""


def _customer_home(request: HttpRequest, actor: Actor, organization_id: int) -> HttpResponse:
    now = timezone.now()
    organization = customer_selectors.organization_get(actor=actor, pk=organization_id)
    tickets, open_count = _first_tickets(
        actor,
        ticket_selectors.ticket_queue(actor=actor, filters=QueueFilter(view="open")).order_by("-updated_at"),
    )
    exposure = security_selectors.portfolio(actor=actor, now=now)
    entitlements = entitlements_for(organization=organization)
    context = {
        "organization": organization,
        "rows": [(ticket, sla_badge(ticket, now)) for ticket in tickets],
        "open_count": open_count,
        "exposure": [(s, exposure.totals.get(s, 0)) for s in EXPOSURE_SEVERITIES],
        "open_findings": sum(exposure.totals.values()),
        "overdue_findings": exposure.overdue,
        "raise_refusal": _raise_refusal(actor, entitlements),
        # Zero findings means nothing only once an inventory was matched: say why there is none instead.
        "sbom_refusal": sbom_scanning_refusal(entitlements, plan_refs()),
        "has_inventory": security_selectors.sbom_list(actor=actor).filter(current=True).exists(),
    }
    return render(request, "ossdesk/home_customer.html", context)


@login_required
def customer_list(request: HttpRequest) -> HttpResponse:
    actor = _staff(request)
    query = request.GET.get("q", "").strip()
    organizations = customer_selectors.organization_list(actor=actor, search=query).order_by("name")
    page = Paginator(organizations, 25).get_page(request.GET.get("page"))
    current = current_plan_names(actor=actor, organization_ids=[o.pk for o in page.object_list])
    template = (
        "ossdesk/_customer_rows.html" if request.headers.get("HX-Request") else "ossdesk/customer_list.html"
    )
    return render(
        request,
        template,
        {"page": page, "query": query, "current_plans": current, "can_add": can_manage_customers(actor)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def customer_create(request: HttpRequest) -> HttpResponse:
    actor = _staff(request)
    if not can_manage_customers(actor):
        # Say so before the form is filled in, not after: the service would refuse the POST anyway.
        raise PermissionDenied("Only admins and account managers add customers.")
    form = OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organization = customer_services.organization_create(actor=actor, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, f"{organization.name} added.")
            return redirect("web:customer", slug=organization.slug)
    return render(request, "ossdesk/customer_form.html", {"form": form})


def _organization_page(
    request: HttpRequest,
    actor: Actor,
    organization: Organization,
    template: str,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    entitlements = entitlements_for(organization=organization)
    contacts = customer_selectors.contact_list(actor=actor, organization_id=organization.pk)
    named = sum(1 for c in contacts if c.is_named and c.is_active)
    form = ContactForm()
    if request.method == "POST":
        form = ContactForm(request.POST)
        if not can_manage_contacts(actor, organization.pk):
            raise PermissionDenied("You may not add contacts to this organisation.")
        if form.is_valid():
            try:
                contact = customer_services.contact_create(
                    actor=actor, organization=organization, **form.cleaned_data
                )
            except EntitlementDenied as exc:
                form.add_error(None, str(exc))
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                proof = (
                    ""
                    if contact.verified_at
                    else f" A link to confirm the address was mailed to {contact.email}."
                )
                messages.success(request, f"{contact.name} added as a contact.{proof}")
                return redirect(request.path)
    context = {
        "organization": organization,
        "entitlements": entitlements,
        "summary": terms_summary(entitlements.terms),
        "subscriptions": subscription_list(actor=actor, organization_id=organization.pk),
        "agreements": agreement_list(actor=actor, organization_id=organization.pk),
        "contacts": contacts,
        "named_count": named,
        "deployments_included": customer_services.deployments_included(entitlements),
        "deployments_in_use": customer_selectors.deployment_list(
            actor=actor, organization_id=organization.pk
        ).count(),
        "contact_form": form,
        "can_add_contact": can_manage_contacts(actor, organization.pk),
        **(extra or {}),
    }
    return render(request, template, context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def customer_detail(request: HttpRequest, slug: str) -> HttpResponse:
    actor = _staff(request)
    try:
        organization = customer_selectors.organization_get_by_slug(actor=actor, slug=slug)
    except Organization.DoesNotExist:
        raise Http404("No such customer.") from None
    deployments = customer_selectors.deployment_list(actor=actor, organization_id=organization.pk)
    extra = {
        "deployments": deployments[:CUSTOMER_PAGE_DEPLOYMENTS],
        "deployment_count": deployments.count(),
        "can_add_deployment": can_manage_customers(actor),
    }
    return _organization_page(request, actor, organization, "ossdesk/customer_detail.html", extra)


@login_required
@require_http_methods(["GET", "POST"])
def portal(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    if actor.is_staff:
        return redirect("web:customers")
    if actor.organization_id is None:
        raise PermissionDenied("Your account is not linked to an organisation; ask your administrator.")
    organization = customer_selectors.organization_get(actor=actor, pk=actor.organization_id)
    return _organization_page(request, actor, organization, "ossdesk/portal.html")


def plans_compare(request: HttpRequest) -> HttpResponse:
    plans = list(plan_list())
    parsed = [(p.name, Terms.from_dict(p.terms)) for p in plans]
    return render(request, "ossdesk/plans.html", {"plans": plans, "rows": comparison_rows(parsed)})


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    form = TokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            _, new_key = account_services.api_token_create(
                actor=actor, user=_user(request), name=form.cleaned_data["name"]
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            form = TokenForm()
    return render(
        request,
        "ossdesk/tokens.html",
        {"form": form, "new_key": new_key, "tokens": ApiToken.objects.filter(user=_user(request))},
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = ApiToken.objects.filter(user=_user(request), pk=pk).first()
    if token is None:
        raise Http404("No such token.")
    account_services.api_token_revoke(actor=request_actor(request), token=token)
    messages.success(request, f"Token {token.name} revoked.")
    return redirect("web:tokens")


def contact_proof(request: HttpRequest, token: str) -> HttpResponse:
    """The link mailed to a contact's new address: confirming (a POST, so that mail scanners that follow
    links confirm nothing) proves the address. Needs no sign-in: the link is the credential."""
    context: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        try:
            contact = customer_services.contact_address_prove(token=token)
        except ProofLinkError as exc:
            context["error"], status = str(exc), exc.status
        else:
            context.update(contact=contact, signs_in=contact.user_id is not None)
    else:
        try:
            proof_claim(token)
        except ProofLinkError as exc:
            context["error"], status = str(exc), exc.status
    response = render(request, "ossdesk/contact_proof.html", context, status=status)
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response
