"""A finding's status, set by an analyst or a customer, and risk acceptances that run out."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ossdesk.accounts.access import can_access_deployment
from ossdesk.accounts.actor import Actor
from ossdesk.audit.services import audit_record, snapshot
from ossdesk.security.models import Finding


@transaction.atomic
def finding_set_status(
    *, actor: Actor, finding: Finding, status: str, reason: str = "", until: date | None = None
) -> Finding:
    """Mark a finding fixed, not affected, risk accepted (until a date) or open again."""
    if not can_access_deployment(actor, finding.organization_id):
        raise Finding.DoesNotExist("No such finding.")
    if status not in Finding.Status.values:
        raise ValidationError({"status": f"{status!r} is not one of {', '.join(Finding.Status.values)}."})
    errors = {}
    if status in (Finding.Status.NOT_AFFECTED, Finding.Status.RISK_ACCEPTED) and not reason.strip():
        errors["reason"] = "Say why: the next auditor will ask."
    if status == Finding.Status.RISK_ACCEPTED:
        if until is None:
            errors["until"] = "A risk is accepted until a date; after it the finding opens again."
        elif until <= timezone.localdate():
            errors["until"] = "The date must be in the future."
    if errors:
        raise ValidationError(errors)
    return _set_status(
        actor, finding, status, reason.strip(), until if status == Finding.Status.RISK_ACCEPTED else None
    )


def _set_status(actor: Actor, finding: Finding, status: str, reason: str, until: date | None) -> Finding:
    """Change a finding's status (resolved when it leaves the open states) and audit the change."""
    before = snapshot(finding)
    finding.status = status
    finding.status_reason = reason
    finding.risk_accepted_until = until
    finding.resolved_at = (
        None if status in (Finding.Status.OPEN, Finding.Status.RISK_ACCEPTED) else timezone.now()
    )
    finding.save()
    audit_record(
        actor=actor,
        action="update",
        instance=finding,
        before=before,
        after=snapshot(finding),
        organization_id=finding.organization_id,
    )
    return finding


def risk_acceptances_expire(*, today: date | None = None) -> int:
    """Reopen findings whose risk acceptance has run out (a periodic task)."""
    today = today or timezone.localdate()
    expired = list(Finding.objects.filter(status=Finding.Status.RISK_ACCEPTED, risk_accepted_until__lt=today))
    actor = Actor.system("risk acceptance expiry")
    for finding in expired:
        with transaction.atomic():
            reason = f"risk acceptance expired on {finding.risk_accepted_until}"
            _set_status(actor, finding, Finding.Status.OPEN, reason, None)
    return len(expired)
