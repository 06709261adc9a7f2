"""Outbound e-mail: the outbox, per-person delivery preferences, digest entries and sweep cursors."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from ossdesk.accounts.models import Notification
from ossdesk.tickets.models import Ticket, TicketEvent


class MailKind(models.TextChoices):
    """What a mail is about; preferences and templates are chosen by it."""

    TICKET_CREATED = "ticket_created", "Your new ticket was received"
    TICKET_REPLY = "ticket_reply", "Support replied to your ticket"
    TICKET_WAITING = "ticket_waiting", "Support is waiting on you"
    TICKET_SOLVED = "ticket_solved", "Your ticket was solved"
    TICKET_ASSIGNED = "ticket_assigned", "A ticket was assigned to you"
    TICKET_CUSTOMER_REPLY = "ticket_customer_reply", "A customer replied on your ticket"
    SLA_WARNING = "sla_warning", "SLA warnings"
    SLA_BREACH = "sla_breach", "SLA breaches"
    SECURITY_NOTICE = "security_notice", "Security notices about your deployments"
    ADVISORY = "advisory", "Advisories published"
    OTHER = "other", "Other notices"
    DIGEST = "digest", "Daily digest"


class Delivery(models.TextChoices):
    IMMEDIATELY = "immediately", "Immediately"
    DIGEST = "digest", "In the daily digest"
    OFF = "off", "Off"


class NotificationPreference(models.Model):
    """How one person wants one kind of mail; without a row the role's default applies."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mail_preferences"
    )
    kind = models.CharField(max_length=40, choices=MailKind.choices)
    delivery = models.CharField(max_length=20, choices=Delivery.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["user", "kind"]
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {self.delivery}"


class OutboundEmail(models.Model):
    """One mail to one address, stored before it is sent so nothing is lost; the worker sends it.

    A notification is mailed at most once (unique `notification`), a ticket event at most once per
    address (unique `ticket_event` + `recipient`), a digest once per person and day.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=40, choices=MailKind.choices)
    recipient = models.EmailField(max_length=254)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject = models.CharField(max_length=400)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    message_id = models.CharField(max_length=250, db_index=True)
    in_reply_to = models.CharField(max_length=250, blank=True)
    references = models.TextField(blank=True, help_text="Message-IDs separated by spaces, root first")
    headers = models.JSONField(default=dict, blank=True, help_text="Further headers, e.g. Auto-Submitted")
    ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="outbound_emails"
    )
    ticket_event = models.ForeignKey(
        TicketEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notification = models.OneToOneField(
        Notification, null=True, blank=True, on_delete=models.SET_NULL, related_name="outbound_email"
    )
    digest_for = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"], condition=models.Q(status="queued"), name="outbound_due"
            ),
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["ticket", "recipient"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket_event", "recipient"],
                condition=models.Q(ticket_event__isnull=False),
                name="one_mail_per_event_and_address",
            ),
            models.UniqueConstraint(
                fields=["user", "digest_for"],
                condition=models.Q(digest_for__isnull=False),
                name="one_digest_per_person_and_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient}: {self.status}"


class DigestEntry(models.Model):
    """A notice someone takes in the daily digest, waiting for it (`digest` empty) or included in one."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40, choices=MailKind.choices)
    subject = models.CharField(max_length=400)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    ticket = models.ForeignKey(Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    ticket_event = models.ForeignKey(
        TicketEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notification = models.OneToOneField(
        Notification, null=True, blank=True, on_delete=models.SET_NULL, related_name="digest_entry"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    digest = models.ForeignKey(
        OutboundEmail, null=True, blank=True, on_delete=models.PROTECT, related_name="digest_entries"
    )

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["user"], condition=models.Q(digest__isnull=True), name="digest_due")]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket_event", "user"],
                condition=models.Q(ticket_event__isnull=False),
                name="one_digest_entry_per_event_and_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id}: {self.subject}"


class SweepCursor(models.Model):
    """How far the mail sweep has read a source table (notifications, ticket events), by id."""

    name = models.CharField(max_length=40, unique=True)
    position = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.name} @ {self.position}"
