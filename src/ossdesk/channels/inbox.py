"""The staff's inbox: mail that did not become a ticket (held, refused, quarantined, failed), processed
again, assigned to a contact, or put aside."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from ossdesk.accounts.access import can_manage_mailboxes, require
from ossdesk.accounts.actor import Actor
from ossdesk.audit.services import audit_record
from ossdesk.channels.intake import Inbound, inbound_process
from ossdesk.channels.models import InboundMessage
from ossdesk.customers.models import Contact

# Staff may run these again (after fixing a subscription, a contact, or a bug).
RETRYABLE = frozenset({Inbound.HELD, Inbound.QUARANTINED, Inbound.FAILED, Inbound.REFUSED})
DISCARDABLE = frozenset({Inbound.HELD, Inbound.QUARANTINED, Inbound.FAILED})


STAFF_ONLY = "The mail inbox is for the vendor's staff."


def _reopen(actor: Actor, inbound: InboundMessage, allowed: frozenset[str], **changes: Any) -> None:
    if inbound.status not in allowed:
        raise ValidationError(
            {"status": f"This mail is {inbound.get_status_display().lower()}; it cannot be processed again."}
        )
    before = {"status": inbound.status, "error": inbound.error[:500], "contact": inbound.contact_id}
    updated = InboundMessage.objects.filter(pk=inbound.pk, status=inbound.status).update(
        status=Inbound.RECEIVED, **changes
    )
    if not updated:
        raise ValidationError({"status": "The mail changed meanwhile; reload the inbox."})
    audit_record(
        actor=actor,
        action="action",
        instance=inbound,
        before=before,
        after={"status": Inbound.RECEIVED, "contact": changes.get("contact_id", inbound.contact_id)},
    )


@transaction.atomic
def inbound_retry(*, actor: Actor, inbound: InboundMessage) -> InboundMessage:
    """Process a held, refused, quarantined or failed mail again (after a fix), now."""
    require(can_manage_mailboxes(actor), STAFF_ONLY)
    _reopen(actor, inbound, RETRYABLE)
    return inbound_process(inbound_id=inbound.pk)


@transaction.atomic
def inbound_assign(*, actor: Actor, inbound: InboundMessage, contact: Contact) -> InboundMessage:
    """A held mail is from this contact: process it as theirs (a reply, or a new ticket with the
    entitlement checks of the contact's customer)."""
    require(can_manage_mailboxes(actor), STAFF_ONLY)
    if not contact.is_active:
        raise ValidationError({"contact": f"{contact.name} is deactivated."})
    _reopen(actor, inbound, frozenset({Inbound.HELD, Inbound.REFUSED}), contact_id=contact.pk)
    return inbound_process(inbound_id=inbound.pk)


@transaction.atomic
def inbound_discard(*, actor: Actor, inbound: InboundMessage) -> InboundMessage:
    """Put a held, quarantined or failed mail aside; it stays stored, marked discarded."""
    require(can_manage_mailboxes(actor), STAFF_ONLY)
    if inbound.status not in DISCARDABLE:
        raise ValidationError({"status": f"This mail is {inbound.get_status_display().lower()}."})
    before = {"status": inbound.status}
    updated = InboundMessage.objects.filter(pk=inbound.pk, status=inbound.status).update(
        status=Inbound.DISCARDED
    )
    if not updated:
        raise ValidationError({"status": "The mail changed meanwhile; reload the inbox."})
    inbound.status = Inbound.DISCARDED
    audit_record(
        actor=actor, action="update", instance=inbound, before=before, after={"status": inbound.status}
    )
    return inbound
