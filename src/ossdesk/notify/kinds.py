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
    # One kind for every warning level: the levels come from the policy (ossdesk.domain.sla), the
    # subject names the share of the target used. Rows written before say "sla.warn50" and the like.
    SLA_WARNING = "sla.warning", "SLA warning"
    SLA_BREACH = "sla.breach", "SLA breached"
    SECURITY_NOTICE = "security_notice", "Security notice about your deployments"
    WEBHOOK_DISABLED = "webhook_disabled", "Webhook endpoint disabled"
