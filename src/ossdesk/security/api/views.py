"""API doors for security assurance: advisories, SBOMs, findings, VEX, vendor advisories, notices and the
portfolio view.

Every read goes through the security selectors, which scope by the actor: another organisation's SBOM,
finding, notice or VEX statement answers exactly like a missing one (404). Every write is one service;
who may do it (analysts, four eyes, the customer's plan) is the services' decision, not the door's.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

import django_filters
from django.conf import settings
from django.db.models import QuerySet
from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action, api_view
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
from ossdesk.doors.actor import request_actor
from ossdesk.doors.ids import IdFilter
from ossdesk.doors.viewsets import SelectorViewSet, ServiceViewSet
from ossdesk.products.selectors import product_list
from ossdesk.security import selectors, services
from ossdesk.security.api.serializers import (
    AdvisoryDetailSerializer,
    AdvisoryQuerySerializer,
    AdvisorySerializer,
    AffectedSerializer,
    ComponentSerializer,
    FindingQuerySerializer,
    FindingSerializer,
    FindingStatusInSerializer,
    NoticeQuerySerializer,
    NoticeSerializer,
    PortfolioSerializer,
    PublishedSerializer,
    SbomSerializer,
    SbomUploadedSerializer,
    VendorAdvisoryInSerializer,
    VendorAdvisorySerializer,
    VexExportQuerySerializer,
    VexImportedSerializer,
    VexImportInSerializer,
    VexInSerializer,
    VexRecordedSerializer,
    VexScopeSerializer,
    VexStatementSerializer,
    WithdrawSerializer,
)
from ossdesk.security.api.uploads import upload_from_request
from ossdesk.security.models import Advisory, Component, Finding, Notice, Sbom, VendorAdvisory, VexStatement

REFUSAL = OpenApiResponse(
    description='Not allowed ({"detail"}), or refused by the contract ({"detail", "code", "allowed_by"})'
)
INVALID = OpenApiResponse(description='{"detail": "Invalid input.", "errors": {field: [messages]}}')
BINARY = OpenApiResponse(OpenApiTypes.BINARY, description="The file, as an attachment")


def _query(serializer_class: type[serializers.Serializer[Any]], request: Request) -> dict[str, Any]:
    """Query parameters parsed like a body: a bad value is a 400 naming the parameter."""
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _file_response(field_file: Any, filename: str, content_type: str) -> FileResponse:
    """A stored file, always as a download, never rendered by the browser."""
    try:
        handle = field_file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing from storage.") from None
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


# --- SBOMs ------------------------------------------------------------------------------------------------


class SbomFilter(django_filters.FilterSet):
    # A plain number: a choice among all rows would tell a customer which ids exist.
    deployment = IdFilter(field_name="deployment_id")

    class Meta:
        model = Sbom
        fields = ["deployment", "current"]


@extend_schema_view(
    list=extend_schema(summary="SBOM uploads", description="Upload through /api/deployments/{id}/sboms/."),
    retrieve=extend_schema(summary="An SBOM upload"),
)
class SbomViewSet(SelectorViewSet[Sbom]):
    """Inventory uploads (SBOMs and lockfiles) of the deployments you can see, newest first."""

    output_serializer = SbomSerializer
    filterset_class = SbomFilter
    search_fields = ["filename", "deployment__name"]
    ordering_fields = ["uploaded_at", "filename", "component_count"]
    ordering = ["-uploaded_at", "-id"]

    def get_queryset(self) -> QuerySet[Sbom]:
        return selectors.sbom_list(actor=self.actor)

    @extend_schema(summary="The SBOM's components", responses=ComponentSerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=[])
    def components(self, request: Request, pk: str | None = None) -> Response:
        """Its packages, normalised (ecosystem, name, version, purl), by ecosystem and name."""
        sbom = self.get_object()
        components = sbom.components.order_by("ecosystem", "name_key", "version", "id")
        # DRF's stub ties paginate_queryset to the viewset's own model; DRF pages any queryset.
        page: list[Component] | None = self.paginate_queryset(components)  # type: ignore[arg-type]
        return self.get_paginated_response(ComponentSerializer(page, many=True).data)

    @extend_schema(
        summary="Download the file as uploaded", responses={(200, "application/octet-stream"): BINARY}
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def download(self, request: Request, pk: str | None = None) -> FileResponse:
        """The stored file, byte for byte as it was uploaded (its SHA-256 is in the SBOM record)."""
        sbom = self.get_object()
        return _file_response(sbom.file, sbom.filename, "application/octet-stream")

    @extend_schema(
        summary="Apply a held upload",
        request=None,
        responses={
            200: SbomUploadedSerializer,
            202: OpenApiResponse(
                SbomSerializer, description="A large upload: the worker applies it; poll it"
            ),
            400: INVALID,
            403: REFUSAL,
        },
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def confirm(self, request: Request, pk: str | None = None) -> Response:
        """Make a held upload the deployment's inventory, as it matches now; the answer names what
        closed and reopened."""
        sbom, match = services.sbom_confirm(actor=self.actor, sbom=self.get_object())
        sbom = self.get_queryset().get(pk=sbom.pk)
        if sbom.state == Sbom.State.RECEIVED:  # a large one: the worker applies it
            return Response(
                SbomSerializer(sbom, context=self.get_serializer_context()).data,
                status=status.HTTP_202_ACCEPTED,
                headers={"Location": reverse("sbom-detail", args=[sbom.pk])},
            )
        sbom.match = match  # type: ignore[attr-defined]
        return Response(SbomUploadedSerializer(sbom, context=self.get_serializer_context()).data)

    @extend_schema(
        summary="Discard a held upload", request=None, responses={200: SbomSerializer, 400: INVALID}
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def discard(self, request: Request, pk: str | None = None) -> Response:
        """Keep a held upload in the history, never applied."""
        sbom = services.sbom_discard(actor=self.actor, sbom=self.get_object())
        return self._out(sbom)


# --- advisories -------------------------------------------------------------------------------------------


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
        query = _query(AdvisoryQuerySerializer, self.request) if self.action == "list" else {}
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


# --- findings ---------------------------------------------------------------------------------------------


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
        query = _query(FindingQuerySerializer, self.request)
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


# --- VEX --------------------------------------------------------------------------------------------------


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


# --- vendor advisories ------------------------------------------------------------------------------------


class VendorAdvisoryFilter(django_filters.FilterSet):
    product = IdFilter(field_name="product_id")

    class Meta:
        model = VendorAdvisory
        fields = ["status", "product", "ecosystem"]


def _plain_package(entry: dict[str, Any]) -> dict[str, Any]:
    if "ranges" in entry:
        entry["ranges"] = [{key: value for key, value in dict(r).items() if value} for r in entry["ranges"]]
    return entry


def _vendor_fields(data: dict[str, Any]) -> dict[str, Any]:
    """The input in the services' terms: the product object, ranges as plain objects."""
    if "product" in data:
        found = product_list().filter(pk=data["product"]).first()
        if found is None:
            raise ValidationError({"product": ["No such product."]})
        data["product"] = found
    if "ranges" in data:
        data["ranges"] = [{key: value for key, value in dict(r).items() if value} for r in data["ranges"]]
    if "additional_packages" in data:
        data["additional_packages"] = [_plain_package(dict(entry)) for entry in data["additional_packages"]]
    return data


