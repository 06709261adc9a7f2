"""Notices to customers of new findings, with their in-app notifications, webhooks and the security
ticket of an Enterprise customer's critical finding; acknowledged by the customer."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ossdesk.accounts.access import can_access_deployment
from ossdesk.accounts.actor import Actor
from ossdesk.accounts.models import User
from ossdesk.audit.services import audit_record
from ossdesk.customers.models import Contact, Deployment, Organization
from ossdesk.domain.entitlements import EntitlementDenied
from ossdesk.notify import Event, NotificationKind, notify
from ossdesk.plans.selectors import entitlements_for
from ossdesk.security.models import SEVERITY_ORDER, Advisory, Finding, Notice
from ossdesk.security.payloads import advisory_payload
from ossdesk.security.services.bulk import BATCH
from ossdesk.tickets.models import Channel
from ossdesk.tickets.services import ticket_create
from ossdesk.webhooks.services import listening


@dataclass(frozen=True)
class _NewFinding:
    advisory_id: int
    organization_id: int
    severity: str
    deployment_id: int
    deployment: str
    name: str
    version: str
    fixed_versions: list[str]
    due_at: datetime | None


def _recipients(organization_ids: Iterable[int]) -> dict[int, list[User]]:
    """Each organisation's contacts who sign in, and its account manager."""
    ids = list(organization_ids)
    found: dict[int, list[User]] = defaultdict(list)
    contacts = Contact.objects.filter(organization_id__in=ids, is_active=True, user__isnull=False)
    for contact in contacts.select_related("user"):
        if contact.user is not None:
            found[contact.organization_id].append(contact.user)
    for organization in Organization.objects.filter(pk__in=ids, account_manager__isnull=False).select_related(
        "account_manager"
    ):
        if organization.account_manager is not None:
            found[organization.pk].append(organization.account_manager)
    return {org: [u for u in dict.fromkeys(users) if u.is_active] for org, users in found.items()}


def notices_send(finding_ids: Sequence[int]) -> int:
    """Tell each customer with new open findings, per advisory, once; open a security ticket for an
    Enterprise customer with a critical finding. Returns how many notices were created or updated."""
    if not finding_ids:
        return 0
    groups: dict[tuple[int, int], list[_NewFinding]] = defaultdict(list)
    for start in range(0, len(finding_ids), BATCH):
        rows = Finding.objects.filter(
            pk__in=finding_ids[start : start + BATCH], status=Finding.Status.OPEN
        ).values_list(
            "advisory_id",
            "organization_id",
            "severity",
            "deployment_id",
            "deployment__name",
            "name",
            "version",
            "fixed_versions",
            "due_at",
        )
        for row in rows:
            finding = _NewFinding(*row)
            groups[(finding.advisory_id, finding.organization_id)].append(finding)
    organizations = Organization.objects.in_bulk({org for _, org in groups})
    advisories = Advisory.objects.only("id", "osv_id", "source", "summary").in_bulk({a for a, _ in groups})
    recipients = _recipients(organizations)
    # An advisory reaching a customer is an advisory.published event for that customer's endpoints.
    advisory_listened = listening("advisory.published")
    advisories_full = (
        Advisory.objects.defer("record", "details").in_bulk({a for a, _ in groups})
        if advisory_listened
        else {}
    )
    count = 0
    for (advisory_id, org_id), findings in groups.items():
        organization = organizations[org_id]
        advisory = advisories[advisory_id]
        severity = min((f.severity for f in findings), key=lambda s: SEVERITY_ORDER.get(s, 9))
        deployments = sorted({f.deployment for f in findings})
        notice, created = Notice.objects.get_or_create(
            advisory_id=advisory_id,
            organization=organization,
            defaults={
                "severity": severity,
                "deployments": deployments,
                "findings": len(findings),
                "created_at": timezone.now(),
            },
        )
        if not created:
            notice.deployments = sorted(set(notice.deployments) | set(deployments))
            notice.findings += len(findings)
            if SEVERITY_ORDER.get(severity, 9) < SEVERITY_ORDER.get(notice.severity, 9):
                notice.severity = severity
            notice.acknowledged_at = None
            notice.acknowledged_by = None
        subject = f"{advisory.public_id} ({severity}) affects {', '.join(deployments[:3])}" + (
            f" and {len(deployments) - 3} more" if len(deployments) > 3 else ""
        )
        notify(
            kind=NotificationKind.SECURITY_NOTICE,
            recipients=recipients.get(org_id, ()),
            subject=subject[:200],
            body=advisory.summary,
            url=f"/security/notices/{notice.pk}/",
            event=Event("advisory.published", advisory_payload(advisories_full[advisory_id]), org_id)
            if advisory_listened
            else None,
        )
        if severity == "critical" and notice.ticket_id is None:
            _security_ticket(
                notice, organization, advisory, [f for f in findings if f.severity == "critical"]
            )
        notice.save()
        count += 1
    return count


def _security_ticket(
    notice: Notice, organization: Organization, advisory: Advisory, findings: list[_NewFinding]
) -> None:
    entitlements = entitlements_for(organization=organization)
    if entitlements.plan.code != "enterprise":
        return
    deployment = Deployment.objects.select_related("product").get(pk=findings[0].deployment_id)
    contact = (
        Contact.objects.filter(organization=organization, is_active=True, is_named=True)
        .order_by("-reachable_24x7", "-role", "pk")
        .first()
    )
    lines = [
        f"- {f.deployment}: {f.name} {f.version} (fixed in {', '.join(f.fixed_versions) or 'no fix yet'})"
        for f in findings[:50]
    ]
    if len(findings) > 50:
        lines.append(f"- … and {len(findings) - 50} more")
    due = min((f.due_at for f in findings if f.due_at), default=None)
    advisory_id = advisory.public_id
    body = (
        f"{advisory_id}: {advisory.summary}\n\nCritical finding in your portfolio. Affected:\n"
        + "\n".join(lines)
        + (f"\n\nRemediation due {due:%Y-%m-%d %H:%M} UTC." if due else "")
    )
    try:
        ticket = ticket_create(
            actor=Actor.system("security notices", name=Channel.SECURITY.label),
            organization=organization,
            product=deployment.product,
            subject=f"Security: {advisory_id} affects {deployment.name}"[:250],
            body=body,
            severity="S2",
            channel=Channel.SECURITY,
            origin=f"advisory {advisory_id}",
            contact=contact,  # whom the vendor reaches about it; nobody at the customer raised it
            deployment=deployment,
            tags=["security", advisory_id.lower()],
        )
    except (EntitlementDenied, ValidationError) as error:
        notice.ticket_error = str(error)[:500]
        return
    notice.ticket = ticket


@transaction.atomic
def notice_acknowledge(*, actor: Actor, notice: Notice) -> Notice:
    if not can_access_deployment(actor, notice.organization_id):
        raise Notice.DoesNotExist("No such notice.")
    if notice.acknowledged_at is None:
        notice.acknowledged_at = timezone.now()
        notice.acknowledged_by = actor.user
        notice.save(update_fields=["acknowledged_at", "acknowledged_by"])
        audit_record(
            actor=actor,
            action="action",
            instance=notice,
            after={"did": "acknowledge", "acknowledged_at": notice.acknowledged_at.isoformat()},
            organization_id=notice.organization_id,
        )
    return notice
