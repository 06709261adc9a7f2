"""Security assurance API shapes: input serializers parse, output serializers shape; services decide."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ossdesk.accounts.access import can_read_internal_notes
from ossdesk.customers.api.serializers import ProductRefSerializer
from ossdesk.customers.models import Deployment
from ossdesk.domain import vex as vexdoc
from ossdesk.doors.actor import request_actor
from ossdesk.security.api.clocks import remediation_clock
from ossdesk.security.models import (
    Advisory,
    AffectedPackage,
    Component,
    Finding,
    Notice,
    Sbom,
    Severity,
    VendorAdvisory,
    VexStatement,
)
from ossdesk.security.selectors import Affected, Exposure, Portfolio
from ossdesk.security.services import UploadPreview

FINDING_CLOCK_STATES = ["running", "paused", "met", "breached", "idle"]


def _absolute(context: Mapping[str, Any], path: str) -> str:
    request = context.get("request")
    return request.build_absolute_uri(path) if request is not None else path


def _reads_internal_notes(context: Mapping[str, Any]) -> bool:
    request = context.get("request")
    return request is not None and can_read_internal_notes(request_actor(request))


def _one_of(choices: Any, what: str = "", **kwargs: Any) -> serializers.CharField:
    """A choice field documented by its values, not as an OpenAPI enum component.

    `status`, `severity` and `source` already name the helpdesk's and the plans' enums; one more choice
    set under the same field name renames every one of them (StatusEnum -> Status7d9Enum) until the
    settings' ENUM_NAME_OVERRIDES name them. The services check the value and say what is allowed.
    """
    values = [value for value, _ in choices] if choices and isinstance(choices[0], tuple) else list(choices)
    help_text = f"{what}{' ' if what else ''}One of: {', '.join(values)}."
    return serializers.CharField(help_text=help_text, **kwargs)


class DeploymentRefSerializer(serializers.Serializer[Deployment]):
    id = serializers.IntegerField()
    name = serializers.CharField()


# --- SBOMs ------------------------------------------------------------------------------------------------


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
    state = _one_of(
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
        return _absolute(self.context, reverse("sbom-download", args=[sbom.pk]))

    def get_components_url(self, sbom: Sbom) -> str:
        return _absolute(self.context, reverse("sbom-components", args=[sbom.pk]))


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


# --- advisories -------------------------------------------------------------------------------------------


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
    source = _one_of(Advisory.Source.choices, read_only=True)  # type: ignore[assignment]
    severity = _one_of(Severity.choices, "From its CVSS vector.", read_only=True)
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
        return _absolute(self.context, reverse("advisory-detail", args=[advisory.osv_id]))


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
    severity = _one_of(Severity.choices)
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


# --- findings ---------------------------------------------------------------------------------------------


class FindingQuerySerializer(serializers.Serializer[None]):
    status = serializers.ChoiceField(choices=Finding.Status.choices, required=False)
    severity = serializers.ChoiceField(choices=Severity.choices, required=False)
    organization = serializers.IntegerField(required=False, help_text="Organisation id (staff)")
    deployment = serializers.IntegerField(required=False)
    advisory = serializers.CharField(required=False, help_text="Advisory id or alias")
    search = serializers.CharField(required=False, help_text="Package name, advisory id or alias")


class RemediationClockSerializer(serializers.Serializer[dict[str, Any]]):
    """The remediation deadline, shaped like a ticket's SLA clock."""

    name = serializers.CharField()
    # A field named like Field.label: DRF's metaclass moves declared fields off the class, so no clash.
    label = serializers.CharField()  # type: ignore[assignment]
    state = serializers.ChoiceField(choices=FINDING_CLOCK_STATES)
    target = serializers.CharField(allow_null=True, help_text="The window, e.g. 30d")
    window_reason = serializers.CharField(help_text="Why this window: the terms, PCI DSS, CISA KEV")
    started_at = serializers.DateTimeField(help_text="When the finding was detected")
    due_at = serializers.DateTimeField(allow_null=True)
    stopped_at = serializers.DateTimeField(allow_null=True, help_text="When it was fixed or ruled out")
    elapsed_seconds = serializers.IntegerField()
    remaining_seconds = serializers.IntegerField(allow_null=True, help_text="Negative when overdue")
    breached = serializers.BooleanField()
    pause_reason = serializers.CharField(allow_null=True)
    fraction = serializers.FloatField(help_text="Share of the window used; above 1 when overdue")


class FindingSerializer(serializers.ModelSerializer[Finding]):
    organization = serializers.IntegerField(source="organization_id", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    deployment = DeploymentRefSerializer(read_only=True)
    advisory = AdvisoryRefSerializer(read_only=True)
    status = _one_of(Finding.Status.choices, read_only=True)
    severity = _one_of(Severity.choices, read_only=True)
    remediation = serializers.SerializerMethodField()

    class Meta:
        model = Finding
        fields = [
            "id",
            "organization",
            "organization_name",
            "deployment",
            "advisory",
            "ecosystem",
            "name",
            "version",
            "purl",
            "fixed_versions",
            "status",
            "status_reason",
            "risk_accepted_until",
            "severity",
            "priority",
            "detected_at",
            "due_at",
            "resolved_at",
            "updated_at",
            "remediation",
        ]

    @extend_schema_field(RemediationClockSerializer)
    def get_remediation(self, finding: Finding) -> dict[str, Any]:
        # One instant for a whole page, so every row is measured against the same now.
        now = self.context.get("now") or timezone.now()
        return RemediationClockSerializer(remediation_clock(finding, now)).data


class FindingStatusInSerializer(serializers.Serializer[None]):
    status = _one_of(Finding.Status.choices)
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Required for not_affected and risk_accepted: the next auditor will ask",
    )
    until = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="risk_accepted: a future date"
    )


