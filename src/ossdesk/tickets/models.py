"""Tickets, their event history, messages and attachments, clocks, teams, consulting time."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models

from ossdesk.accounts.models import Role
from ossdesk.customers.models import Contact, Deployment, Organization
from ossdesk.plans.models import Agreement
from ossdesk.products.models import Product, ProductVersion


class Severity(models.TextChoices):
    S1 = "S1", "S1 — production down or data at risk"
    S2 = "S2", "S2 — production severely impaired"
    S3 = "S3", "S3 — partial, non-critical loss of use"
    S4 = "S4", "S4 — question, how-to or cosmetic"


class Status(models.TextChoices):
    NEW = "new", "New"
    OPEN = "open", "Open"
    WAITING_ON_CUSTOMER = "waiting_on_customer", "Waiting on customer"
    WAITING_ON_THIRD_PARTY = "waiting_on_third_party", "Waiting on third party"
    SOLVED = "solved", "Solved"
    CLOSED = "closed", "Closed"


OPEN_STATUSES = (Status.NEW, Status.OPEN, Status.WAITING_ON_CUSTOMER, Status.WAITING_ON_THIRD_PARTY)
NO_DEADLINE = 2**60  # stands for the deadline of a ticket without one: after every ticket that has one
SEVERITY_RANK = {"S1": 0, "S2": 1, "S3": 2, "S4": 3}


def queue_key(next_due_at: datetime | None, severity: str) -> int:
    """The queue's sort key: the next deadline (epoch seconds), then the severity, in one indexed integer."""
    due = int(next_due_at.timestamp()) if next_due_at is not None else NO_DEADLINE
    return due * 4 + SEVERITY_RANK.get(severity, 3)


class Channel(models.TextChoices):
    PORTAL = "portal", "Portal"
    EMAIL = "email", "E-mail"
    PHONE = "phone", "Phone"
    DEDICATED = "dedicated", "Dedicated channel"
    API = "api", "API"
    # ossdesk's own systems open these cases; no person raised them.
    SYSTEM = Role.SYSTEM.value, "ossdesk"  # opened by the system actor: the same word as its role
    SECURITY = "security", "ossdesk security"
    MONITORING = "monitoring", "ossdesk monitoring"


SYSTEM_CHANNELS = frozenset({Channel.SYSTEM, Channel.SECURITY, Channel.MONITORING})


class Calendar(models.Model):
    """Named business hours (a team's shifts, a region's office hours) with extra holidays."""

    name = models.CharField(max_length=100, unique=True)
    timezone = models.CharField(max_length=64, default="UTC")
    weekly = models.JSONField(help_text='{"mon": [["09:00", "17:00"]], ...}')
    holidays_country = models.CharField(max_length=2, blank=True)
    holidays_subdiv = models.CharField(max_length=10, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ExtraHoliday(models.Model):
    """A day off the vendor observes beyond public holidays: for one calendar, or a country's customers."""

    calendar = models.ForeignKey(
        Calendar, null=True, blank=True, on_delete=models.CASCADE, related_name="extra_holidays"
    )
    country = models.CharField(max_length=2, blank=True, help_text="Applies to customers in this country")
    date = models.DateField()
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class Team(models.Model):
    """Engineers who share product skills, a calendar and a queue."""

    class Assignment(models.TextChoices):
        LEAST_LOADED = "least_loaded", "Least loaded"
        ROUND_ROBIN = "round_robin", "Round robin"

    name = models.CharField(max_length=100, unique=True)
    products = models.ManyToManyField(Product, blank=True, related_name="teams")
    severities = models.JSONField(
        default=list, blank=True, help_text="Severities this team takes; empty = all"
    )
    calendar = models.ForeignKey(
        Calendar, null=True, blank=True, on_delete=models.SET_NULL, related_name="teams"
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="led_teams"
    )
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="teams")
    assignment = models.CharField(max_length=20, choices=Assignment.choices, default=Assignment.LEAST_LOADED)
    is_default = models.BooleanField(default=False, help_text="Takes what no other team matches")
    last_assigned = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    name = models.SlugField(max_length=50, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Ticket(models.Model):
    """A support case. Its SLA state is derived from its events; the columns below index it."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="tickets")
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="tickets")
    product_version = models.ForeignKey(
        ProductVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    deployment = models.ForeignKey(
        Deployment, null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    subject = models.CharField(max_length=250)
    severity = models.CharField(max_length=2, choices=Severity.choices)
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.NEW)
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.PORTAL)
    is_proactive = models.BooleanField(default=False, help_text="Raised ahead of planned maintenance")
    planned_for = models.DateTimeField(null=True, blank=True)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="tickets")
    opened_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    solved_at = models.DateTimeField(null=True, blank=True)
    # Derived SLA columns, rewritten whenever the ticket's events or contract change.
    plan_code = models.CharField(max_length=40, blank=True)
    sla_state = models.CharField(max_length=10, blank=True, db_index=True)
    next_due_at = models.DateTimeField(null=True, blank=True)
    # The queue's sort key: next_due_at in epoch seconds, or NO_DEADLINE; indexed for open tickets only.
    queue_key = models.BigIntegerField(default=NO_DEADLINE * 4 + 3)
    next_check_at = models.DateTimeField(null=True, blank=True, db_index=True)
    escalation_level = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-opened_at"]
        indexes = [
            models.Index(
                fields=["queue_key"],  # with the row id: the queue's whole ORDER BY
                condition=models.Q(status__in=OPEN_STATUSES),
                name="ticket_open_queue",
            ),
            models.Index(fields=["opened_at"]),
            models.Index(fields=["organization", "status"]),
            models.Index(fields=["assignee", "status"]),
            models.Index(fields=["team", "status"]),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def opened_by_system(self) -> bool:
        """ossdesk itself opened it (a security notice, a monitoring alert): no person raised it."""
        return self.channel in SYSTEM_CHANNELS


class Message(models.Model):
    """A public reply or an internal note on a ticket."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_label = models.CharField(max_length=200)
    from_customer = models.BooleanField()
    is_public = models.BooleanField(default=True)
    body = models.TextField()
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.PORTAL)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{'reply' if self.is_public else 'note'} on #{self.ticket_id}"


