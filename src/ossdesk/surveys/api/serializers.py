"""Survey API shapes: explicit output serializers and the query parameters; the selectors decide."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from ossdesk.surveys.models import SurveyResponse
from ossdesk.surveys.selectors import GROUPS


class SurveyResponseOutSerializer(serializers.ModelSerializer[SurveyResponse]):
    """A survey as the API shows it; the link's token is a credential and never leaves the mail."""

    ticket_subject = serializers.CharField(source="ticket.subject", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    engineer = serializers.CharField(source="engineer.username", read_only=True, allow_null=True)
    team = serializers.CharField(source="team.name", read_only=True, allow_null=True)

    class Meta:
        model = SurveyResponse
        fields = [
            "id",
            "ticket",
            "ticket_subject",
            "organization",
            "organization_name",
            "contact",
            "engineer",
            "team",
            "rating",
            "comment",
            "solved_at",
            "created_at",
            "answered_at",
            "commented_at",
        ]


class RangeQuerySerializer(serializers.Serializer[None]):
    """`from` and `to` (solve dates, inclusive), passed in as `start` and `end`."""

    start = serializers.DateField(required=False, allow_null=True, default=None)
    end = serializers.DateField(required=False, allow_null=True, default=None)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("start") and attrs.get("end") and attrs["start"] > attrs["end"]:
            raise serializers.ValidationError({"to": "The range ends before it starts."})
        return attrs


class SummaryQuerySerializer(RangeQuerySerializer):
    group = serializers.ChoiceField(choices=list(GROUPS), required=False, default="month")


class FiguresSerializer(serializers.Serializer[dict[str, Any]]):
    key = serializers.JSONField(help_text="The engineer, team or organisation id, or the period's first day")
    # DRF's metaclass takes declared fields off the class, so this does not replace Field.label.
    label = serializers.CharField()  # type: ignore[assignment]
    sent = serializers.IntegerField()
    answered = serializers.IntegerField()
    good = serializers.IntegerField()
    bad = serializers.IntegerField()
    csat = serializers.FloatField(allow_null=True, help_text="Per cent good of answered")
    response_rate = serializers.FloatField(allow_null=True, help_text="Per cent answered of sent")


class SummarySerializer(serializers.Serializer[dict[str, Any]]):
    group = serializers.CharField()
    totals = FiguresSerializer()
    results = FiguresSerializer(many=True)
