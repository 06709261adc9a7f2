"""Inventory uploads: previewed, applied in the request or received and processed by the worker,
held for confirmation, confirmed, discarded, refused."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from ossdesk.accounts.access import can_access_deployment
from ossdesk.accounts.actor import Actor, actor_for
from ossdesk.audit.services import audit_record
from ossdesk.config.queue import enqueue
from ossdesk.customers.models import Deployment
from ossdesk.domain.entitlements import EntitlementDenied
from ossdesk.security import matching
from ossdesk.security.models import Sbom
from ossdesk.security.services.inventories import (
    ComponentRow,
    apply_upload,
    changes_record,
    check_may_upload,
    check_size,
    component_rows,
    drop_components,
    read_inventory,
    stream_upload,
)

CRITICAL = "critical"


@dataclass(frozen=True)
class UploadPreview:
    """What an inventory would do to a deployment's findings, read before anything is written, and why
    applying it needs someone's confirmation (empty when it may apply unasked)."""

    filename: str
    format: str
    component_count: int
    warnings: tuple[str, ...]
    match: matching.Match
    needs_confirmation: tuple[str, ...]
    evaluated: matching.Evaluation

    @property
    def changes(self) -> dict[str, Any]:
        return changes_record(self.match)


def _confirmation_reasons(match: matching.Match, closing_limit: int | None) -> tuple[str, ...]:
    """Closing more than `closing_limit` findings (the setting by default), or any critical one."""
    limit = settings.OSSDESK_UPLOAD_CONFIRM_CLOSING if closing_limit is None else closing_limit
    reasons = []
    if match.closed > limit:
        closing = f"{match.closed} finding{'' if match.closed == 1 else 's'}"
        rule = "closing any" if limit == 0 else f"closing more than {limit}"  # the portal asks for any
        reasons.append(f"it would close {closing}; {rule} needs confirmation")
    critical = sorted({c.advisory for c in match.closing if c.severity == CRITICAL})
    if critical:
        reasons.append(f"it would close critical findings: {', '.join(critical[:10])}")
    return tuple(reasons)


def _preview(
    actor: Actor, deployment: Deployment, filename: str, data: bytes, closing_limit: int | None
) -> tuple[UploadPreview, list[ComponentRow]]:
    check_may_upload(actor, deployment)
    name = PurePath(filename or "").name.strip() or "upload"
    inventory = read_inventory(name, data)
    rows = component_rows(inventory)
    evaluated = matching.evaluate_inventory(deployment.pk, rows)
    match = matching.preview_deployment(evaluated)
    preview = UploadPreview(
        filename=name,
        format=inventory.format,
        component_count=len(rows),
        warnings=inventory.warnings,
        match=match,
        needs_confirmation=_confirmation_reasons(match, closing_limit),
        evaluated=evaluated,
    )
    return preview, rows


def sbom_preview(
    *, actor: Actor, deployment: Deployment, filename: str, data: bytes, closing_limit: int | None = None
) -> UploadPreview:
    """What uploading this file would do (the dry run): refused as an upload would be, nothing written."""
    return _preview(actor, deployment, filename, data, closing_limit)[0]


def sbom_for_the_worker(size: int) -> bool:
    """Whether an upload of `size` bytes is stored and applied by the worker in short transactions
    (:func:`sbom_receive`) rather than read and matched in the request (:func:`sbom_upload`)."""
    return size > settings.OSSDESK_UPLOAD_INLINE_BYTES


