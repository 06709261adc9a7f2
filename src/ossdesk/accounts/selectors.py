"""Reads of a person's own things: their notifications."""

from __future__ import annotations

from django.db.models import QuerySet

from ossdesk.accounts.actor import Actor
from ossdesk.accounts.models import Notification


def notification_list(*, actor: Actor, unread: bool | None = None) -> QuerySet[Notification]:
    """The actor's own notifications, newest first; nobody reads another person's."""
    qs = (
        Notification.objects.filter(recipient_id=actor.user_id)
        if actor.user_id
        else Notification.objects.none()
    )
    if unread is not None:
        qs = qs.filter(read_at__isnull=unread)
    return qs


def notification_unread_count(*, actor: Actor) -> int:
    return notification_list(actor=actor, unread=True).count()
