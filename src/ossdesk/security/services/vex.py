"""VEX statements: recorded, imported and exported, and applied to the findings they cover."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ossdesk.accounts.access import can_access_deployment, can_record_vex, require
from ossdesk.accounts.actor import Actor
from ossdesk.audit.services import audit_record, snapshot
from ossdesk.customers.models import Deployment, Organization
from ossdesk.domain import vex as vexdoc
from ossdesk.security import matching
from ossdesk.security.models import AdvisoryAlias, Finding, VexStatement


def _apply_statement(statement: VexStatement, actor: Actor) -> int:
    """Apply a new statement to the findings it covers; returns how many changed."""
    advisory_ids = set(
        AdvisoryAlias.objects.filter(alias=statement.vulnerability.upper()).values_list(
            "advisory_id", flat=True
        )
    )
    findings = Finding.objects.filter(advisory_id__in=advisory_ids)
    if statement.organization_id:
        findings = findings.filter(organization_id=statement.organization_id)
    if statement.deployment_id:
        findings = findings.filter(deployment_id=statement.deployment_id)
    target = matching.VEX_TO_STATUS[statement.status]
    changed = 0
    for finding in findings.select_for_update():
        if not matching.purl_covers(statement.product, finding.purl):
            continue
        if finding.status == target and finding.status_reason == matching.vex_reason(statement):
            continue
        if finding.status == Finding.Status.RISK_ACCEPTED and target == Finding.Status.OPEN:
            continue
        before = snapshot(finding)
        finding.status = target
        finding.status_reason = matching.vex_reason(statement)
        finding.resolved_at = None if target == Finding.Status.OPEN else statement.created_at
        finding.save()
        audit_record(
            actor=actor,
            action="update",
            instance=finding,
            before=before,
            after=snapshot(finding),
            organization_id=finding.organization_id,
        )
        changed += 1
    return changed


@transaction.atomic
def vex_record(
    *,
    actor: Actor,
    vulnerability: str,
    product: str,
    status: str,
    justification: str = "",
    impact_statement: str = "",
    action_statement: str = "",
    organization: Organization | None = None,
    deployment: Deployment | None = None,
    source: str = "manual",
) -> tuple[VexStatement, int]:
    """Record a VEX statement (analyst: any scope; customer: own organisation) and apply it to findings."""
    require(
        can_record_vex(actor),
        "Only security analysts, engineers and customers may record VEX statements.",
    )
    if actor.is_customer and (organization is None or organization.pk != actor.organization_id):
        # A customer speaks for their own organisation only, whatever scope they asked for.
        organization = Organization.objects.get(pk=actor.organization_id or 0)
    if deployment is not None:
        if organization is not None and deployment.organization_id != organization.pk:
            raise ValidationError({"deployment": "That deployment belongs to another organisation."})
        if not can_access_deployment(actor, deployment.organization_id):
            raise Deployment.DoesNotExist("No such deployment.")
        organization = deployment.organization
    errors: dict[str, str] = {}
    vulnerability = vulnerability.strip().upper()
    product = product.strip()
    if not vulnerability:
        errors["vulnerability"] = "Name the vulnerability (CVE, GHSA or advisory id)."
    if not product.startswith("pkg:"):
        errors["product"] = "Give the product as a purl, e.g. pkg:pypi/django or pkg:pypi/django@4.2.1."
    if status not in vexdoc.STATUSES:
        errors["status"] = f"{status!r} is not one of {', '.join(vexdoc.STATUSES)}."
    if (
        status == "not_affected"
        and justification not in vexdoc.JUSTIFICATIONS
        and not impact_statement.strip()
    ):
        errors["justification"] = (
            "A not-affected statement needs a justification ("
            + ", ".join(vexdoc.JUSTIFICATIONS)
            + ") or an impact statement."
        )
    if status == "affected" and not action_statement.strip():
        errors["action_statement"] = "Say what to do about it (upgrade, apply a patch, a workaround)."
    if justification and status != "not_affected":
        errors["justification"] = "A justification only goes with not_affected."
    elif justification and justification not in vexdoc.JUSTIFICATIONS:
        errors["justification"] = f"{justification!r} is not one of {', '.join(vexdoc.JUSTIFICATIONS)}."
    if errors:
        raise ValidationError(errors)
    statement = VexStatement.objects.create(
        organization=organization,
        deployment=deployment,
        vulnerability=vulnerability,
        product=product,
        status=status,
        justification=justification,
        impact_statement=impact_statement.strip(),
        action_statement=action_statement.strip(),
        source=source[:200],
        author=actor.user,
        author_label=actor.label,
        created_at=timezone.now(),
    )
    changed = _apply_statement(statement, actor)
    audit_record(
        actor=actor,
        action="create",
        instance=statement,
        after=snapshot(statement),
        organization_id=organization.pk if organization else None,
    )
    return statement, changed


@transaction.atomic
def vex_import(
    *,
    actor: Actor,
    data: bytes,
    filename: str,
    organization: Organization | None = None,
    deployment: Deployment | None = None,
) -> tuple[list[VexStatement], int]:
    """Import an OpenVEX or CycloneDX VEX document: every statement, or none when one is invalid."""
    try:
        statements = vexdoc.parse_vex(data, filename)
    except vexdoc.VexError as error:
        raise ValidationError({"file": str(error)}) from None
    created: list[VexStatement] = []
    changed = 0
    for number, statement in enumerate(statements, start=1):
        if not statement.products:
            raise ValidationError(
                {"file": f"{filename}: statement {number} ({statement.vulnerability}) names no product"}
            )
        for product in statement.products:
            try:
                row, moved = vex_record(
                    actor=actor,
                    vulnerability=statement.vulnerability,
                    product=product,
                    status=statement.status,
                    justification=statement.justification or "",
                    impact_statement=statement.impact_statement or "",
                    action_statement=statement.action_statement or "",
                    organization=organization,
                    deployment=deployment,
                    source=f"import:{PurePath(filename).name}",
                )
            except ValidationError as error:
                messages = "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
                raise ValidationError({"file": f"{filename}: statement {number}: {messages}"}) from None
            created.append(row)
            changed += moved
    return created, changed


def vex_statements_export(statements: Sequence[VexStatement]) -> list[vexdoc.Statement]:
    return [
        vexdoc.Statement(
            vulnerability=s.vulnerability,
            products=(s.product,),
            status=s.status,
            justification=s.justification or None,
            impact_statement=s.impact_statement or None,
            action_statement=s.action_statement or None,
            timestamp=s.created_at,
        )
        for s in statements
    ]
