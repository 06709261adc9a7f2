"""Notices to people and the events that come with them: `notify()` writes the in-app rows and hands
them to each subscribed delivery channel (mail, webhooks; paging and chat next).

Producers (tickets, escalation, security notices, webhooks' own "endpoint disabled") call `notify`;
channels register with `subscribe` from their app's `ready()`. This package sits below the helpdesk
and imports only the kernel (`accounts`).
"""

from ossdesk.notify.kinds import NotificationKind
from ossdesk.notify.services import notify
from ossdesk.notify.subscribers import PLANNED, Event, Notice, subscribe, subscribers, unsubscribe

__all__ = [
    "PLANNED",
    "Event",
    "Notice",
    "NotificationKind",
    "notify",
    "subscribe",
    "subscribers",
    "unsubscribe",
]
