"""Deployment pages: the list with open findings, create, edit, and one deployment's findings."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from ossdesk.accounts.access import can_act_for_any_customer, can_edit_organization, can_manage_customers
from ossdesk.accounts.actor import Actor
from ossdesk.customers import selectors as customer_selectors
from ossdesk.customers import services as customer_services
from ossdesk.customers.models import Deployment
from ossdesk.domain.entitlements import EntitlementDenied
from ossdesk.doors.actor import request_actor
from ossdesk.doors.forms import form_errors
from ossdesk.products.selectors import product_list, product_version_list
from ossdesk.security import selectors
from ossdesk.security.models import Finding
from ossdesk.security.web.forms import DeploymentForm, SbomUploadForm
from ossdesk.security.web.presenters import finding_rows
from ossdesk.security.web.views.pages import (
    HEAVY,
    paginate,
    query_string,
    sbom_refusal,
    staff_organizations,
)


def visible_deployment(actor: Actor, pk: int) -> Deployment:
    try:
        return customer_selectors.deployment_get(actor=actor, pk=pk)
    except Deployment.DoesNotExist:
        raise Http404("No such deployment.") from None


def _open_counts(actor: Actor, deployment_ids: list[int]) -> dict[int, dict[str, int]]:
    """Open findings by severity for a page of deployments, in one query."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        selectors.finding_list(actor=actor, status=Finding.Status.OPEN)
        .filter(deployment_id__in=deployment_ids)
        .values_list("deployment_id", "severity")
        .annotate(n=Count("id"))
        .order_by()
    )
    for deployment_id, severity, n in rows:
        counts[deployment_id][severity] = n
    return counts


@login_required
@require_GET
def deployment_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    organization = None
    raw = request.GET.get("organization", "")
    if can_act_for_any_customer(actor) and raw.isdigit():
        organization = customer_selectors.organization_list(actor=actor).filter(pk=int(raw)).first()
    deployments = customer_selectors.deployment_list(
        actor=actor, organization_id=organization.pk if organization else None
    )
    page = paginate(request, deployments)
    ids = [d.pk for d in page.object_list]
    counts = _open_counts(actor, ids)
    current = {
        s.deployment_id: s
        for s in selectors.sbom_list(actor=actor).filter(deployment_id__in=ids, current=True)
    }
    columns = ("critical", "high", "medium", "low", "unknown")
    rows = [
        (d, current.get(d.pk), [(s, counts[d.pk].get(s, 0)) for s in columns], sum(counts[d.pk].values()))
        for d in page.object_list
    ]
    can_add = (
        can_manage_customers(actor)
        if can_act_for_any_customer(actor)
        else bool(actor.organization_id and can_edit_organization(actor, actor.organization_id))
    )
    return render(
        request,
        "security/deployment_list.html",
        {
            "page": page,
            "rows": rows,
            "columns": columns,
            "organization": organization,
            "organizations": staff_organizations(actor),
            "querystring": query_string(request, ("organization",)),
            "can_add": can_add,
            "sbom_refusal": sbom_refusal(actor),
        },
    )


def _deployment_form(actor: Actor, data: Any = None, **kwargs: Any) -> DeploymentForm:
    return DeploymentForm(
        data,
        organizations=kwargs.pop("organizations", None),
        products=product_list(),
        versions=product_version_list(),
        **kwargs,
    )


@login_required
@require_http_methods(["GET", "POST"])
def deployment_create(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    # Say so before the form is filled in, not after: the service would refuse the POST anyway.
    if can_act_for_any_customer(actor):
        if not can_manage_customers(actor):
            raise PermissionDenied("Only admins and account managers register deployments for customers.")
        organizations = staff_organizations(actor)
        initial = {"organization": request.GET.get("organization")}
        form = _deployment_form(actor, request.POST or None, organizations=organizations, initial=initial)
    else:
        if not actor.organization_id or not can_edit_organization(actor, actor.organization_id):
            raise PermissionDenied("Your organisation's administrator registers deployments.")
        form = _deployment_form(actor, request.POST or None)
    if request.method == "POST" and form.is_valid():
        organization = (
            form.cleaned_data["organization"]
            if can_act_for_any_customer(actor)
            else customer_selectors.organization_get(actor=actor, pk=actor.organization_id or 0)
        )
        try:
            deployment = customer_services.deployment_create(
                actor=actor, organization=organization, **form.service_fields()
            )
        except EntitlementDenied as exc:
            form.add_error(None, str(exc))
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or "You may not add deployments to this organisation.")
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(
                request, f"Deployment {deployment.name} registered. Upload its SBOM or lockfile."
            )
            return redirect("web:security-deployment", pk=deployment.pk)
    return render(
        request,
        "security/deployment_form.html",
        {"form": form, "deployment": None},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def deployment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    deployment = visible_deployment(actor, pk)
    if not can_edit_organization(actor, deployment.organization_id):
        raise PermissionDenied("You may not change this deployment.")
    initial = {
        "name": deployment.name,
        "product": deployment.product_id,
        "version": deployment.version_id,
        "environment": deployment.environment,
        "criticality": deployment.criticality,
        "internet_facing": deployment.internet_facing,
    }
    form = _deployment_form(actor, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            customer_services.deployment_update(actor=actor, deployment=deployment, **form.service_fields())
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or "You may not change this deployment.")
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, "Deployment saved.")
            return redirect("web:security-deployment", pk=deployment.pk)
    return render(
        request,
        "security/deployment_form.html",
        {"form": form, "deployment": deployment},
        status=400 if form.errors else 200,
    )


FINDING_TABS = {"open": "Open", "all": "All findings"}


def deployment_page(
    request: HttpRequest, actor: Actor, deployment: Deployment, upload: SbomUploadForm | None = None
) -> HttpResponse:
    now = timezone.now()
    tab = request.GET.get("findings", "open")
    tab = tab if tab in FINDING_TABS else "open"
    findings = selectors.finding_list(
        actor=actor, deployment_id=deployment.pk, status=Finding.Status.OPEN if tab == "open" else ""
    ).defer(*HEAVY)
    page = paginate(request, findings)
    sboms = paginate(
        request, selectors.sbom_list(actor=actor, deployment_id=deployment.pk), param="sboms", per_page=10
    )
    refusal = sbom_refusal(actor, deployment.organization)
    context = {
        "deployment": deployment,
        "organization": deployment.organization,
        "page": page,
        "rows": finding_rows(page.object_list, now),
        "tab": tab,
        "tabs": FINDING_TABS,
        "querystring": f"findings={tab}",
        "sboms": sboms,
        "upload": upload or SbomUploadForm(),
        "upload_refusal": refusal,
        "can_edit": can_edit_organization(actor, deployment.organization_id),
    }
    return render(
        request, "security/deployment_detail.html", context, status=400 if upload is not None else 200
    )


@login_required
@require_GET
def deployment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    return deployment_page(request, actor, visible_deployment(actor, pk))
