"""Outbound e-mail against a real SMTP server (aiosmtpd on a free localhost port): threading headers,
bodies, retries with backoff, giving up, idempotence, preferences, the digest and the staff pages."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from ossdesk.accounts.actor import actor_for
from ossdesk.accounts.models import Notification, Role, User
from ossdesk.audit.models import AuditEntry
from ossdesk.channels import services, threading
from ossdesk.channels.mailer import retry_delay
from ossdesk.channels.models import DigestEntry, MailKind, OutboundEmail
from ossdesk.channels.selectors import mail_status, preferences_for
from ossdesk.channels.services import sending
from ossdesk.customers.models import Contact
from ossdesk.plans.services import agreement_create, subscription_update
from ossdesk.tickets import services as tickets
from ossdesk.tickets.models import Ticket
from tests.accounts.factories import SYSTEM
from tests.products.factories import ProductFactory

DOMAIN = "mail.test"


class Inbox:
    """An SMTP handler that keeps what it accepts and refuses the next `refuse` mails with `code`."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refuse = 0
        self.code = "451 4.3.0 Mailbox busy, try again later"
        self.unknown: set[str] = set()  # addresses refused at RCPT TO with 550

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if address in self.unknown:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse > 0:
            self.refuse -= 1
            return self.code
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 2.0.0 Accepted"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def inbox(settings: Any) -> Iterator[Inbox]:
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port(), ready_timeout=10)
    controller.start()
    settings.OSSDESK_SMTP_HOST = "127.0.0.1"
    settings.OSSDESK_SMTP_PORT = controller.port
    settings.OSSDESK_SMTP_STARTTLS = settings.OSSDESK_SMTP_SSL = False
    settings.OSSDESK_SMTP_USER = ""
    yield handler
    controller.stop()


@pytest.fixture(autouse=True)
def _mail_settings(settings: Any, tmp_path: Path) -> None:
    settings.OSSDESK_MAIL_DOMAIN = DOMAIN
    settings.OSSDESK_MAIL_FROM = "Example Support <support@mail.test>"
    settings.OSSDESK_MAIL_LINK_URL = "https://desk.example.com"
    settings.OSSDESK_MAIL_MAX_ATTEMPTS = 8
    settings.OSSDESK_SMTP_HOST = ""
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "files")},
        },
    }


@pytest.fixture
def desk(customers: dict[str, Any], staff: dict[str, Any]) -> dict[str, Any]:
    product: Any = ProductFactory(name="PostgreSQL", slug="postgresql")
    for entry in customers.values():
        subscription_update(actor=SYSTEM, subscription=entry["org"].subscriptions.get(), products=[product])
    contact = customers["acme"]["contact"]
    ticket = tickets.ticket_create(
        actor=actor_for(contact.user),
        organization=customers["acme"]["org"],
        product=product,
        severity="S2",
        subject="Replication lag & timeouts",
        body="The standby is an hour behind.",
    )
    return {
        "ticket": ticket,
        "contact": contact,
        "engineer": staff[Role.ENGINEER],
        "staff": staff,
        **customers,
    }


def deliver(now: Any = None) -> services.SendReport:
    services.mail_sweep(now=now)
    return services.outbox_send_due(now=now)


def root_of(ticket: Ticket) -> str:
    return f"<ossdesk.ticket.{ticket.pk}@{DOMAIN}>"


# -- threading helpers (no database) ---------------------------------------------------------------


