"""Every write of outbound mail: turning notifications and ticket events into outbox rows (or digest
entries) by each person's preferences, sending due rows with retries, the daily digest, a person's
"retry now", and preference changes.

Nothing is lost: a mail is stored in the outbox before any attempt to send it, and every failure stays
on its row, visible and retryable. Nothing is sent twice: unique keys make a second sweep a no-op, and a
worker claims a row (queued -> sending) in one conditional update before it talks to the server.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import timezone

from ossdesk.accounts.actor import Actor, shown_name
from ossdesk.accounts.models import Notification, User
from ossdesk.audit.services import audit_record
from ossdesk.channels import mailer
from ossdesk.channels.models import (
    Delivery,
    DigestEntry,
    MailKind,
    NotificationPreference,
    OutboundEmail,
    SweepCursor,
)
from ossdesk.channels.preferences import mail_kind_for
from ossdesk.channels.selectors import preference_kinds, preferences_for
from ossdesk.channels.threading import (
    standalone_message_id,
    thread_headers,
    ticket_event_message_id,
    ticket_message_id,
    ticket_notice_message_id,
    ticket_subject,
    ticket_token,
)
from ossdesk.config.queue import enqueue
from ossdesk.customers.models import Contact
from ossdesk.customers.proof import PROOF_TTL
from ossdesk.tickets.commitments import breach_report, first_response
from ossdesk.tickets.models import Status, Ticket, TicketEvent

MAILER = Actor.system("mail")
# A source row younger than this may still have neighbours with lower ids in uncommitted transactions:
# the cursor waits for it, and the sweep looks at it again next time (unique keys keep that harmless).
SETTLE = timedelta(minutes=10)
# Older notices are history (a restore, the first run, demo data), not news: they are not mailed.
MAX_AGE = timedelta(days=1)
# A row left "sending" this long belongs to a worker that stopped mid-send.
STUCK_AFTER = timedelta(minutes=15)
EVENT_KINDS = (TicketEvent.Kind.OPENED, TicketEvent.Kind.VENDOR_REPLY, TicketEvent.Kind.STATUS)
AUTO_HEADERS = {"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"}

Row = TypeVar("Row", bound=models.Model)


# -- rendering -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str


def _render_plain(name: str, context: Mapping[str, Any]) -> str:
    """Render a text template without HTML escaping: a subject or a text body is not HTML."""
    template = get_template(name).template  # type: ignore[attr-defined]
    return str(template.render(Context(dict(context), autoescape=False)))


def render_mail(kind: str, context: Mapping[str, Any]) -> RenderedMail:
    """Render `channels/email/<kind>.subject.txt`, `.txt` and `.html` with the shared context."""
    full: dict[str, Any] = {
        "vendor_name": settings.OSSDESK_VENDOR_NAME,
        "site_url": settings.OSSDESK_MAIL_LINK_URL.rstrip("/"),
        **context,
    }
    ticket = full.get("ticket")
    if ticket is not None:
        full["token"] = ticket_token(ticket)
    base = f"channels/email/{kind}"
    subject = " ".join(_render_plain(f"{base}.subject.txt", full).split())
    if ticket is not None:
        subject = ticket_subject(ticket, subject)
    full["subject"] = subject
    return RenderedMail(
        subject=subject[:400],
        text=_render_plain(f"{base}.txt", full).strip() + "\n",
        html=render_to_string(f"{base}.html", full).strip() + "\n",
    )


def mail_link(path: str) -> str:
    if not path or path.startswith(("http://", "https://")):
        return path
    return settings.OSSDESK_MAIL_LINK_URL.rstrip("/") + "/" + path.lstrip("/")


# -- queueing --------------------------------------------------------------------------------------


class PreferenceCache:
    """Preferences of the people one sweep mails, read once per person."""

    def __init__(self) -> None:
        self._by_user: dict[int | None, dict[str, Delivery]] = {}

    def delivery(self, user: User | None, kind: str) -> Delivery:
        key = user.pk if user is not None else None
        if key not in self._by_user:
            self._by_user[key] = preferences_for(user)
        return self._by_user[key][kind]


def _previous_message_id(ticket: Ticket, recipient: str) -> str | None:
    return (
        OutboundEmail.objects.filter(ticket=ticket, recipient=recipient)
        .order_by("-pk")
        .values_list("message_id", flat=True)
        .first()
    )


def outbox_add(
    *,
    kind: str,
    recipient: str,
    user: User | None,
    rendered: RenderedMail,
    message_id: str,
    ticket: Ticket | None = None,
    ticket_event: TicketEvent | None = None,
    notification: Notification | None = None,
    digest_for: date | None = None,
    in_reply_to: str = "",
    references: str = "",
    now: datetime | None = None,
) -> OutboundEmail | None:
    """Store one mail in the outbox (None if its unique key says it is there already)."""
    if ticket is not None:
        root = ticket_message_id(ticket)
        previous = in_reply_to or _previous_message_id(ticket, recipient)
        in_reply_to, references = thread_headers(root, previous, message_id)
    headers = dict(AUTO_HEADERS)
    if ticket is not None:
        headers["X-Ossdesk-Ticket"] = str(ticket.pk)
    try:
        with transaction.atomic():
            email = OutboundEmail.objects.create(
                kind=kind,
                recipient=recipient,
                user=user,
                subject=rendered.subject,
                body_text=rendered.text,
                body_html=rendered.html,
                message_id=message_id,
                in_reply_to=in_reply_to,
                references=references,
                headers=headers,
                ticket=ticket,
                ticket_event=ticket_event,
                notification=notification,
                digest_for=digest_for,
                next_attempt_at=now or timezone.now(),
            )
            audit_record(
                actor=MAILER,
                action="create",
                instance=email,
                after={
                    "kind": kind,
                    "recipient": recipient,
                    "subject": email.subject,
                    "ticket": ticket.pk if ticket else None,
                    "notification": notification.pk if notification else None,
                    "event": ticket_event.pk if ticket_event else None,
                },
                organization_id=ticket.organization_id if ticket else None,
            )
    except IntegrityError:
        return None  # queued before (a second sweep, a second worker)
    return email


def _digest_entry(**fields: Any) -> DigestEntry | None:
    try:
        with transaction.atomic():
            return DigestEntry.objects.create(**fields)
    except IntegrityError:
        return None


def notification_mail_enqueue(
    notification: Notification, *, now: datetime | None = None, preferences: PreferenceCache | None = None
) -> OutboundEmail | DigestEntry | None:
    """Mail an in-app notification by its recipient's preference: now, in the digest, or not at all.

    At most once: the outbox and the digest each hold the notification id under a unique key.
    """
    user = notification.recipient
    if not user.is_active or not user.email:
        return None
    kind = mail_kind_for(notification.kind)
    if OutboundEmail.objects.filter(notification=notification).exists():
        return None
    if DigestEntry.objects.filter(notification=notification).exists():
        return None
    delivery = (preferences or PreferenceCache()).delivery(user, kind)
    if delivery == Delivery.OFF:
        return None
    ticket = (
        Ticket.objects.select_related("organization", "assignee").filter(pk=notification.ticket_id).first()
        if notification.ticket_id is not None
        else None
    )
    if delivery == Delivery.DIGEST:
        return _digest_entry(
            user=user,
            kind=kind,
            subject=ticket_subject(ticket, notification.subject) if ticket else notification.subject,
            body=notification.body,
            url=notification.url,
            ticket=ticket,
            notification=notification,
        )
    context: dict[str, Any] = {
        "notification": notification,
        "ticket": ticket,
        "recipient_name": str(user),
        "link": mail_link(notification.url),
    }
    if kind == MailKind.SLA_BREACH and ticket is not None:
        context["report"] = breach_report(ticket, now=now or timezone.now())
    rendered = render_mail(kind if kind != MailKind.OTHER else "notice", context)
    message_id = (
        ticket_notice_message_id(ticket, f"notice.{notification.pk}")
        if ticket is not None
        else standalone_message_id(f"notice.{notification.pk}")
    )
    return outbox_add(
        kind=kind,
        recipient=user.email,
        user=user,
        rendered=rendered,
        message_id=message_id,
        ticket=ticket,
        notification=notification,
        now=now,
    )


def event_mail_kind(event: TicketEvent) -> MailKind | None:
    """Which customer mail a ticket event makes, if any."""
    if event.kind == TicketEvent.Kind.OPENED:
        return MailKind.TICKET_CREATED
    if event.kind == TicketEvent.Kind.VENDOR_REPLY and event.message_id is not None:
        return MailKind.TICKET_REPLY
    if event.kind == TicketEvent.Kind.STATUS and event.value == Status.WAITING_ON_CUSTOMER:
        return MailKind.TICKET_WAITING
    if event.kind == TicketEvent.Kind.STATUS and event.value == Status.SOLVED:
        return MailKind.TICKET_SOLVED
    return None


def ticket_mail_for_event(
    event: TicketEvent, *, now: datetime | None = None, preferences: PreferenceCache | None = None
) -> OutboundEmail | DigestEntry | None:
    """Mail the ticket's contact about an event: the acknowledgement of a new ticket, a public reply
    from support, "waiting on you", "solved". Once per event and address, whoever calls it."""
    kind = event_mail_kind(event)
    if kind is None:
        return None
    ticket = event.ticket
    contact = ticket.contact
    if contact is None or not contact.is_active or not contact.email:
        return None
    message = event.message
    if kind == MailKind.TICKET_REPLY and (message is None or not message.is_public or message.from_customer):
        return None
    recipient = contact.email
    user = contact.user if contact.user is not None and contact.user.is_active else None
    if OutboundEmail.objects.filter(ticket_event=event, recipient=recipient).exists():
        return None
    delivery = (preferences or PreferenceCache()).delivery(user, kind)
    if delivery == Delivery.OFF:
        return None
    author = shown_name(message.author, message.author_label) if message is not None else ""
    if delivery == Delivery.DIGEST and user is not None:
        rendered = render_mail(kind, {"ticket": ticket, "event": event, "message": message, "author": author})
        return _digest_entry(
            user=user,
            kind=kind,
            subject=rendered.subject,
            body=message.body[:2000] if message is not None else "",
            url=f"/tickets/{ticket.pk}/",
            ticket=ticket,
            ticket_event=event,
        )
    context = {
        "ticket": ticket,
        "event": event,
        "message": message,
        "author": author,
        "contact": contact,
        "recipient_name": contact.name,
        "link": mail_link(f"/tickets/{ticket.pk}/"),
        "reason": (event.data or {}).get("reason", ""),
    }
    if kind == MailKind.TICKET_CREATED:
        context["first_response"] = first_response(ticket)
        context["origin"] = (event.data or {}).get("origin", "")
    if kind == MailKind.TICKET_SOLVED:
        from ossdesk.surveys.services import survey_mail_context  # surveys build on the solved mail

        context.update(survey_mail_context(ticket=ticket, event=event))
    if kind == MailKind.TICKET_CREATED:
        message_id = ticket_message_id(ticket)  # the acknowledgement is the thread's root
    elif kind == MailKind.TICKET_REPLY and message is not None:
        message_id = ticket_message_id(ticket, message)
    else:
        message_id = ticket_event_message_id(ticket, event)
    # A ticket that came in by e-mail: the acknowledgement answers the customer's own message.
    in_reply_to = str((event.data or {}).get("message_id", "")) if kind == MailKind.TICKET_CREATED else ""
    return outbox_add(
        kind=kind,
        recipient=recipient,
        user=user,
        rendered=render_mail(kind, context),
        message_id=message_id,
        ticket=ticket,
        ticket_event=event,
        in_reply_to=in_reply_to,
        now=now,
    )


# -- the sweep ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepReport:
    notifications: int
    events: int


def _cursor(name: str, rows: models.QuerySet[Any], time_field: str, now: datetime) -> SweepCursor:
    """The cursor of a source; a new one starts after the history (older than MAX_AGE)."""
    cursor = SweepCursor.objects.filter(name=name).first()
    if cursor is not None:
        return cursor
    history = rows.filter(**{f"{time_field}__lt": now - MAX_AGE})
    start = history.order_by("-pk").values_list("pk", flat=True).first()
    cursor, _ = SweepCursor.objects.get_or_create(name=name, defaults={"position": start or 0})
    return cursor


def _sweep_source(
    name: str,
    rows: models.QuerySet[Row],
    time_of: Callable[[Row], datetime],
    time_field: str,
    handle: Callable[[Row], object],
    *,
    now: datetime,
    limit: int,
) -> int:
    cursor = _cursor(name, rows, time_field, now)
    batch = list(rows.filter(pk__gt=cursor.position).order_by("pk")[:limit])
    advance_to, settled, handled = cursor.position, True, 0
    for row in batch:
        at = time_of(row)
        if at >= now - MAX_AGE and handle(row) is not None:
            handled += 1
        if settled and at <= now - SETTLE:
            advance_to = row.pk
        else:
            settled = False
    if advance_to > cursor.position:
        SweepCursor.objects.filter(pk=cursor.pk, position__lt=advance_to).update(position=advance_to)
    return handled


def mail_sweep(*, now: datetime | None = None, limit: int = 2000) -> SweepReport:
    """Queue mail for new notifications and ticket events; a second run queues nothing more."""
    now = now or timezone.now()
    preferences = PreferenceCache()
    notifications = _sweep_source(
        "notifications",
        Notification.objects.select_related("recipient"),
        lambda n: n.created_at,
        "created_at",
        lambda n: notification_mail_enqueue(n, now=now, preferences=preferences),
        now=now,
        limit=limit,
    )
    events = _sweep_source(
        "ticket_events",
        TicketEvent.objects.filter(kind__in=EVENT_KINDS).select_related(
            "ticket__organization", "ticket__contact__user", "message__author"
        ),
        lambda e: e.at,
        "at",
        lambda e: ticket_mail_for_event(e, now=now, preferences=preferences),
        now=now,
        limit=limit,
    )
    return SweepReport(notifications=notifications, events=events)


# -- sending ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SendReport:
    configured: bool
    sent: int = 0
    deferred: int = 0
    failed: int = 0


def _audit_outcome(email: OutboundEmail, before: str) -> None:
    audit_record(
        actor=MAILER,
        action="update",
        instance=email,
        before={"status": before},
        after={"status": email.status, "attempts": email.attempts, "error": email.last_error[:500]},
        organization_id=email.ticket.organization_id if email.ticket else None,
    )


def _finish(email: OutboundEmail, now: datetime, error: mailer.MailError | None) -> str:
    """Record the attempt's outcome on the row: sent, deferred (queued for later) or failed."""
    max_attempts: int = settings.OSSDESK_MAIL_MAX_ATTEMPTS
    if error is None:
        email.status, email.sent_at, email.last_error = OutboundEmail.Status.SENT, now, ""
        outcome = "sent"
    elif error.permanent or email.attempts >= max_attempts:
        email.status = OutboundEmail.Status.FAILED
        reason = "refused permanently" if error.permanent else f"gave up after {email.attempts} attempts"
        email.last_error = f"{reason}: {error}"[:2000]
        email.retryable = not (error.permanent and error.recipient)
        outcome = "failed"
    else:
        email.status = OutboundEmail.Status.QUEUED
        email.next_attempt_at = now + mailer.retry_delay(email.attempts)
        email.last_error = str(error)[:2000]
        outcome = "deferred"
    with transaction.atomic():
        email.save(update_fields=["status", "sent_at", "last_error", "next_attempt_at", "retryable"])
        _audit_outcome(email, OutboundEmail.Status.SENDING)
    return outcome


