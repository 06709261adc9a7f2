"""Mailing in-app notifications by each person's preference (now, in the digest, or not), and the daily
digest."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from ossdesk.accounts.models import Notification, User
from ossdesk.channels.models import Delivery, DigestEntry, MailKind, OutboundEmail
from ossdesk.channels.preferences import mail_kind_for
from ossdesk.channels.services.outbox import digest_entry_add, outbox_add
from ossdesk.channels.services.preferences import PreferenceCache
from ossdesk.channels.services.rendering import mail_link, render_mail
from ossdesk.channels.threading import standalone_message_id, ticket_notice_message_id, ticket_subject
from ossdesk.tickets.commitments import breach_report
from ossdesk.tickets.models import Ticket


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
        return digest_entry_add(
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
