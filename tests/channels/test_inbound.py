"""Inbound e-mail: parsing the shapes real clients send (no database), then processing stored mail into
tickets, replies, refusals, held and quarantined messages, and the staff inbox."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from ossdesk.accounts.actor import actor_for
from ossdesk.audit.models import AuditEntry
from ossdesk.channels import inbound, inbox, intake, mailboxes
from ossdesk.channels.models import InboundMessage, MailKind, OutboundEmail
from ossdesk.channels.services import mail_sweep
from ossdesk.cli import main
from ossdesk.tickets import services as tickets
from ossdesk.tickets.models import Attachment, Channel, Message, Status, Ticket, TicketEvent
from ossdesk.tickets.services import attachments
from ossdesk.tickets.sla import clock_states
from tests.channels.factories import Helpdesk, eml

Inbound = InboundMessage.Status

# -- parsing (no database) -------------------------------------------------------------------------

SHAPES = [
    # fixture, sender, subject, text that must be there, attachment names, automatic
    ("plain.eml", "ana@acme.example", "Replication lag on the standby", "about an hour behind", [], ""),
    ("alternative.eml", "ana@acme.example", "Checkpoints take too long", "20 minutes — the log", [], ""),
    ("html_only.eml", "ana@acme.example", "Vacuum never finishes", "- table size: 2 TB", [], ""),
    ("inline_image.eml", "ana@acme.example", "Screenshot of the error", "console shows", ["error.png"], ""),
    (
        "forwarded.eml",
        "ana@acme.example",
        "Fwd: Nightly backup failed",
        "could not connect to server",
        ["forwarded-message-1.eml"],
        "",
    ),
    ("latin1.eml", "jurgen@acme.example", "Grüße aus Köln: Fehler beim Start", "„Fehler beim Öffnen", [], ""),
    ("windows1252.eml", "ana@acme.example", "Quotes in the config", "“shared_buffers” costs €20 a", [], ""),
    ("iso2022jp.eml", "tanaka@acme.example", "サーバーが停止しました", "本番サーバーが停止しました", [], ""),
    (
        "winmail.eml",
        "ana@acme.example",
        "Config file attached",
        "postgresql.conf is attached",
        ["winmail.dat"],
        "",
    ),
    (
        "calendar.eml",
        "ana@acme.example",
        "Invitation: Upgrade planning",
        "invited to",
        ["invite.ics", "invite.ics"],
        "",
    ),
    (
        "auto_reply.eml",
        "ana@acme.example",
        "Automatic reply",
        "out of the office",
        [],
        "Auto-Submitted: auto-replied",
    ),
    ("bounce.eml", "mailer-daemon@mx.acme.example", "Undelivered Mail", "could not", None, "Auto-Submitted"),
    ("bulk.eml", "news@postgresweekly.example", "PostgreSQL Weekly", "This week", [], "Precedence: bulk"),
]


@pytest.mark.parametrize(
    ("name", "sender", "subject", "text", "files", "auto"), SHAPES, ids=[s[0] for s in SHAPES]
)
def test_real_client_shapes(name: str, sender: str, subject: str, text: str, files: Any, auto: str) -> None:
    mail = inbound.parse_mail(eml(name))
    assert mail.from_address == sender
    assert mail.subject.startswith(subject)
    assert text in mail.text
    if files is not None:
        assert [a.filename for a in mail.attachments] == files
    assert mail.auto.startswith(auto) if auto else mail.auto == ""
    assert mail.message_id.startswith("<")
    assert mail.message_id.endswith(">")


def test_inline_image_keeps_its_content_id_and_bytes() -> None:
    (image,) = inbound.parse_mail(eml("inline_image.eml")).attachments
    assert image.inline
    assert image.content_id == "error-png@acme.example"
    assert image.content.startswith(b"\x89PNG")


def test_bounce_by_report_type_even_without_auto_submitted() -> None:
    raw = eml("bounce.eml").replace(b"Auto-Submitted: auto-replied\r\n", b"")
    assert "multipart/report; report-type=delivery-status" in inbound.parse_mail(raw).auto
    assert "null return path" in inbound.parse_mail(eml("plain.eml"), envelope_from="").auto


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("malformed_boundary.eml", "boundary never appears"),
        ("malformed_base64.eml", "base64 content contains characters outside the alphabet"),
        ("malformed_headers.eml", "header line is broken"),
    ],
)
def test_malformed_mime_is_refused_with_a_reason(name: str, problem: str) -> None:
    with pytest.raises(inbound.MalformedMail, match=problem):
        inbound.parse_mail(eml(name))
    summary = inbound.summarise(eml(name))  # still listed with its sender and subject
    assert summary.from_address == "ana@acme.example"
    assert summary.subject.startswith("Broken")


def test_html_is_sanitised_and_read_as_text() -> None:
    mail = inbound.parse_mail(eml("html_only.eml"))
    for needle in (
        "<script",
        "document.cookie",
        "steal",
        "onerror",
        "ignored title",
        "frame text",
        "color: red",
    ):
        assert needle not in mail.text
        assert needle not in mail.html
    assert "See our graphs (https://acme.example/graphs)." in mail.text
    assert 'rel="noopener noreferrer"' in mail.html


@pytest.mark.parametrize(
    ("name", "kept", "dropped"),
    [
        ("outlook_reply.eml", "the lag is back to seconds.\n\nAna", "wal_keep_size to 2GB"),
        ("gmail_reply.eml", "replay_lag 00:00:02.", "Could you send"),
    ],
)
def test_quoted_history_is_cut_from_replies(name: str, kept: str, dropped: str) -> None:
    text = inbound.strip_quoted(inbound.parse_mail(eml(name)).text)
    assert text.endswith(kept)
    assert dropped not in text
    assert "wrote:" not in text


def test_keys_subjects_and_robot_addresses() -> None:
    raw = b"From: x@y.example\r\nSubject: no id\r\n\r\nbody\r\n"
    assert inbound.summarise(raw).key.startswith("sha256:")
    assert inbound.summarise(b"\xff\xfe garbage \x00").key.startswith("sha256:")
    assert inbound.reply_subject("RE: Aw: Re: [#12] Lag") == "Re: [#12] Lag"
    assert inbound.thread_subject("Fwd: Nightly backup failed") == "Nightly backup failed"
    for address in (
        "noreply@x.example",
        "no-reply+abc@x.example",
        "MAILER-DAEMON@x.example",
        "bounces@x.example",
    ):
        assert inbound.is_no_reply_address(address)
    assert not inbound.is_no_reply_address("ana@acme.example")


def test_charset_fallbacks() -> None:
    assert inbound.decode_text("café".encode(), "us-ascii") == "café"  # mislabelled UTF-8
    assert inbound.decode_text(b"\x93hi\x94", "iso-8859-1") == "“hi”"  # Outlook's cp1252 as latin-1
    assert inbound.decode_text(b"ok", "x-unknown-charset") == "ok"


# -- processing ------------------------------------------------------------------------------------


def _reply_ticket(helpdesk: Helpdesk) -> Ticket:
    return helpdesk.receive(eml("plain.eml")).ticket  # type: ignore[return-value]


def test_new_mail_from_a_named_contact_opens_a_ticket(helpdesk: Helpdesk) -> None:
    row = helpdesk.receive(eml("plain.eml"))
    assert row.status == Inbound.PROCESSED, row.error
    ticket = row.ticket
    assert ticket is not None
    assert (ticket.channel, ticket.contact, ticket.product, ticket.severity) == (
        Channel.EMAIL,
        helpdesk.ana,
        helpdesk.product,
        "S3",
    )
    assert ticket.subject == "Replication lag on the standby"
    message = row.ticket_message
    assert message is not None
    assert message.from_customer
    assert "an hour behind" in message.body
    opened = TicketEvent.objects.get(ticket=ticket, kind=TicketEvent.Kind.OPENED)
    assert opened.data["message_id"] == "<20250303081402.GA1234@acme.example>"
    mail_sweep()  # the acknowledgement goes through the outbox like any other
    assert OutboundEmail.objects.filter(ticket=ticket, kind=MailKind.TICKET_CREATED).count() == 1
    assert (
        AuditEntry.objects.filter(object_type="channels.inboundmessage", object_id=str(row.pk)).count() == 2
    )


def test_contact_without_login_and_latin1(helpdesk: Helpdesk) -> None:
    row = helpdesk.receive(eml("latin1.eml"))
    assert row.status == Inbound.PROCESSED, row.error
    assert row.ticket is not None
    assert row.ticket.subject == "Grüße aus Köln: Fehler beim Start"
    assert "Grüße, Jürgen" in row.ticket.messages.get().body
    assert row.ticket.contact == helpdesk.jurgen


def test_the_same_message_id_twice_makes_one_ticket_message(helpdesk: Helpdesk) -> None:
    first = helpdesk.receive(eml("plain.eml"))
    second, created = intake.inbound_store(
        raw=eml("plain.eml"), source="imap:support", mailbox=helpdesk.mailbox
    )
    assert not created
    assert second.pk == first.pk
    again = intake.inbound_process(inbound_id=first.pk)
    assert again.status == Inbound.PROCESSED
    assert again.attempts == 1
    # A redelivery with other transport headers (another Received line) is the same mail.
    redelivered = b"Received: from relay2.example by mx2.example\r\n" + eml("plain.eml")
    assert intake.inbound_store(raw=redelivered, source="lmtp")[0].pk == first.pk
    assert InboundMessage.objects.count() == 1
    assert Ticket.objects.count() == 1
    assert Message.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "text", "absent"),
    [
        ("outlook_reply.eml", "the lag is back to seconds", "wal_keep_size to 2GB"),  # In-Reply-To
        ("gmail_reply.eml", "replay_lag 00:00:02", "Could you send"),  # References only, no token
        ("token_subject.eml", "WAL sender restarted", "zzz"),  # only the [#id] token in the subject
    ],
)
def test_replies_thread_onto_their_ticket(helpdesk: Helpdesk, name: str, text: str, absent: str) -> None:
    ticket = _reply_ticket(helpdesk)
    tickets.ticket_reply(
        actor=actor_for(helpdesk_staff()), ticket=ticket, body="Please try raising wal_keep_size."
    )
    row = helpdesk.receive(eml(name, ticket=ticket))
    assert row.status == Inbound.PROCESSED, row.error
    assert row.ticket == ticket
    assert Ticket.objects.count() == 1
    message = row.ticket_message
    assert message is not None
    assert message.from_customer
    assert message.channel == Channel.EMAIL
    assert text in message.body
    assert absent not in message.body
    assert TicketEvent.objects.filter(ticket=ticket, kind="customer_message", message=message).exists()


def helpdesk_staff() -> Any:
    from tests.accounts.factories import staff_user

    return staff_user("engineer")


def test_a_reply_from_outside_the_tickets_customer_is_held(helpdesk: Helpdesk) -> None:
    ticket = _reply_ticket(helpdesk)
    raw = eml("token_subject.eml", ticket=ticket).replace(b"ana@acme.example", b"sam@hobby.example")
    row = helpdesk.receive(raw)
    assert row.status == Inbound.HELD
    assert f"ticket #{ticket.pk}" in row.error
    assert "not a contact of Acme" in row.error
    assert ticket.messages.count() == 1


def test_a_reply_to_a_closed_ticket_opens_a_follow_up(helpdesk: Helpdesk) -> None:
    ticket = _reply_ticket(helpdesk)
    Ticket.objects.filter(pk=ticket.pk).update(status=Status.CLOSED)
    row = helpdesk.receive(eml("token_subject.eml", ticket=ticket))
    assert row.status == Inbound.PROCESSED, row.error
    assert row.ticket != ticket
    assert row.ticket is not None
    assert row.ticket.subject == "More logs for"
    assert f"Follows up closed ticket #{ticket.pk}" in row.ticket.messages.get().body


def test_an_uncovered_product_is_refused_politely_in_the_thread(helpdesk: Helpdesk) -> None:
    helpdesk.mailbox.product = helpdesk.other_product
    helpdesk.mailbox.save()
    row = helpdesk.receive(eml("plain.eml"))
    assert row.status == Inbound.REFUSED
    assert "does not cover Kafka" in row.error
    assert Ticket.objects.count() == 0
    answer = OutboundEmail.objects.get()
    assert answer.kind == MailKind.INBOUND_REFUSED
    assert answer.recipient == "ana@acme.example"
    assert answer.subject == "Re: Replication lag on the standby"
    assert answer.in_reply_to == "<20250303081402.GA1234@acme.example>"
    assert answer.references.endswith("<20250303081402.GA1234@acme.example>")
    assert answer.headers["Auto-Submitted"] == "auto-generated"
    assert "does not cover Kafka" in answer.body_text
    assert "Hello Ana Lima" in answer.body_text


def test_a_community_customer_is_refused_by_its_plan(helpdesk: Helpdesk) -> None:
    row = helpdesk.receive(eml("plain.eml").replace(b"ana@acme.example", b"sam@hobby.example"))
    assert row.status == Inbound.REFUSED
    assert "Community" in row.error
    assert OutboundEmail.objects.get().recipient == "sam@hobby.example"


def test_a_contact_who_is_not_named_is_refused(helpdesk: Helpdesk) -> None:
    row = helpdesk.receive(eml("plain.eml").replace(b"ana@acme.example", b"guest@acme.example"))
    assert row.status == Inbound.REFUSED
    assert "not a named contact" in row.error


def test_unknown_senders_are_held_answered_once_and_rate_limited(helpdesk: Helpdesk, settings: Any) -> None:
    settings.OSSDESK_MAIL_REPLY_LIMIT = 3
    rows = [
        helpdesk.receive(
            eml("plain.eml", **{"ana@acme.example": "stranger@elsewhere.example", "GA1234": f"GA{n}"})
        )
        for n in range(5)
    ]
    assert {r.status for r in rows} == {Inbound.HELD}
    assert "Unknown sender" in rows[0].error
    answers = OutboundEmail.objects.filter(kind=MailKind.INBOUND_HELD)
    assert answers.count() == 3
    assert {a.recipient for a in answers} == {"stranger@elsewhere.example"}
    assert "3 automatic answers in the last hour" in rows[-1].error
    assert Ticket.objects.count() == 0


def test_no_reply_senders_are_never_answered(helpdesk: Helpdesk) -> None:
    row = helpdesk.receive(eml("plain.eml").replace(b"ana@acme.example", b"noreply@saas.example"))
    assert row.status == Inbound.HELD
    assert "no-reply" in row.error
    assert not OutboundEmail.objects.exists()


@pytest.mark.parametrize("name", ["auto_reply.eml", "bounce.eml", "bulk.eml"])
def test_robots_open_nothing_and_get_no_answer(helpdesk: Helpdesk, name: str) -> None:
    ticket = _reply_ticket(helpdesk)
    row = helpdesk.receive(eml(name, ticket=ticket))
    assert row.status == Inbound.IGNORED
    assert row.error.startswith("No ticket and no answer")
    assert ticket.messages.count() == 1
    assert Ticket.objects.count() == 1
    assert not OutboundEmail.objects.exclude(kind=MailKind.TICKET_CREATED).exists()


def test_mail_from_ourselves_is_a_loop(helpdesk: Helpdesk) -> None:
    row = helpdesk.receive(
        eml("plain.eml").replace(b"Ana Lima <ana@acme.example>", b"Support <support@mail.test>")
    )
    assert row.status == Inbound.IGNORED
    assert "loop" in row.error


def test_attachments_are_saved_within_the_limits(helpdesk: Helpdesk, monkeypatch: Any) -> None:
    monkeypatch.setattr(attachments, "ATTACHMENT_MAX_BYTES", 1000)
    row = helpdesk.receive(eml("attachments.eml"))
    assert row.status == Inbound.PROCESSED, row.error
    assert list(Attachment.objects.values_list("filename", flat=True)) == ["postgresql.log"]
    body = row.ticket_message.body  # type: ignore[union-attr]
    assert "[Not attached: core.tar.gz is 0.0 MiB; the limit is 0 MiB.]" in body
    assert "pgtool.exe: .exe files are not accepted" in body


def test_inline_images_invites_and_winmail_are_kept(helpdesk: Helpdesk) -> None:
    for name in ("inline_image.eml", "calendar.eml", "winmail.eml", "forwarded.eml"):
        assert helpdesk.receive(eml(name)).status == Inbound.PROCESSED
    names = sorted(Attachment.objects.values_list("filename", flat=True))
    assert names == ["error.png", "forwarded-message-1.eml", "invite.ics", "invite.ics", "winmail.dat"]


@pytest.mark.parametrize("name", ["html_only.eml", "alternative.eml"])
def test_a_script_in_html_never_reaches_the_ticket(helpdesk: Helpdesk, name: str) -> None:
    row = helpdesk.receive(eml(name))
    body = row.ticket_message.body  # type: ignore[union-attr]
    assert "script" not in body
    assert "alert" not in body
    assert "document.cookie" not in body


def test_non_utf8_bodies_reach_the_ticket_intact(helpdesk: Helpdesk) -> None:
    japanese = helpdesk.receive(eml("iso2022jp.eml"))
    assert japanese.ticket is not None
    assert japanese.ticket.subject == "サーバーが停止しました"
    assert "至急ご確認ください" in japanese.ticket.messages.get().body
    quotes = helpdesk.receive(eml("windows1252.eml"))
    assert "“shared_buffers” costs €20" in quotes.ticket.messages.get().body  # type: ignore[union-attr]


def test_malformed_mail_is_quarantined_retryable_and_discardable(helpdesk: Helpdesk) -> None:
    row = helpdesk.receive(eml("malformed_base64.eml"))
    assert row.status == Inbound.QUARANTINED
    assert "base64" in row.error
    staff = actor_for(helpdesk_staff())
    again = inbox.inbound_retry(actor=staff, inbound=row)
    assert again.status == Inbound.QUARANTINED
    assert again.attempts == 2
    discarded = inbox.inbound_discard(actor=staff, inbound=again)
    assert InboundMessage.objects.get(pk=row.pk).status == Inbound.DISCARDED == discarded.status
    assert bytes(InboundMessage.objects.get(pk=row.pk).raw) == eml("malformed_base64.eml")  # kept
    assert AuditEntry.objects.filter(object_type="channels.inboundmessage", action="action").count() == 1


def test_a_failure_while_processing_is_visible_and_retryable(helpdesk: Helpdesk, monkeypatch: Any) -> None:
    def broken(**kwargs: Any) -> Any:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(intake, "ticket_open", broken)
    row = helpdesk.receive(eml("plain.eml"))
    assert row.status == Inbound.FAILED
    assert "RuntimeError: the database went away" in row.error
    assert not Ticket.objects.exists()
    monkeypatch.undo()
    retried = inbox.inbound_retry(actor=actor_for(helpdesk_staff()), inbound=row)
    assert retried.status == Inbound.PROCESSED
    assert retried.ticket is not None


def test_a_held_mail_assigned_to_a_contact_opens_their_ticket(helpdesk: Helpdesk) -> None:
    row = helpdesk.receive(eml("plain.eml").replace(b"ana@acme.example", b"ana.private@home.example"))
    assert row.status == Inbound.HELD
    assigned = inbox.inbound_assign(actor=actor_for(helpdesk_staff()), inbound=row, contact=helpdesk.ana)
    assert assigned.status == Inbound.PROCESSED
    assert assigned.ticket is not None
    assert assigned.ticket.contact == helpdesk.ana
    with pytest.raises(Exception, match="processed"):
        inbox.inbound_assign(actor=actor_for(helpdesk_staff()), inbound=assigned, contact=helpdesk.ana)


def test_pending_messages_are_picked_up_later(helpdesk: Helpdesk) -> None:
    row, _ = intake.inbound_store(raw=eml("plain.eml"), source="lmtp", mailbox=helpdesk.mailbox)
    InboundMessage.objects.filter(pk=row.pk).update(received_at=row.received_at - intake.SETTLE)
    assert intake.inbound_process_pending() == 1
    assert InboundMessage.objects.get(pk=row.pk).status == Inbound.PROCESSED
    assert intake.inbound_process_pending() == 0


def _store_at(helpdesk: Helpdesk, raw: bytes, arrived: datetime) -> InboundMessage:
    """A message that arrived at `arrived` and is processed only now (a busy or restarted worker)."""
    row, _ = intake.inbound_store(
        raw=raw, source="lmtp", mailbox=helpdesk.mailbox, enqueue=False, received_at=arrived
    )
    return intake.inbound_process(inbound_id=row.pk)


def test_a_mailed_ticket_starts_its_clocks_when_the_mail_arrived(helpdesk: Helpdesk) -> None:
    arrived = timezone.now().replace(microsecond=0) - timedelta(minutes=7)
    row = _store_at(helpdesk, eml("plain.eml"), arrived)
    assert row.status == Inbound.PROCESSED, row.error
    ticket = row.ticket
    assert ticket is not None
    assert (row.received_at, ticket.opened_at) == (arrived, arrived)
    assert ticket.events.get(kind="opened").at == arrived
    assert clock_states(ticket)["first_response"].started_at == arrived
    assert ticket.clocks.get(name="first_response").started_at == arrived  # as stored for the queue


def test_a_mailed_reply_counts_from_its_arrival(helpdesk: Helpdesk) -> None:
    now = timezone.now().replace(microsecond=0)
    ticket = _store_at(helpdesk, eml("plain.eml"), now - timedelta(minutes=10)).ticket
    assert ticket is not None
    arrived = now - timedelta(seconds=90)
    row = _store_at(helpdesk, eml("outlook_reply.eml", ticket=ticket), arrived)
    assert row.status == Inbound.PROCESSED, row.error
    assert row.ticket_message is not None
    assert row.ticket_message.created_at == arrived
    assert TicketEvent.objects.get(ticket=ticket, kind="customer_message").at == arrived
    # A reply stamped before its ticket opened (a server clock behind ours) counts from the opening.
    early = _store_at(helpdesk, eml("gmail_reply.eml", ticket=ticket), now - timedelta(hours=1))
    assert early.ticket_message is not None
    assert early.ticket_message.created_at == ticket.opened_at


def test_a_server_clock_ahead_of_ours_starts_nothing_in_the_future(helpdesk: Helpdesk) -> None:
    before = timezone.now()
    row = _store_at(helpdesk, eml("plain.eml"), before + timedelta(hours=1))
    assert row.ticket is not None
    assert before <= row.received_at <= timezone.now()
    assert row.ticket.opened_at <= timezone.now()


# -- doors -----------------------------------------------------------------------------------------


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_inbox_page_for_staff(helpdesk: Helpdesk, django_assert_max_num_queries: Any) -> None:
    held = helpdesk.receive(eml("plain.eml").replace(b"ana@acme.example", b"ana.private@home.example"))
    quarantined = helpdesk.receive(eml("malformed_boundary.eml"))
    discardable = helpdesk.receive(eml("malformed_headers.eml"))
    helpdesk.receive(eml("alternative.eml"))  # processed: not listed
    staff = _client(helpdesk_staff())
    with django_assert_max_num_queries(12):
        page = staff.get("/mail/inbox/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "ana.private@home.example" in html
    assert "Unknown sender" in html
    assert "boundary never appears" in html
    assert "Checkpoints take too long" not in html
    assert "Assign to contact and process" in html
    assert "Discard" in html
    assert "Checkpoints take too long" in staff.get("/mail/inbox/?status=processed").content.decode()

    customer = _client(helpdesk.ana.user)
    assert customer.get("/mail/inbox/").status_code == 403
    assert customer.post(f"/mail/inbox/{held.pk}/discard/").status_code == 403

    response = staff.post(f"/mail/inbox/{held.pk}/assign/", {"email": "ana@acme.example"}, follow=True)
    assert "processed, ticket #" in response.content.decode()
    assert InboundMessage.objects.get(pk=held.pk).status == Inbound.PROCESSED
    staff.post(f"/mail/inbox/{discardable.pk}/discard/")
    assert InboundMessage.objects.get(pk=discardable.pk).status == Inbound.DISCARDED
    response = staff.post(f"/mail/inbox/{quarantined.pk}/retry/", follow=True)
    assert "quarantined" in response.content.decode()
    assert InboundMessage.objects.get(pk=quarantined.pk).attempts == 2


def test_the_retry_command(helpdesk: Helpdesk, capsys: Any) -> None:
    row = helpdesk.receive(eml("plain.eml").replace(b"ana@acme.example", b"sam@hobby.example"))
    assert row.status == Inbound.REFUSED
    assert main(["mail", "retry", str(row.pk)]) == 0
    assert "Refused" in capsys.readouterr().out
    assert main(["mail", "retry", "999999"]) == 2
    assert main(["mail", "fetch"]) == 2  # no IMAP mailbox configured
    assert "no active mailbox has an IMAP server" in capsys.readouterr().err


def test_mailboxes_are_managed_through_audited_services(helpdesk: Helpdesk) -> None:
    staff = actor_for(helpdesk_staff())
    with pytest.raises(ValidationError, match=r"Needed for OAuth 2\.0 sign-in"):
        mailboxes.mailbox_create(
            actor=staff, name="m365", product=helpdesk.product, imap_host="outlook.office365.com",
            imap_username="support@example.com", imap_auth="xoauth2",
        )  # fmt: skip
    mailbox = mailboxes.mailbox_create(
        actor=staff, name="office", product=helpdesk.product, imap_host="imap.example.com",
        imap_username="support@example.com", imap_password="hunter2",
    )  # fmt: skip
    mailboxes.mailbox_update(actor=staff, mailbox=mailbox, imap_password="correct-horse")
    entries = AuditEntry.objects.filter(object_type="channels.mailbox", object_id=str(mailbox.pk))
    assert entries.count() == 2
    logged = str([(e.before, e.after) for e in entries])
    assert "hunter2" not in logged
    assert "correct-horse" not in logged
    assert "(set)" in logged
    assert helpdesk.ana.user is not None
    with pytest.raises(PermissionDenied):
        mailboxes.mailbox_delete(actor=actor_for(helpdesk.ana.user), mailbox=mailbox)
    mailboxes.mailbox_delete(actor=staff, mailbox=mailbox)
    assert entries.filter(action="delete").count() == 1
