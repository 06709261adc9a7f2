"""E-mail: the outbox, per-person delivery preferences, digest entries and sweep cursors (out); the
mailboxes ossdesk reads and every message it received, stored raw before it is processed (in)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from ossdesk.accounts.models import Notification
from ossdesk.crypto import EncryptedTextField
from ossdesk.customers.models import Contact
from ossdesk.products.models import Product
from ossdesk.tickets.models import Message, Severity, Ticket, TicketEvent


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
    INBOUND_REFUSED = "inbound_refused", "Your mail could not open a ticket"
    INBOUND_HELD = "inbound_held", "Your mail is waiting for review"
    CONTACT_PROOF = "contact_proof", "Confirm your address"


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
    retryable = models.BooleanField(
        default=True, help_text="False once the server refused the recipient for good: a retry cannot help"
    )
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


class Mailbox(models.Model):
    """An address customers write to: which product and severity its new tickets get, and, for a mailbox
    that ossdesk reads over IMAP, how to sign in. A mailbox without an IMAP host receives by LMTP only.

    The password, the OAuth client secret and the tokens are encrypted at rest (ossdesk.crypto).
    """

    class Security(models.TextChoices):
        SSL = "ssl", "TLS from the start (IMAPS, port 993)"
        STARTTLS = "starttls", "STARTTLS (port 143)"
        NONE = "none", "None (a local test server only)"

    class Auth(models.TextChoices):
        PASSWORD = "password", "Password"
        XOAUTH2 = "xoauth2", "OAuth 2.0 (XOAUTH2: Microsoft 365, Google Workspace)"

    name = models.SlugField(max_length=50, unique=True)
    address = models.EmailField(
        blank=True, help_text="The address mail arrives for; LMTP delivery finds the mailbox by it"
    )
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    severity = models.CharField(max_length=2, choices=Severity.choices, default=Severity.S3)
    is_active = models.BooleanField(default=True)
    imap_host = models.CharField(max_length=255, blank=True, help_text="Empty: the mailbox receives by LMTP")
    imap_port = models.PositiveIntegerField(default=993)
    imap_security = models.CharField(max_length=10, choices=Security.choices, default=Security.SSL)
    imap_username = models.CharField(max_length=255, blank=True)
    imap_auth = models.CharField(max_length=10, choices=Auth.choices, default=Auth.PASSWORD)
    imap_password = EncryptedTextField(blank=True)
    folder = models.CharField(max_length=200, default="INBOX")
    processed_folder = models.CharField(
        max_length=200, blank=True, help_text="Move stored mail here; empty: mark it read (\\Seen) instead"
    )
    poll_seconds = models.PositiveIntegerField(default=60)
    oauth_token_url = models.URLField(max_length=500, blank=True)
    oauth_client_id = models.CharField(max_length=255, blank=True)
    oauth_client_secret = EncryptedTextField(blank=True)
    oauth_refresh_token = EncryptedTextField(blank=True)
    oauth_scope = models.CharField(max_length=500, blank=True)
    oauth_access_token = EncryptedTextField(blank=True)
    oauth_expires_at = models.DateTimeField(null=True, blank=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["address"], condition=~models.Q(address=""), name="one_mailbox_per_address"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def source(self) -> str:
        return f"imap:{self.name}"


class InboundMessage(models.Model):
    """One received mail, stored raw before anything reads it; processing it again changes nothing.

    `message_id` is the mail's Message-ID, or `sha256:<hex>` of the raw bytes when it has none: the same
    mail delivered twice is stored once.
    """

    class Status(models.TextChoices):
        RECEIVED = "received", "Received, not processed yet"
        PROCESSED = "processed", "Processed"
        HELD = "held", "Held for review"
        REFUSED = "refused", "Refused (sender answered)"
        IGNORED = "ignored", "Ignored (automatic mail)"
        QUARANTINED = "quarantined", "Quarantined (malformed)"
        FAILED = "failed", "Processing failed"
        DISCARDED = "discarded", "Discarded by staff"

    raw = models.BinaryField()
    size = models.PositiveIntegerField()
    message_id = models.CharField(max_length=250, unique=True)
    source = models.CharField(max_length=70, help_text="lmtp, or imap:<mailbox>")
    mailbox = models.ForeignKey(
        Mailbox, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    envelope_from = models.CharField(max_length=254, blank=True)
    from_address = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=400, blank=True)
    received_at = models.DateTimeField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RECEIVED)
    error = models.TextField(blank=True, help_text="Why it is held, refused, ignored, quarantined or failed")
    attempts = models.PositiveSmallIntegerField(default=0)
    processed_at = models.DateTimeField(null=True, blank=True)
    contact = models.ForeignKey(
        Contact,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The contact it is from: matched by address, or chosen by staff",
    )
    ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound_emails"
    )
    ticket_message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-received_at", "-pk"]
        indexes = [models.Index(fields=["status", "received_at"], name="inbound_by_status")]

    def __str__(self) -> str:
        return f"{self.message_id} from {self.from_address or '?'}: {self.status}"
