"""The vendor's advisory pages: drafted and edited, submitted, published, withdrawn, downloaded, and the
canonical CSAF address."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ossdesk.accounts.access import can_analyse_security, can_read_internal_notes
from ossdesk.accounts.actor import Actor
from ossdesk.doors.actor import request_actor
from ossdesk.products.selectors import product_list
from ossdesk.security import selectors, services
from ossdesk.security.models import VendorAdvisory
from ossdesk.security.web import downloads
from ossdesk.security.web.forms import MAX_RANGE_ROWS, RangeFormSet, VendorAdvisoryForm
from ossdesk.security.web.presenters import vendor_packages, vendor_ranges
from ossdesk.security.web.views.pages import error_messages, paginate, query_string

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
    status = status if status in VENDOR_TABS and can_read_internal_notes(actor) else ""
    advisories = selectors.vendor_advisory_list(actor=actor)
    if status:
        advisories = advisories.filter(status=status)
    page = paginate(request, advisories)
    return render(
        request,
        "security/vendor_list.html",
        {
            "page": page,
            "status": status,
            "tabs": VENDOR_TABS,
            "querystring": query_string(request, ("status",)),
            "can_write": can_analyse_security(actor),
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
    if not can_analyse_security(actor):
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
        "can_write": can_analyse_security(actor),
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
        return _vendor_page(request, actor, _vendor(actor, tracking_id), error_messages(exc), status=400)
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
        return _vendor_page(request, actor, _vendor(actor, tracking_id), error_messages(exc), status=400)
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
        return _vendor_page(request, actor, _vendor(actor, tracking_id), error_messages(exc), status=400)
    messages.success(request, f"{advisory.tracking_id} is withdrawn; the findings it opened are closed.")
    return redirect("web:security-vendor", tracking_id=advisory.tracking_id)


@login_required
@require_GET
def vendor_download(request: HttpRequest, tracking_id: str, kind: str) -> HttpResponseBase:
    advisory = _vendor(request_actor(request), tracking_id)
    return downloads.vendor_response(advisory, kind)
