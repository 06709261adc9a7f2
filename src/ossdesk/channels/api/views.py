"""API doors for received mail (staff): the list the web inbox shows, and its actions — retry, assign to
a contact, discard — through the same intake services. The inbox holds every customer's mail: to a
customer it is empty, and each mail answers like a missing one (404)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from ossdesk.channels import inbox, selectors
from ossdesk.channels.api.serializers import (
    InboundAssignInSerializer,
    InboundOutSerializer,
    InboundQuerySerializer,
)
from ossdesk.channels.models import InboundMessage
from ossdesk.customers.models import Contact
from ossdesk.doors.viewsets import SelectorViewSet

INVALID = OpenApiResponse(description='{"detail": "Invalid input.", "errors": {field: [messages]}}')
MISSING = OpenApiResponse(description='{"detail": "Not found."}')
STATUS_PARAMETER = OpenApiParameter(
    "status",
    str,
    many=True,
    enum=InboundMessage.Status.values,
    description="Only mail in these states (repeat the parameter for several); without it: held, "
    "quarantined and failed mail, as the web inbox shows.",
)


def _statuses(request: Request) -> tuple[str, ...]:
    serializer = InboundQuerySerializer(data={"status": request.query_params.getlist("status")})
    serializer.is_valid(raise_exception=True)
    return tuple(serializer.validated_data.get("status") or ()) or selectors.ATTENTION


@extend_schema_view(
    list=extend_schema(
        summary="Received mail that needs a person (staff)",
        parameters=[STATUS_PARAMETER],
        responses={200: InboundOutSerializer(many=True), 400: INVALID},
    ),
    retrieve=extend_schema(
        summary="One received mail (staff)",
        responses={200: InboundOutSerializer, 404: MISSING},
    ),
)
class InboundViewSet(SelectorViewSet[InboundMessage]):
    """Received mail, newest first, without its raw bytes; each row lists the actions open to it."""

    output_serializer = InboundOutSerializer
    queryset = InboundMessage.objects.none()  # the model, for the schema; rows come from the selector
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[InboundMessage]:
        statuses = _statuses(self.request) if self.action == "list" else tuple(InboundMessage.Status.values)
        return selectors.inbound_list(actor=self.actor, statuses=statuses)

    @extend_schema(
        summary="Process a held, refused, quarantined or failed mail again, now",
        request=None,
        responses={200: InboundOutSerializer, 400: INVALID, 404: MISSING},
    )
    @action(detail=True, methods=["post"])
    def retry(self, request: Request, pk: str | None = None) -> Response:
        return self._out(inbox.inbound_retry(actor=self.actor, inbound=self.get_object()))

    @extend_schema(
        summary="Process a held or refused mail as this contact's",
        request=InboundAssignInSerializer,
        responses={200: InboundOutSerializer, 400: INVALID, 404: MISSING},
    )
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: str | None = None) -> Response:
        inbound = self.get_object()
        serializer = InboundAssignInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        contact = self._contact(serializer.validated_data)
        return self._out(inbox.inbound_assign(actor=self.actor, inbound=inbound, contact=contact))

    def _contact(self, data: dict[str, Any]) -> Contact:
        if "contact" in data:
            found = selectors.contacts_by_id(actor=self.actor, pk=data["contact"])
            if found is None:
                raise ValidationError({"contact": "No active contact has this id."})
            return found
        contacts = list(
            selectors.contacts_by_address(
                actor=self.actor, email=data["email"], organization=data.get("organization", "")
            )[:2]
        )
        if not contacts:
            raise ValidationError({"email": "No active contact has that address."})
        if len(contacts) > 1:
            several = "Several customers have a contact with that address; give the customer's slug."
            raise ValidationError({"organization": several})
        return contacts[0]

    @extend_schema(
        summary="Put a held, quarantined or failed mail aside (it stays stored)",
        request=None,
        responses={200: InboundOutSerializer, 400: INVALID, 404: MISSING},
    )
    @action(detail=True, methods=["post"])
    def discard(self, request: Request, pk: str | None = None) -> Response:
        return self._out(inbox.inbound_discard(actor=self.actor, inbound=self.get_object()))