class Attachment(models.Model):
    """A file on a message, stored outside the web root under OSSDESK_DATA_DIR/files."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="attachments/%Y/%m/")
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)

    def __str__(self) -> str:
        return self.filename


class TicketEvent(models.Model):
    """The ticket's history; SLA clocks are computed from these and nothing else."""

    class Kind(models.TextChoices):
        OPENED = "opened", "Opened"
        CUSTOMER_MESSAGE = "customer_message", "Customer replied"
        VENDOR_REPLY = "vendor_reply", "Engineer replied"
        INTERNAL_NOTE = "internal_note", "Internal note"
        STATUS = "status", "Status changed"
        SEVERITY = "severity", "Severity changed"
        ASSIGNED = "assigned", "Assigned"
        WORKAROUND = "workaround", "Workaround given"
        REACHABILITY = "reachability", "24/7 contact reachability changed"
        TIME_LOGGED = "time_logged", "Time logged"
        SLA_WARNING = "sla_warning", "SLA warning"
        SLA_BREACH = "sla_breach", "SLA breached"
        ESCALATED = "escalated", "Escalated"
        RETARGETED = "retargeted", "Deadlines recalculated"
        TAGGED = "tagged", "Tags changed"

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    value = models.CharField(max_length=100, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200)
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["ticket", "at"])]

    def __str__(self) -> str:
        return f"#{self.ticket_id} {self.kind} {self.value}".strip()


class TicketClock(models.Model):
    """A clock's latest evaluation, stored for indexing and for the fast bulk recalculation.

    For a running clock, `due_at` = calendar.add(`anchor_at`, `target_seconds` - `banked_seconds`) on the
    customer's current calendar; a holiday added after `anchor_at` therefore only needs that sum.
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="clocks")
    name = models.CharField(max_length=20)
    state = models.CharField(max_length=10)
    target = models.CharField(max_length=10, blank=True)
    target_seconds = models.PositiveIntegerField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    elapsed_seconds = models.IntegerField(default=0)
    anchor_at = models.DateTimeField(null=True, blank=True)
    banked_seconds = models.IntegerField(default=0)
    breached = models.BooleanField(default=False)
    cycle = models.PositiveIntegerField(default=0)
    breaches = models.PositiveIntegerField(default=0)
    # A code of ossdesk.domain.sla.PauseReason ("waiting_on_customer"), whose label is what pages show.
    pause_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ticket", "name"], name="one_clock_row_per_name")]

    def __str__(self) -> str:
        return f"#{self.ticket_id} {self.name} {self.state}"


class SlaNotice(models.Model):
    """A warning or breach already announced: the unique key makes a double run notify once."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="sla_notices")
    clock = models.CharField(max_length=20)
    cycle = models.PositiveIntegerField()
    level = models.CharField(max_length=10, help_text="warn50, warn75, warn90 or breach")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ticket", "clock", "cycle", "level"], name="one_notice_per_level")
        ]

    def __str__(self) -> str:
        return f"#{self.ticket_id} {self.clock} {self.level}"


class ConsultingEngagement(models.Model):
    """Consulting work (an architecture review, an upgrade plan) drawn from the agreement's hour bank."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="engagements")
    agreement = models.ForeignKey(
        Agreement, null=True, blank=True, on_delete=models.SET_NULL, related_name="engagements"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    is_open = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class TimeEntry(models.Model):
    """Time an engineer spent, on a ticket or an engagement; consulting time draws on the bank."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="time_entries")
    ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.CASCADE, related_name="time_entries"
    )
    engagement = models.ForeignKey(
        ConsultingEngagement, null=True, blank=True, on_delete=models.CASCADE, related_name="time_entries"
    )
    agreement = models.ForeignKey(
        Agreement, null=True, blank=True, on_delete=models.SET_NULL, related_name="time_entries"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="time_entries")
    minutes = models.PositiveIntegerField()
    consulting = models.BooleanField(default=False, help_text="Draws on the consulting-hour bank")
    note = models.CharField(max_length=300, blank=True)
    work_date = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-work_date", "-created_at"]

    def __str__(self) -> str:
        return f"{self.minutes} min by {self.user} on {self.work_date}"


class SavedView(models.Model):
    """A named queue filter; personal, or shared with all staff."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="saved_views"
    )
    name = models.CharField(max_length=100)
    filters = models.JSONField(default=dict)
    shared = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
