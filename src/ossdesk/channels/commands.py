"""`ossdesk mail ...`: the command-line door onto inbound mail (cli.py parses, this calls services)."""

from __future__ import annotations

import argparse
import sys
import threading

from django.conf import settings

from ossdesk.accounts.actor import Actor
from ossdesk.channels import intake
from ossdesk.channels.models import InboundMessage, Mailbox

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
            threading.Thread(target=intake.mailbox_idle, kwargs={"mailbox": m, "stop": stop}, daemon=True)
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
            count = intake.mailbox_fetch(mailbox=mailbox)
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
        inbound = intake.inbound_retry(actor=OPERATOR, inbound=inbound)
    except ValidationError as exc:
        raise error(" ".join(exc.messages)) from None
    _say(f"#{inbound.pk}: {inbound.get_status_display()}" + (f": {inbound.error}" if inbound.error else ""))
    return 0


def run_mail(args: argparse.Namespace, error: type[Exception]) -> int:
    if args.mail_command == "lmtp":
        from ossdesk.channels.lmtp import serve_lmtp

        serve_lmtp(
            host=args.host or settings.OSSDESK_MAIL_LMTP_HOST,
            port=args.port or settings.OSSDESK_MAIL_LMTP_PORT,
        )
        return 0
    if args.mail_command == "fetch":
        return _fetch(args, error)
    return _retry(args, error)
