"""What customers' changes ask of the apps built on them (ossdesk.hooks says how hooks work)."""

from __future__ import annotations

from ossdesk.customers.models import Contact, Organization
from ossdesk.hooks import hook


@hook(handled_by=("ossdesk.tickets",))
def reachability_changed(*, organization: Organization) -> None:
    """A contact reachable 24/7 was added, changed or removed: open S1 tickets' clocks depend on one
    being on record."""


@hook(handled_by=("ossdesk.channels",))
def contact_proof_requested(*, contact: Contact, token: str) -> None:
    """A customer added a contact: mail its address the link that proves it (`token`), queued in the
    same transaction as the contact."""
