"""Findings: list, read and change their status."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request
from rest_framework.response import Response

from ossdesk.doors.viewsets import SelectorViewSet
from ossdesk.security import selectors, services
from ossdesk.security.api.serializers import (
    FindingQuerySerializer,
    FindingSerializer,
    FindingStatusInSerializer,
)
from ossdesk.security.api.views.common import INVALID, parsed_query
from ossdesk.security.models import Advisory, Finding


@extend_schema_view(
    list=extend_schema(
        summary="Findings",
        description="Most urgent first: priority (severity, KEV, EPSS, exposure), then the deadline.",
        parameters=[FindingQuerySerializer],
    ),
    retrieve=extend_schema(summary="A finding with its remediation clock"),
)
class FindingViewSet(SelectorViewSet[Finding]):
    """A deployment runs a package version an advisory affects; each has a remediation deadline."""

    output_serializer = FindingSerializer
    filter_backends = [OrderingFilter]
    ordering_fields = ["priority", "due_at", "detected_at", "updated_at", "id"]
    ordering = ["-priority", "due_at", "id"]

    def get_queryset(self) -> QuerySet[Finding]:
        if self.action != "list":
            return selectors.finding_list(actor=self.actor)
        query = parsed_query(FindingQuerySerializer, self.request)
        advisory = query.pop("advisory", None)
        if advisory:
            try:
                query["advisory_id"] = selectors.advisory_get(actor=self.actor, key=advisory).pk
            except Advisory.DoesNotExist:
                return selectors.finding_list(actor=self.actor).none()
        return selectors.finding_list(
            actor=self.actor,
            organization_id=query.pop("organization", None),
            deployment_id=query.pop("deployment", None),
            **query,
        )

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "now": timezone.now()}

    @extend_schema(
        summary="Set a finding's status",
        request=FindingStatusInSerializer,
        responses={200: FindingSerializer, 400: INVALID},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def status(self, request: Request, pk: str | None = None) -> Response:
        """fixed, not_affected (with a reason), risk_accepted (with a reason and a future `until`; then it
        opens again), or open."""
        finding = self.get_object()
        serializer = FindingStatusInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._out(
            services.finding_set_status(actor=self.actor, finding=finding, **serializer.validated_data)
        )
