"""Which mail kinds a person can choose for, and what they get when they have not chosen."""

from __future__ import annotations

from ossdesk.channels.models import Delivery, MailKind

CUSTOMER_KINDS: tuple[MailKind, ...] = (
    MailKind.TICKET_CREATED,
    MailKind.TICKET_REPLY,
    MailKind.TICKET_WAITING,
    MailKind.TICKET_SOLVED,
    MailKind.SECURITY_NOTICE,
    MailKind.ADVISORY,
    MailKind.OTHER,
)
STAFF_KINDS: tuple[MailKind, ...] = (
    MailKind.TICKET_ASSIGNED,
    MailKind.TICKET_CUSTOMER_REPLY,
    MailKind.SLA_WARNING,
    MailKind.SLA_BREACH,
    MailKind.SECURITY_NOTICE,
    MailKind.ADVISORY,
    MailKind.OTHER,
)
# Low-priority kinds wait for the daily digest; everything about a person's own tickets goes at once.
LOW_PRIORITY = frozenset({MailKind.ADVISORY, MailKind.OTHER})


def default_delivery(kind: str) -> Delivery:
    return Delivery.DIGEST if kind in LOW_PRIORITY else Delivery.IMMEDIATELY


def mail_kind_for(notification_kind: str) -> MailKind:
    """The mail kind of an in-app notification kind (`sla.warn75`, `ticket.assigned`, ...)."""
    kind = notification_kind.lower()
    if kind.startswith(("sla.warn", "sla_warn")):
        return MailKind.SLA_WARNING
    if kind in {"sla.breach", "sla_breach"}:
        return MailKind.SLA_BREACH
    if kind == "ticket.assigned":
        return MailKind.TICKET_ASSIGNED
    if kind == "ticket.customer_reply":
        return MailKind.TICKET_CUSTOMER_REPLY
    if kind.startswith("security"):
        return MailKind.SECURITY_NOTICE
    if kind.startswith("advisory"):
        return MailKind.ADVISORY
    return MailKind.OTHER
