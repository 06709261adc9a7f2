"""API doors for webhook endpoints and their delivery log.

An endpoint is reached through the selectors first, so another organisation's endpoint, or its
deliveries, answer exactly like missing ones (404).
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from ossdesk.accounts.access import can_manage_webhooks
from ossdesk.customers import selectors as customer_selectors
from ossdesk.customers.models import Organization
from ossdesk.doors.actor import request_actor
from ossdesk.doors.ids import IdFilter
from ossdesk.doors.viewsets import ServiceViewSet
from ossdesk.webhooks import selectors, services
from ossdesk.webhooks.api.serializers import (
    DeliveryOutSerializer,
    EndpointCreatedSerializer,
    EndpointInSerializer,
    EndpointOutSerializer,
)
from ossdesk.webhooks.models import Delivery, Endpoint


class EndpointFilter(django_filters.FilterSet):
    # A plain number, as elsewhere: a choice filter would tell a customer which ids exist.
    organization = IdFilter(field_name="organization_id")
    vendor = django_filters.BooleanFilter(
        field_name="organization", lookup_expr="isnull", label="Only the vendor's own endpoints"
    )

    class Meta:
        model = Endpoint
        fields = ["organization", "vendor", "is_active"]


class EndpointViewSet(ServiceViewSet[Endpoint]):
    """Webhook endpoints: customer admins manage their organisation's, staff admins every one
    (an endpoint without organisation is the vendor's own and receives every organisation's events)."""

    output_serializer = EndpointOutSerializer
    input_serializer = EndpointInSerializer
    filterset_class = EndpointFilter
    search_fields = ["url", "description"]
    ordering_fields = ["created_at", "url", "consecutive_failures"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self) -> QuerySet[Endpoint]:
        return selectors.endpoint_list(actor=self.actor)

    def _organization(self, data: dict[str, Any]) -> Organization | None:
        actor = self.actor
        organization_id = data.get("organization")
        if organization_id is None and not can_manage_webhooks(actor, None):  # a customer means their own
            organization_id = actor.organization_id
        if organization_id is None:
            return None
        return customer_selectors.organization_get(actor=actor, pk=organization_id)

    @extend_schema(request=EndpointInSerializer, responses={201: EndpointCreatedSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Register an endpoint; the answer shows its signing secret, this once."""
        data = self._validated(request)
        endpoint, secret = services.endpoint_create(
            actor=self.actor,
            organization=self._organization(data),
            url=data["url"],
            event_types=data["event_types"],
            description=data.get("description", ""),
            is_active=data.get("is_active", True),
        )
        endpoint = self.get_queryset().get(pk=endpoint.pk)
        body = EndpointCreatedSerializer(endpoint).data | {"secret": secret}
        return Response(body, status=status.HTTP_201_CREATED)

    def perform_service_update(self, instance: Endpoint, changes: dict[str, Any]) -> Model:
        if "organization" in changes and changes.pop("organization") != instance.organization_id:
            raise ValidationError({"organization": "An endpoint cannot move; register a new one."})
        return services.endpoint_update(actor=self.actor, endpoint=instance, **changes)

    def perform_service_delete(self, instance: Endpoint) -> None:
        services.endpoint_delete(actor=self.actor, endpoint=instance)

    @extend_schema(request=None, responses={202: DeliveryOutSerializer})
    @action(detail=True, methods=["post"], url_path="test", filter_backends=[])
    def test(self, request: Request, pk: str | None = None) -> Response:
        """Send a `ping` event to this endpoint now; its outcome appears in the delivery log."""
        delivery = services.endpoint_ping(actor=self.actor, endpoint=self.get_object())
        delivery = selectors.delivery_get(actor=self.actor, pk=delivery.pk)
        return Response(DeliveryOutSerializer(delivery).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses=DeliveryOutSerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=[])
    def deliveries(self, request: Request, pk: str | None = None) -> Response:
        """The delivery log, newest first: every attempt with its response code, body excerpt, error."""
        endpoint = self.get_object()
        deliveries = selectors.delivery_list(actor=self.actor, endpoint=endpoint)
        # DRF's stub ties paginate_queryset to the viewset's own model; DRF pages any queryset.
        page: list[Delivery] | None = self.paginate_queryset(deliveries)  # type: ignore[arg-type]
        return self.get_paginated_response(DeliveryOutSerializer(page, many=True).data)


class DeliveryFilter(django_filters.FilterSet):
    endpoint = IdFilter(field_name="endpoint_id")
    event_type = django_filters.CharFilter(field_name="event__type")

    class Meta:
        model = Delivery
        fields = ["endpoint", "status", "event_type"]


class DeliveryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Delivery]):
    """Webhook deliveries to the endpoints you may see, newest first; any can be sent again."""

    serializer_class = DeliveryOutSerializer
    filterset_class = DeliveryFilter
    search_fields: list[str] = []
    ordering_fields = ["created_at", "attempted_at", "next_attempt_at"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self) -> QuerySet[Delivery]:
        return selectors.delivery_list(actor=request_actor(self.request))

    @extend_schema(request=None, responses={202: DeliveryOutSerializer})
    @action(detail=True, methods=["post"], filter_backends=[])
    def redeliver(self, request: Request, pk: str | None = None) -> Response:
        """Send the delivery's event again to its endpoint (same `Ossdesk-Delivery` key)."""
        actor = request_actor(request)
        again = services.delivery_redeliver(actor=actor, delivery=self.get_object())
        return Response(
            DeliveryOutSerializer(selectors.delivery_get(actor=actor, pk=again.pk)).data,
            status=status.HTTP_202_ACCEPTED,
        )
