"""VEX statements: a statement, recording one, importing and exporting documents."""

from __future__ import annotations

from rest_framework import serializers

from ossdesk.domain import vex as vexdoc
from ossdesk.security.api.serializers.common import choice_field
from ossdesk.security.models import VexStatement


class VexStatementSerializer(serializers.ModelSerializer[VexStatement]):
    organization = serializers.IntegerField(source="organization_id", read_only=True, allow_null=True)
    deployment = serializers.IntegerField(source="deployment_id", read_only=True, allow_null=True)
    status = choice_field(VexStatement.Status.choices, read_only=True)

    class Meta:
        model = VexStatement
        fields = [
            "id",
            "organization",
            "deployment",
            "vulnerability",
            "product",
            "status",
            "justification",
            "impact_statement",
            "action_statement",
            "source",
            "author_label",
            "created_at",
        ]


class VexRecordedSerializer(VexStatementSerializer):
    findings_changed = serializers.IntegerField(read_only=True, help_text="Findings the statement moved")

    class Meta(VexStatementSerializer.Meta):
        fields = [*VexStatementSerializer.Meta.fields, "findings_changed"]


class VexScopeSerializer(serializers.Serializer[None]):
    organization = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="Analysts: limit to a customer; customers: always their own",
    )
    deployment = serializers.IntegerField(required=False, allow_null=True, help_text="Limit to a deployment")


class VexInSerializer(VexScopeSerializer):
    vulnerability = serializers.CharField(max_length=100, help_text="CVE, GHSA or advisory id")
    product = serializers.CharField(
        max_length=1000, help_text="A purl; without a version it covers every version"
    )
    status = choice_field(vexdoc.STATUSES)
    justification = serializers.ChoiceField(
        choices=list(vexdoc.JUSTIFICATIONS),
        required=False,
        allow_blank=True,
        default="",
        help_text="not_affected: why (or give an impact statement)",
    )
    impact_statement = serializers.CharField(required=False, allow_blank=True, default="")
    action_statement = serializers.CharField(required=False, allow_blank=True, default="")


class VexImportInSerializer(VexScopeSerializer):
    file = serializers.FileField(help_text="An OpenVEX or CycloneDX VEX document")


class VexImportedSerializer(serializers.Serializer[dict[str, object]]):
    statements = VexStatementSerializer(many=True)
    findings_changed = serializers.IntegerField()


class VexExportQuerySerializer(serializers.Serializer[None]):
    format = serializers.ChoiceField(choices=["openvex", "cyclonedx"], required=False, default="openvex")
    vulnerability = serializers.CharField(required=False, help_text="Only statements about this id")
