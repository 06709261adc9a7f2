"""Storing a mail in the outbox, and a notice in a person's digest: both at most once, by unique keys.

Nothing is lost: a mail is stored in the outbox before any attempt to send it, and every failure stays
on its row, visible and retryable.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from ossdesk.accounts.actor import Actor
from ossdesk.accounts.models import Notification, User
from ossdesk.audit.services import audit_record
from ossdesk.channels.models import DigestEntry, OutboundEmail
from ossdesk.channels.services.rendering import RenderedMail
from ossdesk.channels.threading import thread_headers, ticket_message_id
from ossdesk.tickets.models import Ticket, TicketEvent

MAILER = Actor.system("mail")
AUTO_HEADERS = {"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"}


def _previous_message_id(ticket: Ticket, recipient: str) -> str | None:
    return (
        OutboundEmail.objects.filter(ticket=ticket, recipient=recipient)
        .order_by("-pk")
        .values_list("message_id", flat=True)
        .first()
    )


def outbox_add(
    *,
    kind: str,
    recipient: str,
    user: User | None,
    rendered: RenderedMail,
    message_id: str,
    ticket: Ticket | None = None,
    ticket_event: TicketEvent | None = None,
    notification: Notification | None = None,
    digest_for: date | None = None,
    in_reply_to: str = "",
    references: str = "",
    now: datetime | None = None,
) -> OutboundEmail | None:
    """Store one mail in the outbox (None if its unique key says it is there already)."""
    if ticket is not None:
        root = ticket_message_id(ticket)
        previous = in_reply_to or _previous_message_id(ticket, recipient)
        in_reply_to, references = thread_headers(root, previous, message_id)
    headers = dict(AUTO_HEADERS)
    if ticket is not None:
        headers["X-Ossdesk-Ticket"] = str(ticket.pk)
    try:
        with transaction.atomic():
            email = OutboundEmail.objects.create(
                kind=kind,
                recipient=recipient,
                user=user,
                subject=rendered.subject,
                body_text=rendered.text,
                body_html=rendered.html,
                message_id=message_id,
                in_reply_to=in_reply_to,
                references=references,
                headers=headers,
                ticket=ticket,
                ticket_event=ticket_event,
                notification=notification,
                digest_for=digest_for,
                next_attempt_at=now or timezone.now(),
            )
            audit_record(
                actor=MAILER,
                action="create",
                instance=email,
                after={
                    "kind": kind,
                    "recipient": recipient,
                    "subject": email.subject,
                    "ticket": ticket.pk if ticket else None,
                    "notification": notification.pk if notification else None,
                    "event": ticket_event.pk if ticket_event else None,
                },
                organization_id=ticket.organization_id if ticket else None,
            )
    except IntegrityError:
        return None  # queued before (a second sweep, a second worker)
    return email


def digest_entry_add(**fields: Any) -> DigestEntry | None:
    """Put a notice in a person's digest (None if it is there already)."""
    try:
        with transaction.atomic():
            return DigestEntry.objects.create(**fields)
    except IntegrityError:
        return None
