"""What one mail can do to the helpdesk is bounded: a cap on the files it brings (the rest named on the
ticket), no files left behind by a unit of work that failed, none left for long by a worker that was
killed, and a pathologically nested mail quarantined with a reason (issue 10, section 2)."""

from __future__ import annotations

import os
import time
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from ossdesk.accounts.actor import actor_for
from ossdesk.channels.models import InboundMessage
from ossdesk.tickets import services as tickets
from ossdesk.tickets.attachment_files import ORPHAN_AGE, attachment_orphans_sweep, files_follow_transaction
from ossdesk.tickets.models import Attachment, Message
from ossdesk.tickets.services import Upload
from tests.channels.factories import Helpdesk

Inbound = InboundMessage.Status


def _stored_files(settings: Any) -> list[str]:
    root = Path(settings.STORAGES["default"]["OPTIONS"]["location"])
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def _mail_with_files(count: int) -> bytes:
    mail = EmailMessage()
    mail["From"] = "Ana Lima <ana@acme.example>"
    mail["To"] = "support@mail.test"
    mail["Subject"] = "Logs from every node"
    mail["Message-ID"] = "<many-files@acme.example>"
    mail.set_content("All the logs are attached.")
    for number in range(count):
        mail.add_attachment(f"node {number}\n".encode(), "text", "plain", filename=f"node-{number}.log")
    return mail.as_bytes()


def test_a_mail_with_3000_files_keeps_the_first_50_and_names_the_rest(
    helpdesk: Helpdesk, mail_settings: Any
) -> None:
    raw = _mail_with_files(3000)
    assert len(raw) < 600_000  # the shape of the reported mail: 428 KB, 3,000 files
    row = helpdesk.receive(raw)
    assert row.status == Inbound.PROCESSED, row.error
    names = list(Attachment.objects.order_by("pk").values_list("filename", flat=True))
    assert names == [f"node-{n}.log" for n in range(50)]
    assert len(_stored_files(mail_settings)) == 50
    body = row.ticket_message.body  # type: ignore[union-attr]
    assert "[Not attached: 2950 more files; a mail brings at most 50 attachments." in body


def test_the_cap_is_a_setting(helpdesk: Helpdesk, mail_settings: Any) -> None:
    mail_settings.OSSDESK_MAIL_MAX_ATTACHMENTS = 3
    row = helpdesk.receive(_mail_with_files(5))
    assert row.status == Inbound.PROCESSED, row.error
    assert Attachment.objects.count() == 3
    assert "[Not attached: 2 more files; a mail brings at most 3 attachments." in row.ticket_message.body  # type: ignore[union-attr]


def _nested(depth: int) -> bytes:
    lines = [
        b"From: Ana Lima <ana@acme.example>",
        b"To: support@mail.test",
        b"Subject: deep",
        b"Message-ID: <deep@acme.example>",
        b"MIME-Version: 1.0",
    ]
    body = b"".join(
        b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (n, n) for n in range(depth)
    )
    body += b"Content-Type: text/plain\r\n\r\nhello\r\n"
    body += b"".join(b"--b%d--\r\n" % n for n in reversed(range(depth)))
    return b"\r\n".join(lines) + b"\r\n" + body


def test_a_2000_level_nested_mail_is_quarantined_with_the_reason(helpdesk: Helpdesk) -> None:
    row = helpdesk.receive(_nested(2000))
    assert row.status == Inbound.QUARANTINED
    assert row.error == "MIME parts are nested too deeply to read (more than 50 levels)"
    assert helpdesk.receive(_nested(60).replace(b"<deep@", b"<deeper@")).error == row.error
    assert helpdesk.receive(_nested(20).replace(b"<deep@", b"<shallow@")).status == Inbound.PROCESSED


def test_files_of_a_unit_of_work_that_fails_are_deleted_with_its_rows(
    helpdesk: Helpdesk, mail_settings: Any
) -> None:
    ticket = tickets.ticket_create(
        actor=actor_for(helpdesk.ana.user),
        organization=helpdesk.acme,
        product=helpdesk.product,
        severity="S3",
        subject="Replication lag",
        body="The standby is behind.",
    )
    before = _stored_files(mail_settings)

    class WorkerFailed(Exception):
        pass

    def unit_of_work() -> None:
        with files_follow_transaction(), transaction.atomic():
            tickets.ticket_reply(
                actor=actor_for(helpdesk.ana.user),
                ticket=ticket,
                body="Logs attached.",
                attachments=[
                    Upload("pg.log", b"FATAL\n", "text/plain"),
                    Upload("b.log", b"x\n", "text/plain"),
                ],
            )
            assert len(_stored_files(mail_settings)) == len(before) + 2
            raise WorkerFailed  # whatever comes after the reply in the same unit of work

    with pytest.raises(WorkerFailed):
        unit_of_work()
    assert not Message.objects.filter(body="Logs attached.").exists()
    assert _stored_files(mail_settings) == before


def test_a_refused_second_file_leaves_no_first_file(helpdesk: Helpdesk, mail_settings: Any) -> None:
    before = _stored_files(mail_settings)
    with pytest.raises(ValidationError):
        tickets.ticket_create(
            actor=actor_for(helpdesk.ana.user),
            organization=helpdesk.acme,
            product=helpdesk.product,
            severity="S3",
            subject="Crash",
            body="See the files.",
            attachments=[Upload("pg.log", b"FATAL\n", "text/plain"), Upload("tool.exe", b"MZ", "")],
        )
    assert _stored_files(mail_settings) == before


def test_the_sweep_deletes_old_files_no_attachment_names(helpdesk: Helpdesk, mail_settings: Any) -> None:
    ticket = tickets.ticket_create(
        actor=actor_for(helpdesk.ana.user),
        organization=helpdesk.acme,
        product=helpdesk.product,
        severity="S3",
        subject="Crash",
        body="See the file.",
        attachments=[Upload("pg.log", b"FATAL\n", "text/plain")],
    )
    kept = Attachment.objects.get(message__ticket=ticket).file.name
    # What a worker killed mid-message leaves: files whose rows were never committed.
    old_orphan = default_storage.save("attachments/2026/11/left-by-a-killed-worker.log", ContentFile(b"x"))
    young_orphan = default_storage.save("attachments/2026/12/being-written-now.log", ContentFile(b"y"))
    an_hour_ago = time.time() - ORPHAN_AGE.total_seconds() - 60
    for name in (kept, old_orphan):
        os.utime(default_storage.path(name), (an_hour_ago, an_hour_ago))
    assert attachment_orphans_sweep(now=timezone.now()) == 1
    assert not default_storage.exists(old_orphan)
    assert default_storage.exists(kept)
    assert default_storage.exists(young_orphan)  # may belong to a transaction still running
    assert attachment_orphans_sweep(now=timezone.now() + timedelta(hours=2)) == 1
    assert not default_storage.exists(young_orphan)
    assert default_storage.exists(kept)
