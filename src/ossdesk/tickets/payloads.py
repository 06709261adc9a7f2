"""The `data` of ticket.* and sla.* webhook events, built from the ticket they are about.

A payload carries what a receiver needs to act and to fetch more through the API (ids and paths),
and nothing a customer may not see: no internal notes, no time entries, no staff-only fields.
Shapes are documented in docs/webhooks.md; add fields, never rename or remove them.
"""

from __future__ import annotations

from typing import Any

from ossdesk.tickets.models import Ticket
from ossdesk.webhooks.policy import wire_time


def ticket_payload(ticket: Ticket) -> dict[str, Any]:
    """For ticket.* events, and as `ticket` inside sla.* events."""
    return {
        "id": ticket.pk,
        "organization": ticket.organization_id,
        "subject": ticket.subject,
        "severity": ticket.severity,
        "status": ticket.status,
        "channel": ticket.channel,
        "product": ticket.product_id,
        "deployment": ticket.deployment_id,
        "opened_at": wire_time(ticket.opened_at),
        "updated_at": wire_time(ticket.updated_at),
        "solved_at": wire_time(ticket.solved_at),
        "sla_state": ticket.sla_state,
        "next_due_at": wire_time(ticket.next_due_at),
        "api_url": f"/api/tickets/{ticket.pk}/",
    }
