"""The vendor's own advisories: their packages and ranges, the input, the output, what publishing answers."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework import serializers

from ossdesk.customers.api.serializers import ProductRefSerializer
from ossdesk.security.api.serializers.common import absolute_url, choice_field, reads_internal_notes
from ossdesk.security.models import VendorAdvisory


class RangeSerializer(serializers.Serializer[dict[str, Any]]):
    introduced = serializers.CharField(required=False, default="0", help_text='"0": every version before')
    fixed = serializers.CharField(required=False, allow_blank=True, default="")


class VendorPackageSerializer(serializers.Serializer[dict[str, Any]]):
    """One more package of a vendor advisory, said like the advisory's first package."""

    ecosystem = serializers.CharField(max_length=40, help_text="OSV ecosystem, e.g. PyPI, Maven, Debian")
    package = serializers.CharField(max_length=300)
    ranges = RangeSerializer(many=True, required=False)
    affected_versions = serializers.ListField(child=serializers.CharField(), required=False)
    remediation = serializers.CharField(required=False, allow_blank=True)


class WithdrawSerializer(serializers.Serializer[None]):
    reason = serializers.CharField(help_text="Why it is withdrawn; goes into its final revision")


class VendorAdvisoryInSerializer(serializers.Serializer[None]):
    title = serializers.CharField(max_length=300)
    summary = serializers.CharField()
    details = serializers.CharField(required=False, allow_blank=True)
    product = serializers.IntegerField(help_text="The supported product it concerns")
    ecosystem = serializers.CharField(max_length=40, help_text="OSV ecosystem, e.g. PyPI, Maven")
    package = serializers.CharField(max_length=300)
    ranges = RangeSerializer(many=True, required=False)
    affected_versions = serializers.ListField(child=serializers.CharField(), required=False)
    cves = serializers.ListField(child=serializers.CharField(max_length=30), required=False)
    aliases = serializers.ListField(child=serializers.CharField(max_length=100), required=False)
    cvss_vector = serializers.CharField(max_length=300, required=False, allow_blank=True)
    remediation = serializers.CharField(required=False, allow_blank=True)
    additional_packages = VendorPackageSerializer(
        many=True, required=False, help_text="More packages the advisory covers, besides the first"
    )
    tlp = choice_field(VendorAdvisory.Tlp.choices, "Traffic Light Protocol 2.0 label.", required=False)


class VendorAdvisorySerializer(serializers.ModelSerializer[VendorAdvisory]):
    staff_only_fields = ("author", "reviewer")
    product = ProductRefSerializer(read_only=True)
    author = serializers.CharField(source="author.username", read_only=True, allow_null=True)
    reviewer = serializers.CharField(source="reviewer.username", read_only=True, allow_null=True)
    status = choice_field(VendorAdvisory.Status.choices, read_only=True)
    osv_url = serializers.SerializerMethodField()
    csaf_url = serializers.SerializerMethodField()

    class Meta:
        model = VendorAdvisory
        fields = [
            "tracking_id",
            "title",
            "summary",
            "details",
            "product",
            "ecosystem",
            "package",
            "ranges",
            "affected_versions",
            "cves",
            "aliases",
            "cvss_vector",
            "remediation",
            "additional_packages",
            "tlp",
            "status",
            "withdrawn_at",
            "withdrawn_reason",
            "revision",
            "author",
            "reviewer",
            "created_at",
            "modified_at",
            "published_at",
            "osv_url",
            "csaf_url",
        ]

    def to_representation(self, instance: VendorAdvisory) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not reads_internal_notes(self.context):  # who wrote and reviewed it is the vendor's business
            for name in self.staff_only_fields:
                data.pop(name, None)
        return data

    def get_osv_url(self, advisory: VendorAdvisory) -> str:
        return absolute_url(self.context, reverse("vendor-advisory-osv", args=[advisory.tracking_id]))

    def get_csaf_url(self, advisory: VendorAdvisory) -> str:
        return absolute_url(self.context, reverse("vendor-advisory-csaf", args=[advisory.tracking_id]))


class PublishedSerializer(serializers.Serializer[dict[str, Any]]):
    advisory = VendorAdvisorySerializer()
    osv_id = serializers.CharField(help_text="Its record in the advisory database")
    findings = serializers.IntegerField(help_text="Findings the publication opened in the portfolio")
    notices = serializers.IntegerField(help_text="Customers told")