def test_threading_round_trip(settings: Any) -> None:
    ticket = Ticket(pk=1234)
    assert threading.ticket_token(ticket) == "[#1234]"
    assert threading.ticket_id_from_subject("Re: [#1234] Replication lag") == 1234
    assert threading.ticket_id_from_subject("Re: #1234 Replication lag") is None
    assert threading.ticket_subject(ticket, "#1234 assigned to you: lag") == "[#1234] assigned to you: lag"
    assert threading.ticket_subject(ticket, "Re: [#1234] lag") == "Re: [#1234] lag"
    root = threading.ticket_message_id(ticket)
    assert root == f"<ossdesk.ticket.1234@{DOMAIN}>"
    reply = threading.ticket_message_id(ticket, Ticket(pk=56))
    assert reply == f"<ossdesk.ticket.1234.message.56@{DOMAIN}>"
    assert threading.ticket_id_from_message_ids(["<other@x>", f"{root} {reply}"]) == 1234
    assert threading.ticket_id_from_message_ids(["<ossdesk.ticket.x@y>"]) is None
    assert threading.thread_headers(root, None, root) == ("", "")
    assert threading.thread_headers(root, None, reply) == (root, root)
    assert threading.thread_headers(root, "<p@x>", reply) == ("<p@x>", f"{root} <p@x>")
    settings.OSSDESK_MAIL_DOMAIN = ""
    settings.OSSDESK_VENDOR_URL = "https://support.vendor.example:8443/path"
    assert threading.mail_domain() == "support.vendor.example"


def test_backoff_grows_five_fold_and_is_capped() -> None:
    minutes = [retry_delay(n).total_seconds() / 60 for n in range(1, 8)]
    assert minutes == [1, 5, 25, 125, 360, 360, 360]


# -- ticket mail over SMTP -------------------------------------------------------------------------


def test_ticket_conversation_threads_in_the_customers_mailbox(desk: dict[str, Any], inbox: Inbox) -> None:
    ticket, contact, engineer = desk["ticket"], desk["contact"], desk["engineer"]
    report = deliver()
    assert report.sent == 1
    ack = inbox.messages[-1]
    assert ack["To"] == contact.email
    assert ack["From"] == "Example Support <support@mail.test>"
    assert ack["Subject"] == f"[#{ticket.pk}] Replication lag & timeouts"
    assert ack["Message-ID"] == root_of(ticket)
    assert ack["In-Reply-To"] is None
    assert ack["References"] is None
    assert ack["Auto-Submitted"] == "auto-generated"
    assert ack["X-Ossdesk-Ticket"] == str(ticket.pk)
    text = ack.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = ack.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert f"we received your ticket #{ticket.pk}" in text
    assert "Replication lag & timeouts" in text  # text is not HTML-escaped
    assert "Replication lag &amp; timeouts" in html  # HTML is
    assert f"https://desk.example.com/tickets/{ticket.pk}/" in text

    staff = actor_for(engineer)
    reply = tickets.ticket_reply(actor=staff, ticket=ticket, body="Please send pg_stat_replication <output>.")
    tickets.ticket_reply(actor=staff, ticket=ticket, body="SECRET internal note", public=False)
    assert deliver().sent == 1  # the note is not mailed
    answer = inbox.messages[-1]
    reply_id = f"<ossdesk.ticket.{ticket.pk}.message.{reply.pk}@{DOMAIN}>"
    assert answer["Subject"] == f"[#{ticket.pk}] Re: Replication lag & timeouts"
    assert answer["Message-ID"] == reply_id
    assert answer["In-Reply-To"] == root_of(ticket)
    assert answer["References"] == root_of(ticket)
    assert "Please send pg_stat_replication <output>." in answer.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "&lt;output&gt;" in answer.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert all("SECRET" not in m.as_string() for m in inbox.messages)

    tickets.ticket_set_status(actor=staff, ticket=ticket, status="waiting_on_customer", reason="Need logs")
    assert deliver().sent == 1
    waiting = inbox.messages[-1]
    assert waiting["Subject"] == f"[#{ticket.pk}] Waiting on you: Replication lag & timeouts"
    assert waiting["In-Reply-To"] == reply_id
    assert waiting["References"].split() == [root_of(ticket), reply_id]
    assert "Need logs" in waiting.get_body(("plain",)).get_content()  # type: ignore[union-attr]

    tickets.ticket_set_status(actor=staff, ticket=ticket, status="solved")
    assert deliver().sent == 1
    solved = inbox.messages[-1]
    assert solved["Subject"] == f"[#{ticket.pk}] Solved: Replication lag & timeouts"
    assert solved["References"].split()[0] == root_of(ticket)
    assert [to for _, to in inbox.envelopes] == [[contact.email]] * 4
    assert threading.ticket_id_from_subject(solved["Subject"]) == ticket.pk
    assert threading.ticket_id_from_message_ids([solved["References"]]) == ticket.pk


