"""Stored SBOMs: list, read, download and their components (uploads are `security.api.deployments`)."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from ossdesk.doors.ids import IdFilter
from ossdesk.doors.viewsets import SelectorViewSet
from ossdesk.security import selectors, services
from ossdesk.security.api.serializers import ComponentSerializer, SbomSerializer, SbomUploadedSerializer
from ossdesk.security.api.views.common import BINARY, INVALID, REFUSAL, file_download
from ossdesk.security.models import Component, Sbom


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
        return file_download(sbom.file, sbom.filename, "application/octet-stream")

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
