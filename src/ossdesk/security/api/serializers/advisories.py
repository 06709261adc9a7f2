"""Advisories: the list's query, an advisory in a list and in full, the reference other shapes embed, and
who an advisory affects."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework import serializers

from ossdesk.security.api.serializers.common import absolute_url, choice_field
from ossdesk.security.models import Advisory, AffectedPackage, Severity
from ossdesk.security.selectors import Affected


class AdvisoryQuerySerializer(serializers.Serializer[None]):
    search = serializers.CharField(
        required=False, help_text="An id, any alias (CVE, GHSA ...) or summary words"
    )
    severity = serializers.ChoiceField(choices=Severity.choices, required=False)
    ecosystem = serializers.CharField(required=False, help_text="OSV ecosystem, e.g. PyPI, npm, Go")
    kev = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="In CISA's Known Exploited Vulnerabilities"
    )


class AdvisorySerializer(serializers.ModelSerializer[Advisory]):
    """An advisory in a list: its scores, never its full record."""

    # A field named like Field.source: DRF's metaclass moves declared fields off the class, so no clash.
    source = choice_field(Advisory.Source.choices, read_only=True)  # type: ignore[assignment]
    severity = choice_field(Severity.choices, "From its CVSS vector.", read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Advisory
        fields = [
            "id",
            "osv_id",
            "source",
            "summary",
            "aliases",
            "severity",
            "cvss_version",
            "cvss_vector",
            "cvss_score",
            "epss",
            "epss_percentile",
            "kev",
            "kev_added",
            "ecosystems",
            "published",
            "modified",
            "withdrawn",
            "url",
        ]

    def get_url(self, advisory: Advisory) -> str:
        return absolute_url(self.context, reverse("advisory-detail", args=[advisory.osv_id]))


class AffectedPackageSerializer(serializers.ModelSerializer[AffectedPackage]):
    fixed = serializers.ListField(child=serializers.CharField(), help_text="Versions that fix it, per range")

    class Meta:
        model = AffectedPackage
        fields = ["ecosystem", "name", "fixed"]


class AdvisoryDetailSerializer(AdvisorySerializer):
    packages = AffectedPackageSerializer(many=True, read_only=True)
    record = serializers.JSONField(read_only=True, help_text="The OSV record as imported")

    class Meta(AdvisorySerializer.Meta):
        fields = [*AdvisorySerializer.Meta.fields, "details", "packages", "record"]


class AdvisoryRefSerializer(serializers.Serializer[Advisory]):
    id = serializers.IntegerField()
    osv_id = serializers.CharField()
    summary = serializers.CharField()
    severity = choice_field(Severity.choices)
    kev = serializers.BooleanField()
    epss = serializers.FloatField(allow_null=True)


class AffectedCustomerSerializer(serializers.Serializer[dict[str, Any]]):
    organization = serializers.IntegerField(source="organization_id")
    organization_name = serializers.CharField(source="organization")
    by_status = serializers.DictField(child=serializers.IntegerField(), help_text="Findings by status")
    deployments = serializers.IntegerField()


class AffectedSerializer(serializers.Serializer[Affected]):
    advisory = AdvisoryRefSerializer()
    customers = AffectedCustomerSerializer(many=True)
