"""Security pages: the portfolio, advisories, deployments and their inventories, findings, VEX, vendor
advisories and notices. Each parses input, calls a selector or a service, renders. Tenancy is the
selectors' business: a customer's page is built from the same selectors, which see only its data."""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ossdesk.accounts.access import can_edit_organization, can_manage_customers
from ossdesk.accounts.actor import Actor
from ossdesk.customers import selectors as customer_selectors
from ossdesk.customers import services as customer_services
from ossdesk.customers.models import Deployment, Organization
from ossdesk.domain import vex as vexdoc
from ossdesk.domain.entitlements import EntitlementDenied
from ossdesk.doors.actor import request_actor
from ossdesk.doors.forms import form_errors
from ossdesk.plans.selectors import entitlements_for, plan_refs
from ossdesk.products.selectors import product_list, product_version_list
from ossdesk.security import selectors, services
from ossdesk.security.models import Advisory, Finding, Notice, Sbom, VendorAdvisory, VexStatement
from ossdesk.security.web import downloads
from ossdesk.security.web.forms import (
    MAX_RANGE_ROWS,
    AdvisoryFilterForm,
    DeploymentForm,
    FindingFilterForm,
    FindingStatusForm,
    LookupForm,
    RangeFormSet,
    SbomUploadForm,
    VendorAdvisoryForm,
    VexImportForm,
    VexStatementForm,
)
from ossdesk.security.web.presenters import (
    advisory_view,
    deadline_badge,
    exposure_cells,
    exposure_columns,
    finding_rows,
    percent,
    sbom_scanning_refusal,
    severity_bars,
    status_cells,
    vendor_packages,
    vendor_ranges,
)

PAGE_SIZE = 25
# The big JSON columns no list shows: left in the database.
HEAVY = ("advisory__record", "advisory__details")


def _page(request: HttpRequest, items: Any, *, param: str = "page", per_page: int = PAGE_SIZE) -> Page[Any]:
    return Paginator(items, per_page).get_page(request.GET.get(param))


def _querystring(request: HttpRequest, keys: tuple[str, ...]) -> str:
    """The current filters (without the page), for pager links that keep them."""
    return urlencode({key: value for key, value in request.GET.items() if key in keys and value})