# --- VEX --------------------------------------------------------------------------------------------------


class VexStatementSerializer(serializers.ModelSerializer[VexStatement]):
    organization = serializers.IntegerField(source="organization_id", read_only=True, allow_null=True)
    deployment = serializers.IntegerField(source="deployment_id", read_only=True, allow_null=True)
    status = _one_of(VexStatement.Status.choices, read_only=True)

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
    status = _one_of(vexdoc.STATUSES)
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


# --- vendor advisories ------------------------------------------------------------------------------------


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
    tlp = _one_of(VendorAdvisory.Tlp.choices, "Traffic Light Protocol 2.0 label.", required=False)


class VendorAdvisorySerializer(serializers.ModelSerializer[VendorAdvisory]):
    staff_only_fields = ("author", "reviewer")
    product = ProductRefSerializer(read_only=True)
    author = serializers.CharField(source="author.username", read_only=True, allow_null=True)
    reviewer = serializers.CharField(source="reviewer.username", read_only=True, allow_null=True)
    status = _one_of(VendorAdvisory.Status.choices, read_only=True)
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
        if not _reads_internal_notes(self.context):  # who wrote and reviewed it is the vendor's business
            for name in self.staff_only_fields:
                data.pop(name, None)
        return data

    def get_osv_url(self, advisory: VendorAdvisory) -> str:
        return _absolute(self.context, reverse("vendor-advisory-osv", args=[advisory.tracking_id]))

    def get_csaf_url(self, advisory: VendorAdvisory) -> str:
        return _absolute(self.context, reverse("vendor-advisory-csaf", args=[advisory.tracking_id]))


class PublishedSerializer(serializers.Serializer[dict[str, Any]]):
    advisory = VendorAdvisorySerializer()
    osv_id = serializers.CharField(help_text="Its record in the advisory database")
    findings = serializers.IntegerField(help_text="Findings the publication opened in the portfolio")
    notices = serializers.IntegerField(help_text="Customers told")


# --- notices ----------------------------------------------------------------------------------------------


class NoticeQuerySerializer(serializers.Serializer[None]):
    unacknowledged = serializers.BooleanField(required=False, default=False)


class NoticeSerializer(serializers.ModelSerializer[Notice]):
    staff_only_fields = ("ticket_error",)
    advisory = AdvisoryRefSerializer(read_only=True)
    organization = serializers.IntegerField(source="organization_id", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    severity = _one_of(Severity.choices, read_only=True)
    deployments = serializers.ListField(child=serializers.CharField(), read_only=True)
    acknowledged_by = serializers.CharField(
        source="acknowledged_by.username", read_only=True, allow_null=True
    )
    ticket = serializers.IntegerField(source="ticket_id", read_only=True, allow_null=True)

    class Meta:
        model = Notice
        fields = [
            "id",
            "advisory",
            "organization",
            "organization_name",
            "severity",
            "deployments",
            "findings",
            "created_at",
            "acknowledged_at",
            "acknowledged_by",
            "ticket",
            "ticket_error",
        ]

    def to_representation(self, instance: Notice) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not _reads_internal_notes(self.context):  # why no ticket opened is the vendor's internal note
            for name in self.staff_only_fields:
                data.pop(name, None)
        return data


# --- portfolio --------------------------------------------------------------------------------------------


class ExposureSerializer(serializers.Serializer[Exposure]):
    organization = serializers.IntegerField(source="organization_id")
    organization_name = serializers.CharField(source="organization")
    by_severity = serializers.DictField(child=serializers.IntegerField(), help_text="Open findings")
    total = serializers.IntegerField()
    overdue = serializers.IntegerField()
    deployments = serializers.IntegerField(help_text="Deployments with open findings")


class PortfolioAdvisorySerializer(serializers.Serializer[dict[str, Any]]):
    id = serializers.IntegerField(source="advisory_id")
    osv_id = serializers.CharField(source="advisory__osv_id")
    summary = serializers.CharField(source="advisory__summary")
    severity = serializers.CharField(source="advisory__severity")
    kev = serializers.BooleanField(source="advisory__kev")
    findings = serializers.IntegerField()
    customers = serializers.IntegerField()
    deployments = serializers.IntegerField()


class PortfolioSerializer(serializers.Serializer[Portfolio]):
    customers = ExposureSerializer(many=True)
    advisories = PortfolioAdvisorySerializer(many=True, help_text="Reaching the most deployments")
    totals = serializers.DictField(child=serializers.IntegerField(), help_text="Open findings by severity")
    overdue = serializers.IntegerField()
