"""Helpdesk API shapes: explicit input serializers (they parse) and output serializers (they shape)."""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.urls import reverse
from rest_framework import serializers

from ossdesk.accounts.actor import shown_name
from ossdesk.accounts.api.serializers import UserRefSerializer
from ossdesk.accounts.models import Notification
from ossdesk.customers.models import Contact
from ossdesk.domain.entitlements import SEVERITY_DEFINITIONS
from ossdesk.tickets.models import Attachment, Message, Severity, Status, Team, Ticket, TicketEvent, TimeEntry


class RefSerializer(serializers.Serializer[Model]):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ContactRefSerializer(serializers.Serializer[Contact]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    email = serializers.EmailField()


class TicketOutSerializer(serializers.ModelSerializer[Ticket]):
    organization = serializers.IntegerField(source="organization_id", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    contact = ContactRefSerializer(read_only=True, allow_null=True)
    product = RefSerializer(read_only=True)
    product_version = serializers.IntegerField(source="product_version_id", read_only=True, allow_null=True)
    deployment = serializers.IntegerField(source="deployment_id", read_only=True, allow_null=True)
    severity_definition = serializers.SerializerMethodField()
    team = RefSerializer(read_only=True, allow_null=True)
    assignee = UserRefSerializer(read_only=True, allow_null=True)
    tags = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = [
            "id",
            "subject",
            "organization",
            "organization_name",
            "contact",
            "product",
            "product_version",
            "deployment",
            "severity",
            "severity_definition",
            "status",
            "channel",
            "is_proactive",
            "planned_for",
            "team",
            "assignee",
            "tags",
            "opened_at",
            "updated_at",
            "solved_at",
            "plan_code",
            "sla_state",
            "next_due_at",
            "escalation_level",
        ]

    def get_severity_definition(self, ticket: Ticket) -> str:
        return SEVERITY_DEFINITIONS.get(ticket.severity, "")

    def get_tags(self, ticket: Ticket) -> list[str]:
        return [tag.name for tag in ticket.tags.all()]  # prefetched by the selector


class ClockSerializer(serializers.Serializer[dict[str, Any]]):
    """One SLA clock now (ossdesk.tickets.sla.clock_summary)."""

    name = serializers.CharField()
    # A field named like Field.label: DRF's metaclass moves declared fields off the class, so no clash.
    label = serializers.CharField()  # type: ignore[assignment]
    state = serializers.ChoiceField(choices=["running", "paused", "met", "breached", "idle"])
    target = serializers.CharField(
        allow_null=True, help_text="15m, 1h, 4bh (business hours) or 2bd (business days)"
    )
    started_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    stopped_at = serializers.DateTimeField(allow_null=True)
    elapsed_seconds = serializers.IntegerField(help_text="Counted on the target's calendar")
    remaining_seconds = serializers.IntegerField(allow_null=True, help_text="Negative when overdue")
    breached = serializers.BooleanField()
    pause_reason = serializers.CharField(allow_null=True)
    fraction = serializers.FloatField(help_text="Share of the target used; above 1 when overdue")
    cycle = serializers.IntegerField()
    breaches = serializers.IntegerField()


class TicketDetailSerializer(TicketOutSerializer):
    product_version_name = serializers.CharField(
        source="product_version.version", read_only=True, allow_null=True
    )
    deployment_name = serializers.CharField(source="deployment.name", read_only=True, allow_null=True)
    clocks = ClockSerializer(source="clock_rows", many=True, read_only=True)

    class Meta(TicketOutSerializer.Meta):
        fields = [*TicketOutSerializer.Meta.fields, "product_version_name", "deployment_name", "clocks"]


class SlaSerializer(serializers.Serializer[dict[str, Any]]):
    ticket = serializers.IntegerField()
    sla_state = serializers.CharField()
    next_due_at = serializers.DateTimeField(allow_null=True)
    clocks = ClockSerializer(many=True)


class AttachmentSerializer(serializers.ModelSerializer[Attachment]):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "filename", "content_type", "size", "sha256", "download_url"]

    def get_download_url(self, attachment: Attachment) -> str:
        path = reverse("ticket-attachment", args=[self.context["ticket_id"], attachment.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class MessageSerializer(serializers.ModelSerializer[Message]):
    ticket = serializers.IntegerField(source="ticket_id", read_only=True)
    author_name = serializers.SerializerMethodField(help_text="Who wrote it, as pages and mails name them")
    attachments = AttachmentSerializer(many=True, read_only=True)

    def get_author_name(self, message: Message) -> str:
        return shown_name(message.author, message.author_label)

    class Meta:
        model = Message
        fields = [
            "id",
            "ticket",
            "author_label",
            "author_name",
            "from_customer",
            "is_public",
            "body",
            "channel",
            "created_at",
            "attachments",
        ]


class EventSerializer(serializers.ModelSerializer[TicketEvent]):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    actor_name = serializers.SerializerMethodField(help_text="Who did it, as pages and mails name them")
    message = serializers.IntegerField(source="message_id", read_only=True, allow_null=True)

    class Meta:
        model = TicketEvent
        fields = ["id", "at", "kind", "kind_label", "value", "actor_label", "actor_name", "message", "data"]

    def get_actor_name(self, event: TicketEvent) -> str:
        return shown_name(event.actor, event.actor_label)


class TicketInSerializer(serializers.Serializer[None]):
    organization = serializers.IntegerField(
        required=False, help_text="Organisation id; customers may leave it out"
    )
    product = serializers.IntegerField(help_text="A product covered by the subscription")
    product_version = serializers.IntegerField(required=False, allow_null=True)
    deployment = serializers.IntegerField(required=False, allow_null=True)
    contact = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="Staff: the named contact raising the case; customers raise as themselves",
    )
    subject = serializers.CharField(max_length=250)
    body = serializers.CharField()
    severity = serializers.ChoiceField(choices=Severity.choices)
    is_proactive = serializers.BooleanField(required=False, default=False)
    planned_for = serializers.DateTimeField(required=False, allow_null=True)
    tags = serializers.ListField(child=serializers.CharField(max_length=50), required=False, default=list)
    attachments = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        default=list,
        help_text="Send as multipart/form-data, one part per file",
    )


class ReplyInSerializer(serializers.Serializer[None]):
    body = serializers.CharField()
    attachments = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        default=list,
        help_text="Send as multipart/form-data, one part per file",
    )