def _release_stuck(now: datetime) -> None:
    """A worker stopped between claiming and recording: the mail may or may not have gone. Show it."""
    for email in OutboundEmail.objects.filter(
        status=OutboundEmail.Status.SENDING, claimed_at__lt=now - STUCK_AFTER
    ).select_related("ticket"):
        with transaction.atomic():
            updated = OutboundEmail.objects.filter(pk=email.pk, status=OutboundEmail.Status.SENDING).update(
                status=OutboundEmail.Status.FAILED,
                last_error="The worker stopped while sending; the mail may or may not have been delivered. "
                "Retry it if the recipient did not get it.",
            )
            if updated:
                email.refresh_from_db()
                _audit_outcome(email, OutboundEmail.Status.SENDING)


def _claim(pk: int, now: datetime) -> OutboundEmail | None:
    """queued -> sending in one conditional update: of two workers, exactly one gets the row."""
    with transaction.atomic():
        claimed = OutboundEmail.objects.filter(
            pk=pk, status=OutboundEmail.Status.QUEUED, next_attempt_at__lte=now
        ).update(status=OutboundEmail.Status.SENDING, attempts=F("attempts") + 1, claimed_at=now)
    if not claimed:
        return None
    return OutboundEmail.objects.select_related("ticket").get(pk=pk)


