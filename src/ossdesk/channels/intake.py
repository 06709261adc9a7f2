"""Every write of inbound mail: storing a received message raw, processing it once, answering senders
politely through the outbox, fetching IMAP mailboxes, and staff's retry / assign / discard.

Nothing is lost: a message is committed raw (`inbound_store`) before anything reads it, and IMAP marks it
read or moves it only after that commit. Nothing happens twice: the raw store is unique by Message-ID,
and `inbound_process` claims a row (received -> done) in one transaction, so a second run, a second
worker or a redelivery changes nothing. Every outcome (processed, held, refused, ignored, quarantined,
failed) stays on the row with its reason, visible at /mail/inbox/ and retryable.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, connections, transaction
from django.db.models import F
from django.utils import timezone

from ossdesk.accounts.actor import Actor, actor_for
from ossdesk.accounts.models import STAFF_ROLES, Role, User
from ossdesk.audit.services import audit_record, snapshot
from ossdesk.channels import imap
from ossdesk.channels.inbound import (
    MalformedMail,
    ParsedMail,
    is_no_reply_address,
    parse_mail,
    reply_subject,
    strip_quoted,
    summarise,
    thread_subject,
)
from ossdesk.channels.mailer import sender_address
from ossdesk.channels.models import InboundMessage, Mailbox, MailKind, OutboundEmail
from ossdesk.channels.services import _link, _queue, render_mail
from ossdesk.channels.threading import (
    TOKEN_RE,
    mail_domain,
    standalone_message_id,
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
# Staff may run these again (after fixing a subscription, a contact, or a bug).
RETRYABLE = frozenset({Inbound.HELD, Inbound.QUARANTINED, Inbound.FAILED, Inbound.REFUSED})
DISCARDABLE = frozenset({Inbound.HELD, Inbound.QUARANTINED, Inbound.FAILED})
ANSWER_KINDS = (MailKind.INBOUND_REFUSED, MailKind.INBOUND_HELD)
ANSWER_WINDOW = timedelta(hours=1)
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
    note = _answer(row, mail, MailKind.INBOUND_REFUSED, {"reason": reason}, user=contact.user)
    if note:
        row.error = f"{reason} {note}"[:4000]


def _hold(row: InboundMessage, mail: ParsedMail, reason: str) -> None:
    _outcome(row, Inbound.HELD, reason)
    if not settings.OSSDESK_MAIL_NOTIFY_HELD:
        return
    note = _answer(row, mail, MailKind.INBOUND_HELD, {"address": mail.from_address})
    if note:
        row.error = f"{reason} {note}"[:4000]


def _answer(
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
            "link": _link("/"),
        },
    )
    references = " ".join([*mail.references, mail.message_id]).strip()
    _queue(
        kind=kind,
        recipient=recipient,
        user=user,
        rendered=rendered,
        message_id=standalone_message_id(f"inbound.{row.pk}"),
        in_reply_to=mail.message_id,
        references=references[-2000:],
    )
    return ""


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


# -- LMTP ------------------------------------------------------------------------------------------


def mailbox_for_address(address: str) -> Mailbox | None:
    """The active mailbox that receives mail for an address (LMTP's RCPT TO)."""
    clean = address.strip().strip("<>")
    if not clean:
        return None
    return Mailbox.objects.filter(address__iexact=clean, is_active=True).first()


def lmtp_deliver(
    *, raw: bytes, mail_from: str, recipients: Sequence[str], accepted_at: datetime | None = None
) -> list[str]:
    """Store one delivered message; one LMTP status line per recipient (RFC 2033). A store that fails
    answers 451, so the MTA keeps the mail and tries again: nothing is lost. `accepted_at`: the instant
    the receiver had the whole message."""
    statuses = []
    for recipient in recipients:
        mailbox = mailbox_for_address(recipient)
        if mailbox is None:
            statuses.append(f"550 5.1.1 <{recipient}>: no such mailbox here")
            continue
        try:
            row, created = inbound_store(
                raw=raw, source="lmtp", mailbox=mailbox, envelope_from=mail_from, received_at=accepted_at
            )
        except DatabaseError:
            logger.exception("LMTP: could not store a message for %s", recipient)
            statuses.append(f"451 4.3.0 <{recipient}>: cannot store the message now; try again later")
            continue
        statuses.append(
            f"250 2.0.0 <{recipient}> stored as #{row.pk}{'' if created else ' (already had it)'}"
        )
    return statuses


# -- IMAP ------------------------------------------------------------------------------------------


def mailbox_account(mailbox: Mailbox) -> imap.Account:
    return imap.Account(
        name=mailbox.name,
        host=mailbox.imap_host,
        port=mailbox.imap_port,
        security=mailbox.imap_security,
        username=mailbox.imap_username,
        auth=mailbox.imap_auth,
        password=mailbox.imap_password,
        folder=mailbox.folder or "INBOX",
        processed_folder=mailbox.processed_folder,
        timeout=settings.OSSDESK_MAIL_IMAP_TIMEOUT,
        ca_file=settings.OSSDESK_MAIL_CA_FILE,
    )


def mailbox_access_token(*, mailbox: Mailbox, force: bool = False, now: datetime | None = None) -> str:
    """The mailbox's OAuth 2.0 access token: the stored one while it is valid for another minute, else
    a fresh one from the provider (stored, with a rotated refresh token if the provider sends one)."""
    now = now or timezone.now()
    mailbox.refresh_from_db(fields=["oauth_access_token", "oauth_expires_at", "oauth_refresh_token"])
    valid = mailbox.oauth_expires_at is not None and mailbox.oauth_expires_at > now + timedelta(minutes=1)
    if mailbox.oauth_access_token and valid and not force:
        return mailbox.oauth_access_token
    grant = imap.refresh_access_token(
        token_url=mailbox.oauth_token_url,
        client_id=mailbox.oauth_client_id,
        client_secret=mailbox.oauth_client_secret,
        refresh_token=mailbox.oauth_refresh_token,
        scope=mailbox.oauth_scope,
        now=now,
    )
    with transaction.atomic():
        mailbox.oauth_access_token, mailbox.oauth_expires_at = grant.access_token, grant.expires_at
        fields = ["oauth_access_token", "oauth_expires_at"]
        if grant.refresh_token and grant.refresh_token != mailbox.oauth_refresh_token:
            mailbox.oauth_refresh_token = grant.refresh_token
            fields.append("oauth_refresh_token")
        mailbox.save(update_fields=fields)
        audit_record(
            actor=MAIL,
            action="update",
            instance=mailbox,
            after={
                "oauth_access_token": "refreshed",  # never the secret itself
                "oauth_expires_at": grant.expires_at,
                "refresh_token_rotated": "oauth_refresh_token" in fields,
            },
        )
    return grant.access_token


def _store_into(mailbox: Mailbox) -> imap.Store:
    """Store a fetched message (committed), then process it here, before the server is told: the poll
    is the worker already, and a batch of messages shares its reads of the contract (`memo_scope`)."""

    def store(raw: bytes, received_at: datetime | None) -> object:
        if transaction.get_connection().in_atomic_block:
            # The server is told "done" right after this returns: the row must be committed by then.
            raise RuntimeError("IMAP messages must be stored outside a transaction (autocommit)")
        row, created = inbound_store(
            raw=raw, source=mailbox.source, mailbox=mailbox, enqueue=False, received_at=received_at
        )
        if row.status == Inbound.RECEIVED:  # never raises for the message's sake: failures are kept
            inbound_process(inbound_id=row.pk, stored=row if created else None)
        return row

    return store


def _token_source(mailbox: Mailbox) -> imap.TokenSource | None:
    if mailbox.imap_auth != Mailbox.Auth.XOAUTH2:
        return None
    return lambda force: mailbox_access_token(mailbox=mailbox, force=force)


def _polled(mailbox: Mailbox, error: str) -> None:
    # Bookkeeping of the integration, not a change anyone made: not audited (it would be every minute).
    now = timezone.now()
    Mailbox.objects.filter(pk=mailbox.pk).update(last_polled_at=now, last_error=error[:2000])
    mailbox.last_polled_at, mailbox.last_error = now, error[:2000]


def mailbox_fetch(*, mailbox: Mailbox) -> int:
    """One poll of an IMAP mailbox: store each new message (committed), then mark it read or move it.
    The outcome (or the error) is kept on the mailbox; errors are raised too."""
    if not mailbox.imap_host:
        raise ValidationError(
            {"imap_host": f"Mailbox {mailbox.name} has no IMAP server (it receives by LMTP)."}
        )
    try:
        count = imap.poll(
            mailbox_account(mailbox), _store_into(mailbox), _token_source(mailbox), batch=memo_scope
        )
    except Exception as exc:
        _polled(mailbox, f"{type(exc).__name__}: {exc}")
        raise
    _polled(mailbox, "")
    return count


def mailbox_idle(*, mailbox: Mailbox, stop: Any, idle_seconds: float = imap.IDLE_SECONDS) -> None:
    """Fetch, then wait in IMAP IDLE for new mail and fetch again, until `stop` (an Event) is set.

    It runs in a thread of its own: when it stops, it closes that thread's database connections."""
    try:
        imap.idle_loop(
            mailbox_account(mailbox),
            _store_into(mailbox),
            stop=stop,
            token=_token_source(mailbox),
            idle_seconds=idle_seconds,
            on_error=lambda exc: _polled(mailbox, f"{type(exc).__name__}: {exc}"),
            batch=memo_scope,
        )
    finally:
        connections.close_all()


@dataclass(frozen=True)
class PollReport:
    mailboxes: int
    stored: int
    errors: int


def mailboxes_poll_due(*, now: datetime | None = None) -> PollReport:
    """Poll each active IMAP mailbox whose interval has passed; one failing mailbox stops no other."""
    now = now or timezone.now()
    polled = stored = failed = 0
    # Secrets are read when each mailbox is polled, so one that cannot be decrypted (a lost key) fails
    # that mailbox, with the error shown on it, and no other.
    for mailbox in Mailbox.objects.filter(is_active=True).exclude(imap_host="").defer(*SECRET_FIELDS):
        if mailbox.last_polled_at and mailbox.last_polled_at > now - timedelta(
            seconds=mailbox.poll_seconds - 5
        ):
            continue
        polled += 1
        try:
            stored += mailbox_fetch(mailbox=mailbox)
        except Exception:  # recorded on the mailbox; the others still get polled
            logger.exception("IMAP mailbox %s", mailbox.name)
            failed += 1
    return PollReport(mailboxes=polled, stored=stored, errors=failed)


# -- mailboxes -------------------------------------------------------------------------------------

SECRET_FIELDS = frozenset(
    {"imap_password", "oauth_client_secret", "oauth_refresh_token", "oauth_access_token"}
)


def _mailbox_picture(mailbox: Mailbox) -> dict[str, Any]:
    """A mailbox for the audit log: secrets only as "set" or empty."""
    picture = snapshot(mailbox)
    for name in SECRET_FIELDS:
        picture[name] = "(set)" if picture.get(name) else ""
    return picture


def _check_mailbox(mailbox: Mailbox) -> None:
    mailbox.full_clean(exclude=["product"] if mailbox.product_id else None)
    if mailbox.imap_host and not mailbox.imap_username:
        raise ValidationError({"imap_username": "An IMAP mailbox needs the user name to sign in with."})
    if mailbox.imap_host and mailbox.imap_auth == Mailbox.Auth.XOAUTH2:
        missing = [
            f
            for f in ("oauth_token_url", "oauth_client_id", "oauth_refresh_token")
            if not getattr(mailbox, f)
        ]
        if missing:
            raise ValidationError(dict.fromkeys(missing, "Needed for OAuth 2.0 sign-in."))


@transaction.atomic
def mailbox_create(*, actor: Actor, **fields: Any) -> Mailbox:
    """Add a mailbox (staff)."""
    _require_staff(actor)
    mailbox = Mailbox(**fields)
    _check_mailbox(mailbox)
    mailbox.save()
    audit_record(actor=actor, action="create", instance=mailbox, after=_mailbox_picture(mailbox))
    return mailbox


@transaction.atomic
def mailbox_update(*, actor: Actor, mailbox: Mailbox, **changes: Any) -> Mailbox:
    """Change a mailbox's settings (staff); a new refresh token drops the cached access token."""
    _require_staff(actor)
    before = _mailbox_picture(mailbox)
    for name, value in changes.items():
        setattr(mailbox, name, value)
    if "oauth_refresh_token" in changes:
        mailbox.oauth_access_token, mailbox.oauth_expires_at = "", None
    _check_mailbox(mailbox)
    mailbox.save()
    audit_record(
        actor=actor, action="update", instance=mailbox, before=before, after=_mailbox_picture(mailbox)
    )
    return mailbox


@transaction.atomic
def mailbox_delete(*, actor: Actor, mailbox: Mailbox) -> None:
    """Remove a mailbox; the mail it received stays."""
    _require_staff(actor)
    audit_record(actor=actor, action="delete", instance=mailbox, before=_mailbox_picture(mailbox))
    mailbox.delete()


# -- staff's actions -------------------------------------------------------------------------------


def _require_staff(actor: Actor) -> None:
    if not actor.is_staff:
        raise PermissionDenied("The mail inbox is for the vendor's staff.")


def _reopen(actor: Actor, inbound: InboundMessage, allowed: frozenset[str], **changes: Any) -> None:
    if inbound.status not in allowed:
        raise ValidationError(
            {"status": f"This mail is {inbound.get_status_display().lower()}; it cannot be processed again."}
        )
    before = {"status": inbound.status, "error": inbound.error[:500], "contact": inbound.contact_id}
    updated = InboundMessage.objects.filter(pk=inbound.pk, status=inbound.status).update(
        status=Inbound.RECEIVED, **changes
    )
    if not updated:
        raise ValidationError({"status": "The mail changed meanwhile; reload the inbox."})
    audit_record(
        actor=actor,
        action="action",
        instance=inbound,
        before=before,
        after={"status": Inbound.RECEIVED, "contact": changes.get("contact_id", inbound.contact_id)},
    )


@transaction.atomic
def inbound_retry(*, actor: Actor, inbound: InboundMessage) -> InboundMessage:
    """Process a held, refused, quarantined or failed mail again (after a fix), now."""
    _require_staff(actor)
    _reopen(actor, inbound, RETRYABLE)
    return inbound_process(inbound_id=inbound.pk)


@transaction.atomic
def inbound_assign(*, actor: Actor, inbound: InboundMessage, contact: Contact) -> InboundMessage:
    """A held mail is from this contact: process it as theirs (a reply, or a new ticket with the
    entitlement checks of the contact's customer)."""
    _require_staff(actor)
    if not contact.is_active:
        raise ValidationError({"contact": f"{contact.name} is deactivated."})
    _reopen(actor, inbound, frozenset({Inbound.HELD, Inbound.REFUSED}), contact_id=contact.pk)
    return inbound_process(inbound_id=inbound.pk)


@transaction.atomic
def inbound_discard(*, actor: Actor, inbound: InboundMessage) -> InboundMessage:
    """Put a held, quarantined or failed mail aside; it stays stored, marked discarded."""
    _require_staff(actor)
    if inbound.status not in DISCARDABLE:
        raise ValidationError({"status": f"This mail is {inbound.get_status_display().lower()}."})
    before = {"status": inbound.status}
    updated = InboundMessage.objects.filter(pk=inbound.pk, status=inbound.status).update(
        status=Inbound.DISCARDED
    )
    if not updated:
        raise ValidationError({"status": "The mail changed meanwhile; reload the inbox."})
    inbound.status = Inbound.DISCARDED
    audit_record(
        actor=actor, action="update", instance=inbound, before=before, after={"status": inbound.status}
    )
    return inbound
