"""Inventory uploads from a deployment's page: uploaded, confirmed or discarded when held, downloaded."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ossdesk.accounts.actor import Actor
from ossdesk.customers.models import Deployment
from ossdesk.domain.entitlements import EntitlementDenied
from ossdesk.doors.actor import request_actor
from ossdesk.doors.forms import form_errors
from ossdesk.security import selectors, services
from ossdesk.security.models import Sbom
from ossdesk.security.web import downloads
from ossdesk.security.web.forms import SbomUploadForm
from ossdesk.security.web.views.deployments import deployment_page, visible_deployment
from ossdesk.security.web.views.pages import error_messages


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
    deployment = visible_deployment(actor, pk)
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
    return deployment_page(request, actor, deployment, upload=form)


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
    return deployment_page(request, actor, deployment, upload=form)


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
            error = " ".join(error_messages(exc)) if isinstance(exc, ValidationError) else str(exc)
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
