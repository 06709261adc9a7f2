"""People are named as people: a reply shows "Erin Weber", not the login `erin` or a raw address — on the
ticket page (staff and portal), in the API's names and in the customer's mail. Cases that ossdesk's own
systems open cannot be opened by a person on their behalf."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from ossdesk.accounts.actor import Actor, actor_for, shown_name
from ossdesk.accounts.models import Role, User
from ossdesk.accounts.services import staff_user_create
from ossdesk.channels.models import MailKind, OutboundEmail
from ossdesk.channels.services import ticket_mail_for_event
from ossdesk.tickets import services
from ossdesk.tickets.models import Channel, Message, TicketEvent
from tests.accounts.factories import PASSWORD, SYSTEM


@pytest.fixture
def erin(db: Any) -> User:
    return staff_user_create(
        actor=SYSTEM,
        username="erin",
        email="erin@vendor.test",
        role=Role.ENGINEER,
        password=PASSWORD,
        display_name="Erin Weber",
    )


@pytest.mark.parametrize(
    ("label", "shown"),
    [
        ("Ana Lima <ana@acme.example>", "Ana Lima"),
        ("Jürgen Müller<jurgen@acme.example>", "Jürgen Müller"),
        ("erin", "erin"),
        ("e-mail from ana@acme.example", "e-mail from ana@acme.example"),
        ("<ana@acme.example>", "<ana@acme.example>"),
    ],
)
def test_a_stored_label_without_a_user_loses_its_address(label: str, shown: str) -> None:
    assert shown_name(None, label) == shown


def test_replies_and_events_carry_display_names(desk: dict[str, Any], erin: User, web_for: Any) -> None:
    ticket = desk["acme"]["ticket"]
    contact = desk["acme"]["contact"]
    reply = services.ticket_reply(actor=actor_for(erin), ticket=ticket, body="Try a checkpoint.")
    services.ticket_assign(actor=actor_for(erin), ticket=ticket, assignee=erin)
    assert reply.author_label == "Erin Weber"
    assert TicketEvent.objects.filter(ticket=ticket, kind="vendor_reply").last().actor_label == "Erin Weber"  # type: ignore[union-attr]
    customer_message = ticket.messages.order_by("pk").first()
    assert customer_message is not None
    assert customer_message.author_label == contact.name  # not the login, which is the address
    assert contact.user.username == contact.email

    for client in (web_for(contact.user), web_for(desk["engineer"])):
        page = client.get(f"/tickets/{ticket.pk}/").content.decode()
        assert "<strong>Erin Weber</strong>" in page
        assert "<strong>erin</strong>" not in page
        assert f"<strong>{contact.name}</strong>" in page
        assert f"<strong>{contact.email}</strong>" not in page
    staff_page = web_for(desk["engineer"]).get(f"/tickets/{ticket.pk}/").content.decode()
    assert "Assigned to Erin Weber" in staff_page


def test_rows_written_before_names_were_stored_show_names(
    desk: dict[str, Any], erin: User, web_for: Any, api_client_for: Any
) -> None:
    ticket = desk["acme"]["ticket"]
    reply = services.ticket_reply(actor=actor_for(erin), ticket=ticket, body="Old reply.")
    Message.objects.filter(pk=reply.pk).update(author_label="erin")  # as stored before
    TicketEvent.objects.filter(message=reply).update(actor_label="erin")
    by_mail = Message.objects.create(
        ticket=ticket,
        author_label="Ana Lima <ana@acme.example>",
        from_customer=True,
        body="Sent from my phone.",
        channel=Channel.EMAIL,
        created_at=reply.created_at,
    )
    # As the demo writes them: a status change labelled with the login, no user on the row.
    TicketEvent.objects.create(
        ticket=ticket, at=reply.created_at, kind="status", value="open", actor_label="erin"
    )
    TicketEvent.objects.create(
        ticket=ticket, at=reply.created_at, kind="assigned", value="erin", actor_label="erin", data={}
    )
    page = web_for(desk["acme"]["contact"].user).get(f"/tickets/{ticket.pk}/").content.decode()
    assert "<strong>Erin Weber</strong>" in page
    assert "<strong>Ana Lima</strong>" in page
    assert "ana@acme.example" not in page
    assert "Status → Open</span> <small>Erin Weber ·" in page
    assert "<small>erin ·" not in page
    staff_page = web_for(desk["engineer"]).get(f"/tickets/{ticket.pk}/").content.decode()
    assert "Assigned to Erin Weber" in staff_page
    assert "Assigned to erin" not in staff_page

    api = api_client_for(desk["engineer"])
    replies = {m["id"]: m for m in api.get(f"/api/tickets/{ticket.pk}/replies/").json()["results"]}
    assert replies[reply.pk]["author_name"] == "Erin Weber"
    assert replies[by_mail.pk]["author_name"] == "Ana Lima"
    events = api.get(f"/api/tickets/{ticket.pk}/events/").json()["results"]
    assert {e["actor_name"] for e in events if e["message"] == reply.pk} == {"Erin Weber"}


def test_the_customers_mail_names_the_engineer(desk: dict[str, Any], erin: User, settings: Any) -> None:
    settings.OSSDESK_MAIL_LINK_URL = "https://desk.example.com"
    ticket = desk["acme"]["ticket"]
    reply = services.ticket_reply(actor=actor_for(erin), ticket=ticket, body="Try a checkpoint.")
    event = TicketEvent.objects.select_related("ticket__contact__user", "message__author").get(message=reply)
    ticket_mail_for_event(event)
    mail = OutboundEmail.objects.get(kind=MailKind.TICKET_REPLY, ticket=ticket)
    assert "Erin Weber replied to your ticket" in mail.body_text
    assert "Erin Weber replied to your ticket" in mail.body_html
    assert "erin replied" not in mail.body_text


@pytest.mark.parametrize("channel", [Channel.SYSTEM, Channel.SECURITY, Channel.MONITORING])
def test_only_ossdesk_itself_opens_cases_through_its_channels(
    desk: dict[str, Any], erin: User, channel: str
) -> None:
    acme = desk["acme"]
    fields = {
        "organization": acme["org"],
        "product": desk["product"],
        "subject": "Disk full",
        "body": "The data volume is full.",
        "severity": "S3",
        "channel": channel,
        "contact": acme["contact"],
    }
    for person in (actor_for(erin), actor_for(acme["contact"].user)):
        with pytest.raises(ValidationError) as refused:
            services.ticket_open(actor=person, **fields)
        assert "channel" in refused.value.message_dict
    opened = services.ticket_open(actor=Actor.system("monitoring", name="ossdesk monitoring"), **fields)
    assert opened.ticket.opened_by_system
    assert opened.message.from_customer is False