def test_staff_notifications_are_mailed_with_the_ticket_token(desk: dict[str, Any], inbox: Inbox) -> None:
    ticket, engineer = desk["ticket"], desk["engineer"]
    tickets.ticket_assign(actor=SYSTEM, ticket=ticket, assignee=engineer)
    ticket = Ticket.objects.get(pk=ticket.pk)
    # Far past every deadline: the SLA sweep warns and reports the breach to the assignee.
    from ossdesk.tickets.escalation import ticket_check

    ticket_check(ticket, now=timezone.now() + timedelta(days=30))
    kinds = set(Notification.objects.filter(recipient=engineer).values_list("kind", flat=True))
    assert {"ticket.assigned", "sla.breach"} <= kinds
    deliver()
    to_engineer = [m for m in inbox.messages if m["To"] == engineer.email]
    subjects = [m["Subject"] for m in to_engineer]
    assert f"[#{ticket.pk}] assigned to you: Replication lag & timeouts" in subjects
    breach = next(m for m in to_engineer if "breached" in m["Subject"])
    assert breach["Subject"].startswith(f"[#{ticket.pk}] ")
    assert breach["References"].split()[0] == root_of(ticket)
    assert "an SLA target was missed" in breach.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert OutboundEmail.objects.filter(kind=MailKind.SLA_BREACH, user=engineer).exists()


# -- retries, failure, idempotence -----------------------------------------------------------------


def test_a_refused_mail_is_retried_with_backoff(desk: dict[str, Any], inbox: Inbox) -> None:
    inbox.refuse = 1
    now = timezone.now()
    report = deliver(now)
    assert (report.sent, report.deferred) == (0, 1)
    email = OutboundEmail.objects.get()
    assert email.status == OutboundEmail.Status.QUEUED
    assert email.attempts == 1
    assert "451" in email.last_error
    assert email.next_attempt_at == now + timedelta(minutes=1)
    assert services.outbox_send_due(now=now + timedelta(seconds=30)).sent == 0  # not due yet
    assert services.outbox_send_due(now=now + timedelta(minutes=1)).sent == 1
    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == (OutboundEmail.Status.SENT, 2, "")
    assert email.sent_at is not None
    assert len(inbox.messages) == 1


def test_failure_after_max_attempts_is_visible_and_retryable(
    desk: dict[str, Any], inbox: Inbox, settings: Any
) -> None:
    settings.OSSDESK_MAIL_MAX_ATTEMPTS = 3
    inbox.refuse = 100
    now = timezone.now()
    services.mail_sweep(now=now)
    for minutes in (0, 1, 6, 31, 200):
        services.outbox_send_due(now=now + timedelta(minutes=minutes))
    email = OutboundEmail.objects.get()
    assert email.status == OutboundEmail.Status.FAILED
    assert email.attempts == 3
    assert email.last_error.startswith("gave up after 3 attempts: 451")
    assert inbox.messages == []
    outcomes = AuditEntry.objects.filter(object_type="channels.outboundemail", action="update")
    assert [(e.after or {})["status"] for e in outcomes.order_by("seq")] == ["queued", "queued", "failed"]

    inbox.refuse = 0
    services.outbound_retry(actor=actor_for(desk["engineer"]), email=email)
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutboundEmail.Status.QUEUED, 0)
    assert services.outbox_send_due().sent == 1
    assert len(inbox.messages) == 1


def test_a_permanent_refusal_fails_at_once(desk: dict[str, Any], inbox: Inbox) -> None:
    inbox.refuse, inbox.code = 1, "550 5.1.1 No such mailbox"
    report = deliver()
    assert report.failed == 1
    email = OutboundEmail.objects.get()
    assert email.status == OutboundEmail.Status.FAILED
    assert email.last_error.startswith("refused permanently: 550")