class StatusInSerializer(serializers.Serializer[None]):
    status = serializers.ChoiceField(choices=Status.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class SeverityInSerializer(serializers.Serializer[None]):
    severity = serializers.ChoiceField(choices=Severity.choices)
    reason = serializers.CharField(max_length=200)


class AssignInSerializer(serializers.Serializer[None]):
    assignee = serializers.IntegerField(allow_null=True, help_text="A staff user's id; null unassigns")
    team = serializers.IntegerField(
        required=False, allow_null=True, help_text="Team id; left out keeps the team"
    )


class WorkaroundInSerializer(serializers.Serializer[None]):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class TagsInSerializer(serializers.Serializer[None]):
    tags = serializers.ListField(child=serializers.CharField(max_length=50), allow_empty=True)


class TimeInSerializer(serializers.Serializer[None]):
    minutes = serializers.IntegerField(min_value=1, max_value=24 * 60)
    consulting = serializers.BooleanField(required=False, default=False)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    work_date = serializers.DateField(required=False, allow_null=True)


class TimeEntrySerializer(serializers.ModelSerializer[TimeEntry]):
    user = UserRefSerializer(read_only=True)

    class Meta:
        model = TimeEntry
        fields = ["id", "user", "minutes", "consulting", "note", "work_date", "created_at"]


class ConsultingBalanceSerializer(serializers.Serializer[dict[str, Any]]):
    bank_hours = serializers.DecimalField(max_digits=8, decimal_places=2)
    used_hours = serializers.DecimalField(max_digits=8, decimal_places=2)
    remaining_hours = serializers.DecimalField(max_digits=8, decimal_places=2)


class TimeSerializer(serializers.Serializer[dict[str, Any]]):
    entries = TimeEntrySerializer(many=True)
    consulting_balance = ConsultingBalanceSerializer()


class TeamSerializer(serializers.ModelSerializer[Team]):
    lead = UserRefSerializer(read_only=True, allow_null=True)
    members = UserRefSerializer(many=True, read_only=True)
    products = RefSerializer(many=True, read_only=True)
    calendar = serializers.CharField(source="calendar.name", read_only=True, allow_null=True)

    class Meta:
        model = Team
        fields = [
            "id",
            "name",
            "products",
            "severities",
            "calendar",
            "lead",
            "members",
            "assignment",
            "is_default",
        ]


class NotificationSerializer(serializers.ModelSerializer[Notification]):
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "subject", "body", "url", "created_at", "read_at", "is_read"]

    def get_is_read(self, notification: Notification) -> bool:
        return notification.read_at is not None


class MarkedSerializer(serializers.Serializer[dict[str, Any]]):
    marked = serializers.IntegerField()


def attachment_context(ticket_id: int, context: dict[str, Any]) -> dict[str, Any]:
    return {**context, "ticket_id": ticket_id}
