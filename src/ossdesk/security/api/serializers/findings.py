"""Findings: the list's query, a finding with its remediation clock, and a status change."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ossdesk.security.api.clocks import remediation_clock
from ossdesk.security.api.serializers.advisories import AdvisoryRefSerializer
from ossdesk.security.api.serializers.common import DeploymentRefSerializer, choice_field
from ossdesk.security.models import Finding, Severity

FINDING_CLOCK_STATES = ["running", "paused", "met", "breached", "idle"]


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
    status = choice_field(Finding.Status.choices, read_only=True)
    severity = choice_field(Severity.choices, read_only=True)
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
    status = choice_field(Finding.Status.choices)
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Required for not_affected and risk_accepted: the next auditor will ask",
    )
    until = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="risk_accepted: a future date"
    )