def test_an_unreachable_server_defers_and_stops_the_batch(desk: dict[str, Any], settings: Any) -> None:
    settings.OSSDESK_SMTP_HOST, settings.OSSDESK_SMTP_PORT = "127.0.0.1", _free_port()
    Notification.objects.create(recipient=desk["engineer"], kind="sla.breach", subject="late")
    assert deliver().deferred == 1
    first, second = OutboundEmail.objects.order_by("pk")
    assert first.status == OutboundEmail.Status.QUEUED
    assert "ConnectionRefusedError" in first.last_error
    assert (second.status, second.attempts) == (OutboundEmail.Status.QUEUED, 0)  # not tried in vain


def test_sweeping_and_sending_twice_sends_once(desk: dict[str, Any], inbox: Inbox) -> None:
    first, second = services.mail_sweep(), services.mail_sweep()
    assert (first.events, second.events) == (1, 0)
    notification = Notification.objects.create(recipient=desk["engineer"], kind="sla.warn75", subject="x")
    assert services.notification_mail_enqueue(notification) is not None
    assert services.notification_mail_enqueue(notification) is None
    assert services.mail_sweep().notifications == 0
    assert services.outbox_send_due().sent == 2
    assert services.outbox_send_due().sent == 0
    assert len(inbox.messages) == 2
    # A row another worker claimed is not claimed again.
    email = OutboundEmail.objects.first()
    assert email is not None
    OutboundEmail.objects.filter(pk=email.pk).update(status=OutboundEmail.Status.QUEUED)
    now = timezone.now()
    assert sending._claim(email.pk, now) is not None
    assert sending._claim(email.pk, now) is None


def test_a_worker_that_died_mid_send_leaves_a_visible_failure(desk: dict[str, Any], inbox: Inbox) -> None:
    services.mail_sweep()
    now = timezone.now()
    email = sending._claim(OutboundEmail.objects.get().pk, now)
    assert email is not None
    services.outbox_send_due(now=now + timedelta(minutes=20))
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.FAILED
    assert "may or may not have been delivered" in email.last_error
    assert inbox.messages == []


def test_without_smtp_host_mail_stays_queued(desk: dict[str, Any]) -> None:
    report = deliver()
    assert not report.configured
    assert OutboundEmail.objects.get().status == OutboundEmail.Status.QUEUED
    assert mail_status().startswith("mail: not configured")


def test_mail_status_names_the_server(inbox: Inbox) -> None:
    assert mail_status().startswith("mail: SMTP 127.0.0.1:")


def test_history_is_not_mailed_on_the_first_sweep(desk: dict[str, Any], settings: Any) -> None:
    old = Notification.objects.create(recipient=desk["engineer"], kind="sla.breach", subject="old")
    Notification.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=3))
    services.mail_sweep()
    assert not OutboundEmail.objects.filter(notification=old).exists()


# -- preferences and the digest --------------------------------------------------------------------


def test_defaults_by_role(desk: dict[str, Any]) -> None:
    customer = preferences_for(desk["contact"].user)
    engineer = preferences_for(desk["engineer"])
    assert customer[MailKind.TICKET_REPLY] == "immediately"
    assert engineer[MailKind.SLA_WARNING] == "immediately"
    assert engineer[MailKind.ADVISORY] == customer[MailKind.OTHER] == "digest"