def _form_errors(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for error in errors:
                for message in error.messages:
                    form.add_error(field if field in form.fields else None, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def _messages_of(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [str(message) for errors in exc.error_dict.values() for e in errors for message in e.messages]
    return list(exc.messages)


def _is_analyst(actor: Actor) -> bool:
    return actor.role in services.ANALYSTS


def _staff_organizations(actor: Actor) -> QuerySet[Organization] | None:
    """The customers a staff member may pick from; a customer picks none (its own is implied)."""
    return customer_selectors.organization_list(actor=actor).order_by("name") if actor.is_staff else None


def _sbom_refusal(actor: Actor, organization: Organization | None = None) -> str:
    """Why a customer cannot upload an SBOM or lockfile (its plan lacks SBOM scanning), naming the plan
    that includes it, so that no page offers an upload that ends in a refusal. Empty for staff."""
    if actor.is_staff or actor.organization_id is None:
        return ""
    if organization is None:
        organization = customer_selectors.organization_get(actor=actor, pk=actor.organization_id)
    return sbom_scanning_refusal(entitlements_for(organization=organization), plan_refs())


# --- the portfolio ------------------------------------------------------------------------------------------


def _portfolio_page(
    request: HttpRequest, actor: Actor, lookup: LookupForm, status: int = 200
) -> HttpResponse:
    now = timezone.now()
    data = selectors.portfolio(actor=actor, now=now)
    bars, chart_height = severity_bars(data.totals)
    columns = exposure_columns(data.totals)
    context: dict[str, Any] = {
        "portfolio": data,
        "total": sum(data.totals.values()),
        "bars": bars,
        "chart_height": chart_height,
        "columns": columns,
        "lookup": lookup,
        "sbom_refusal": _sbom_refusal(actor),
    }
    if actor.is_staff:
        page = _page(request, data.customers)
        context["page"] = page
        context["exposure"] = [(e, exposure_cells(e.by_severity, columns)) for e in page.object_list]
        context["unacknowledged"] = selectors.notice_list(actor=actor, unacknowledged=True).count()
    else:
        findings = selectors.finding_list(actor=actor, status=Finding.Status.OPEN).defer(*HEAVY)
        page = _page(request, findings)
        context["page"] = page
        context["rows"] = finding_rows(page.object_list, now)
        notices = selectors.notice_list(actor=actor, unacknowledged=True).defer(*HEAVY)
        context["notices"] = list(notices[:5])
    return render(request, "security/portfolio.html", context, status=status)


@login_required
@require_GET
def portfolio(request: HttpRequest) -> HttpResponse:
    """Staff: exposure by customer and severity, the advisories reaching most deployments. A customer:
    its own exposure and open findings."""
    return _portfolio_page(request, request_actor(request), LookupForm())


@login_required
@require_GET
def affected_lookup(request: HttpRequest) -> HttpResponse:
    """'Who is affected by CVE-…': an id or alias leads to the advisory's affected customers."""
    actor = request_actor(request)
    form = LookupForm(request.GET)
    if form.is_valid():
        key = form.cleaned_data["q"].strip()
        try:
            advisory = selectors.advisory_get(actor=actor, key=key)
        except Advisory.DoesNotExist:
            form.add_error(
                "q",
                f"No advisory has the id or alias “{key}”. Import the source that publishes it, or search "
                "the summaries in the advisory list.",
            )
        else:
            return redirect(reverse("web:security-advisory", args=[advisory.osv_id]) + "#affected")
        return _portfolio_page(request, actor, form, status=404)
    return _portfolio_page(request, actor, form, status=400)


# --- advisories ---------------------------------------------------------------------------------------------

ADVISORY_FILTERS = ("q", "severity", "ecosystem", "kev")


@login_required
@require_GET
def advisory_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    form = AdvisoryFilterForm(request.GET)
    page = _page(request, selectors.advisory_list(actor=actor, **form.filters()))
    context = {
        "form": form,
        "page": page,
        "filtered": any(request.GET.get(key) for key in ADVISORY_FILTERS),
        "querystring": _querystring(request, ADVISORY_FILTERS),
    }
    template = (
        "security/_advisory_rows.html" if request.headers.get("HX-Request") else "security/advisory_list.html"
    )
    return render(request, template, context)


@login_required
@require_GET
def advisory_detail(request: HttpRequest, key: str) -> HttpResponse:
    actor = request_actor(request)
    try:
        affected = selectors.who_is_affected(actor=actor, key=key)
    except Advisory.DoesNotExist:
        raise Http404(f"No advisory {key}.") from None
    advisory = affected.advisory
    if advisory.osv_id != key:  # reached by an alias: one address per advisory
        return redirect("web:security-advisory", key=advisory.osv_id)
    context: dict[str, Any] = {
        "advisory": advisory,
        "view": advisory_view(advisory),
        "epss": percent(advisory.epss),
        "epss_percentile": percent(advisory.epss_percentile),
        "vendor_advisory": selectors.vendor_advisory_list(actor=actor).filter(advisory=advisory).first()
        if advisory.source == Advisory.Source.VENDOR
        else None,
    }
    if actor.is_staff:
        page = _page(request, affected.customers)
        context["page"] = page
        context["customers"] = [{**c, "statuses": status_cells(c["by_status"])} for c in page.object_list]
        context["affected_total"] = len(affected.customers)
    else:
        findings = selectors.finding_list(actor=actor, advisory_id=advisory.pk).defer(*HEAVY)
        page = _page(request, findings)
        context["page"] = page
        context["rows"] = finding_rows(page.object_list, timezone.now())
    return render(request, "security/advisory_detail.html", context)


# --- deployments --------------------------------------------------------------------------------------------


def _deployment(actor: Actor, pk: int) -> Deployment:
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
    if actor.is_staff and raw.isdigit():
        organization = customer_selectors.organization_list(actor=actor).filter(pk=int(raw)).first()
    deployments = customer_selectors.deployment_list(
        actor=actor, organization_id=organization.pk if organization else None
    )
    page = _page(request, deployments)
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
        if actor.is_staff
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
            "organizations": _staff_organizations(actor),
            "querystring": _querystring(request, ("organization",)),
            "can_add": can_add,
            "sbom_refusal": _sbom_refusal(actor),
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
    if actor.is_staff:
        if not can_manage_customers(actor):
            raise PermissionDenied("Only admins and account managers register deployments for customers.")
        organizations = _staff_organizations(actor)
        initial = {"organization": request.GET.get("organization")}
        form = _deployment_form(actor, request.POST or None, organizations=organizations, initial=initial)
    else:
        if not actor.organization_id or not can_edit_organization(actor, actor.organization_id):
            raise PermissionDenied("Your organisation's administrator registers deployments.")
        form = _deployment_form(actor, request.POST or None)
    if request.method == "POST" and form.is_valid():
        organization = (
            form.cleaned_data["organization"]
            if actor.is_staff
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
    deployment = _deployment(actor, pk)
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


def _deployment_page(
    request: HttpRequest, actor: Actor, deployment: Deployment, upload: SbomUploadForm | None = None
) -> HttpResponse:
    now = timezone.now()
    tab = request.GET.get("findings", "open")
    tab = tab if tab in FINDING_TABS else "open"
    findings = selectors.finding_list(
        actor=actor, deployment_id=deployment.pk, status=Finding.Status.OPEN if tab == "open" else ""
    ).defer(*HEAVY)
    page = _page(request, findings)
    sboms = _page(
        request, selectors.sbom_list(actor=actor, deployment_id=deployment.pk), param="sboms", per_page=10
    )
    refusal = _sbom_refusal(actor, deployment.organization)
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
    return _deployment_page(request, actor, _deployment(actor, pk))


def _upload_summary(sbom: Sbom) -> str:
    changes = sbom.changes
    components = f"{sbom.component_count} component{'' if sbom.component_count == 1 else 's'}"
    return (
        f"{sbom.filename} read as {sbom.format}: {components}; findings "
        f"{changes['new']} new, {changes['reopened']} reopened, {changes['closed']} closed."
    )


def _announce_upload(request: HttpRequest, sbom: Sbom) -> None:
    """The result, and every warning: an upload that skipped something is not a plain success."""
    if sbom.warnings:
        messages.warning(request, f"{_upload_summary(sbom)} {len(sbom.warnings)} warnings below.")
        for warning in sbom.warnings:
            messages.warning(request, f"{sbom.filename}: {warning}")
    else:
        messages.success(request, _upload_summary(sbom))


@login_required
@require_POST
def deployment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload an SBOM or lockfile: a file that does not parse, or reads as nothing, is refused with the
    reasons and nothing is stored; one that would close any finding waits on a confirmation page."""
    actor = request_actor(request)
    deployment = _deployment(actor, pk)
    form = SbomUploadForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size and services.sbom_for_the_worker(upload.size):
            return _receive_large(request, actor, deployment, form)
        try:
            sbom, _ = services.sbom_upload(
                actor=actor,
                deployment=deployment,
                filename=upload.name or "",
                data=upload.read(),
                closing_limit=0,
            )
        except EntitlementDenied as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            if sbom.state == Sbom.State.HELD:
                return redirect("web:security-sbom-confirm", sbom.pk)
            _announce_upload(request, sbom)
            return redirect(reverse("web:security-deployment", args=[deployment.pk]) + "#findings")
    return _deployment_page(request, actor, deployment, upload=form)


def _receive_large(
    request: HttpRequest, actor: Actor, deployment: Deployment, form: SbomUploadForm
) -> HttpResponse:
    """A large file is stored and read by the worker: the page says so, and the history shows its state."""
    upload = form.cleaned_data["file"]
    try:
        sbom = services.sbom_receive(
            actor=actor, deployment=deployment, filename=upload.name or "", data=upload.read(), via="portal"
        )
    except EntitlementDenied as exc:
        form.add_error(None, str(exc))
    except ValidationError as exc:
        form_errors(form, exc)
    else:
        messages.info(
            request,
            f"{sbom.filename} is stored and being read; its findings appear when it is applied. If it "
            "would close any finding, it waits for your confirmation in the inventory history.",
        )
        return redirect(reverse("web:security-deployment", args=[deployment.pk]) + "#sboms")
    return _deployment_page(request, actor, deployment, upload=form)


def _sbom(actor: Actor, pk: int) -> Sbom:
    try:
        return selectors.sbom_get(actor=actor, pk=pk)
    except Sbom.DoesNotExist:
        raise Http404("No such SBOM.") from None


@login_required
@require_http_methods(["GET", "POST"])
def sbom_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """A held upload: what it would close, reopen and open, and its warnings; apply it or discard it."""
    actor = request_actor(request)
    sbom = _sbom(actor, pk)
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("decision") == "apply":
                sbom, _ = services.sbom_confirm(actor=actor, sbom=sbom)
                if sbom.state == Sbom.State.RECEIVED:  # a large one: the worker applies it
                    messages.info(request, f"{sbom.filename} is confirmed and being applied.")
                else:
                    _announce_upload(request, sbom)
            else:
                services.sbom_discard(actor=actor, sbom=sbom)
                messages.info(request, f"{sbom.filename} was not applied; the inventory is unchanged.")
            return redirect(reverse("web:security-deployment", args=[sbom.deployment_id]) + "#findings")
        except (ValidationError, EntitlementDenied) as exc:
            error = " ".join(_messages_of(exc)) if isinstance(exc, ValidationError) else str(exc)
    context = {
        "sbom": sbom,
        "deployment": sbom.deployment,
        "changes": sbom.changes,
        "error": error,
        "held": sbom.state == Sbom.State.HELD,
    }
    return render(request, "security/sbom_confirm.html", context, status=400 if error else 200)


@login_required
@require_GET
def sbom_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    try:
        sbom = selectors.sbom_get(actor=request_actor(request), pk=pk)
    except Sbom.DoesNotExist:
        raise Http404("No such SBOM.") from None
    return downloads.sbom_response(sbom)


# --- findings -----------------------------------------------------------------------------------------------

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
    form = FindingFilterForm(request.GET, organizations=_staff_organizations(actor))
    filters = form.filters()
    page = _page(request, selectors.finding_list(actor=actor, **filters).defer(*HEAVY))
    context = {
        "form": form,
        "page": page,
        "rows": finding_rows(page.object_list, timezone.now()),
        "status": filters["status"] or "any",
        "filtered": any(request.GET.get(key) for key in ("q", "severity", "organization")),
        "querystring": _querystring(request, FINDING_FILTERS),
        "sbom_refusal": _sbom_refusal(actor),
    }
    template = (
        "security/_finding_rows.html" if request.headers.get("HX-Request") else "security/finding_list.html"
    )
    return render(request, template, context)


def _vex_form(actor: Actor, finding: Finding, data: Any = None) -> VexStatementForm:
    return VexStatementForm(
        data,
        portfolio_wide=actor.is_staff,
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


# --- VEX ----------------------------------------------------------------------------------------------------


def _vex_page(request: HttpRequest, actor: Actor, form: VexImportForm | None = None) -> HttpResponse:
    vulnerability = request.GET.get("vulnerability", "").strip()
    statements = selectors.vex_list(actor=actor, vulnerability=vulnerability)
    page = _page(request, statements)
    context = {
        "page": page,
        "vulnerability": vulnerability,
        "querystring": _querystring(request, ("vulnerability",)),
        "form": form or VexImportForm(organizations=_staff_organizations(actor)),
        "status_labels": dict(VexStatement.Status.choices),
    }
    return render(request, "security/vex_list.html", context, status=400 if form is not None else 200)


@login_required
@require_GET
def vex_list(request: HttpRequest) -> HttpResponse:
    return _vex_page(request, request_actor(request))


@login_required
@require_POST
def vex_import(request: HttpRequest) -> HttpResponse:
    """Every statement of the document, or none (the service's transaction) with the reason on the file."""
    actor = request_actor(request)
    form = VexImportForm(request.POST, request.FILES, organizations=_staff_organizations(actor))
    if form.is_valid():
        upload = form.cleaned_data["file"]
        organization: Organization | None = form.cleaned_data.get("organization")
        try:
            created, changed = services.vex_import(
                actor=actor, data=upload.read(), filename=upload.name or "vex.json", organization=organization
            )
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or "You may not import VEX statements.")
        except Organization.DoesNotExist:
            form.add_error(None, "Your account is not linked to an organisation; ask your administrator.")
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(
                request,
                f"Imported {len(created)} statement{'s' if len(created) != 1 else ''} from {upload.name}; "
                f"{changed} finding{'s' if changed != 1 else ''} changed.",
            )
            return redirect("web:security-vex")
    return _vex_page(request, actor, form)


@login_required
@require_GET
def vex_export(request: HttpRequest, kind: str) -> HttpResponseBase:
    """The statements the person may see (optionally of one vulnerability) as OpenVEX or CycloneDX VEX."""
    if kind not in downloads.VEX_KINDS:
        raise Http404("No such export format.")
    actor = request_actor(request)
    vulnerability = request.GET.get("vulnerability", "").strip()
    statements = list(selectors.vex_list(actor=actor, vulnerability=vulnerability))
    try:
        return downloads.vex_response(kind, services.vex_statements_export(statements))
    except (downloads.ExportRefused, vexdoc.VexError) as exc:  # a stored statement VEX cannot say
        messages.error(request, str(exc))
        query = f"?{urlencode({'vulnerability': vulnerability})}" if vulnerability else ""
        return redirect(reverse("web:security-vex") + query)


# --- vendor advisories ----------------------------------------------------------------------------------

# The form's fields above the ranges: what is affected; the rest below them.
VENDOR_HEAD_FIELDS = ("title", "summary", "details", "product", "ecosystem", "package")
VENDOR_TABS = {"": "All", "draft": "Drafts", "in_review": "In review", "published": "Published"}


def _vendor(actor: Actor, tracking_id: str) -> VendorAdvisory:
    try:
        return selectors.vendor_advisory_get(actor=actor, tracking_id=tracking_id)
    except VendorAdvisory.DoesNotExist:
        raise Http404("No such vendor advisory.") from None


@login_required
@require_GET
def vendor_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    status = request.GET.get("status", "")
    status = status if status in VENDOR_TABS and actor.is_staff else ""
    advisories = selectors.vendor_advisory_list(actor=actor)
    if status:
        advisories = advisories.filter(status=status)
    page = _page(request, advisories)
    return render(
        request,
        "security/vendor_list.html",
        {
            "page": page,
            "status": status,
            "tabs": VENDOR_TABS,
            "querystring": _querystring(request, ("status",)),
            "can_write": _is_analyst(actor),
        },
    )


def _vendor_forms(
    request: HttpRequest, advisory: VendorAdvisory | None
) -> tuple[VendorAdvisoryForm, forms.BaseFormSet[Any]]:
    products = product_list()
    if request.method == "POST" and "add_range" in request.POST:
        # One more empty row, keeping what was typed: unbound, so nothing is marked wrong before saving.
        data = request.POST
        typed = {name: data.get(name, "") for name in VendorAdvisoryForm.base_fields}
        given = data.get("ranges-TOTAL_FORMS", "")
        total = min(int(given), MAX_RANGE_ROWS - 1) if given.isdigit() else 0
        rows = [
            {name: data.get(f"ranges-{i}-{name}", "") for name in RangeFormSet.form.base_fields}
            for i in range(total)
        ]
        return VendorAdvisoryForm(initial=typed, products=products), RangeFormSet(
            initial=rows, prefix="ranges"
        )
    if request.method == "POST":
        return VendorAdvisoryForm(request.POST, products=products), RangeFormSet(
            request.POST, prefix="ranges"
        )
    if advisory is None:
        return VendorAdvisoryForm(products=products), RangeFormSet(prefix="ranges")
    initial = {
        "title": advisory.title,
        "summary": advisory.summary,
        "details": advisory.details,
        "product": advisory.product_id,
        "ecosystem": advisory.ecosystem,
        "package": advisory.package,
        "affected_versions": ", ".join(advisory.affected_versions),
        "cves": ", ".join(advisory.cves),
        "aliases": ", ".join(advisory.aliases),
        "cvss_vector": advisory.cvss_vector,
        "remediation": advisory.remediation,
        "tlp": advisory.tlp,
    }
    ranges = [{"introduced": r.get("introduced", ""), "fixed": r.get("fixed", "")} for r in advisory.ranges]
    ranges += [
        {"introduced": r.get("introduced", ""), "fixed": r.get("fixed", ""), **_package_of(p)}
        for p in advisory.additional_packages
        for r in p.get("ranges") or [{}]
    ]
    return VendorAdvisoryForm(initial=initial, products=products), RangeFormSet(
        initial=ranges, prefix="ranges"
    )


def _package_of(entry: dict[str, Any]) -> dict[str, str]:
    return {"ecosystem": entry.get("ecosystem", ""), "package": entry.get("package", "")}


def _package_named(fields: dict[str, Any], where: str) -> str:
    """The name of the additional package an error key such as ``1.ranges.0.fixed`` points at."""
    index = where.partition(".")[0]
    packages = fields.get("additional_packages") or []
    if index.isdigit() and int(index) < len(packages):
        return str(packages[int(index)].get("package") or "no name")
    return "all"


def _vendor_errors(
    exc: ValidationError,
    form: VendorAdvisoryForm,
    formset: forms.BaseFormSet[Any],
    rows: list[int],
    fields: dict[str, Any],
) -> list[str]:
    """Put the service's errors where they belong: `ranges.1.fixed` on that row, `cves.0` on the CVE box;
    return the ones about the ranges as a whole."""
    range_errors: list[str] = []
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return range_errors
    for key, errors in exc.message_dict.items():
        head, _, rest = key.partition(".")
        if head == "ranges" and rest:
            index, _, field = rest.partition(".")
            if index.isdigit() and int(index) < len(rows):
                for message in errors:
                    target = field if field in ("introduced", "fixed") else None
                    formset.forms[rows[int(index)]].add_error(target, message)
                continue
        if head == "ranges":
            range_errors += errors
        elif head == "additional_packages":
            for message in errors:
                range_errors.append(f"Another package ({_package_named(fields, rest)}): {message}")
        elif head in form.fields:
            for message in errors:
                form.add_error(head, message)
        else:
            for message in errors:
                form.add_error(None, message)
    return range_errors


def _vendor_edit(request: HttpRequest, actor: Actor, advisory: VendorAdvisory | None) -> HttpResponse:
    if not _is_analyst(actor):
        raise PermissionDenied("Only security analysts write vendor advisories.")
    form, formset = _vendor_forms(request, advisory)
    range_errors: list[str] = []
    adding = request.method == "POST" and "add_range" in request.POST
    if request.method == "POST" and not adding and form.is_valid() and formset.is_valid():
        own = [f for f in formset.forms if not f.cleaned_data.get("package")]
        rows = [i for i, f in enumerate(formset.forms) if f in own and vendor_ranges([f.cleaned_data])]
        fields = dict(form.cleaned_data)
        fields["ranges"] = vendor_ranges(f.cleaned_data for f in own)
        fields["additional_packages"] = vendor_packages(
            (f.cleaned_data for f in formset.forms), advisory.additional_packages if advisory else ()
        )
        try:
            if advisory is None:
                advisory = services.vendor_advisory_create(actor=actor, **fields)
                done = f"{advisory.tracking_id} saved as a draft."
            else:
                advisory = services.vendor_advisory_update(actor=actor, advisory=advisory, **fields)
                done = f"{advisory.tracking_id} saved; it is a draft again until reviewed and published."
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or "You may not write vendor advisories.")
        except ValidationError as exc:
            range_errors = _vendor_errors(exc, form, formset, rows, fields)
        else:
            messages.success(request, done)
            return redirect("web:security-vendor", tracking_id=advisory.tracking_id)
    failed = request.method == "POST" and not adding
    return render(
        request,
        "security/vendor_form.html",
        {
            "form": form,
            "formset": formset,
            "range_errors": range_errors,
            "advisory": advisory,
            "focus_new_row": adding,
            "head_fields": VENDOR_HEAD_FIELDS,
        },
        status=400 if failed else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def vendor_create(request: HttpRequest) -> HttpResponse:
    return _vendor_edit(request, request_actor(request), None)


@login_required
@require_http_methods(["GET", "POST"])
def vendor_edit(request: HttpRequest, tracking_id: str) -> HttpResponse:
    actor = request_actor(request)
    return _vendor_edit(request, actor, _vendor(actor, tracking_id))


def _vendor_page(
    request: HttpRequest,
    actor: Actor,
    advisory: VendorAdvisory,
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "vendor": advisory,
        "errors": errors or [],
        "can_write": _is_analyst(actor),
        "is_author": actor.user_id is not None and actor.user_id == advisory.author_id,
    }
    return render(request, "security/vendor_detail.html", context, status=status)


@login_required
@require_GET
def vendor_detail(request: HttpRequest, tracking_id: str) -> HttpResponse:
    actor = request_actor(request)
    return _vendor_page(request, actor, _vendor(actor, tracking_id))


@login_required
@require_POST
def vendor_submit(request: HttpRequest, tracking_id: str) -> HttpResponse:
    actor = request_actor(request)
    advisory = _vendor(actor, tracking_id)
    try:
        services.vendor_advisory_submit(actor=actor, advisory=advisory)
    except PermissionDenied as exc:
        return _vendor_page(request, actor, _vendor(actor, tracking_id), [str(exc)], status=403)
    except ValidationError as exc:
        return _vendor_page(request, actor, _vendor(actor, tracking_id), _messages_of(exc), status=400)
    messages.success(request, f"{advisory.tracking_id} is waiting for another analyst's review.")
    return redirect("web:security-vendor", tracking_id=advisory.tracking_id)


@login_required
@require_POST
def vendor_publish(request: HttpRequest, tracking_id: str) -> HttpResponse:
    """Publish after review; the service refuses the author (four eyes), and the page says so."""
    actor = request_actor(request)
    advisory = _vendor(actor, tracking_id)
    try:
        advisory, report = services.vendor_advisory_publish(actor=actor, advisory=advisory)
    except PermissionDenied as exc:
        return _vendor_page(request, actor, _vendor(actor, tracking_id), [str(exc)], status=403)
    except ValidationError as exc:
        return _vendor_page(request, actor, _vendor(actor, tracking_id), _messages_of(exc), status=400)
    messages.success(
        request,
        f"{advisory.tracking_id} revision {advisory.revision} published: {report.findings} new "
        f"finding{'s' if report.findings != 1 else ''}, {report.notices} customer notice"
        f"{'s' if report.notices != 1 else ''}.",
    )
    return redirect("web:security-vendor", tracking_id=advisory.tracking_id)


@require_GET
def vendor_canonical(request: HttpRequest, year: int, filename: str) -> HttpResponseBase:
    """The CSAF document at the canonical URL it names as its ``self`` reference; TLP:CLEAR is public."""
    actor = request_actor(request) if request.user.is_authenticated else None
    try:
        advisory = selectors.vendor_advisory_at_canonical_url(actor=actor, year=year, filename=filename)
    except VendorAdvisory.DoesNotExist:
        if actor is None:
            return redirect_to_login(request.get_full_path())
        raise Http404("No such published advisory.") from None
    return downloads.vendor_canonical_response(advisory)


@login_required
@require_POST
def vendor_withdraw(request: HttpRequest, tracking_id: str) -> HttpResponse:
    """Withdraw a published advisory, saying why; it stays published with a final revision."""
    actor = request_actor(request)
    advisory = _vendor(actor, tracking_id)
    try:
        services.vendor_advisory_withdraw(
            actor=actor, advisory=advisory, reason=request.POST.get("reason", "")
        )
    except PermissionDenied as exc:
        return _vendor_page(request, actor, _vendor(actor, tracking_id), [str(exc)], status=403)
    except ValidationError as exc:
        return _vendor_page(request, actor, _vendor(actor, tracking_id), _messages_of(exc), status=400)
    messages.success(request, f"{advisory.tracking_id} is withdrawn; the findings it opened are closed.")
    return redirect("web:security-vendor", tracking_id=advisory.tracking_id)


@login_required
@require_GET
def vendor_download(request: HttpRequest, tracking_id: str, kind: str) -> HttpResponseBase:
    advisory = _vendor(request_actor(request), tracking_id)
    return downloads.vendor_response(advisory, kind)


# --- notices ------------------------------------------------------------------------------------------------

NOTICE_TABS = {"open": "Not acknowledged", "all": "All notices"}


def _notice(actor: Actor, pk: int) -> Notice:
    try:
        return selectors.notice_get(actor=actor, pk=pk)
    except Notice.DoesNotExist:
        raise Http404("No such notice.") from None


@login_required
@require_GET
def notice_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    show = request.GET.get("show", "all" if actor.is_staff else "open")
    show = show if show in NOTICE_TABS else "open"
    notices = selectors.notice_list(actor=actor, unacknowledged=show == "open")
    page = _page(request, notices.defer("advisory__record", "advisory__details"))
    return render(
        request,
        "security/notice_list.html",
        {"page": page, "show": show, "tabs": NOTICE_TABS, "querystring": f"show={show}"},
    )


@login_required
@require_GET
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    notice = _notice(actor, pk)
    findings = selectors.finding_list(
        actor=actor, advisory_id=notice.advisory_id, organization_id=notice.organization_id
    ).defer(*HEAVY)
    page = _page(request, findings)
    return render(
        request,
        "security/notice_detail.html",
        {"notice": notice, "page": page, "rows": finding_rows(page.object_list, timezone.now())},
    )


@login_required
@require_POST
def notice_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    notice = _notice(actor, pk)
    services.notice_acknowledge(actor=actor, notice=notice)
    messages.success(request, f"Notice of {notice.advisory.public_id} acknowledged.")
    if request.POST.get("next") == "detail":
        return redirect("web:security-notice", pk=notice.pk)
    return redirect("web:security-notices")
