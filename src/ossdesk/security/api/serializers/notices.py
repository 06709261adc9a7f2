"""Notices to customers about an advisory that reaches their deployments."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from ossdesk.security.api.serializers.advisories import AdvisoryRefSerializer
from ossdesk.security.api.serializers.common import choice_field, reads_internal_notes
from ossdesk.security.models import Notice, Severity


class NoticeQuerySerializer(serializers.Serializer[None]):
    unacknowledged = serializers.BooleanField(required=False, default=False)


class NoticeSerializer(serializers.ModelSerializer[Notice]):
    staff_only_fields = ("ticket_error",)
    advisory = AdvisoryRefSerializer(read_only=True)
    organization = serializers.IntegerField(source="organization_id", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    severity = choice_field(Severity.choices, read_only=True)
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
        if not reads_internal_notes(self.context):  # why no ticket opened is the vendor's internal note
            for name in self.staff_only_fields:
                data.pop(name, None)
        return data
