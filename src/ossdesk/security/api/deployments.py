"""A deployment's SBOM and lockfile uploads, at `/api/deployments/{id}/sboms/`: the deployment door is
customers', the uploads are security's, so this viewset adds them to it and the API's URL root registers
this one for `deployments`."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from ossdesk.customers.api import views as customer_api
from ossdesk.customers.models import Deployment
from ossdesk.security import selectors as security_selectors
from ossdesk.security import services as security_services
from ossdesk.security.api.serializers import (
    SbomHeldSerializer,
    SbomSerializer,
    SbomUploadedSerializer,
    SbomUploadInSerializer,
    UploadFlagsSerializer,
    UploadPreviewSerializer,
)
from ossdesk.security.api.uploads import upload_from_request


class DeploymentViewSet(customer_api.DeploymentViewSet):
    """Customers' deployments of supported products; customer admins manage their own organisation's."""

    # The same name and docstring as customers' viewset: the API's pages and schema describe
    # `/api/deployments/` from them.

    @extend_schema(
        methods=["GET"],
        summary="The deployment's SBOM uploads, newest first",
        responses=SbomSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary="Upload an SBOM or lockfile",
        request={
            "multipart/form-data": SbomUploadInSerializer,
            "application/octet-stream": OpenApiTypes.BINARY,
        },
        parameters=[
            OpenApiParameter(
                "filename",
                str,
                description="With a raw request body: the file's name, which says its format "
                "(requirements.txt, package-lock.json, bom.cdx.json ...)",
            ),
            OpenApiParameter(
                "dry_run", bool, description="Only answer what the upload would do (200); store nothing"
            ),
            OpenApiParameter(
                "confirm",
                bool,
                description="Apply even if it closes more findings than the server's limit or a critical one",
            ),
        ],
        responses={
            200: OpenApiResponse(UploadPreviewSerializer, description="dry_run: what it would do"),
            201: SbomUploadedSerializer,
            202: OpenApiResponse(
                SbomSerializer,
                description="A large file (over OSSDESK_UPLOAD_INLINE_BYTES): stored raw, read and matched "
                "by the worker; poll `Location` until `state` is applied, held or refused",
            ),
            400: OpenApiResponse(
                description='{"detail", "errors": {"file": [...]}}: empty, too large, unreadable, no '
                "component read, or more entries skipped than read; nothing is stored"
            ),
            403: OpenApiResponse(description='Refused by the contract: {"detail", "code", "allowed_by"}'),
            409: OpenApiResponse(
                SbomHeldSerializer,
                description="Held, not applied: it would close more findings than the limit, or a "
                "critical one. Confirm it at `confirm_url` (or send it again with confirm=true)",
            ),
        },
    )
    @action(
        detail=True, methods=["get", "post"], filter_backends=[], parser_classes=[MultiPartParser, FormParser]
    )
    def sboms(self, request: Request, pk: str | None = None) -> Response:
        """SBOM and lockfile uploads: the newest is the deployment's inventory, matched against every
        advisory at once. Send the file as the multipart part `file`, or as the body with `?filename=`."""
        deployment = self.get_object()
        if request.method == "POST":
            return self._upload(request, deployment)
        sboms = security_selectors.sbom_list(actor=self.actor, deployment_id=deployment.pk)
        # DRF's stub ties paginate_queryset to the viewset's own model; DRF pages any queryset.
        page: list[Any] | None = self.paginate_queryset(sboms)  # type: ignore[arg-type]
        return self.get_paginated_response(
            SbomSerializer(page, many=True, context=self.get_serializer_context()).data
        )

    def _upload(self, request: Request, deployment: Deployment) -> Response:
        # Flags come in the query string, which a raw body leaves readable, or as multipart fields.
        flags = UploadFlagsSerializer(data=request.query_params)
        flags.is_valid(raise_exception=True)
        filename, data = upload_from_request(request)
        if request.content_type.startswith("multipart/"):
            fields: Any = request.data  # a QueryDict for multipart
            form = {key: fields[key] for key in ("dry_run", "confirm") if key in fields}
            flags = UploadFlagsSerializer(data={**flags.validated_data, **form})
            flags.is_valid(raise_exception=True)
        if security_services.sbom_for_the_worker(len(data)) and not flags.validated_data["dry_run"]:
            sbom = security_services.sbom_receive(
                actor=self.actor,
                deployment=deployment,
                filename=filename,
                data=data,
                via="api",
                confirm=flags.validated_data["confirm"],
            )
            location = reverse("sbom-detail", args=[sbom.pk])
            sbom = security_selectors.sbom_get(actor=self.actor, pk=sbom.pk)
            return Response(
                SbomSerializer(sbom, context=self.get_serializer_context()).data,
                status=status.HTTP_202_ACCEPTED,
                headers={"Location": request.build_absolute_uri(location)},
            )
        if flags.validated_data["dry_run"]:
            preview = security_services.sbom_preview(
                actor=self.actor, deployment=deployment, filename=filename, data=data
            )
            return Response(UploadPreviewSerializer(preview).data)
        sbom, match = security_services.sbom_upload(
            actor=self.actor,
            deployment=deployment,
            filename=filename,
            data=data,
            via="api",
            confirm=flags.validated_data["confirm"],
        )
        sbom = security_selectors.sbom_get(actor=self.actor, pk=sbom.pk)
        sbom.match = match  # type: ignore[attr-defined]
        context = self.get_serializer_context()
        if sbom.state == sbom.State.HELD:
            body = {
                "detail": "Held, not applied: " + "; ".join(sbom.problems) + ".",
                "errors": {"confirm": sbom.problems},
                "upload": sbom,
                "confirm_url": request.build_absolute_uri(reverse("sbom-confirm", args=[sbom.pk])),
            }
            return Response(SbomHeldSerializer(body, context=context).data, status=status.HTTP_409_CONFLICT)
        return Response(SbomUploadedSerializer(sbom, context=context).data, status=status.HTTP_201_CREATED)
