"""The customer pages: the staff's customer list and pages, a customer's portal page, and the link that
proves a contact's address. Each parses input, calls a selector or service, renders."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from ossdesk.accounts.access import (
    can_act_for_any_customer,
    can_manage_contacts,
    can_manage_customers,
    can_work_tickets,
    require,
)
from ossdesk.accounts.actor import Actor
from ossdesk.customers import selectors as customer_selectors
from ossdesk.customers import services as customer_services
from ossdesk.customers.models import Organization
from ossdesk.customers.proof import ProofLinkError, proof_claim
from ossdesk.customers.web.forms import ContactForm, OrganizationForm
from ossdesk.domain.entitlements import EntitlementDenied
from ossdesk.doors.actor import request_actor
from ossdesk.doors.forms import form_errors
from ossdesk.doors.presenters import terms_summary
from ossdesk.plans.selectors import agreement_list, current_plan_names, entitlements_for, subscription_list

CUSTOMER_PAGE_DEPLOYMENTS = 10  # the rest are a click away, on the security pages


def _staff(request: HttpRequest) -> Actor:
    actor = request_actor(request)
    require(can_work_tickets(actor), "This page is for the vendor's staff.")
    return actor


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
            form_errors(form, exc)
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
                form_errors(form, exc)
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
    if can_act_for_any_customer(actor):
        return redirect("web:customers")
    if actor.organization_id is None:
        raise PermissionDenied("Your account is not linked to an organisation; ask your administrator.")
    organization = customer_selectors.organization_get(actor=actor, pk=actor.organization_id)
    return _organization_page(request, actor, organization, "ossdesk/portal.html")


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