def test_preferences_off_digest_and_immediately(desk: dict[str, Any], inbox: Inbox) -> None:
    ticket, contact, engineer = desk["ticket"], desk["contact"], desk["engineer"]
    services.notification_preferences_set(
        actor=actor_for(contact.user),
        user=contact.user,
        choices={MailKind.TICKET_REPLY: "off", MailKind.TICKET_WAITING: "digest"},
    )
    staff = actor_for(engineer)
    tickets.ticket_reply(actor=staff, ticket=ticket, body="First answer")
    tickets.ticket_set_status(actor=staff, ticket=ticket, status="waiting_on_customer")
    deliver()
    assert [m["Subject"].split(" ", 1)[1] for m in inbox.messages] == ["Replication lag & timeouts"]
    entry = DigestEntry.objects.get(user=contact.user)
    assert entry.kind == MailKind.TICKET_WAITING
    assert entry.digest is None

    # An advisory notice goes to the digest by default; a security notice at once.
    Notification.objects.create(recipient=contact.user, kind="advisory_published", subject="PGSA-1 out")
    Notification.objects.create(recipient=contact.user, kind="security_notice", subject="CVE-1 affects db1")
    deliver()
    assert inbox.messages[-1]["Subject"] == "CVE-1 affects db1"
    assert DigestEntry.objects.filter(user=contact.user).count() == 2

    assert services.digest_send() == 1
    assert services.digest_send() == 0  # once a day
    services.outbox_send_due()
    digest = inbox.messages[-1]
    assert digest["Subject"].startswith("Your daily digest: 2 notices")
    body = digest.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert f"[#{ticket.pk}] Waiting on you" in body
    assert "PGSA-1 out" in body
    assert "https://desk.example.com/account/notifications/preferences/" in body
    assert not DigestEntry.objects.filter(digest__isnull=True).exists()
    assert AuditEntry.objects.filter(object_type="channels.notificationpreference").count() == 1


def test_people_set_only_their_own_preferences(desk: dict[str, Any]) -> None:
    from django.core.exceptions import PermissionDenied, ValidationError

    contact, engineer = desk["contact"], desk["engineer"]
    with pytest.raises(PermissionDenied):
        services.notification_preferences_set(
            actor=actor_for(engineer), user=contact.user, choices={MailKind.TICKET_REPLY: "off"}
        )
    with pytest.raises(ValidationError):  # a customer gets no SLA mail
        services.notification_preferences_set(
            actor=actor_for(contact.user), user=contact.user, choices={MailKind.SLA_BREACH: "off"}
        )


# -- pages -----------------------------------------------------------------------------------------


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_outbox_page_for_staff_only(
    desk: dict[str, Any], inbox: Inbox, django_assert_max_num_queries: Any
) -> None:
    inbox.refuse, inbox.code = 1, "550 5.1.1 No such mailbox"
    deliver()
    email = OutboundEmail.objects.get()
    staff_client = _client(desk["engineer"])
    with django_assert_max_num_queries(12):
        page = staff_client.get("/mail/outbox/")
    assert page.status_code == 200
    html = page.content.decode()
    assert email.recipient in html
    assert "550 5.1.1" in html
    assert "Retry now" in html
    assert staff_client.get("/mail/outbox/?status=sent").content.decode().count(email.recipient) == 0

    customer_client = _client(desk["contact"].user)
    assert customer_client.get("/mail/outbox/").status_code == 403
    assert customer_client.post(f"/mail/outbox/{email.pk}/retry/").status_code == 403
    assert OutboundEmail.objects.get().status == OutboundEmail.Status.FAILED

    inbox.refuse = 0
    response = staff_client.post(f"/mail/outbox/{email.pk}/retry/")
    assert response.status_code == 302
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.QUEUED
    services.outbox_send_due()
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert (
        "never sent twice"
        in _client(desk["engineer"]).post(f"/mail/outbox/{email.pk}/retry/", follow=True).content.decode()
    )


