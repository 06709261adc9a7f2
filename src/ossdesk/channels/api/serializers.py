"""Inbound-mail API shapes: what a received mail looks like to staff, and the one input (assign)."""

from __future__ import annotations

from rest_framework import serializers

from ossdesk.channels.inbox import DISCARDABLE, RETRYABLE
from ossdesk.channels.models import InboundMessage

ASSIGNABLE = frozenset({InboundMessage.Status.HELD, InboundMessage.Status.REFUSED})


class InboundOutSerializer(serializers.ModelSerializer[InboundMessage]):
    """A received mail without its raw bytes; `actions` lists what staff may do with it now."""

    status_label = serializers.CharField(source="get_status_display", read_only=True)
    mailbox = serializers.CharField(source="mailbox.name", read_only=True, allow_null=True, default=None)
    contact = serializers.IntegerField(source="contact_id", read_only=True, allow_null=True)
    organization = serializers.SerializerMethodField()
    ticket = serializers.IntegerField(source="ticket_id", read_only=True, allow_null=True)
    actions = serializers.SerializerMethodField()

    class Meta:
        model = InboundMessage
        fields = [
            "id",
            "message_id",
            "received_at",
            "source",
            "mailbox",
            "envelope_from",
            "from_address",
            "subject",
            "size",
            "status",
            "status_label",
            "error",
            "attempts",
            "processed_at",
            "contact",
            "organization",
            "ticket",
            "actions",
        ]
        read_only_fields = fields

    def get_organization(self, row: InboundMessage) -> int | None:
        return row.contact.organization_id if row.contact is not None else None

    def get_actions(self, row: InboundMessage) -> list[str]:
        return [
            name
            for name, states in (("retry", RETRYABLE), ("assign", ASSIGNABLE), ("discard", DISCARDABLE))
            if row.status in states
        ]


class InboundAssignInSerializer(serializers.Serializer[None]):
    """The contact a held or refused mail is from: by id, or by address (with the customer's slug when
    several customers have a contact with that address)."""

    contact = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    email = serializers.EmailField(required=False)
    organization = serializers.SlugField(required=False, allow_blank=True, max_length=50)

    def validate(self, attrs: dict[str, object]) -> dict[str, object]:
        if ("contact" in attrs) == ("email" in attrs):
            raise serializers.ValidationError({"contact": ["Give the contact's id or its e-mail address."]})
        return attrs


class InboundQuerySerializer(serializers.Serializer[None]):
    """The list's filters: by status (repeatable; without one, the mail that needs a person)."""

    status = serializers.ListField(
        child=serializers.ChoiceField(choices=InboundMessage.Status.choices), required=False, max_length=10
    )
