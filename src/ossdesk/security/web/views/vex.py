"""VEX pages: the statements, imported from a document, exported as OpenVEX or CSAF."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from ossdesk.accounts.actor import Actor
from ossdesk.customers.models import Organization
from ossdesk.domain import vex as vexdoc
from ossdesk.doors.actor import request_actor
from ossdesk.doors.forms import form_errors
from ossdesk.security import selectors, services
from ossdesk.security.models import VexStatement
from ossdesk.security.web import downloads
from ossdesk.security.web.forms import VexImportForm
from ossdesk.security.web.views.pages import paginate, query_string, staff_organizations


def _vex_page(request: HttpRequest, actor: Actor, form: VexImportForm | None = None) -> HttpResponse:
    vulnerability = request.GET.get("vulnerability", "").strip()
    statements = selectors.vex_list(actor=actor, vulnerability=vulnerability)
    page = paginate(request, statements)
    context = {
        "page": page,
        "vulnerability": vulnerability,
        "querystring": query_string(request, ("vulnerability",)),
        "form": form or VexImportForm(organizations=staff_organizations(actor)),
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
    form = VexImportForm(request.POST, request.FILES, organizations=staff_organizations(actor))
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
