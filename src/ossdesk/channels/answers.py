"""Automatic answers to a sender whose mail was refused or held: polite, threaded onto their mail, never
to robots or no-reply addresses, and a limited number an hour to one address."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from ossdesk.channels.inbound import ParsedMail, is_no_reply_address, reply_subject
from ossdesk.channels.models import InboundMessage, MailKind, OutboundEmail
from ossdesk.channels.services import mail_link, outbox_add, render_mail
from ossdesk.channels.threading import standalone_message_id

ANSWER_KINDS = (MailKind.INBOUND_REFUSED, MailKind.INBOUND_HELD)
ANSWER_WINDOW = timedelta(hours=1)


def answer_sender(
    row: InboundMessage, mail: ParsedMail, kind: MailKind, context: dict[str, Any], *, user: Any = None
) -> str:
    """Queue a polite automatic answer in the outbox, threaded onto the sender's mail; returns a note
    when none is sent: never to robots or no-reply addresses, at most OSSDESK_MAIL_REPLY_LIMIT an hour
    to one address."""
    recipient = mail.reply_to or mail.from_address
    if is_no_reply_address(mail.from_address) or is_no_reply_address(recipient):
        return "(Not answered: a no-reply address.)"
    limit: int = settings.OSSDESK_MAIL_REPLY_LIMIT
    recent = OutboundEmail.objects.filter(
        recipient__iexact=recipient, kind__in=ANSWER_KINDS, created_at__gte=timezone.now() - ANSWER_WINDOW
    ).count()
    if recent >= limit:
        return f"(Not answered: {recipient} had {recent} automatic answers in the last hour.)"
    rendered = render_mail(
        kind,
        {
            **context,
            "recipient_name": mail.from_name,
            "original_subject": mail.subject or "(no subject)",
            "reply_subject": reply_subject(mail.subject),
            "link": mail_link("/"),
        },
    )
    references = " ".join([*mail.references, mail.message_id]).strip()
    outbox_add(
        kind=kind,
        recipient=recipient,
        user=user,
        rendered=rendered,
        message_id=standalone_message_id(f"inbound.{row.pk}"),
        in_reply_to=mail.message_id,
        references=references[-2000:],
    )
    return ""
