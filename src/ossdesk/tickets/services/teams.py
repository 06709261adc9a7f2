"""Teams that tickets are routed to."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction

from ossdesk.accounts.access import can_manage_catalogue, require
from ossdesk.accounts.actor import Actor
from ossdesk.accounts.models import User
from ossdesk.audit.services import audit_record, snapshot
from ossdesk.products.models import Product
from ossdesk.tickets.models import Calendar, Team


@transaction.atomic
def team_create(
    *,
    actor: Actor,
    name: str,
    products: Sequence[Product] = (),
    severities: Sequence[str] = (),
    members: Sequence[User] = (),
    lead: User | None = None,
    calendar: Calendar | None = None,
    assignment: str = Team.Assignment.LEAST_LOADED,
    is_default: bool = False,
) -> Team:
    """A team of engineers with product skills, a calendar and an assignment rule."""
    require(can_manage_catalogue(actor), "Only admins change teams.")
    bad = [s for s in severities if s not in {"S1", "S2", "S3", "S4"}]
    if bad:
        raise ValidationError({"severities": f"Unknown severities: {', '.join(bad)}."})
    outsiders = [str(m) for m in [*members, *([lead] if lead else [])] if not m.is_vendor_staff]
    if outsiders:
        raise ValidationError({"members": f"Not on the vendor's staff: {', '.join(outsiders)}."})
    team = Team.objects.create(
        name=name,
        severities=list(severities),
        lead=lead,
        calendar=calendar,
        assignment=assignment,
        is_default=is_default,
    )
    team.products.set(products)
    team.members.set(members)
    audit_record(actor=actor, action="create", instance=team, after=snapshot(team))
    return team
