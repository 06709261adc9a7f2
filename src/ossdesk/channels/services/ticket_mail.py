"""Mailing a ticket's contact about its events: the acknowledgement of a new ticket, a public reply from
support, "waiting on you", "solved" (with the survey)."""

from __future__ import annotations

from datetime import datetime

from ossdesk.accounts.actor import shown_name
from ossdesk.channels.models import Delivery, DigestEntry, MailKind, OutboundEmail
from ossdesk.channels.services.outbox import digest_entry_add, outbox_add
from ossdesk.channels.services.preferences import PreferenceCache
from ossdesk.channels.services.rendering import mail_link, render_mail
from ossdesk.channels.threading import ticket_event_message_id, ticket_message_id
from ossdesk.surveys.services import survey_mail_context
from ossdesk.tickets.commitments import first_response
from ossdesk.tickets.models import Status, TicketEvent


def event_mail_kind(event: TicketEvent) -> MailKind | None:
    """Which customer mail a ticket event makes, if any."""
    if event.kind == TicketEvent.Kind.OPENED:
        return MailKind.TICKET_CREATED
    if event.kind == TicketEvent.Kind.VENDOR_REPLY and event.message_id is not None:
        return MailKind.TICKET_REPLY
    if event.kind == TicketEvent.Kind.STATUS and event.value == Status.WAITING_ON_CUSTOMER:
        return MailKind.TICKET_WAITING
    if event.kind == TicketEvent.Kind.STATUS and event.value == Status.SOLVED:
        return MailKind.TICKET_SOLVED
    return None


def ticket_mail_for_event(
    event: TicketEvent, *, now: datetime | None = None, preferences: PreferenceCache | None = None
) -> OutboundEmail | DigestEntry | None:
    """Mail the ticket's contact about an event: the acknowledgement of a new ticket, a public reply
    from support, "waiting on you", "solved". Once per event and address, whoever calls it."""
    kind = event_mail_kind(event)
    if kind is None:
        return None
    ticket = event.ticket
    contact = ticket.contact
    if contact is None or not contact.is_active or not contact.email:
        return None
    message = event.message
    if kind == MailKind.TICKET_REPLY and (message is None or not message.is_public or message.from_customer):
        return None
    recipient = contact.email
    user = contact.user if contact.user is not None and contact.user.is_active else None
    if OutboundEmail.objects.filter(ticket_event=event, recipient=recipient).exists():
        return None
    delivery = (preferences or PreferenceCache()).delivery(user, kind)
    if delivery == Delivery.OFF:
        return None
    author = shown_name(message.author, message.author_label) if message is not None else ""
    if delivery == Delivery.DIGEST and user is not None:
        rendered = render_mail(kind, {"ticket": ticket, "event": event, "message": message, "author": author})
        return digest_entry_add(
            user=user,
            kind=kind,
            subject=rendered.subject,
            body=message.body[:2000] if message is not None else "",
            url=f"/tickets/{ticket.pk}/",
            ticket=ticket,
            ticket_event=event,
        )
    context = {
        "ticket": ticket,
        "event": event,
        "message": message,
        "author": author,
        "contact": contact,
        "recipient_name": contact.name,
        "link": mail_link(f"/tickets/{ticket.pk}/"),
        "reason": (event.data or {}).get("reason", ""),
    }
    if kind == MailKind.TICKET_CREATED:
        context["first_response"] = first_response(ticket)
        context["origin"] = (event.data or {}).get("origin", "")
    if kind == MailKind.TICKET_SOLVED:
        context.update(survey_mail_context(ticket=ticket, event=event))
    if kind == MailKind.TICKET_CREATED:
        message_id = ticket_message_id(ticket)  # the acknowledgement is the thread's root
    elif kind == MailKind.TICKET_REPLY and message is not None:
        message_id = ticket_message_id(ticket, message)
    else:
        message_id = ticket_event_message_id(ticket, event)
    # A ticket that came in by e-mail: the acknowledgement answers the customer's own message.
    in_reply_to = str((event.data or {}).get("message_id", "")) if kind == MailKind.TICKET_CREATED else ""
    return outbox_add(
        kind=kind,
        recipient=recipient,
        user=user,
        rendered=render_mail(kind, context),
        message_id=message_id,
        ticket=ticket,
        ticket_event=event,
        in_reply_to=in_reply_to,
        now=now,
    )
