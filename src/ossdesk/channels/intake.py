"""Intake of inbound mail: storing a received message raw (LMTP, IMAP) and processing it once into a
reply, a new ticket, or an outcome kept on the row. Mailboxes and their polling are in `mailboxes`, the
staff's retry / assign / discard in `inbox`, automatic answers to senders in `answers`.

Nothing is lost: a message is committed raw (`inbound_store`) before anything reads it, and IMAP marks it
read or moves it only after that commit. Nothing happens twice: the raw store is unique by Message-ID,
and `inbound_process` claims a row (received -> done) in one transaction, so a second run, a second
worker or a redelivery changes nothing. Every outcome (processed, held, refused, ignored, quarantined,
failed) stays on the row with its reason, visible at /mail/inbox/ and retryable.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta
from email.utils import parseaddr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from ossdesk.accounts.actor import Actor, actor_for
from ossdesk.accounts.models import STAFF_ROLES, Role, User
from ossdesk.audit.services import audit_record
from ossdesk.channels.answers import answer_sender
from ossdesk.channels.inbound import (
    MalformedMail,
    ParsedMail,
    parse_mail,
    strip_quoted,
    summarise,
    thread_subject,
)
from ossdesk.channels.mailer import sender_address
from ossdesk.channels.models import InboundMessage, Mailbox, MailKind, OutboundEmail
from ossdesk.channels.threading import (
    TOKEN_RE,
    mail_domain,
    ticket_id_from_message_ids,
    ticket_id_from_subject,
)
from ossdesk.config.queue import enqueue
from ossdesk.customers.models import Contact
from ossdesk.domain.entitlements import EntitlementDenied
from ossdesk.memo import memo_scope, memoized
from ossdesk.tickets.attachment_files import files_follow_transaction
from ossdesk.tickets.models import Channel, Status, Ticket
from ossdesk.tickets.services import Upload, check_attachment, ticket_open, ticket_reply

logger = logging.getLogger(__name__)

MAIL = Actor.system("mail")
Inbound = InboundMessage.Status
# A message still "received" after this was not picked up by its task (a lost enqueue, a restart).
SETTLE = timedelta(minutes=2)
NO_TEXT = "(The mail had no text.)"
# An engineer's e-mail whose text starts with this line becomes an internal note, not a public reply.
STAFF_NOTE_RE = re.compile(r"\A\s*#note\b[^\S\n]*\n?", re.IGNORECASE)


# -- storing ---------------------------------------------------------------------------------------


def inbound_store(
    *,
    raw: bytes,
    source: str,
    mailbox: Mailbox | None = None,
    envelope_from: str | None = None,
    enqueue: bool = True,
    received_at: datetime | None = None,
) -> tuple[InboundMessage, bool]:
    """Commit a received message's bytes, unprocessed; (row, created). The same Message-ID again
    returns the first row. `envelope_from` "" is the null sender of a bounce; None: unknown (IMAP).
    `received_at`: when the message reached us (LMTP: accepted; IMAP: the server's INTERNALDATE); a
    ticket it opens starts its clocks then. Default, and never later than: now.
    Once committed, the row's processing is queued for the worker, unless `enqueue` is False (the
    caller processes it; if it cannot, the sweep of `inbound_process_pending` does)."""
    summary = summarise(raw)
    try:
        with transaction.atomic():
            row = InboundMessage.objects.create(
                raw=raw,
                size=len(raw),
                message_id=summary.key,
                source=source[:70],
                mailbox=mailbox,
                envelope_from="" if envelope_from is None else (envelope_from or "<>")[:254],
                from_address=summary.from_address,
                subject=summary.subject,
                received_at=_received(received_at),
            )
            audit_record(
                actor=MAIL,
                action="create",
                instance=row,
                after={
                    "message_id": row.message_id,
                    "source": row.source,
                    "from": row.from_address,
                    "subject": row.subject,
                    "size": row.size,
                },
            )
            if enqueue:
                transaction.on_commit(lambda: _process_later(row.pk))
    except IntegrityError:  # a redelivery: the unique Message-ID key turned it away
        return InboundMessage.objects.defer("raw").get(message_id=summary.key), False
    return row, True


def _received(at: datetime | None) -> datetime:
    # A server clock ahead of ours must not start a clock in the future.
    now = timezone.now()
    return now if at is None or at > now else at


def _process_later(inbound_id: int) -> None:
    enqueue("ossdesk.channels.tasks.inbound_process_task", inbound_id)


# -- processing ------------------------------------------------------------------------------------


def inbound_process(*, inbound_id: int, stored: InboundMessage | None = None) -> InboundMessage:
    """Turn one stored message into its outcome; a message that is not `received` is left alone, so
    running this twice (two workers, a retry of the task) does nothing the second time. `stored` is
    the row as `inbound_store` has just created it, which spares reading it back."""
    with memo_scope(), transaction.atomic():
        now = timezone.now()
        claimed = InboundMessage.objects.filter(pk=inbound_id, status=Inbound.RECEIVED).update(
            attempts=F("attempts") + 1, processed_at=now
        )
        if claimed and stored is not None and stored.pk == inbound_id and stored.contact_id is None:
            row = stored
            row.attempts, row.processed_at = row.attempts + 1, now
        else:
            row = InboundMessage.objects.select_related(
                "mailbox__product", "contact__organization", "contact__user"
            ).get(pk=inbound_id)
        if not claimed:
            return row
        try:
            with files_follow_transaction(), transaction.atomic():
                _process(row)
        except Exception as exc:  # any failure must leave a visible, retryable row
            logger.exception("inbound message %s failed", inbound_id)
            row.status = Inbound.FAILED
            row.error = f"Processing failed: {type(exc).__name__}: {exc}"[:4000]
            row.ticket, row.ticket_message = None, None
        row.save(
            update_fields=[
                "status",
                "error",
                "from_address",
                "subject",
                "contact",
                "ticket",
                "ticket_message",
            ]
        )
        audit_record(
            actor=MAIL,
            action="update",
            instance=row,
            before={"status": Inbound.RECEIVED},
            after={
                "status": row.status,
                "error": row.error[:500],
                "ticket": row.ticket_id,
                "message": row.ticket_message_id,
                "attempts": row.attempts,
            },
            organization_id=row.ticket.organization_id if row.ticket else None,
        )
    return row


def _outcome(row: InboundMessage, status: str, error: str = "") -> None:
    row.status, row.error = status, error[:4000]


def _envelope_sender(row: InboundMessage) -> str | None:
    if not row.envelope_from:
        return None  # not known (fetched over IMAP)
    return "" if row.envelope_from == "<>" else row.envelope_from


def _process(row: InboundMessage) -> None:
    try:
        mail = parse_mail(
            bytes(row.raw),
            envelope_from=_envelope_sender(row),
            max_attachments=settings.OSSDESK_MAIL_MAX_ATTACHMENTS,
        )
    except MalformedMail as exc:
        _outcome(row, Inbound.QUARANTINED, str(exc))
        return
    row.from_address, row.subject = mail.from_address[:254], mail.subject[:400]
    if mail.auto:
        _outcome(row, Inbound.IGNORED, f"No ticket and no answer: {mail.auto}.")
        return
    if _from_ourselves(mail):
        _outcome(row, Inbound.IGNORED, "No ticket and no answer: sent by this ossdesk (a mail loop).")
        return
    ticket = _thread_ticket(mail)
    staff = _staff_sender(mail) if row.contact_id is None else None
    if staff is not None:
        _staff_mail(row, mail, ticket, staff)
        return
    if ticket is not None and ticket.status != Status.CLOSED:
        _reply(row, mail, ticket)
        return
    contact, problem = _sender_contact(row, mail)
    if contact is None:
        _hold(row, mail, problem)
        return
    _open_ticket(row, mail, contact, follows=ticket)


def _staff_sender(mail: ParsedMail) -> User | None:
    staff = memoized("accounts.staff_addresses", _staff_addresses)
    if mail.from_address.lower() not in staff:
        return None  # nearly all mail: no query
    return (
        User.objects.filter(email__iexact=mail.from_address, is_active=True, role__in=STAFF_ROLES)
        .order_by("pk")
        .first()
    )


def _staff_addresses() -> frozenset[str]:
    emails = User.objects.filter(is_active=True, role__in=STAFF_ROLES).exclude(email="")
    return frozenset(e.lower() for e in emails.values_list("email", flat=True))


def _staff_mail(row: InboundMessage, mail: ParsedMail, ticket: Ticket | None, staff: User) -> None:
    """An engineer answering a notification by e-mail: a public reply on the ticket, or an internal note
    when the text starts with `#note`. A From address is easy to forge, so the mail must answer a mail
    that ossdesk sent to this engineer about this ticket (its Message-ID carries a random part);
    anything else is held for review."""
    if ticket is None or ticket.status == Status.CLOSED:
        about = f"closed ticket #{ticket.pk}" if ticket is not None else "no ticket"
        _outcome(
            row,
            Inbound.HELD,
            f"{mail.from_address} is the address of staff member {staff.username} and the mail is about "
            f"{about}; staff reply by e-mail by answering a notification about an open ticket.",
        )
        return
    sent_to_them = OutboundEmail.objects.filter(
        ticket=ticket, recipient__iexact=mail.from_address, message_id__in=[i for i in mail.thread_ids if i]
    ).exists()
    if not sent_to_them:
        _outcome(
            row,
            Inbound.HELD,
            f"{mail.from_address} is the address of staff member {staff.username}, but the mail does not "
            f"answer a notification ossdesk sent them about ticket #{ticket.pk}, so it could be forged; "
            "check it, then reply on the ticket's page, or discard it.",
        )
        return
    text = strip_quoted(mail.text)
    note = STAFF_NOTE_RE.match(text)
    body = text[note.end() :] if note else text
    uploads, notes = _uploads(mail)
    message = ticket_reply(
        actor=actor_for(staff),
        ticket=ticket,
        body=(body.strip() or NO_TEXT) + notes,
        public=note is None,
        attachments=uploads,
        channel=Channel.EMAIL,
    )
    row.ticket, row.ticket_message = ticket, message
    _outcome(row, Inbound.PROCESSED)


def _from_ourselves(mail: ParsedMail) -> bool:
    if mail.from_address == parseaddr(sender_address())[1].lower():
        return True
    if mail.message_id.startswith("<ossdesk.") and mail.message_id.endswith(f"@{mail_domain()}>"):
        return True
    addresses = memoized(
        "channels.mailbox_addresses",
        lambda: {a.lower() for a in Mailbox.objects.values_list("address", flat=True)},
    )
    return mail.from_address.lower() in addresses


def _thread_ticket(mail: ParsedMail) -> Ticket | None:
    """The ticket a mail answers: by our Message-IDs in In-Reply-To / References, else the subject's
    [#1234] token."""
    ticket_id = ticket_id_from_message_ids(mail.thread_ids) or ticket_id_from_subject(mail.subject)
    if ticket_id is None:
        return None
    return Ticket.objects.select_related("organization", "assignee").filter(pk=ticket_id).first()


def _sender_contact(row: InboundMessage, mail: ParsedMail) -> tuple[Contact | None, str]:
    if row.contact is not None:
        return row.contact, ""
    claims = list(
        Contact.objects.filter(email__iexact=mail.from_address, is_active=True)
        .select_related("organization", "user")
        .order_by("created_at", "pk")[:10]
    )
    if not claims:
        return None, f"Unknown sender: {mail.from_address} is not the address of any customer's contact."
    owner = address_owner(claims)
    if owner is None:
        names = ", ".join(sorted(c.organization.name for c in claims))
        return None, (
            f"{mail.from_address} is a contact of several customers ({names}); assign the right contact."
        )
    return owner, ""


def address_owner(claims: list[Contact]) -> Contact | None:
    """Whose mail it is when several organisations list one address (`claims` oldest first): where it
    is a named contact with a sign-in; else the one proved claim; else, none being proved, the first.
    A later claim nobody proved counts for nothing, so adding someone else's address takes nothing
    from them. None when two claims stand equal: staff decide."""
    signed_in = [c for c in claims if c.is_named and c.user is not None and c.user.is_active]
    if len(signed_in) == 1:
        return signed_in[0]
    proved = [c for c in claims if c.verified_at is not None]
    if len(proved) == 1:
        return proved[0]
    if not proved:
        return claims[0]
    return None


def _customer_actor(contact: Contact) -> Actor:
    user = contact.user if contact.user is not None and contact.user.is_active else None
    return Actor(
        user=user,
        role=Role.CUSTOMER,
        organization_id=contact.organization_id,
        label=user.username if user is not None else f"{contact.name} <{contact.email}>",
        name=contact.name,  # the ticket shows who wrote, not the login or the address
    )


def _uploads(mail: ParsedMail) -> tuple[list[Upload], str]:
    """The attachments the helpdesk accepts, and a note naming the ones it does not (too large, an
    executable), so the engineer knows what was left out."""
    uploads: list[Upload] = []
    notes: list[str] = []
    for attachment in mail.attachments:
        upload = Upload(
            name=attachment.filename, content=attachment.content, content_type=attachment.content_type
        )
        try:
            check_attachment(upload)
        except ValidationError as exc:
            notes.append(f"[Not attached: {' '.join(exc.messages)}]")
            continue
        uploads.append(upload)
    if mail.attachments_left_out:
        notes.append(
            f"[Not attached: {mail.attachments_left_out} more files; a mail brings at most "
            f"{len(mail.attachments)} attachments. Ask for the rest zipped, or through the portal.]"
        )
    return uploads, ("\n\n" + "\n".join(notes)) if notes else ""


def _reply(row: InboundMessage, mail: ParsedMail, ticket: Ticket) -> None:
    contact = row.contact if row.contact and row.contact.organization_id == ticket.organization_id else None
    contact = contact or (
        Contact.objects.filter(
            email__iexact=mail.from_address, organization_id=ticket.organization_id, is_active=True
        )
        .select_related("user")
        .first()
    )
    if contact is None:
        _hold(
            row,
            mail,
            f"{mail.from_address} wrote about ticket #{ticket.pk} but is not a contact of "
            f"{ticket.organization.name}; assign a contact to add it to the ticket, or discard it.",
        )
        return
    uploads, notes = _uploads(mail)
    body = (strip_quoted(mail.text) or NO_TEXT) + notes
    message = ticket_reply(
        actor=_customer_actor(contact),
        ticket=ticket,
        body=body,
        attachments=uploads,
        channel=Channel.EMAIL,
        received_at=row.received_at,
    )
    row.contact, row.ticket, row.ticket_message = contact, ticket, message
    _outcome(row, Inbound.PROCESSED)


def _open_ticket(row: InboundMessage, mail: ParsedMail, contact: Contact, *, follows: Ticket | None) -> None:
    mailbox = row.mailbox
    row.contact = contact
    if mailbox is None:
        _outcome(row, Inbound.HELD, "No mailbox received this mail, so no product is known for a ticket.")
        return
    subject = TOKEN_RE.sub("", thread_subject(mail.subject)).strip() or "(no subject)"
    uploads, notes = _uploads(mail)
    body = (mail.text or NO_TEXT) + notes
    if follows is not None:
        body = f"(Follows up closed ticket #{follows.pk}.)\n\n{body}"
    user = contact.user if contact.user is not None and contact.user.is_active else None
    actor = (
        _customer_actor(contact)
        if user is not None
        else Actor.system(f"e-mail from {contact.email}", name=contact.name)
    )
    try:
        ticket, message = ticket_open(
            actor=actor,
            organization=contact.organization,
            product=mailbox.product,
            subject=subject,
            body=body,
            severity=mailbox.severity,
            channel=Channel.EMAIL,
            contact=contact,
            attachments=uploads,
            source_message_id=mail.message_id,  # the acknowledgement answers the customer's own mail
            received_at=row.received_at,  # the clocks start when the mail arrived, not when it was read
        )
    except EntitlementDenied as exc:
        _refuse(row, mail, contact, str(exc))
        return
    except ValidationError as exc:
        _refuse(row, mail, contact, " ".join(exc.messages))
        return
    row.ticket, row.ticket_message = ticket, message
    _outcome(row, Inbound.PROCESSED)


def _refuse(row: InboundMessage, mail: ParsedMail, contact: Contact, reason: str) -> None:
    _outcome(row, Inbound.REFUSED, reason)
    note = answer_sender(row, mail, MailKind.INBOUND_REFUSED, {"reason": reason}, user=contact.user)
    if note:
        row.error = f"{reason} {note}"[:4000]


def _hold(row: InboundMessage, mail: ParsedMail, reason: str) -> None:
    _outcome(row, Inbound.HELD, reason)
    if not settings.OSSDESK_MAIL_NOTIFY_HELD:
        return
    note = answer_sender(row, mail, MailKind.INBOUND_HELD, {"address": mail.from_address})
    if note:
        row.error = f"{reason} {note}"[:4000]


def inbound_process_pending(*, now: datetime | None = None, limit: int = 500) -> int:
    """Process messages still `received` after SETTLE (their task was lost); returns how many."""
    now = now or timezone.now()
    pending = list(
        InboundMessage.objects.filter(status=Inbound.RECEIVED, received_at__lte=now - SETTLE)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in pending:
        inbound_process(inbound_id=pk)
    return len(pending)