def outbox_send_due(*, now: datetime | None = None, limit: int = 1000) -> SendReport:
    """Send the outbox rows that are due over SMTP; without OSSDESK_SMTP_HOST they stay queued."""
    config = mailer.smtp_config()
    if config is None:
        return SendReport(configured=False)
    now = now or timezone.now()
    _release_stuck(now)
    due = list(
        OutboundEmail.objects.filter(status=OutboundEmail.Status.QUEUED, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    counts = {"sent": 0, "deferred": 0, "failed": 0}
    with mailer.Transport(config) as transport:
        for pk in due:
            email = _claim(pk, now)
            if email is None:
                continue  # another worker took it
            error: mailer.MailError | None = None
            try:
                transport.send(email)
            except mailer.MailError as exc:
                error = exc
            counts[_finish(email, now, error)] += 1
            if error is not None and error.unreachable:
                break  # the others stay queued, unattempted, for the next run
    return SendReport(configured=True, **counts)


# -- the daily digest ------------------------------------------------------------------------------


def digest_send(*, now: datetime | None = None) -> int:
    """One mail per person with the notices they take in the digest; returns how many were queued."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    pending = DigestEntry.objects.filter(digest__isnull=True, created_at__lte=now)
    queued = 0
    for user_id in pending.values_list("user_id", flat=True).distinct().order_by("user_id"):
        user = User.objects.filter(pk=user_id, is_active=True).first()
        entries = list(pending.filter(user_id=user_id).select_related("ticket"))
        if user is None or not user.email or not entries:
            continue
        rendered = render_mail(
            "digest",
            {
                "recipient_name": str(user),
                "day": day,
                "entries": [{"entry": e, "link": mail_link(e.url)} for e in entries],
                "count": len(entries),
                "preferences_link": mail_link("/account/notifications/preferences/"),
            },
        )
        with transaction.atomic():
            email = outbox_add(
                kind=MailKind.DIGEST,
                recipient=user.email,
                user=user,
                rendered=rendered,
                message_id=standalone_message_id(f"digest.{user.pk}.{day:%Y%m%d}"),
                digest_for=day,
                now=now,
            )
            if email is None:
                continue  # today's digest went already; these wait for tomorrow's
            DigestEntry.objects.filter(pk__in=[e.pk for e in entries], digest__isnull=True).update(
                digest=email
            )
        queued += 1
    return queued


# -- people's actions ------------------------------------------------------------------------------


def retry_refusal(email: OutboundEmail, *, configured: bool) -> str:
    """Why "Retry now" cannot succeed for this mail ("" when it can): a sent mail is never sent twice,
    a recipient the server refused for good is refused again, and without an SMTP server nothing goes."""
    if email.status == OutboundEmail.Status.SENT:
        return "Sent; a sent mail is never sent twice."
    if email.status == OutboundEmail.Status.SENDING:
        return "Being sent now."
    if not email.retryable:
        return "The server refused this address for good; a retry would be refused again."
    if not configured:
        return "No SMTP server is configured (OSSDESK_SMTP_HOST): the mail waits in the outbox until one is."
    return ""


@transaction.atomic
def outbound_retry(*, actor: Actor, email: OutboundEmail) -> OutboundEmail:
    """ "Retry now": a failed or waiting mail goes at the next send, with a fresh set of attempts —
    only where that can succeed (see `retry_refusal`)."""
    if not actor.is_staff:
        raise PermissionDenied("The outbox is for the vendor's staff.")
    refusal = retry_refusal(email, configured=mailer.smtp_config() is not None)
    if refusal:
        raise ValidationError({"status": refusal})
    before = {"status": email.status, "attempts": email.attempts, "next_attempt_at": email.next_attempt_at}
    updated = OutboundEmail.objects.filter(pk=email.pk, status=email.status).update(
        status=OutboundEmail.Status.QUEUED,
        attempts=0 if email.status == OutboundEmail.Status.FAILED else email.attempts,
        next_attempt_at=timezone.now(),
    )
    if not updated:
        raise ValidationError({"status": "The mail changed meanwhile; reload the outbox."})
    email.refresh_from_db()
    audit_record(
        actor=actor,
        action="update",
        instance=email,
        before=before,
        after={"status": email.status, "attempts": email.attempts, "retry": "now"},
        organization_id=email.ticket.organization_id if email.ticket else None,
    )
    transaction.on_commit(lambda: enqueue("ossdesk.channels.tasks.outbox_send_now_task"))
    return email


@transaction.atomic
def notification_preferences_set(
    *, actor: Actor, user: User, choices: Mapping[str, str]
) -> dict[str, Delivery]:
    """Store a person's choices (only the kinds they can receive); people change only their own."""
    if actor.user_id != user.pk:
        raise PermissionDenied("People choose their own mail.")
    allowed = set(preference_kinds(user))
    errors = {
        kind: f"Choose from {', '.join(Delivery.values)}."
        for kind, value in choices.items()
        if kind in allowed and value not in Delivery.values
    }
    unknown = sorted(set(choices) - allowed)
    if unknown:
        errors["__all__"] = f"Not a kind of mail you receive: {', '.join(unknown)}."
    if errors:
        raise ValidationError(errors)
    before = {k: str(v) for k, v in preferences_for(user).items() if k in allowed}
    for kind, value in choices.items():
        NotificationPreference.objects.update_or_create(user=user, kind=kind, defaults={"delivery": value})
    after = preferences_for(user)
    audit_record(
        actor=actor,
        action="update",
        object_type="channels.notificationpreference",
        object_id=user.pk,
        object_repr=f"mail preferences of {user}",
        before=before,
        after={k: str(v) for k, v in after.items() if k in allowed},
    )
    return after


# -- proving a contact's address ------------------------------------------------------------------------


def contact_proof_mail_enqueue(*, contact: Contact, token: str) -> OutboundEmail | None:
    """Mail the link that proves a newly added contact's address (customers/services.py asks for it)."""
    rendered = render_mail(
        MailKind.CONTACT_PROOF,
        {
            "recipient_name": contact.name,
            "organization": contact.organization.name,
            "link": mail_link(reverse("web:contact-proof", args=[token])),
            "days": PROOF_TTL.days,
        },
    )
    return outbox_add(
        kind=MailKind.CONTACT_PROOF,
        recipient=contact.email,
        user=None,
        rendered=rendered,
        message_id=standalone_message_id(f"contact-proof.{contact.pk}"),
    )
