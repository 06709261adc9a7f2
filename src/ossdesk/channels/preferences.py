"""Which mail kinds a person can choose for, and what they get when they have not chosen."""

from __future__ import annotations

from ossdesk.channels.models import Delivery, MailKind
from ossdesk.notify import NotificationKind

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


# The mail kind (and so the preference) each notice kind is mailed under.
MAIL_KIND_OF: dict[NotificationKind, MailKind] = {
    NotificationKind.TICKET_ASSIGNED: MailKind.TICKET_ASSIGNED,
    NotificationKind.TICKET_CUSTOMER_REPLY: MailKind.TICKET_CUSTOMER_REPLY,
    NotificationKind.SLA_WARNING: MailKind.SLA_WARNING,
    NotificationKind.SLA_BREACH: MailKind.SLA_BREACH,
    NotificationKind.SECURITY_NOTICE: MailKind.SECURITY_NOTICE,
    NotificationKind.WEBHOOK_DISABLED: MailKind.OTHER,
}


def mail_kind_for(notification_kind: str) -> MailKind:
    """The mail kind of an in-app notification kind; rows written before the kinds were an
    enumeration (`sla_warn...`, `advisory...`) keep the mail kind they had."""
    if notification_kind in NotificationKind.values:
        return MAIL_KIND_OF[NotificationKind(notification_kind)]
    kind = notification_kind.lower()
    if kind.startswith(("sla.warn", "sla_warn")):
        return MailKind.SLA_WARNING
    if kind in {"sla.breach", "sla_breach"}:
        return MailKind.SLA_BREACH
    if kind.startswith("security"):
        return MailKind.SECURITY_NOTICE
    if kind.startswith("advisory"):
        return MailKind.ADVISORY
    return MailKind.OTHER
