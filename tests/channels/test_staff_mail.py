"""Engineers answer ticket notifications from their mail client: a public reply, or an internal note
with `#note`. A From line is easy to forge, so only a mail that answers what ossdesk sent that engineer
about that ticket is taken; anything else from a staff address is held for review."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

from ossdesk.accounts.actor import actor_for
from ossdesk.channels.models import InboundMessage, OutboundEmail
from ossdesk.channels.services import mail_sweep
from ossdesk.tickets import services as tickets
from ossdesk.tickets.models import Channel, Status, Ticket, TicketClock, TicketEvent
from tests.accounts.factories import SYSTEM, staff_user
from tests.channels.factories import Helpdesk, eml

Inbound = InboundMessage.Status


def _assigned_ticket(helpdesk: Helpdesk) -> tuple[Ticket, Any, OutboundEmail]:
    """A ticket opened by mail, assigned to an engineer, whose assignment notice has been mailed."""
    ticket = helpdesk.receive(eml("plain.eml")).ticket
    assert ticket is not None
    engineer = staff_user("engineer")
    tickets.ticket_assign(actor=SYSTEM, ticket=ticket, assignee=engineer)
    mail_sweep()
    notice = OutboundEmail.objects.filter(ticket=ticket, recipient=engineer.email).latest("pk")
    return ticket, engineer, notice


def _answer(sender: str, subject: str, in_reply_to: str, text: str) -> bytes:
    mail = EmailMessage()
    mail["From"] = f"Engineer <{sender}>"
    mail["To"] = "support@mail.test"
    mail["Subject"] = f"Re: {subject}"
    mail["Message-ID"] = f"<answer.{abs(hash((sender, text)))}@vendor.test>"
    if in_reply_to:
        mail["In-Reply-To"] = in_reply_to
        mail["References"] = in_reply_to
    mail.set_content(f"{text}\n\nOn Monday, ossdesk wrote:\n> the notice they answer\n")
    return bytes(mail)


def test_an_engineer_answers_a_notice_and_the_customer_gets_a_public_reply(helpdesk: Helpdesk) -> None:
    ticket, engineer, notice = _assigned_ticket(helpdesk)
    before = TicketClock.objects.get(ticket=ticket, name="first_response")
    assert before.state == "running"
    row = helpdesk.receive(
        _answer(engineer.email, notice.subject, notice.message_id, "Please raise wal_keep_size to 2GB.")
    )
    assert row.status == Inbound.PROCESSED, row.error
    message = row.ticket_message
    assert message is not None
    assert (message.ticket, message.is_public, message.from_customer) == (ticket, True, False)
    assert (message.author_id, message.channel) == (engineer.pk, Channel.EMAIL)
    assert message.body == "Please raise wal_keep_size to 2GB."  # the quoted notice is left out
    assert TicketEvent.objects.filter(ticket=ticket, kind="vendor_reply", message=message).exists()
    assert TicketClock.objects.get(ticket=ticket, name="first_response").state == "met"
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    mail_sweep()  # and the customer is mailed the answer, in the ticket's thread
    reply = OutboundEmail.objects.filter(ticket=ticket, recipient="ana@acme.example").latest("pk")
    assert "wal_keep_size" in reply.body_text


def test_hash_note_makes_an_internal_note_the_customer_never_sees(helpdesk: Helpdesk) -> None:
    ticket, engineer, notice = _assigned_ticket(helpdesk)
    row = helpdesk.receive(
        _answer(engineer.email, notice.subject, notice.message_id, "#note\nTheir standby runs 14.2; ask.")
    )
    assert row.status == Inbound.PROCESSED, row.error
    note = row.ticket_message
    assert note is not None
    assert (note.is_public, note.body) == (False, "Their standby runs 14.2; ask.")
    assert TicketEvent.objects.filter(ticket=ticket, kind="internal_note").exists()
    assert TicketClock.objects.get(ticket=ticket, name="first_response").state == "running"
    mail_sweep()
    assert not OutboundEmail.objects.filter(ticket=ticket, body_text__contains="14.2").exists()


def test_a_staff_address_that_answers_nothing_it_was_sent_is_held(helpdesk: Helpdesk) -> None:
    ticket, engineer, notice = _assigned_ticket(helpdesk)
    other = staff_user("engineer")  # never notified about this ticket
    forged = [
        # the right engineer, but only the ticket's token (anyone can write that)
        _answer(engineer.email, f"[#{ticket.pk}] {ticket.subject}", "", "Closing this, all fine."),
        # the ticket's guessable root Message-ID
        _answer(engineer.email, notice.subject, f"<ossdesk.ticket.{ticket.pk}@mail.test>", "All fine."),
        # a real notice's Message-ID, but it went to someone else
        _answer(other.email, notice.subject, notice.message_id, "All fine, closing."),
    ]
    for raw in forged:
        row = helpdesk.receive(raw)
        assert row.status == Inbound.HELD
        assert "could be forged" in row.error
    assert ticket.messages.count() == 1


def test_a_staff_mail_about_no_open_ticket_is_held_with_the_reason(helpdesk: Helpdesk) -> None:
    ticket, engineer, notice = _assigned_ticket(helpdesk)
    row = helpdesk.receive(_answer(engineer.email, "Lunch?", "", "Anyone for lunch?"))
    assert (row.status, row.ticket) == (Inbound.HELD, None)
    assert "about no ticket" in row.error
    Ticket.objects.filter(pk=ticket.pk).update(status=Status.CLOSED)
    row = helpdesk.receive(_answer(engineer.email, notice.subject, notice.message_id, "One more thing."))
    assert row.status == Inbound.HELD
    assert f"closed ticket #{ticket.pk}" in row.error
    assert not OutboundEmail.objects.filter(recipient=engineer.email, kind__startswith="inbound").exists()


def test_a_customer_reply_still_threads_when_staff_mail_is_possible(helpdesk: Helpdesk) -> None:
    ticket, engineer, _ = _assigned_ticket(helpdesk)
    tickets.ticket_reply(actor=actor_for(engineer), ticket=ticket, body="Please try raising wal_keep_size.")
    row = helpdesk.receive(eml("token_subject.eml", ticket=ticket))
    assert row.status == Inbound.PROCESSED, row.error
    assert row.ticket_message is not None
    assert row.ticket_message.from_customer
