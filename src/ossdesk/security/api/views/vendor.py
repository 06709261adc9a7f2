"""The vendor's own advisories: draft, submit, publish, withdraw, and their OSV and CSAF documents."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from ossdesk.doors.ids import IdFilter
from ossdesk.doors.viewsets import ServiceViewSet
from ossdesk.products.selectors import product_list
from ossdesk.security import selectors, services
from ossdesk.security.api.serializers import (
    PublishedSerializer,
    VendorAdvisoryInSerializer,
    VendorAdvisorySerializer,
    WithdrawSerializer,
)
from ossdesk.security.api.views.common import INVALID, REFUSAL
from ossdesk.security.models import VendorAdvisory


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
