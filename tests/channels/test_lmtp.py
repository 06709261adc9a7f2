"""The LMTP receiver, for real: aiosmtpd's LMTP server on a free port, fed by smtplib.LMTP as Postfix's
lmtp client would. Each accepted message is committed raw, answered per recipient, then processed."""

from __future__ import annotations

import logging
import smtplib
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import DatabaseError
from django.utils import timezone

from ossdesk.channels import mailboxes
from ossdesk.channels.lmtp import LmtpController, django_lmtp_controller
from ossdesk.channels.models import InboundMessage, Mailbox
from ossdesk.tickets.models import Ticket
from tests.channels.factories import Helpdesk, eml

pytestmark = pytest.mark.django_db(transaction=True)  # the server thread has its own connection


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def lmtp(helpdesk: Helpdesk, settings: Any) -> Iterator[LmtpController]:
    settings.OSSDESK_MAIL_MAX_BYTES = 64 * 1024
    controller = django_lmtp_controller(host="127.0.0.1", port=_free_port())
    controller.start()
    yield controller
    controller.stop()


def _client(controller: LmtpController) -> smtplib.LMTP:
    return smtplib.LMTP("127.0.0.1", controller.port, timeout=10)  # greets with LHLO


def test_delivered_mail_is_stored_then_opens_a_ticket(helpdesk: Helpdesk, lmtp: LmtpController) -> None:
    with _client(lmtp) as client:
        refused = client.sendmail("ana@acme.example", ["support@mail.test"], eml("plain.eml"))
    assert refused == {}
    row = InboundMessage.objects.get()
    assert (row.source, row.mailbox, row.envelope_from) == ("lmtp", helpdesk.mailbox, "ana@acme.example")
    assert bytes(row.raw) == eml("plain.eml")
    assert row.status == InboundMessage.Status.PROCESSED, row.error  # the worker task ran on commit
    assert row.ticket is not None
    assert row.ticket.contact == helpdesk.ana


def test_clocks_start_when_the_receiver_accepted_the_mail(helpdesk: Helpdesk, lmtp: LmtpController) -> None:
    before = timezone.now()
    with _client(lmtp) as client:
        client.sendmail("ana@acme.example", ["support@mail.test"], eml("plain.eml"))
    after = timezone.now()
    row = InboundMessage.objects.get()
    assert before <= row.received_at <= after
    assert row.ticket is not None
    assert row.ticket.opened_at == row.received_at.replace(microsecond=0)


def test_redelivery_is_accepted_and_changes_nothing(helpdesk: Helpdesk, lmtp: LmtpController) -> None:
    with _client(lmtp) as client:
        client.sendmail("ana@acme.example", ["support@mail.test"], eml("plain.eml"))
        client.rset()
        client.mail("ana@acme.example")
        client.rcpt("support@mail.test")
        code, text = client.data(eml("plain.eml"))
    assert code == 250
    assert b"already had it" in text
    assert InboundMessage.objects.count() == 1
    assert Ticket.objects.count() == 1


def test_one_answer_per_recipient_and_unknown_addresses_refused(
    helpdesk: Helpdesk, lmtp: LmtpController
) -> None:
    Mailbox.objects.create(name="security", address="security@mail.test", product=helpdesk.product)
    with _client(lmtp) as client:
        client.ehlo()  # LHLO
        client.mail("ana@acme.example")
        assert client.rcpt("nobody@mail.test")[0] == 550
        assert client.rcpt("support@mail.test")[0] == 250
        assert client.rcpt("Security@mail.test")[0] == 250
        first = client.data(eml("plain.eml"))
        second = client.getreply()  # RFC 2033: one reply per accepted recipient
    assert first[0] == 250
    assert b"<support@mail.test> stored as #" in first[1]
    assert second[0] == 250
    assert b"already had it" in second[1]
    assert InboundMessage.objects.count() == 1


def test_a_bounce_with_the_null_sender_is_ignored(helpdesk: Helpdesk, lmtp: LmtpController) -> None:
    raw = eml("plain.eml", **{"<20250303081402.GA1234@acme.example>": "<dsn-1@mx.acme.example>"})
    with _client(lmtp) as client:
        client.sendmail("", ["support@mail.test"], raw)
    row = InboundMessage.objects.get()
    assert row.envelope_from == "<>"
    assert row.status == InboundMessage.Status.IGNORED
    assert "null return path" in row.error


def test_too_large_is_refused_by_size(helpdesk: Helpdesk, lmtp: LmtpController) -> None:
    raw = eml("plain.eml") + b"x" * (70 * 1024) + b"\r\n"
    with _client(lmtp) as client, pytest.raises(smtplib.SMTPException, match=r"552|too large|exceeded"):
        client.sendmail("ana@acme.example", ["support@mail.test"], raw)
    assert not InboundMessage.objects.exists()


def test_a_store_that_fails_answers_451_so_the_mta_retries(
    helpdesk: Helpdesk, lmtp: LmtpController, monkeypatch: Any
) -> None:
    def broken(**kwargs: Any) -> Any:
        raise DatabaseError("disk full")

    monkeypatch.setattr(mailboxes, "inbound_store", broken)
    with _client(lmtp) as client, pytest.raises(smtplib.SMTPDataError) as failure:
        client.sendmail("ana@acme.example", ["support@mail.test"], eml("plain.eml"))
    assert failure.value.smtp_code == 451
    monkeypatch.undo()
    with _client(lmtp) as client:
        assert client.sendmail("ana@acme.example", ["support@mail.test"], eml("plain.eml")) == {}
    assert InboundMessage.objects.get().status == InboundMessage.Status.PROCESSED


def test_send_test_delivers_a_sample_mail_through_the_receiver(
    helpdesk: Helpdesk, lmtp: LmtpController, capsys: Any
) -> None:
    from ossdesk.cli import main

    code = main(["mail", "send-test", "--from", helpdesk.ana.email, "--port", str(lmtp.port)])
    captured = capsys.readouterr()
    assert code == 0, captured
    row = InboundMessage.objects.get()
    assert (row.source, row.mailbox, row.status) == (
        "lmtp",
        helpdesk.mailbox,
        InboundMessage.Status.PROCESSED,
    )
    assert row.ticket is not None
    assert row.ticket.contact == helpdesk.ana
    assert row.subject.startswith("Test from ossdesk mail send-test")
    assert f"stored as #{row.pk}" in captured.out


def test_send_test_without_a_receiver_says_so_in_one_line(helpdesk: Helpdesk, capsys: Any) -> None:
    from ossdesk.cli import main

    port = _free_port()
    assert main(["mail", "send-test", "--from", helpdesk.ana.email, "--port", str(port)]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1
    assert f"127.0.0.1:{port}" in lines[0]
    assert "ossdesk mail lmtp" in lines[0]
    assert not InboundMessage.objects.exists()


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_a_delivery_logs_no_line_per_smtp_command(helpdesk: Helpdesk, lmtp: LmtpController) -> None:
    """aiosmtpd logs each command at INFO, with the sender's and recipients' addresses: quiet by default."""
    server_log = logging.getLogger("mail.log")
    collect = _Records()
    server_log.addHandler(collect)
    try:
        with _client(lmtp) as client:
            assert client.sendmail("ana@acme.example", ["support@mail.test"], eml("plain.eml")) == {}
    finally:
        server_log.removeHandler(collect)
    assert InboundMessage.objects.get().status == InboundMessage.Status.PROCESSED
    assert [r.getMessage() for r in collect.records if r.levelno < logging.WARNING] == []
