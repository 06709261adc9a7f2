"""Sending the outbox's due rows over SMTP with retries, and a person's "retry now".

Nothing is sent twice: a worker claims a row (queued -> sending) in one conditional update before it talks
to the server.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ossdesk.accounts.access import can_read_mail, require
from ossdesk.accounts.actor import Actor
from ossdesk.audit.services import audit_record
from ossdesk.channels import mailer
from ossdesk.channels.models import OutboundEmail
from ossdesk.channels.services.outbox import MAILER
from ossdesk.config.queue import enqueue

# A row left "sending" this long belongs to a worker that stopped mid-send.
STUCK_AFTER = timedelta(minutes=15)


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
    require(can_read_mail(actor), "The outbox is for the vendor's staff.")
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
