"""Saved queue views and the notification inbox: the reads and writes behind them.

They belong in tickets/services.py, tickets/selectors.py and an accounts selector; they live here, with
the same shape (keyword-only, actor first, one transaction), until those files take them over.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from ossdesk.accounts.actor import Actor
from ossdesk.accounts.models import Notification, Role
from ossdesk.audit.services import audit_record, snapshot
from ossdesk.tickets.models import SavedView
from ossdesk.tickets.selectors import QueueFilter


def queue_filter_dict(filters: QueueFilter) -> dict[str, Any]:
    """The filters that are set, as a saved view stores them."""
    return {key: value for key, value in asdict(filters).items() if value not in ("", None)}


@transaction.atomic
def saved_view_save(*, actor: Actor, name: str, filters: QueueFilter, shared: bool = False) -> SavedView:
    """Save the queue's current filters under a name; saving a name again replaces its filters."""
    if not actor.is_staff or actor.user_id is None:
        raise PermissionDenied("Saved views are for the vendor's staff.")
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Name the view, e.g. “Kafka S1s”."})
    view = SavedView.objects.filter(owner_id=actor.user_id, name=name).first()
    before = snapshot(view) if view else None
    if view is None:
        view = SavedView(owner_id=actor.user_id, name=name)
    view.filters = queue_filter_dict(filters)
    view.shared = shared
    view.save()
    audit_record(
        actor=actor,
        action="update" if before else "create",
        instance=view,
        before=before,
        after=snapshot(view),
    )
    return view


@transaction.atomic
def saved_view_delete(*, actor: Actor, view: SavedView) -> None:
    """Owners delete their views; admins may delete a shared view nobody needs any more."""
    if view.owner_id != actor.user_id and actor.role != Role.ADMIN:
        raise PermissionDenied("Only the view's owner may delete it.")
    audit_record(actor=actor, action="delete", instance=view, before=snapshot(view))
    view.delete()


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


# Marking one's own notice read changes nothing anyone else sees, so it is not audited.
def notification_mark_read(*, actor: Actor, notification: Notification) -> Notification:
    if notification.recipient_id != actor.user_id:
        raise Notification.DoesNotExist("No such notification.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk).update(read_at=notification.read_at)
    return notification


def notification_mark_all_read(*, actor: Actor) -> int:
    return notification_list(actor=actor, unread=True).update(read_at=timezone.now())