@transaction.atomic
def sbom_upload(
    *,
    actor: Actor,
    deployment: Deployment,
    filename: str,
    data: bytes,
    via: str = "portal",
    confirm: bool = False,
    closing_limit: int | None = None,
) -> tuple[Sbom, matching.Match]:
    """Store an SBOM or lockfile for a deployment, make it current, and match it.

    A file that does not parse, yields no component or skips more entries than it reads is refused with
    the reasons and nothing is stored. One that would close more than `closing_limit` findings
    (``OSSDESK_UPLOAD_CONFIRM_CLOSING`` by default) or any critical one is stored but held, unapplied,
    until confirmed (`confirm=True` here, or :func:`sbom_confirm`): the Match returned is then what it
    would do.
    """
    preview, rows = _preview(actor, deployment, filename, data, closing_limit)
    reasons = list(preview.needs_confirmation)
    sbom = Sbom(
        deployment=deployment,
        filename=preview.filename[:255],
        format=preview.format[:60],
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        component_count=preview.component_count,
        warnings=list(preview.warnings)[:200],
        uploaded_by=actor.user,
        uploaded_via=via,
        uploaded_at=timezone.now(),
        confirmed=confirm,
    )
    sbom.file.save(f"{sbom.sha256[:16]}-{preview.filename}", ContentFile(data), save=False)
    if reasons and not confirm:
        sbom.state, sbom.current, sbom.problems = Sbom.State.HELD, False, reasons
        sbom.changes = changes_record(preview.match)
        sbom.save()
        audit_record(
            actor=actor,
            action="action",
            instance=sbom,
            after={"did": "upload held for confirmation", "filename": sbom.filename, "why": reasons},
            organization_id=deployment.organization_id,
        )
        return sbom, preview.match
    sbom.save()
    return sbom, apply_upload(actor, sbom, rows, evaluated=preview.evaluated)


@transaction.atomic
def sbom_confirm(*, actor: Actor, sbom: Sbom) -> tuple[Sbom, matching.Match]:
    """Apply a held upload, as it matches now (an advisory imported since may change the diff)."""
    sbom = Sbom.objects.select_for_update().select_related("deployment__organization").get(pk=sbom.pk)
    check_may_upload(actor, sbom.deployment)
    if sbom.state != Sbom.State.HELD:
        raise ValidationError({"state": f"This upload is {sbom.get_state_display().lower()}, not held."})
    sbom.confirmed = True
    if sbom_for_the_worker(sbom.size):  # the worker applies it, in short transactions
        sbom.state = Sbom.State.RECEIVED
        sbom.save(update_fields=["state", "confirmed"])
        transaction.on_commit(lambda: _process_later(sbom.pk))
        return sbom, matching.Match()
    with sbom.file.open("rb") as handle:
        data = handle.read()
    return sbom, apply_upload(actor, sbom, component_rows(read_inventory(sbom.filename, data)))


@transaction.atomic
def sbom_discard(*, actor: Actor, sbom: Sbom) -> Sbom:
    """Drop a held upload: it stays in the history, never applied."""
    sbom = Sbom.objects.select_for_update().select_related("deployment").get(pk=sbom.pk)
    if not can_access_deployment(actor, sbom.deployment.organization_id):
        raise Deployment.DoesNotExist("No such deployment.")
    if sbom.state != Sbom.State.HELD:
        raise ValidationError({"state": f"This upload is {sbom.get_state_display().lower()}, not held."})
    sbom.state = Sbom.State.DISCARDED
    sbom.save(update_fields=["state"])
    audit_record(
        actor=actor,
        action="action",
        instance=sbom,
        after={"did": "held upload discarded", "filename": sbom.filename},
        organization_id=sbom.deployment.organization_id,
    )
    return sbom


IN_PROGRESS = (Sbom.State.RECEIVED, Sbom.State.PROCESSING)


@transaction.atomic
def sbom_receive(
    *,
    actor: Actor,
    deployment: Deployment,
    filename: str,
    data: bytes,
    via: str = "api",
    confirm: bool = False,
) -> Sbom:
    """Store an upload raw and queue it: the answer comes at once, the worker reads, matches and
    applies it (:func:`sbom_process`) in short transactions; poll the upload's `state`."""
    check_may_upload(actor, deployment)
    name = PurePath(filename or "").name.strip() or "upload"
    check_size(name, data)
    limit = settings.OSSDESK_UPLOADS_IN_PROGRESS_PER_ORGANIZATION
    busy = Sbom.objects.filter(deployment__organization_id=deployment.organization_id, state__in=IN_PROGRESS)
    if busy.count() >= limit:
        raise ValidationError(
            {
                "file": f"{limit} uploads of this organisation are still being processed; "
                "send it when they are done."
            }
        )
    sbom = Sbom(
        deployment=deployment,
        filename=name[:255],
        format="",
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        uploaded_by=actor.user,
        uploaded_via=via,
        uploaded_at=timezone.now(),
        state=Sbom.State.RECEIVED,
        current=False,
        confirmed=confirm,
    )
    sbom.file.save(f"{sbom.sha256[:16]}-{name}", ContentFile(data), save=False)
    sbom.save()
    audit_record(
        actor=actor,
        action="action",
        instance=sbom,
        after={"did": "upload received", "filename": sbom.filename, "size": sbom.size, "sha256": sbom.sha256},
        organization_id=deployment.organization_id,
    )
    transaction.on_commit(lambda: _process_later(sbom.pk))
    return sbom


