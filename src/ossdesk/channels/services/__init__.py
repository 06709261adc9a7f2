"""Every write of outbound mail, by concern: rendering, the outbox and the digest entries, notification
mail and the daily digest, mail about ticket events, the sweep that queues both, sending with retries and
"retry now", people's preferences, and the contact proof mail. Callers import from here.

Nothing is lost: a mail is stored in the outbox before any attempt to send it, and every failure stays
on its row, visible and retryable. Nothing is sent twice: unique keys make a second sweep a no-op, and a
worker claims a row (queued -> sending) in one conditional update before it talks to the server.
"""

from __future__ import annotations

from ossdesk.channels.services.contact_proof import contact_proof_mail_enqueue
from ossdesk.channels.services.notices import digest_send, notification_mail_enqueue
from ossdesk.channels.services.outbox import AUTO_HEADERS, MAILER, digest_entry_add, outbox_add
from ossdesk.channels.services.preferences import PreferenceCache, notification_preferences_set
from ossdesk.channels.services.rendering import RenderedMail, mail_link, render_mail
from ossdesk.channels.services.sending import (
    STUCK_AFTER,
    SendReport,
    outbound_retry,
    outbox_send_due,
    retry_refusal,
)
from ossdesk.channels.services.sweep import EVENT_KINDS, MAX_AGE, SETTLE, SweepReport, mail_sweep
from ossdesk.channels.services.ticket_mail import event_mail_kind, ticket_mail_for_event

__all__ = [
    "AUTO_HEADERS",
    "EVENT_KINDS",
    "MAILER",
    "MAX_AGE",
    "SETTLE",
    "STUCK_AFTER",
    "PreferenceCache",
    "RenderedMail",
    "SendReport",
    "SweepReport",
    "contact_proof_mail_enqueue",
    "digest_entry_add",
    "digest_send",
    "event_mail_kind",
    "mail_link",
    "mail_sweep",
    "notification_mail_enqueue",
    "notification_preferences_set",
    "outbound_retry",
    "outbox_add",
    "outbox_send_due",
    "render_mail",
    "retry_refusal",
    "ticket_mail_for_event",
]
