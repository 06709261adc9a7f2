"""The security portfolio: exposure by customer and the advisories reaching the most deployments."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from ossdesk.security.selectors import Exposure, Portfolio


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
