"""Reads of outbound mail: a person's preferences, and the outbox, which only the vendor's staff see."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet

from ossdesk.accounts.actor import Actor
from ossdesk.accounts.models import User
from ossdesk.channels.mailer import smtp_config
from ossdesk.channels.models import Delivery, MailKind, NotificationPreference, OutboundEmail
from ossdesk.channels.preferences import CUSTOMER_KINDS, STAFF_KINDS, default_delivery


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


def _require_staff(actor: Actor) -> None:
    if not actor.is_staff:
        raise PermissionDenied("The outbox is for the vendor's staff.")


def outbound_list(*, actor: Actor, status: str | None = None) -> QuerySet[OutboundEmail]:
    """The outbox, newest first; staff only (it holds every customer's mail)."""
    _require_staff(actor)
    rows = OutboundEmail.objects.select_related("ticket").defer("body_text", "body_html")
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-created_at", "-pk")


def outbound_get(*, actor: Actor, pk: int) -> OutboundEmail:
    _require_staff(actor)
    return OutboundEmail.objects.get(pk=pk)


def outbound_counts(*, actor: Actor) -> dict[str, int]:
    _require_staff(actor)
    counts = dict(OutboundEmail.objects.values_list("status").annotate(n=Count("pk")).order_by())
    return {status: counts.get(status, 0) for status in OutboundEmail.Status.values}


def mail_status() -> str:
    """One line for `ossdesk check`: where mail goes, or that it is not configured."""
    config = smtp_config()
    if config is None:
        return "mail: not configured (OSSDESK_SMTP_HOST is empty; mail stays queued in the outbox)"
    security = "SSL" if config.use_ssl else "STARTTLS" if config.starttls else "plain"
    return f"mail: SMTP {config.host}:{config.port} ({security}), from {config.sender}"
