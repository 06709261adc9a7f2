"""VEX statements: record, import and export, in OpenVEX or CycloneDX by content negotiation."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from ossdesk.customers import selectors as customer_selectors
from ossdesk.customers.models import Deployment, Organization
from ossdesk.domain import vex as vexdoc
from ossdesk.doors.viewsets import ServiceViewSet
from ossdesk.security import selectors, services
from ossdesk.security.api.serializers import (
    VexExportQuerySerializer,
    VexImportedSerializer,
    VexImportInSerializer,
    VexInSerializer,
    VexRecordedSerializer,
    VexScopeSerializer,
    VexStatementSerializer,
)
from ossdesk.security.api.uploads import upload_from_request
from ossdesk.security.api.views.common import INVALID, REFUSAL
from ossdesk.security.models import VexStatement


class OpenVexRenderer(JSONRenderer):
    format = "openvex"


class CycloneDxVexRenderer(JSONRenderer):
    media_type = "application/vnd.cyclonedx+json"
    format = "cyclonedx"


class VexFormatNegotiation(DefaultContentNegotiation):
    """`?format=` names the document kind; an unknown one is bad input (400), not a missing page."""

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderers = list(renderers)
        try:
            chosen: tuple[BaseRenderer, str] = super().select_renderer(request, renderers, format_suffix)
            return chosen
        except Http404:
            kinds = ", ".join(str(r.format) for r in renderers)
            raise ValidationError({"format": [f"Choose one of {kinds}."]}) from None


@extend_schema_view(
    list=extend_schema(
        summary="VEX statements",
        description="Staff see every statement; a customer its own and the vendor's portfolio-wide ones.",
        parameters=[OpenApiParameter("vulnerability", str, description="CVE, GHSA or advisory id")],
    ),
    retrieve=extend_schema(summary="A VEX statement"),
)
class VexViewSet(ServiceViewSet[VexStatement]):
    """What analysts and customers say of a vulnerability in a product; each statement moves the findings
    it covers."""

    output_serializer = VexStatementSerializer
    input_serializer = VexInSerializer
    filter_backends = [OrderingFilter]
    ordering_fields = ["created_at", "vulnerability"]
    ordering = ["-created_at", "-id"]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[VexStatement]:
        narrowed = self.action in {"list", "export"}
        vulnerability = self.request.query_params.get("vulnerability", "") if narrowed else ""
        return selectors.vex_list(actor=self.actor, vulnerability=vulnerability)

    def _scope(self, data: dict[str, Any]) -> tuple[Organization | None, Deployment | None]:
        """The organisation and deployment a statement is limited to, found as the actor may see them."""
        organization_id, deployment_id = data.pop("organization", None), data.pop("deployment", None)
        organization = (
            customer_selectors.organization_get(actor=self.actor, pk=organization_id)
            if organization_id
            else None
        )
        deployment = (
            customer_selectors.deployment_get(actor=self.actor, pk=deployment_id) if deployment_id else None
        )
        return organization, deployment

    @extend_schema(
        request=VexInSerializer, responses={201: VexRecordedSerializer, 400: INVALID, 403: REFUSAL}
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Record a statement (analysts and engineers: any scope; customers: their own organisation)."""
        data = self._validated(request)
        organization, deployment = self._scope(data)
        statement, changed = services.vex_record(
            actor=self.actor, organization=organization, deployment=deployment, **data
        )
        statement = self.get_queryset().get(pk=statement.pk)
        statement.findings_changed = changed  # type: ignore[attr-defined]
        return Response(VexRecordedSerializer(statement).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Import an OpenVEX or CycloneDX VEX document",
        request={"multipart/form-data": VexImportInSerializer},
        responses={201: VexImportedSerializer, 400: INVALID, 403: REFUSAL},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        url_name="import",
        filter_backends=[],
        parser_classes=[MultiPartParser, FormParser],
    )
    def import_document(self, request: Request) -> Response:
        """Every statement of the document, or none when one is invalid (the error names it)."""
        scope = VexScopeSerializer(data=request.data)
        scope.is_valid(raise_exception=True)
        organization, deployment = self._scope(dict(scope.validated_data))
        filename, data = upload_from_request(request)
        statements, changed = services.vex_import(
            actor=self.actor, data=data, filename=filename, organization=organization, deployment=deployment
        )
        rows = self.get_queryset().filter(pk__in=[s.pk for s in statements])
        return Response(
            VexImportedSerializer({"statements": rows, "findings_changed": changed}).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary="Export your statements as one VEX document",
        parameters=[VexExportQuerySerializer],
        responses={
            (200, "application/json"): OpenApiResponse(OpenApiTypes.OBJECT, description="OpenVEX"),
            (200, "application/vnd.cyclonedx+json"): OpenApiResponse(
                OpenApiTypes.OBJECT, description="CycloneDX VEX"
            ),
            400: INVALID,
        },
    )
    @action(
        detail=False,
        methods=["get"],
        filter_backends=[],
        pagination_class=None,
        renderer_classes=[OpenVexRenderer, CycloneDxVexRenderer],
        content_negotiation_class=VexFormatNegotiation,
    )
    def export(self, request: Request) -> Response:
        """Every statement you can see (`?vulnerability=` narrows it), as OpenVEX or CycloneDX VEX."""
        kind = request.accepted_renderer.format
        now = timezone.now()
        statements = services.vex_statements_export(list(self.get_queryset()))
        try:
            if kind == CycloneDxVexRenderer.format:
                document = vexdoc.to_cyclonedx_vex(statements, timestamp=now)
            else:
                document = vexdoc.to_openvex(
                    statements,
                    author=settings.OSSDESK_VENDOR_NAME,
                    document_id=f"urn:uuid:{uuid.uuid4()}",
                    timestamp=now,
                )
        except vexdoc.VexError as error:
            # OpenVEX is the stricter format: no empty document, texts each status needs.
            hint = " CycloneDX VEX (?format=cyclonedx) does not require them." if kind != "cyclonedx" else ""
            raise ValidationError({"format": [f"{error}.{hint}"]}) from None
        filename = f"vex-{now:%Y%m%d}.{'cdx' if kind == CycloneDxVexRenderer.format else 'openvex'}.json"
        return Response(document, headers={"Content-Disposition": f'attachment; filename="{filename}"'})

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        if self.action == "import_document":
            return VexImportInSerializer
        if self.action == "export":
            return VexExportQuerySerializer
        return super().get_serializer_class()
