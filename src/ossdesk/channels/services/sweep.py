"""The sweep: queue mail for new notifications and ticket events, once each, by a cursor per source."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.db import models
from django.utils import timezone

from ossdesk.accounts.models import Notification
from ossdesk.channels.models import SweepCursor
from ossdesk.channels.services.notices import notification_mail_enqueue
from ossdesk.channels.services.preferences import PreferenceCache
from ossdesk.channels.services.ticket_mail import ticket_mail_for_event
from ossdesk.tickets.models import TicketEvent

# A source row younger than this may still have neighbours with lower ids in uncommitted transactions:
# the cursor waits for it, and the sweep looks at it again next time (unique keys keep that harmless).
SETTLE = timedelta(minutes=10)
# Older notices are history (a restore, the first run, demo data), not news: they are not mailed.
MAX_AGE = timedelta(days=1)
EVENT_KINDS = (TicketEvent.Kind.OPENED, TicketEvent.Kind.VENDOR_REPLY, TicketEvent.Kind.STATUS)

Row = TypeVar("Row", bound=models.Model)


@dataclass(frozen=True)
class SweepReport:
    notifications: int
    events: int


def _cursor(name: str, rows: models.QuerySet[Any], time_field: str, now: datetime) -> SweepCursor:
    """The cursor of a source; a new one starts after the history (older than MAX_AGE)."""
    cursor = SweepCursor.objects.filter(name=name).first()
    if cursor is not None:
        return cursor
    history = rows.filter(**{f"{time_field}__lt": now - MAX_AGE})
    start = history.order_by("-pk").values_list("pk", flat=True).first()
    cursor, _ = SweepCursor.objects.get_or_create(name=name, defaults={"position": start or 0})
    return cursor


def _sweep_source(
    name: str,
    rows: models.QuerySet[Row],
    time_of: Callable[[Row], datetime],
    time_field: str,
    handle: Callable[[Row], object],
    *,
    now: datetime,
    limit: int,
) -> int:
    cursor = _cursor(name, rows, time_field, now)
    batch = list(rows.filter(pk__gt=cursor.position).order_by("pk")[:limit])
    advance_to, settled, handled = cursor.position, True, 0
    for row in batch:
        at = time_of(row)
        if at >= now - MAX_AGE and handle(row) is not None:
            handled += 1
        if settled and at <= now - SETTLE:
            advance_to = row.pk
        else:
            settled = False
    if advance_to > cursor.position:
        SweepCursor.objects.filter(pk=cursor.pk, position__lt=advance_to).update(position=advance_to)
    return handled


def mail_sweep(*, now: datetime | None = None, limit: int = 2000) -> SweepReport:
    """Queue mail for new notifications and ticket events; a second run queues nothing more."""
    now = now or timezone.now()
    preferences = PreferenceCache()
    notifications = _sweep_source(
        "notifications",
        Notification.objects.select_related("recipient"),
        lambda n: n.created_at,
        "created_at",
        lambda n: notification_mail_enqueue(n, now=now, preferences=preferences),
        now=now,
        limit=limit,
    )
    events = _sweep_source(
        "ticket_events",
        TicketEvent.objects.filter(kind__in=EVENT_KINDS).select_related(
            "ticket__organization", "ticket__contact__user", "message__author"
        ),
        lambda e: e.at,
        "at",
        lambda e: ticket_mail_for_event(e, now=now, preferences=preferences),
        now=now,
        limit=limit,
    )
    return SweepReport(notifications=notifications, events=events)
