"""Every write of the helpdesk, by concern: opening tickets, the writes to a ticket, attachments, consulting
hours, calendars and holidays, teams and saved queue views. Each write appends events, re-evaluates the
clocks and audits, in one transaction. Callers import from here."""

from __future__ import annotations

from ossdesk.tickets.services.attachments import (
    ATTACHMENT_MAX_BYTES,
    BLOCKED_EXTENSIONS,
    Upload,
    check_attachment,
)
from ossdesk.tickets.services.calendars import (
    calendar_create,
    extra_holiday_add,
)
from ossdesk.tickets.services.consulting import (
    ConsultingBalance,
    consulting_balance,
    engagement_create,
    time_log,
)
from ossdesk.tickets.services.intake import (
    Opened,
    check_intake,
    ticket_create,
    ticket_open,
)
from ossdesk.tickets.services.teams import (
    team_create,
)
from ossdesk.tickets.services.tickets import (
    ALLOWED_TRANSITIONS,
    CUSTOMER_TRANSITIONS,
    ROUTING,
    organization_reachability_changed,
    received,
    ticket_assign,
    ticket_mark_workaround,
    ticket_reply,
    ticket_set_severity,
    ticket_set_status,
    ticket_set_tags,
)
from ossdesk.tickets.services.views import (
    queue_filter_dict,
    saved_view_delete,
    saved_view_save,
)

__all__ = [
    "ALLOWED_TRANSITIONS",
    "ATTACHMENT_MAX_BYTES",
    "BLOCKED_EXTENSIONS",
    "CUSTOMER_TRANSITIONS",
    "ROUTING",
    "ConsultingBalance",
    "Opened",
    "Upload",
    "calendar_create",
    "check_attachment",
    "check_intake",
    "consulting_balance",
    "engagement_create",
    "extra_holiday_add",
    "organization_reachability_changed",
    "queue_filter_dict",
    "received",
    "saved_view_delete",
    "saved_view_save",
    "team_create",
    "ticket_assign",
    "ticket_create",
    "ticket_mark_workaround",
    "ticket_open",
    "ticket_reply",
    "ticket_set_severity",
    "ticket_set_status",
    "ticket_set_tags",
    "time_log",
]
