"""What a notice to a person is about: one row per kind, with the label people see.

A new kind is a row here and its mail kind in `ossdesk.channels.preferences.MAIL_KIND_OF` (which
decides whose preference applies); a test checks that every kind has one.
"""

from __future__ import annotations

from django.db import models


class NotificationKind(models.TextChoices):
    """What a notice to a person is about; `ossdesk.notify.notify` accepts only these. The values are
    the ones stored since the first notices (hence the mix of dots and underscores)."""

    TICKET_ASSIGNED = "ticket.assigned", "A ticket was assigned to you"
    TICKET_CUSTOMER_REPLY = "ticket.customer_reply", "A customer replied on your ticket"
    SLA_WARN50 = "sla.warn50", "SLA at 50%"
    SLA_WARN75 = "sla.warn75", "SLA at 75%"
    SLA_WARN90 = "sla.warn90", "SLA at 90%"
    SLA_BREACH = "sla.breach", "SLA breached"
    SECURITY_NOTICE = "security_notice", "Security notice about your deployments"
    WEBHOOK_DISABLED = "webhook_disabled", "Webhook endpoint disabled"
