"""Builders for the helpdesk tests: a ticket with a public reply and an internal note, each with a file."""

from __future__ import annotations

from typing import Any

from ossdesk.accounts.actor import actor_for
from ossdesk.accounts.models import User
from ossdesk.tickets import services
from ossdesk.tickets.models import Attachment, Ticket
from ossdesk.tickets.services import Upload

Desk = dict[str, Any]


def make_ticket_with_thread(
    organization: Any, contact: Any, product: Any, engineer: User, key: str
) -> dict[str, Any]:
    name = organization.name
    ticket = services.ticket_create(
        actor=actor_for(contact.user),
        organization=organization,
        product=product,
        severity="S2",
        subject=f"{name} replication lag",
        body=f"{name}'s standby is an hour behind.",
        attachments=[Upload(f"{key}-log.txt", f"{name} log line\n".encode(), "text/plain")],
    )
    staff = actor_for(engineer)
    reply = services.ticket_reply(
        actor=staff,
        ticket=ticket,
        body=f"Looking into {name}'s lag.",
        attachments=[Upload(f"{key}-steps.txt", b"step 1\n", "text/plain")],
    )
    note = services.ticket_reply(
        actor=staff,
        ticket=ticket,
        public=False,
        body=f"SECRET-{key}: {name} runs an unsupported fork.",
        attachments=[Upload(f"{key}-internal.txt", b"internal\n", "text/plain")],
    )
    services.ticket_assign(actor=staff, ticket=ticket, assignee=engineer)
    ticket = Ticket.objects.get(pk=ticket.pk)
    return {
        "ticket": ticket,
        "reply": reply,
        "note": note,
        "opening_file": Attachment.objects.get(message__ticket=ticket, filename=f"{key}-log.txt"),
        "reply_file": Attachment.objects.get(message=reply),
        "note_file": Attachment.objects.get(message=note),
    }
