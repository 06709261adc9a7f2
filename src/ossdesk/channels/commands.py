"""`ossdesk mail ...`: the command-line door onto inbound mail (cli.py parses, this calls services)."""

from __future__ import annotations

import argparse
import smtplib
import sys
import threading
import uuid
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from django.conf import settings

from ossdesk.accounts.actor import Actor
from ossdesk.channels import inbox, intake
from ossdesk.channels.lmtp import serve_lmtp
from ossdesk.channels.mailboxes import mailbox_fetch, mailbox_idle
from ossdesk.channels.models import InboundMessage, Mailbox
from ossdesk.channels.threading import mail_domain
from ossdesk.customers.models import Contact

OPERATOR = Actor.system("cli")


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _mailboxes(name: str | None, error: type[Exception]) -> list[Mailbox]:
    rows = Mailbox.objects.filter(is_active=True).exclude(imap_host="").select_related("product")
    if name:
        rows = rows.filter(name=name)
    found = list(rows)
    if not found:
        raise error(
            f"no active IMAP mailbox named {name!r}" if name else "no active mailbox has an IMAP server"
        )
    return found


def _fetch(args: argparse.Namespace, error: type[Exception]) -> int:
    mailboxes = _mailboxes(args.mailbox, error)
    if args.idle:
        stop = threading.Event()
        threads = [
            threading.Thread(target=mailbox_idle, kwargs={"mailbox": m, "stop": stop}, daemon=True)
            for m in mailboxes
        ]
        for thread in threads:
            thread.start()
        _say(f"Waiting for mail (IMAP IDLE) in: {', '.join(m.name for m in mailboxes)}; Ctrl-C stops.")
        try:
            while any(t.is_alive() for t in threads):
                stop.wait(1)
        except KeyboardInterrupt:
            stop.set()
        return 0
    failures = 0
    for mailbox in mailboxes:
        try:
            count = mailbox_fetch(mailbox=mailbox)
        except Exception as exc:  # one mailbox failing is reported; the others are still fetched
            _say(f"{mailbox.name}: FAILED: {exc}")
            failures += 1
        else:
            _say(f"{mailbox.name}: {count} new message(s) stored")
    processed = intake.inbound_process_pending()
    if processed:
        _say(f"{processed} waiting message(s) processed")
    return 1 if failures else 0


def _retry(args: argparse.Namespace, error: type[Exception]) -> int:
    from django.core.exceptions import ValidationError

    inbound = InboundMessage.objects.filter(pk=args.id).first()
    if inbound is None:
        raise error(f"no inbound message #{args.id}")
    try:
        inbound = inbox.inbound_retry(actor=OPERATOR, inbound=inbound)
    except ValidationError as exc:
        raise error(" ".join(exc.messages)) from None
    _say(f"#{inbound.pk}: {inbound.get_status_display()}" + (f": {inbound.error}" if inbound.error else ""))
    return 0


def _test_message(sender: str, recipient: str) -> bytes:
    from django.utils import timezone

    message = EmailMessage()
    message["From"], message["To"] = sender, recipient
    message["Subject"] = f"Test from ossdesk mail send-test ({uuid.uuid4().hex[:8]})"
    message["Date"] = format_datetime(timezone.now())
    message["Message-ID"] = make_msgid("send-test", domain=mail_domain())
    message.set_content(
        "This message was sent by `ossdesk mail send-test` to try the way in:\n"
        "the LMTP receiver stored it, the worker turned it into a ticket (or says why not).\n"
    )
    return bytes(message)


def _send_test(args: argparse.Namespace, error: type[Exception]) -> int:
    """Deliver a sample customer mail to the running LMTP receiver, as an MTA would."""
    mailbox = (
        Mailbox.objects.filter(address__iexact=args.to).first()
        if args.to
        else Mailbox.objects.filter(is_active=True, imap_host="").order_by("pk").first()
    )
    if mailbox is None:
        raise error(
            f"no mailbox for {args.to}" if args.to else "no mailbox receives by LMTP: add one (staff: Mail)"
        )
    sender = args.sender or (
        Contact.objects.filter(is_named=True, is_active=True, organization__slug="fjord-logistics")
        .values_list("email", flat=True)
        .first()
    )
    if not sender:
        raise error("say who writes: --from ADDRESS (a named contact of a customer)")
    host = args.host or settings.OSSDESK_MAIL_LMTP_HOST
    port = args.port or settings.OSSDESK_MAIL_LMTP_PORT
    try:
        with smtplib.LMTP(host, port, timeout=30) as client:
            refused = client.sendmail(sender, [mailbox.address], _test_message(sender, mailbox.address))
    except (OSError, smtplib.SMTPException) as exc:
        raise error(
            f"could not deliver to the LMTP receiver at {host}:{port} ({exc}); "
            "is `ossdesk mail lmtp` running?"
        ) from None
    if refused:
        raise error(f"the receiver refused {mailbox.address}: {refused[mailbox.address]}")
    row = InboundMessage.objects.filter(mailbox=mailbox).order_by("-pk").first()
    _say(f"Delivered from {sender} to {mailbox.address}; stored as #{row.pk if row else '?'}.")
    _say("The worker turns it into a ticket; staff see it under Mail → Inbox.")
    return 0


def run_mail(args: argparse.Namespace, error: type[Exception]) -> int:
    if args.mail_command == "lmtp":
        serve_lmtp(
            host=args.host or settings.OSSDESK_MAIL_LMTP_HOST,
            port=args.port or settings.OSSDESK_MAIL_LMTP_PORT,
        )
        return 0
    if args.mail_command == "fetch":
        return _fetch(args, error)
    if args.mail_command == "send-test":
        return _send_test(args, error)
    return _retry(args, error)
