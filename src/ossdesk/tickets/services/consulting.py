"""Consulting hours: engagements, time logged against them and the balance left."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from ossdesk.accounts.access import can_work_tickets, require
from ossdesk.accounts.actor import Actor
from ossdesk.accounts.models import User
from ossdesk.audit.services import audit_record, snapshot
from ossdesk.customers.models import Organization
from ossdesk.domain.entitlements import EntitlementDenied
from ossdesk.plans.models import Agreement
from ossdesk.plans.selectors import entitlements_for
from ossdesk.tickets.models import ConsultingEngagement, Ticket, TimeEntry
from ossdesk.tickets.services.tickets import record_event

# -- consulting hours --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConsultingBalance:
    bank_hours: Decimal
    used_hours: Decimal

    @property
    def remaining_hours(self) -> Decimal:
        return self.bank_hours - self.used_hours


@transaction.atomic
def engagement_create(
    *, actor: Actor, organization: Organization, title: str, description: str = ""
) -> ConsultingEngagement:
    require(can_work_tickets(actor), "Only the vendor's staff may open consulting engagements.")
    if not title.strip():
        raise ValidationError({"title": "Give the engagement a title."})
    agreement = entitlements_for(organization=organization).agreement
    engagement = ConsultingEngagement.objects.create(
        organization=organization,
        agreement_id=agreement.id if agreement else None,
        title=title.strip(),
        description=description,
    )
    audit_record(
        actor=actor,
        action="create",
        instance=engagement,
        after=snapshot(engagement),
        organization_id=organization.pk,
    )
    return engagement


@transaction.atomic
def time_log(
    *,
    actor: Actor,
    minutes: int,
    ticket: Ticket | None = None,
    engagement: ConsultingEngagement | None = None,
    consulting: bool = False,
    note: str = "",
    work_date: date | None = None,
) -> TimeEntry:
    """Log time on a ticket or an engagement; consulting time draws on the agreement's hour bank."""
    require(can_work_tickets(actor), "Only the vendor's staff may log time.")
    if (ticket is None) == (engagement is None):
        raise ValidationError({"ticket": "Log time on exactly one ticket or engagement."})
    if minutes <= 0 or minutes > 24 * 60:
        raise ValidationError({"minutes": "Between 1 minute and 24 hours."})
    organization = ticket.organization if ticket else engagement.organization  # type: ignore[union-attr]
    consulting = consulting or engagement is not None
    agreement_id = None
    if consulting:
        agreement = entitlements_for(organization=organization).agreement
        if agreement is None:
            raise EntitlementDenied(
                f"{organization.name} has no agreement with a consulting-hour bank.",
                code="consulting_hours",
                allowed_by="Enterprise",
            )
        agreement_id = agreement.id
        balance = consulting_balance(organization=organization)
        if Decimal(minutes) / 60 > balance.remaining_hours:
            raise EntitlementDenied(
                f"{organization.name} has {balance.remaining_hours:.2f} consulting hours left in its bank; "
                f"{minutes / 60:.2f} were asked for.",
                code="consulting_hours",
                plan_hint=False,
            )
    user = User.objects.get(pk=actor.user_id) if actor.user_id else None
    if user is None:
        raise ValidationError({"user": "Time is logged by a person."})
    entry = TimeEntry.objects.create(
        organization=organization,
        ticket=ticket,
        engagement=engagement,
        agreement_id=agreement_id,
        user=user,
        minutes=minutes,
        consulting=consulting,
        note=note,
        work_date=work_date or timezone.localdate(),
    )
    if ticket is not None:
        record_event(
            ticket, actor, "time_logged", str(minutes), data={"consulting": consulting, "note": note}
        )
    audit_record(
        actor=actor, action="create", instance=entry, after=snapshot(entry), organization_id=organization.pk
    )
    return entry


def consulting_balance(*, organization: Organization) -> ConsultingBalance:
    """Hours in the current agreement's bank and hours drawn from it."""
    agreement = entitlements_for(organization=organization).agreement
    if agreement is None:
        return ConsultingBalance(Decimal(0), Decimal(0))
    bank = Agreement.objects.get(pk=agreement.id).consulting_hours_bank
    used = (
        TimeEntry.objects.filter(agreement_id=agreement.id, consulting=True).aggregate(m=Sum("minutes"))["m"]
        or 0
    )
    return ConsultingBalance(Decimal(bank), (Decimal(used) / 60).quantize(Decimal("0.01")))