def _process_later(sbom_id: int) -> None:
    enqueue("ossdesk.security.tasks.sbom_process_task", sbom_id)


def _uploader(sbom: Sbom) -> Actor:
    return actor_for(sbom.uploaded_by) if sbom.uploaded_by else Actor.system(sbom.uploaded_via)


def sbom_process(*, sbom_id: int) -> Sbom | None:
    """Read, match and apply a received upload; refused, held or applied, the outcome is on the row.

    Claimed with a conditional update, so a second run (two workers, a retried task) does nothing. The
    file is read and diffed outside any transaction; components go in by slices, each its own short
    transaction; only switching the inventory and matching it take one more.
    """
    claimed = Sbom.objects.filter(pk=sbom_id, state=Sbom.State.RECEIVED).update(
        state=Sbom.State.PROCESSING, processing_since=timezone.now()
    )
    if not claimed:
        return None
    sbom = Sbom.objects.select_related("deployment__organization", "uploaded_by").get(pk=sbom_id)
    actor = _uploader(sbom)
    try:
        inventory, slices = stream_upload(actor, sbom)
    except (ValidationError, EntitlementDenied, PermissionDenied) as error:
        return _refuse(actor, sbom, error)
    match = matching.preview_deployment(slices.evaluation)
    # The portal shows every closing before it happens, as its confirmation page does for small files.
    needs_confirmation = _confirmation_reasons(match, 0 if sbom.uploaded_via == "portal" else None)
    sbom.format, sbom.component_count = inventory.format[:60], slices.count
    sbom.warnings = list(inventory.warnings)[:200]
    if needs_confirmation and not sbom.confirmed:
        drop_components(sbom)  # read again when confirmed: an upload held has none stored
        with transaction.atomic():
            sbom.state, sbom.problems = Sbom.State.HELD, list(needs_confirmation)
            sbom.changes = changes_record(match)
            sbom.save()
            audit_record(
                actor=actor,
                action="action",
                instance=sbom,
                after={
                    "did": "upload held for confirmation",
                    "filename": sbom.filename,
                    "why": sbom.problems,
                },
                organization_id=sbom.deployment.organization_id,
            )
        return sbom
    with transaction.atomic():
        apply_upload(actor, sbom, None, evaluated=slices.evaluation)
    return sbom


STALLED_AFTER = timedelta(minutes=30)
FORGOTTEN_AFTER = timedelta(minutes=5)


def sboms_resume(*, now: datetime | None = None) -> int:
    """Queue again the uploads a worker never picked up (a lost task) or left half-done (a worker killed
    mid-way: its slices are deleted and it starts over); the number queued."""
    now = now or timezone.now()
    forgotten = Sbom.objects.filter(state=Sbom.State.RECEIVED, uploaded_at__lt=now - FORGOTTEN_AFTER)
    stalled = Sbom.objects.filter(state=Sbom.State.PROCESSING, processing_since__lt=now - STALLED_AFTER)
    ids = list(forgotten.values_list("pk", flat=True))
    for pk in stalled.values_list("pk", flat=True):
        # Conditional: a worker that finishes meanwhile keeps its outcome.
        if Sbom.objects.filter(pk=pk, state=Sbom.State.PROCESSING).update(state=Sbom.State.RECEIVED):
            ids.append(pk)
    for pk in ids:
        _process_later(pk)
    return len(ids)


def _refuse(actor: Actor, sbom: Sbom, error: Exception) -> Sbom:
    if isinstance(error, ValidationError):
        problems = (
            [m for messages in error.message_dict.values() for m in messages]
            if hasattr(error, "error_dict")
            else list(error.messages)
        )
    else:
        problems = [str(error)]
    with transaction.atomic():
        sbom.state, sbom.problems = Sbom.State.REFUSED, problems[:MAX_PROBLEMS]
        sbom.save(update_fields=["state", "problems"])
        audit_record(
            actor=actor,
            action="action",
            instance=sbom,
            after={"did": "upload refused", "filename": sbom.filename, "why": sbom.problems},
            organization_id=sbom.deployment.organization_id,
        )
    return sbom


MAX_PROBLEMS = 25
