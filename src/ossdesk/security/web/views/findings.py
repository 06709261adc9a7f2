"""Finding pages: the list, one finding, its status and its VEX statement."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from ossdesk.accounts.access import can_act_for_any_customer
from ossdesk.accounts.actor import Actor
from ossdesk.doors.actor import request_actor
from ossdesk.doors.forms import form_errors
from ossdesk.security import selectors, services
from ossdesk.security.models import Finding
from ossdesk.security.web.forms import FindingFilterForm, FindingStatusForm, VexStatementForm
from ossdesk.security.web.presenters import deadline_badge, finding_rows
from ossdesk.security.web.views.pages import (
    HEAVY,
    paginate,
    query_string,
    sbom_refusal,
    staff_organizations,
)

FINDING_FILTERS = ("q", "status", "severity", "organization")


def _finding(actor: Actor, pk: int) -> Finding:
    try:
        return selectors.finding_get(actor=actor, pk=pk)
    except Finding.DoesNotExist:
        raise Http404("No such finding.") from None


@login_required
@require_GET
def finding_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    form = FindingFilterForm(request.GET, organizations=staff_organizations(actor))
    filters = form.filters()
    page = paginate(request, selectors.finding_list(actor=actor, **filters).defer(*HEAVY))
    context = {
        "form": form,
        "page": page,
        "rows": finding_rows(page.object_list, timezone.now()),
        "status": filters["status"] or "any",
        "filtered": any(request.GET.get(key) for key in ("q", "severity", "organization")),
        "querystring": query_string(request, FINDING_FILTERS),
        "sbom_refusal": sbom_refusal(actor),
    }
    template = (
        "security/_finding_rows.html" if request.headers.get("HX-Request") else "security/finding_list.html"
    )
    return render(request, template, context)


def _vex_form(actor: Actor, finding: Finding, data: Any = None) -> VexStatementForm:
    return VexStatementForm(
        data,
        portfolio_wide=can_act_for_any_customer(actor),
        initial={"vulnerability": finding.advisory.osv_id, "product": finding.purl},
    )


def _finding_page(
    request: HttpRequest, actor: Actor, finding: Finding, bound: dict[str, forms.Form] | None = None
) -> HttpResponse:
    page_forms: dict[str, forms.Form] = {
        "status": FindingStatusForm(initial={"status": Finding.Status.FIXED}),
        "vex": _vex_form(actor, finding),
    }
    page_forms.update(bound or {})
    context = {
        "finding": finding,
        "advisory": finding.advisory,
        "badge": deadline_badge(finding, timezone.now()),
        "forms": page_forms,
        "open_form": next(iter(bound)) if bound else "",
        "statements": selectors.vex_list(actor=actor).filter(
            vulnerability__in=[
                finding.advisory.osv_id.upper(),
                *(a.upper() for a in finding.advisory.aliases),
            ]
        )[:10],
    }
    has_errors = any(form.errors for form in (bound or {}).values())
    return render(request, "security/finding_detail.html", context, status=400 if has_errors else 200)


@login_required
@require_GET
def finding_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    return _finding_page(request, actor, _finding(actor, pk))


@login_required
@require_POST
def finding_status(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    finding = _finding(actor, pk)
    form = FindingStatusForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.finding_set_status(
                actor=actor,
                finding=finding,
                status=data["status"],
                reason=data["reason"],
                until=data["until"],
            )
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or "You may not change this finding.")
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            label = dict(Finding.Status.choices)[data["status"]]
            messages.success(request, f"Finding marked {label.lower()}.")
            return redirect("web:security-finding", pk=finding.pk)
        finding = _finding(actor, pk)  # the refused service may have touched the instance; reread it
    return _finding_page(request, actor, finding, bound={"status": form})


@login_required
@require_POST
def finding_vex(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a VEX statement from a finding: it applies to every finding it covers, this one included."""
    actor = request_actor(request)
    finding = _finding(actor, pk)
    form = _vex_form(actor, finding, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        scope = data["scope"]
        try:
            _, changed = services.vex_record(
                actor=actor,
                vulnerability=data["vulnerability"],
                product=data["product"],
                status=data["status"],
                justification=data["justification"],
                impact_statement=data["impact_statement"],
                action_statement=data["action_statement"],
                organization=finding.organization if scope == "organization" else None,
                deployment=finding.deployment if scope == "deployment" else None,
            )
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or "You may not record VEX statements.")
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(
                request, f"VEX statement recorded; {changed} finding{'s' if changed != 1 else ''} changed."
            )
            return redirect("web:security-finding", pk=finding.pk)
    return _finding_page(request, actor, finding, bound={"vex": form})
