"""Advisories: list, read, and who an advisory affects."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request
from rest_framework.response import Response

from ossdesk.doors.viewsets import SelectorViewSet
from ossdesk.security import selectors
from ossdesk.security.api.serializers import (
    AdvisoryDetailSerializer,
    AdvisoryQuerySerializer,
    AdvisorySerializer,
    AffectedSerializer,
)
from ossdesk.security.api.views.common import parsed_query
from ossdesk.security.models import Advisory


@extend_schema_view(
    list=extend_schema(summary="Advisories", parameters=[AdvisoryQuerySerializer]),
    retrieve=extend_schema(
        summary="An advisory by its id or any alias",
        description="`/api/advisories/CVE-2021-33203/` finds PYSEC-2021-98: the OSV record, the fixed "
        "versions of each package, EPSS and KEV.",
        responses=AdvisoryDetailSerializer,
    ),
)
class AdvisoryViewSet(SelectorViewSet[Advisory]):
    """The advisory database (OSV imports and the vendor's published advisories): public data."""

    output_serializer = AdvisorySerializer
    filter_backends = [OrderingFilter]
    ordering_fields = ["modified", "published", "cvss_score", "epss", "osv_id"]
    ordering = ["-modified", "-id"]
    lookup_field = "osv_id"
    lookup_value_regex = r"[^/]+"

    def get_queryset(self) -> QuerySet[Advisory]:
        query = parsed_query(AdvisoryQuerySerializer, self.request) if self.action == "list" else {}
        return selectors.advisory_list(actor=self.actor, **query)

    def get_object(self) -> Advisory:
        return selectors.advisory_get(actor=self.actor, key=self.kwargs[self.lookup_field])

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        return AdvisoryDetailSerializer if self.action == "retrieve" else AdvisorySerializer

    @extend_schema(summary="Who is affected", responses=AffectedSerializer)
    @action(detail=True, methods=["get"], filter_backends=[])
    def affected(self, request: Request, osv_id: str | None = None) -> Response:
        """Each customer the advisory reaches: findings by status and deployments. Staff see every
        customer; a customer sees only its own organisation."""
        found = selectors.who_is_affected(actor=self.actor, key=str(osv_id))
        return Response(AffectedSerializer(found).data)
