from __future__ import annotations

from rest_framework import serializers

from ossdesk.webhooks.models import Delivery, Endpoint


class EndpointOutSerializer(serializers.ModelSerializer[Endpoint]):
    organization = serializers.IntegerField(source="organization_id", read_only=True, allow_null=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True, default=None)

    class Meta:
        model = Endpoint
        fields = [
            "id",
            "organization",
            "url",
            "description",
            "event_types",
            "is_active",
            "consecutive_failures",
            "disabled_at",
            "disabled_reason",
            "created_by",
            "created_at",
            "updated_at",
        ]


class EndpointCreatedSerializer(EndpointOutSerializer):
    secret = serializers.CharField(read_only=True, help_text="Shown this once: keep it to verify signatures")

    class Meta(EndpointOutSerializer.Meta):
        fields = [*EndpointOutSerializer.Meta.fields, "secret"]


class EndpointInSerializer(serializers.Serializer[None]):
    organization = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="Customers: your own (the default). Staff: an organisation, or empty for the vendor's own",
    )
    url = serializers.CharField(max_length=1000)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    event_types = serializers.ListField(
        child=serializers.CharField(max_length=60), help_text='e.g. ["ticket.*", "finding.created"]'
    )
    is_active = serializers.BooleanField(required=False)


class DeliveryOutSerializer(serializers.ModelSerializer[Delivery]):
    endpoint = serializers.IntegerField(source="endpoint_id", read_only=True)
    event = serializers.IntegerField(source="event_id", read_only=True)
    event_type = serializers.CharField(source="event.type", read_only=True)

    class Meta:
        model = Delivery
        fields = [
            "id",
            "endpoint",
            "event",
            "event_type",
            "key",
            "attempt",
            "is_redelivery",
            "status",
            "created_at",
            "next_attempt_at",
            "attempted_at",
            "response_code",
            "response_body",
            "error",
            "duration_ms",
        ]
