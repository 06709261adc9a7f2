"""Reads of mail: a person's preferences; the outbox and the inbox, which only the vendor's staff see."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from ossdesk.accounts.access import can_read_mail, require
from ossdesk.accounts.actor import Actor
from ossdesk.accounts.models import User
from ossdesk.channels.mailer import smtp_config
from ossdesk.channels.models import (
    Delivery,
    InboundMessage,
    Mailbox,
    MailKind,
    NotificationPreference,
    OutboundEmail,
)
from ossdesk.channels.preferences import CUSTOMER_KINDS, STAFF_KINDS, default_delivery
from ossdesk.customers.models import Contact

STAFF_ONLY = "The outbox is for the vendor's staff."


def preference_kinds(user: User) -> tuple[MailKind, ...]:
    """The kinds of mail this person can receive, in the order the preferences page shows them."""
    return STAFF_KINDS if user.is_vendor_staff else CUSTOMER_KINDS


def preferences_for(user: User | None) -> dict[str, Delivery]:
    """Every kind's delivery for this person: their choice, else the default. None: a contact without
    a login, who gets everything at once."""
    chosen: dict[str, str] = {}
    if user is not None:
        chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "delivery"))
    return {kind: Delivery(chosen.get(kind, default_delivery(kind))) for kind in MailKind.values}


def outbound_list(*, actor: Actor, status: str | None = None) -> QuerySet[OutboundEmail]:
    """The outbox, newest first; staff only (it holds every customer's mail)."""
    require(can_read_mail(actor), STAFF_ONLY)
    rows = OutboundEmail.objects.select_related("ticket").defer("body_text", "body_html")
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-created_at", "-pk")


def outbound_get(*, actor: Actor, pk: int) -> OutboundEmail:
    require(can_read_mail(actor), STAFF_ONLY)
    return OutboundEmail.objects.select_related("ticket", "user").get(pk=pk)


def outbound_counts(*, actor: Actor) -> dict[str, int]:
    require(can_read_mail(actor), STAFF_ONLY)
    counts = dict(OutboundEmail.objects.values_list("status").annotate(n=Count("pk")).order_by())
    return {status: counts.get(status, 0) for status in OutboundEmail.Status.values}


def mail_status() -> str:
    """One line for `ossdesk check`: where mail goes, or that it is not configured."""
    config = smtp_config()
    if config is None:
        return "mail: not configured (OSSDESK_SMTP_HOST is empty; mail stays queued in the outbox)"
    security = "SSL" if config.use_ssl else "STARTTLS" if config.starttls else "plain"
    return f"mail: SMTP {config.host}:{config.port} ({security}), from {config.sender}"


# -- inbound mail ------------------------------------------------------------------------------------

ATTENTION = (
    InboundMessage.Status.HELD,
    InboundMessage.Status.QUARANTINED,
    InboundMessage.Status.FAILED,
)


def inbound_list(*, actor: Actor, statuses: tuple[str, ...] = ATTENTION) -> QuerySet[InboundMessage]:
    """Received mail in the given states, newest first (without the raw bytes): staff only, anyone else
    gets none (the API answers a customer like an empty inbox, each mail like a missing one)."""
    if not can_read_mail(actor):
        return InboundMessage.objects.none()
    return (
        InboundMessage.objects.filter(status__in=statuses)
        .select_related("mailbox", "ticket", "contact__organization")
        .defer("raw")
        .order_by("-received_at", "-pk")
    )


def inbound_get(*, actor: Actor, pk: int) -> InboundMessage:
    require(can_read_mail(actor), STAFF_ONLY)
    return InboundMessage.objects.select_related("contact").defer("raw").get(pk=pk)


def inbound_counts(*, actor: Actor) -> dict[str, int]:
    require(can_read_mail(actor), STAFF_ONLY)
    counts = dict(InboundMessage.objects.values_list("status").annotate(n=Count("pk")).order_by())
    return {status: counts.get(status, 0) for status in InboundMessage.Status.values}


def mailboxes_with_errors(*, actor: Actor) -> QuerySet[Mailbox]:
    """Active mailboxes whose last fetch failed, for the inbox page."""
    require(can_read_mail(actor), STAFF_ONLY)
    return Mailbox.objects.filter(is_active=True).exclude(last_error="").order_by("name")


def contacts_by_id(*, actor: Actor, pk: int) -> Contact | None:
    """The active contact with this id, for staff who assign a held mail to its sender."""
    require(can_read_mail(actor), STAFF_ONLY)
    return Contact.objects.filter(pk=pk, is_active=True).select_related("organization").first()


def contacts_by_address(*, actor: Actor, email: str, organization: str = "") -> QuerySet[Contact]:
    """Active contacts with this address (optionally of the customer with this slug), for staff who
    assign a held mail to its sender."""
    require(can_read_mail(actor), STAFF_ONLY)
    rows = Contact.objects.filter(email__iexact=email.strip(), is_active=True).select_related("organization")
    if organization:
        rows = rows.filter(organization__slug=organization.strip())
    return rows.order_by("organization__name")
