"""Saved queue views: a person's filters, kept by name, shared or not."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from ossdesk.accounts.access import can_delete_saved_view, can_save_queue_views, require
from ossdesk.accounts.actor import Actor
from ossdesk.audit.services import audit_record, snapshot
from ossdesk.tickets.models import SavedView
from ossdesk.tickets.selectors import QueueFilter

# -- saved queue views ------------------------------------------------------------------------------------


def queue_filter_dict(filters: QueueFilter) -> dict[str, Any]:
    """The filters that are set, as a saved view stores them."""
    return {key: value for key, value in asdict(filters).items() if value not in ("", None)}


@transaction.atomic
def saved_view_save(*, actor: Actor, name: str, filters: QueueFilter, shared: bool = False) -> SavedView:
    """Save the queue's current filters under a name; saving a name again replaces its filters."""
    require(can_save_queue_views(actor), "Saved views are for the vendor's staff.")
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
    require(can_delete_saved_view(actor, view.owner_id), "Only the view's owner may delete it.")
    audit_record(actor=actor, action="delete", instance=view, before=snapshot(view))
    view.delete()