@extend_schema_view(
    list=extend_schema(summary="Vendor advisories", description="Customers see only published ones."),
    retrieve=extend_schema(summary="A vendor advisory"),
    create=extend_schema(
        summary="Write a draft (analysts)", responses={201: VendorAdvisorySerializer, 403: REFUSAL}
    ),
    update=extend_schema(
        summary="Change it (analysts): back to draft", responses={200: VendorAdvisorySerializer}
    ),
    partial_update=extend_schema(
        summary="Change part of it (analysts)", responses={200: VendorAdvisorySerializer}
    ),
)
class VendorAdvisoryViewSet(ServiceViewSet[VendorAdvisory]):
    """The vendor's own advisories for its patched builds and backports: written, reviewed by a second
    analyst, published as OSV and CSAF, and matched against the portfolio."""

    output_serializer = VendorAdvisorySerializer
    input_serializer = VendorAdvisoryInSerializer
    filterset_class = VendorAdvisoryFilter
    search_fields = ["tracking_id", "title", "package"]
    ordering_fields = ["created_at", "published_at", "tracking_id"]
    ordering = ["-created_at"]
    lookup_field = "tracking_id"
    lookup_value_regex = r"[^/]+"
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[VendorAdvisory]:
        return selectors.vendor_advisory_list(actor=self.actor)

    def perform_service_create(self, data: dict[str, Any]) -> VendorAdvisory:
        return services.vendor_advisory_create(actor=self.actor, **_vendor_fields(data))

    def perform_service_update(self, instance: VendorAdvisory, changes: dict[str, Any]) -> VendorAdvisory:
        return services.vendor_advisory_update(actor=self.actor, advisory=instance, **_vendor_fields(changes))

    @extend_schema(
        summary="Submit for review (analysts)",
        request=None,
        responses={200: VendorAdvisorySerializer, 400: INVALID, 403: REFUSAL},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def submit(self, request: Request, tracking_id: str | None = None) -> Response:
        """A draft goes to review once its CSAF document validates."""
        return self._out(services.vendor_advisory_submit(actor=self.actor, advisory=self.get_object()))

    @extend_schema(
        summary="Publish (another analyst, or an admin)",
        request=None,
        responses={200: PublishedSerializer, 400: INVALID, 403: REFUSAL},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def publish(self, request: Request, tracking_id: str | None = None) -> Response:
        """Four eyes: the author may not publish their own advisory unless an admin. Publishing adds its
        OSV record to the advisory database, matches the portfolio and tells the affected customers."""
        advisory, report = services.vendor_advisory_publish(actor=self.actor, advisory=self.get_object())
        advisory = self.get_queryset().select_related("advisory").get(pk=advisory.pk)
        body = {
            "advisory": advisory,
            "osv_id": advisory.advisory.osv_id if advisory.advisory else None,
            "findings": report.findings,
            "notices": report.notices,
        }
        return Response(PublishedSerializer(body, context=self.get_serializer_context()).data)

    @extend_schema(
        summary="Withdraw (analysts)",
        request=WithdrawSerializer,
        responses={200: VendorAdvisorySerializer, 400: INVALID, 403: REFUSAL},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def withdraw(self, request: Request, tracking_id: str | None = None) -> Response:
        """It stays published with a final revision saying why; the findings it opened close."""
        serializer = WithdrawSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reason = serializer.validated_data["reason"]
        advisory = services.vendor_advisory_withdraw(
            actor=self.actor, advisory=self.get_object(), reason=reason
        )
        return self._out(advisory)

    @extend_schema(summary="As an OSV record", responses={200: OpenApiTypes.OBJECT, 400: INVALID})
    @action(detail=True, methods=["get"], filter_backends=[])
    def osv(self, request: Request, tracking_id: str | None = None) -> Response:
        """The OSV record the advisory database holds (or will hold, once published)."""
        return Response(services.vendor_osv(self.get_object()))

    @extend_schema(summary="As a CSAF 2.0 document", responses={200: OpenApiTypes.OBJECT, 400: INVALID})
    @action(detail=True, methods=["get"], filter_backends=[], url_name="csaf")
    def csaf(self, request: Request, tracking_id: str | None = None) -> Response:
        """The CSAF 2.0 security advisory, validated; status "draft" until published."""
        return Response(services.vendor_csaf(self.get_object()))


# --- notices ----------------------------------------------------------------------------------------------


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
        query = _query(NoticeQuerySerializer, self.request) if self.action == "list" else {}
        return selectors.notice_list(actor=self.actor, **query)

    @extend_schema(summary="Acknowledge a notice", request=None, responses=NoticeSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def acknowledge(self, request: Request, pk: str | None = None) -> Response:
        """Say the notice was read and acted upon; a later finding of the same advisory reopens it."""
        return self._out(services.notice_acknowledge(actor=self.actor, notice=self.get_object()))


# --- portfolio --------------------------------------------------------------------------------------------


@extend_schema(summary="Exposure of the portfolio", responses=PortfolioSerializer)
@api_view(["GET"])
def portfolio(request: Request) -> Response:
    """Open findings by customer and severity, overdue counts, and the advisories reaching most
    deployments. Staff see every customer; a customer sees its own organisation."""
    found = selectors.portfolio(actor=request_actor(request), now=timezone.now())
    return Response(PortfolioSerializer(found).data)
