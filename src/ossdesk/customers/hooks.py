"""What customers' changes ask of the apps built on them, and what customers ask them (ossdesk.hooks says
how hooks and questions work)."""

from __future__ import annotations

from datetime import datetime

from ossdesk.customers.models import Contact, Organization
from ossdesk.domain.entitlements import Entitlements, PlanRef
from ossdesk.hooks import hook, question


@hook(handled_by=("ossdesk.tickets",))
def reachability_changed(*, organization: Organization) -> None:
    """A contact reachable 24/7 was added, changed or removed: open S1 tickets' clocks depend on one
    being on record."""


@hook(handled_by=("ossdesk.channels",))
def contact_proof_requested(*, contact: Contact, token: str) -> None:
    """A customer added a contact: mail its address the link that proves it (`token`), queued in the
    same transaction as the contact."""


@question(answered_by="ossdesk.plans")
def entitlements_for(*, organization: Organization, at: datetime | None = None) -> Entitlements:  # type: ignore[empty-body]
    """The organisation's entitlements in force at `at` (now by default): its contact and deployment
    limits come from them."""


@question(answered_by="ossdesk.plans")
def plan_refs() -> list[PlanRef]:  # type: ignore[empty-body]
    """Every plan, to name the cheapest one that would allow what a limit refuses."""
