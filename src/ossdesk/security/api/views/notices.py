"""Notices to customers: list, read and acknowledge."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request
from rest_framework.response import Response

from ossdesk.doors.viewsets import SelectorViewSet
from ossdesk.security import selectors, services
from ossdesk.security.api.serializers import NoticeQuerySerializer, NoticeSerializer
from ossdesk.security.api.views.common import parsed_query
from ossdesk.security.models import Notice


@extend_schema_view(
    list=extend_schema(summary="Security notices", parameters=[NoticeQuerySerializer]),
    retrieve=extend_schema(summary="A security notice"),
)
class NoticeViewSet(SelectorViewSet[Notice]):
    """An advisory reached a customer: which deployments, how bad, whether they acknowledged it."""

    output_serializer = NoticeSerializer
    filter_backends = [OrderingFilter]
    ordering_fields = ["created_at", "acknowledged_at"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self) -> QuerySet[Notice]:
        query = parsed_query(NoticeQuerySerializer, self.request) if self.action == "list" else {}
        return selectors.notice_list(actor=self.actor, **query)

    @extend_schema(summary="Acknowledge a notice", request=None, responses=NoticeSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def acknowledge(self, request: Request, pk: str | None = None) -> Response:
        """Say the notice was read and acted upon; a later finding of the same advisory reopens it."""
        return self._out(services.notice_acknowledge(actor=self.actor, notice=self.get_object()))
