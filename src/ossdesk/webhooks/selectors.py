"""Reads of webhook endpoints and deliveries: the one place where they are scoped by actor.

Staff see every endpoint; a customer admin sees their organisation's; anyone else sees none, so
another organisation's endpoint answers exactly like a missing one.
"""

from __future__ import annotations

from django.db.models import QuerySet

from ossdesk.accounts.access import can_act_for_any_customer
from ossdesk.accounts.actor import Actor
from ossdesk.webhooks.models import Delivery, Endpoint


def endpoint_list(*, actor: Actor) -> QuerySet[Endpoint]:
    qs = Endpoint.objects.select_related("organization", "created_by")
    if can_act_for_any_customer(actor):
        return qs
    if actor.is_customer and actor.is_customer_admin and actor.organization_id:
        return qs.filter(organization_id=actor.organization_id)
    return qs.none()


def endpoint_get(*, actor: Actor, pk: int | str) -> Endpoint:
    return endpoint_list(actor=actor).get(pk=pk)


def delivery_list(*, actor: Actor, endpoint: Endpoint | None = None) -> QuerySet[Delivery]:
    """Deliveries to endpoints the actor may see, newest first."""
    qs = Delivery.objects.select_related("event").filter(endpoint__in=endpoint_list(actor=actor))
    if endpoint is not None:
        qs = qs.filter(endpoint=endpoint)
    return qs


def delivery_get(*, actor: Actor, pk: int | str) -> Delivery:
    return delivery_list(actor=actor).get(pk=pk)
