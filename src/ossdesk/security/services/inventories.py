"""An inventory's components: read, checked, stored (at once or by slices) and applied to a
deployment, with the audit of what it opened and closed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from ossdesk.accounts.access import can_access_deployment, can_act_for_any_customer
from ossdesk.accounts.actor import Actor
from ossdesk.audit.services import audit_record
from ossdesk.customers.models import Deployment
from ossdesk.domain import osv
from ossdesk.domain.entitlements import check_feature
from ossdesk.domain.inventory import (
    MAX_BYTES,
    Inventory,
    InventoryError,
    distinct_key,
    parse,
    refusal_reasons,
    stream,
)
from ossdesk.domain.inventory import Component as InventoryComponent
from ossdesk.plans.selectors import entitlements_for, plan_refs
from ossdesk.security import matching
from ossdesk.security.models import Component, Sbom

LISTED_CHANGES = 200  # findings named per kind in an upload's record and audit entry; the counts are exact


def check_may_upload(actor: Actor, deployment: Deployment) -> None:
    if not can_access_deployment(actor, deployment.organization_id):
        raise Deployment.DoesNotExist("No such deployment.")
    if not can_act_for_any_customer(actor):
        terms = entitlements_for(organization=deployment.organization)
        check_feature(terms, feature="sbom_scanning", plans=plan_refs())


def check_size(name: str, data: bytes) -> bytes:
    if not data:
        raise ValidationError({"file": f"{name} is empty."})
    if len(data) > MAX_BYTES:
        raise ValidationError({"file": f"{name} is {len(data):,} bytes; the limit is {MAX_BYTES:,}."})
    return data


def read_inventory(name: str, data: bytes) -> Inventory:
    """The file as an inventory, or a field error on `file` with one message per problem."""
    check_size(name, data)
    try:
        inventory = parse(name, data)
    except InventoryError as error:
        raise ValidationError({"file": str(error)}) from None
    _check_inventory(name, inventory)
    return inventory


def _check_inventory(name: str, inventory: Inventory) -> None:
    """Refuse an inventory that yields nothing, skips more than it reads, or is over the cap."""
    problems = refusal_reasons(name, inventory)
    if problems:
        raise ValidationError({"file": list(problems)})
    limit = settings.OSSDESK_UPLOAD_MAX_COMPONENTS
    if inventory.count > limit:
        raise ValidationError(
            {"file": f"{name}: {inventory.count:,} components; the limit is {limit:,} per inventory."}
        )


ComponentRow = tuple[str, str, str, str, str]  # ecosystem, name_key, version, purl, name


def _component_row(component: InventoryComponent) -> tuple[tuple[str, str, str], ComponentRow]:
    """A component's key as matching and the Component table know it (ecosystem, package, version), and
    its row, cut to the columns' sizes."""
    ecosystem = osv.ecosystem_base(component.ecosystem) if component.ecosystem else ""
    name_key = (
        osv.normalise_name(component.ecosystem, component.name) if component.ecosystem else component.name
    )
    version = component.version or ""
    row = (ecosystem[:40], name_key[:300], version[:200], (component.purl or "")[:1000], component.name[:300])
    return (ecosystem, name_key, version), row


def component_rows(inventory: Inventory) -> list[ComponentRow]:
    """One row per (ecosystem, package, version), the first one seen."""
    seen: set[tuple[str, str, str]] = set()
    rows = []
    for component in inventory.components:
        key, row = _component_row(component)
        if key not in seen:
            seen.add(key)
            rows.append(row)
    return rows


def changes_record(match: matching.Match) -> dict[str, Any]:
    """An upload's effect on the findings, for its record and its audit entry: exact counts, and each
    finding named (advisory, severity, package, version, why) up to LISTED_CHANGES per kind."""
    return {
        "new": match.created - match.suppressed,
        "reopened": match.reopened,
        "closed": match.closed,
        "moved": match.moved,
        "suppressed": match.suppressed,
        "new_findings": [c.as_dict() for c in match.new[:LISTED_CHANGES]],
        "reopened_findings": [c.as_dict() for c in match.reopening[:LISTED_CHANGES]],
        "closed_findings": [c.as_dict() for c in match.closing[:LISTED_CHANGES]],
    }


def _switch_inventory(sbom: Sbom, rows: list[ComponentRow] | None) -> None:
    """Make `sbom` the deployment's current inventory. `rows` are inserted here, or (None) were
    inserted beforehand, not current, by :class:`_Slices`."""
    deployment = sbom.deployment
    Sbom.objects.filter(deployment=deployment, current=True).update(current=False)
    Component.objects.filter(deployment=deployment, current=True).update(current=False)
    # A newer inventory supersedes any upload still waiting for confirmation.
    Sbom.objects.filter(deployment=deployment, state=Sbom.State.HELD).exclude(pk=sbom.pk).update(
        state=Sbom.State.DISCARDED
    )
    sbom.state, sbom.current, sbom.problems = Sbom.State.APPLIED, True, []
    sbom.save()
    if rows is None:
        Component.objects.filter(sbom=sbom).update(current=True)
    else:
        _bulk_components(sbom, rows, current=True)


