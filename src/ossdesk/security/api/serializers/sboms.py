"""SBOM and lockfile uploads: the upload's input and flags, its preview, what matching changed, the stored
SBOM and its components."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ossdesk.security.api.serializers.common import DeploymentRefSerializer, absolute_url, choice_field
from ossdesk.security.models import Component, Sbom
from ossdesk.security.services import UploadPreview


class SbomUploadInSerializer(serializers.Serializer[None]):
    file = serializers.FileField(help_text="An SBOM (CycloneDX, SPDX) or a lockfile, under its own name")
    dry_run = serializers.BooleanField(
        required=False, help_text="Only say what the upload would do to the findings; store nothing"
    )
    confirm = serializers.BooleanField(
        required=False,
        help_text="Apply even when it closes more findings than the server's limit, or a critical one",
    )


class UploadFlagsSerializer(serializers.Serializer[None]):
    """`dry_run` and `confirm`, as query parameters (any upload) or multipart fields."""

    dry_run = serializers.BooleanField(required=False, default=False)
    confirm = serializers.BooleanField(required=False, default=False)


class MatchSerializer(serializers.Serializer[dict[str, Any]]):
    """What matching the upload changed in the deployment's findings."""

    created = serializers.IntegerField()
    reopened = serializers.IntegerField(help_text="Fixed findings whose affected version is back")
    moved = serializers.IntegerField(help_text="Findings whose package version changed")
    closed = serializers.IntegerField(help_text="Closed as fixed: the package is gone or upgraded")
    suppressed = serializers.IntegerField(help_text="New, but a VEX statement says not affected or fixed")


class FindingChangeSerializer(serializers.Serializer[dict[str, Any]]):
    advisory = serializers.CharField()
    severity = serializers.CharField()
    package = serializers.CharField()
    version = serializers.CharField()
    reason = serializers.CharField(help_text="Why it closes or reopens; empty for a new finding")
    finding = serializers.IntegerField(allow_null=True, help_text="The finding's id; null until created")


class ChangesSerializer(serializers.Serializer[dict[str, Any]]):
    """An upload's effect on the findings: exact counts, each finding named (up to 200 per kind)."""

    new = serializers.IntegerField()
    reopened = serializers.IntegerField()
    closed = serializers.IntegerField()
    moved = serializers.IntegerField()
    suppressed = serializers.IntegerField()
    new_findings = FindingChangeSerializer(many=True)
    reopened_findings = FindingChangeSerializer(many=True)
    closed_findings = FindingChangeSerializer(many=True)


class UploadPreviewSerializer(serializers.Serializer[UploadPreview]):
    """A dry run: what the upload would do; nothing was stored."""

    filename = serializers.CharField()
    format = serializers.CharField()
    component_count = serializers.IntegerField()
    warnings = serializers.ListField(child=serializers.CharField())
    changes = ChangesSerializer()
    needs_confirmation = serializers.ListField(
        child=serializers.CharField(), help_text="Why applying it needs confirm=true; empty when it does not"
    )


class SbomSerializer(serializers.ModelSerializer[Sbom]):
    deployment = DeploymentRefSerializer(read_only=True)
    organization = serializers.IntegerField(source="deployment.organization_id", read_only=True)
    uploaded_by = serializers.CharField(source="uploaded_by.username", read_only=True, allow_null=True)
    state = choice_field(
        Sbom.State.choices, "Held uploads wait for a confirmation; only applied ones count.", read_only=True
    )
    changes = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()
    components_url = serializers.SerializerMethodField()

    class Meta:
        model = Sbom
        fields = [
            "id",
            "deployment",
            "organization",
            "filename",
            "format",
            "sha256",
            "size",
            "component_count",
            "warnings",
            "state",
            "problems",
            "confirmed",
            "changes",
            "current",
            "uploaded_by",
            "uploaded_via",
            "uploaded_at",
            "download_url",
            "components_url",
        ]

    @extend_schema_field(ChangesSerializer)
    def get_changes(self, sbom: Sbom) -> dict[str, Any]:
        changes: dict[str, Any] = sbom.changes  # a JSONField
        return changes

    def get_download_url(self, sbom: Sbom) -> str:
        return absolute_url(self.context, reverse("sbom-download", args=[sbom.pk]))

    def get_components_url(self, sbom: Sbom) -> str:
        return absolute_url(self.context, reverse("sbom-components", args=[sbom.pk]))


class SbomUploadedSerializer(SbomSerializer):
    match = MatchSerializer(read_only=True)

    class Meta(SbomSerializer.Meta):
        fields = [*SbomSerializer.Meta.fields, "match"]


class SbomHeldSerializer(serializers.Serializer[dict[str, object]]):
    """409: stored but held; nothing changed until someone confirms it."""

    detail = serializers.CharField()
    # The body's `errors`, as every 4xx has it; DRF takes declared fields out of the class, so the
    # serializer's own `errors` property is untouched.
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))  # type: ignore[assignment]
    upload = SbomSerializer()
    confirm_url = serializers.URLField(help_text="POST here to apply it")


class ComponentSerializer(serializers.ModelSerializer[Component]):
    class Meta:
        model = Component
        fields = ["id", "ecosystem", "name", "version", "purl", "current"]