def test_preferences_page(desk: dict[str, Any]) -> None:
    user = desk["contact"].user
    client = _client(user)
    page = client.get("/account/notifications/preferences/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<legend>Support replied to your ticket</legend>" in html
    assert 'type="radio"' in html
    assert "SLA breaches" not in html
    response = client.post(
        "/account/notifications/preferences/",
        dict.fromkeys(("ticket_created", "ticket_waiting", "ticket_solved", "security_notice"), "immediately")
        | {"ticket_reply": "digest", "advisory": "off", "other": "off"},
    )
    assert response.status_code == 302
    assert preferences_for(user)[MailKind.TICKET_REPLY] == "digest"
    assert preferences_for(user)[MailKind.ADVISORY] == "off"
    staff_page = _client(desk["engineer"]).get("/account/notifications/preferences/").content.decode()
    assert "SLA breaches" in staff_page
    assert Client().get("/account/notifications/preferences/").status_code == 302  # sign in first


def test_the_worker_tasks_queue_send_and_digest(desk: dict[str, Any], inbox: Inbox) -> None:
    from ossdesk.channels.tasks import mail_digest_task, outbound_mail_task

    assert outbound_mail_task.call_local() == 1
    assert inbox.messages[0]["Subject"].startswith(f"[#{desk['ticket'].pk}]")
    Notification.objects.create(recipient=desk["engineer"], kind="kb.article_updated", subject="KB updated")
    assert outbound_mail_task.call_local() == 0  # "other" notices wait for the digest
    assert mail_digest_task.call_local() == 1
    assert inbox.messages[-1]["To"] == desk["engineer"].email
    assert "KB updated" in inbox.messages[-1].get_body(("plain",)).get_content()  # type: ignore[union-attr]


def test_the_direct_hooks_mail_once(desk: dict[str, Any]) -> None:
    from ossdesk.channels.tasks import notification_mail_task, ticket_mail_task

    opened = desk["ticket"].events.get(kind="opened")
    assert ticket_mail_task.call_local(opened.pk) is True
    assert ticket_mail_task.call_local(opened.pk) is False
    assert services.mail_sweep().events == 0  # the sweep finds it done
    notice = Notification.objects.create(recipient=desk["engineer"], kind="sla.breach", subject="late")
    assert notification_mail_task.call_local(notice.pk) is True
    assert services.mail_sweep().notifications == 0
    assert OutboundEmail.objects.count() == 2


# -- what the mails say, and what the outbox offers ------------------------------------------------


def _acknowledgement(ticket: Ticket) -> OutboundEmail:
    services.mail_sweep()
    return OutboundEmail.objects.get(ticket=ticket, kind=MailKind.TICKET_CREATED)


def test_the_acknowledgement_states_the_business_hours_target(desk: dict[str, Any]) -> None:
    ticket = desk["ticket"]  # S2 on Business: 4 business hours, in the customer's Berlin office hours
    mail = _acknowledgement(ticket)
    promise = "first response within 4 business hours (Mon–Fri 09:00–17:00 Europe/Berlin)"
    assert promise in mail.body_text
    assert (
        "first response <strong>within 4 business hours (Mon–Fri 09:00–17:00 Europe/Berlin)</strong>"
        in mail.body_html
    )
    due = ticket.clocks.get(name="first_response").due_at
    assert due is not None
    local = timezone.localtime(due, ZoneInfo("Europe/Berlin"))
    assert f"by {local:%a} {local.day} {local:%b %Y, %H:%M} {local.tzname()}." in mail.body_text
    assert "the response time your plan promises" not in mail.body_text


def test_the_acknowledgement_follows_the_agreement_not_the_plan(desk: dict[str, Any]) -> None:
    acme = desk["acme"]
    Contact.objects.filter(pk=desk["contact"].pk).update(reachable_24x7=True, phone="+49 30 1234567")
    agreement_create(
        actor=SYSTEM,
        organization=acme["org"],
        reference="EA-ACME-S1",
        starts_on=timezone.localdate() - timedelta(days=1),
        ends_on=timezone.localdate() + timedelta(days=300),
        overrides={"severities": {"S1": {"first_response": "10m"}}},
    )
    ticket = tickets.ticket_create(
        actor=actor_for(desk["contact"].user),
        organization=acme["org"],
        product=desk["ticket"].product,
        severity="S1",
        subject="Primary down",
        body="The primary does not start.",
    )
    text = _acknowledgement(ticket).body_text
    assert "first response within 10 min, 24/7, by " in text  # Business alone promises 1 hour


def test_a_breach_mail_gives_due_time_overdue_assignee_and_24x7_contact(desk: dict[str, Any]) -> None:
    ticket, engineer = desk["ticket"], desk["engineer"]
    User.objects.filter(pk=engineer.pk).update(display_name="Erin Weber")
    engineer.refresh_from_db()
    Contact.objects.filter(pk=desk["contact"].pk).update(reachable_24x7=True, phone="+49 30 1234567")
    tickets.ticket_assign(actor=SYSTEM, ticket=ticket, assignee=engineer)
    ticket = Ticket.objects.get(pk=ticket.pk)
    due = ticket.clocks.get(name="first_response").due_at
    assert due is not None
    later = due + timedelta(hours=3, minutes=5)
    from ossdesk.tickets.escalation import ticket_check

    ticket_check(ticket, now=later)
    notification = Notification.objects.get(recipient=engineer, kind="sla.breach")
    email = services.notification_mail_enqueue(notification, now=later + timedelta(minutes=2))
    assert isinstance(email, OutboundEmail)
    local = timezone.localtime(due, ZoneInfo("Europe/Berlin"))
    text = email.body_text
    assert (
        f"First response (target 4 business hours): due {local:%a} {local.day} {local:%b %Y, %H:%M} "
        f"{local.tzname()} ({due:%H:%M} UTC), overdue by 3 h 07 min"
    ) in text
    assert "Assigned to: Erin Weber" in text
    contact = desk["contact"]
    assert f"Customer's 24/7 contact: {contact.name}, +49 30 1234567, {contact.email}" in text
    assert "overdue by 3 h 07 min" in email.body_html


def test_retry_is_offered_only_where_it_can_succeed(
    desk: dict[str, Any], inbox: Inbox, settings: Any
) -> None:
    engineer = _client(desk["engineer"])
    unknown = desk["contact"].email
    inbox.unknown.add(unknown)
    deliver()
    refused = OutboundEmail.objects.get(recipient=unknown)
    assert refused.status == OutboundEmail.Status.FAILED
    assert refused.retryable is False
    assert refused.last_error.startswith("refused permanently: recipient refused: 550")
    page = engineer.get("/mail/outbox/").content.decode()
    assert "Retry now" not in page
    assert "The server refused this address for good" in page
    with pytest.raises(ValidationError, match="refused this address for good"):
        services.outbound_retry(actor=actor_for(desk["engineer"]), email=refused)

    OutboundEmail.objects.filter(pk=refused.pk).update(status=OutboundEmail.Status.SENT, retryable=True)
    assert "Retry now" not in engineer.get("/mail/outbox/").content.decode()  # sent: never twice

    settings.OSSDESK_SMTP_HOST = ""
    Notification.objects.create(recipient=desk["engineer"], kind="sla.breach", subject="late")
    services.mail_sweep()
    waiting = OutboundEmail.objects.get(status=OutboundEmail.Status.QUEUED)
    page = engineer.get("/mail/outbox/").content.decode()
    assert "No SMTP server is configured (OSSDESK_SMTP_HOST)" in page
    assert "Retry now" not in page
    response = engineer.post(f"/mail/outbox/{waiting.pk}/retry/", follow=True)
    assert "No SMTP server is configured" in response.content.decode()


def test_the_outbox_previews_a_mail(desk: dict[str, Any]) -> None:
    mail = _acknowledgement(desk["ticket"])
    page = _client(desk["engineer"]).get(f"/mail/outbox/{mail.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f"<h1>{escape(mail.subject)}</h1>" in html
    assert escape(mail.body_text) in html
    assert f'sandbox srcdoc="{escape(mail.body_html)}"' in html
    assert escape(mail.message_id) in html
    assert "Example Support &lt;support@mail.test&gt;" in html
    assert (
        f'href="/mail/outbox/{mail.pk}/"' in _client(desk["engineer"]).get("/mail/outbox/").content.decode()
    )
    assert _client(desk["contact"].user).get(f"/mail/outbox/{mail.pk}/").status_code == 403
    assert _client(desk["engineer"]).get("/mail/outbox/999999/").status_code == 404