def _bulk_components(sbom: Sbom, rows: Sequence[ComponentRow], *, current: bool) -> None:
    # In slices: bulk_create holds every model instance of what it is given at once.
    for start in range(0, len(rows), UPLOAD_BATCH):
        Component.objects.bulk_create(
            [
                Component(
                    sbom=sbom,
                    deployment_id=sbom.deployment_id,
                    ecosystem=ecosystem,
                    name_key=name_key,
                    version=version,
                    purl=purl,
                    name=name,
                    current=current,
                )
                for ecosystem, name_key, version, purl, name in rows[start : start + UPLOAD_BATCH]
            ]
        )


class _Slices:
    """A large upload's components as the file is read: each distinct one (by its matching key) joins a
    slice; a full slice is inserted, not current, in a short transaction of its own (other customers'
    writes go in between), and evaluated against the advisories, then dropped. Only a 16-byte digest per
    component and the advisories it matches stay in memory, never the component list."""

    __slots__ = ("count", "evaluation", "limit", "rows", "sbom", "seen")

    def __init__(self, sbom: Sbom) -> None:
        self.sbom = sbom
        self.seen: set[bytes] = set()
        self.rows: list[ComponentRow] = []
        self.count = 0
        self.limit = settings.OSSDESK_UPLOAD_MAX_COMPONENTS
        self.evaluation = matching.Evaluation(sbom.deployment_id, {})

    def take(self, component: InventoryComponent) -> None:
        key, row = _component_row(component)
        digest = distinct_key(key)
        if digest in self.seen:
            return
        self.seen.add(digest)
        self.count += 1
        if self.count > self.limit:
            return  # refused once read to the end (its count and warnings are told); nothing more to store
        self.rows.append(row)
        if len(self.rows) >= UPLOAD_BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        with transaction.atomic():
            _bulk_components(self.sbom, self.rows, current=False)
        batch_committed.send(sender=Sbom, sbom=self.sbom, done=min(self.count, self.limit))
        matching.evaluate_more(self.evaluation, self.rows)
        self.rows = []


def drop_components(sbom: Sbom) -> None:
    """Delete an upload's components, a slice per transaction (a retry, a refusal or a hold)."""
    while ids := list(Component.objects.filter(sbom=sbom).values_list("pk", flat=True)[:UPLOAD_BATCH]):
        Component.objects.filter(pk__in=ids).delete()


def stream_upload(actor: Actor, sbom: Sbom) -> tuple[Inventory, _Slices]:
    """Read a received upload into its components (inserted, not current) and its evaluation; refused
    as :func:`read_inventory` refuses (ValidationError), with nothing left behind."""
    check_may_upload(actor, sbom.deployment)
    drop_components(sbom)  # a retry after a crash starts clean
    slices = _Slices(sbom)

    def read() -> bytes:
        with sbom.file.open("rb") as handle:
            return check_size(sbom.filename, handle.read())

    try:
        try:
            inventory = stream(sbom.filename, read, slices.take)
        except InventoryError as error:
            raise ValidationError({"file": str(error)}) from None
        slices.flush()
        _check_inventory(sbom.filename, inventory)
    except ValidationError:
        drop_components(sbom)
        raise
    return inventory, slices


def apply_upload(
    actor: Actor,
    sbom: Sbom,
    rows: list[ComponentRow] | None,
    *,
    evaluated: matching.Evaluation | None = None,
) -> matching.Match:
    """Make the upload the deployment's inventory, match it (with the evaluation already made, when
    given), and audit what it opened and closed, and why. `rows` None: its components were inserted
    beforehand (:class:`_Slices`) and `sbom.component_count` counts them."""
    deployment = sbom.deployment
    now = timezone.now()
    if rows is not None:
        sbom.component_count = len(rows)
    _switch_inventory(sbom, rows)
    if evaluated is None:
        result = matching.match_deployments([deployment.pk], now=now)
    else:
        result = matching.apply_inventory(evaluated, now=now)
    sbom.changes = changes_record(result)
    sbom.save(update_fields=["changes", "confirmed"])
    audit_record(
        actor=actor,
        action="action",
        instance=sbom,
        after={
            "did": "upload",
            "filename": sbom.filename,
            "format": sbom.format,
            "components": sbom.component_count,
            "sha256": sbom.sha256,
            "confirmed": sbom.confirmed,
            "findings_created": result.created,
            "findings_reopened": result.reopened,
            "findings_closed": result.closed,
            "closed": sbom.changes["closed_findings"],
            "reopened": sbom.changes["reopened_findings"],
        },
        organization_id=deployment.organization_id,
    )
    return result


UPLOAD_BATCH = 5000
batch_committed = Signal()  # after each slice of a large upload's components commits (tests observe it)
