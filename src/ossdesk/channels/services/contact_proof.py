"""Mailing the link that proves a newly added contact's address."""

from __future__ import annotations

from django.urls import reverse

from ossdesk.channels.models import MailKind, OutboundEmail
from ossdesk.channels.services.outbox import outbox_add
from ossdesk.channels.services.rendering import mail_link, render_mail
from ossdesk.channels.threading import standalone_message_id
from ossdesk.customers.models import Contact
from ossdesk.customers.proof import PROOF_TTL


def contact_proof_mail_enqueue(*, contact: Contact, token: str) -> OutboundEmail | None:
    """Mail the link that proves a newly added contact's address (customers/services.py asks for it)."""
    rendered = render_mail(
        MailKind.CONTACT_PROOF,
        {
            "recipient_name": contact.name,
            "organization": contact.organization.name,
            "link": mail_link(reverse("web:contact-proof", args=[token])),
            "days": PROOF_TTL.days,
        },
    )
    return outbox_add(
        kind=MailKind.CONTACT_PROOF,
        recipient=contact.email,
        user=None,
        rendered=rendered,
        message_id=standalone_message_id(f"contact-proof.{contact.pk}"),
    )
