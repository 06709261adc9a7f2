"""API doors for tickets, their replies, notes, events, SLA state and actions; teams; notifications.

Every ticket URL resolves the ticket through the selectors first, so another organisation's ticket
answers exactly like a missing one (404). Internal notes and time entries are staff data: to a
customer they do not exist (404, not 403, so as not to reveal them).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from ossdesk.accounts import selectors as account_selectors
from ossdesk.accounts import services as account_services
from ossdesk.accounts.access import can_work_tickets
from ossdesk.accounts.models import STAFF_ROLES, Notification, User
from ossdesk.customers import selectors as customer_selectors
from ossdesk.customers.models import Contact, Organization
from ossdesk.doors.actor import request_actor
from ossdesk.doors.ids import IdFilter
from ossdesk.doors.viewsets import ServiceViewSet
from ossdesk.products.selectors import product_list, product_version_list
from ossdesk.tickets import selectors, services
from ossdesk.tickets.api.serializers import (
    AssignInSerializer,
    EventSerializer,
    MarkedSerializer,
    MessageSerializer,
    NotificationSerializer,
    ReplyInSerializer,
    SeverityInSerializer,
    SlaSerializer,
    StatusInSerializer,
    TagsInSerializer,
    TeamSerializer,
    TicketDetailSerializer,
    TicketInSerializer,
    TicketOutSerializer,
    TimeInSerializer,
    TimeSerializer,
    WorkaroundInSerializer,
)
from ossdesk.tickets.models import OPEN_STATUSES, Attachment, Channel, Team, Ticket
from ossdesk.tickets.services import Upload
from ossdesk.tickets.sla import clock_states, clock_summary
from ossdesk.tickets.web.downloads import attachment_response
from ossdesk.tickets.web.forms import uploads

REFUSAL = OpenApiResponse(
    description='Refused by the contract: {"detail", "code", "allowed_by"}, or not allowed'
)
BINARY = OpenApiResponse(OpenApiTypes.BINARY, description="The file, as an attachment")


class TicketFilter(django_filters.FilterSet):
    # Ids filter as plain numbers: a choice among all rows would answer 400 for a missing id and 200 for
    # someone else's, telling a customer which ids exist.
    organization = IdFilter(field_name="organization_id")
    product = IdFilter(field_name="product_id")
    assignee = IdFilter(field_name="assignee_id")
    team = IdFilter(field_name="team_id")
    tag = django_filters.CharFilter(field_name="tags__name", label="Tag name")
    open = django_filters.BooleanFilter(method="filter_open", label="Only open tickets")

    class Meta:
        model = Ticket
        fields = [
            "severity",
            "status",
            "organization",
            "product",
            "assignee",
            "team",
            "tag",
            "is_proactive",
            "sla_state",
        ]

    def filter_open(self, queryset: QuerySet[Ticket], name: str, value: bool | None) -> QuerySet[Ticket]:
        if value is None:
            return queryset
        return (
            queryset.filter(status__in=OPEN_STATUSES) if value else queryset.exclude(status__in=OPEN_STATUSES)
        )


def _files(data: Any) -> list[Upload]:
    """The uploaded files, checked as the service would check them, before anything is stored."""
    try:
        return uploads(data.get("attachments") or [])
    except ValidationError as exc:
        raise ValidationError({"attachments": exc.messages}) from None


def _one(queryset: QuerySet[Any], pk: int | None, field: str, what: str) -> Any:
    if pk is None:
        return None
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise ValidationError({field: f"No such {what}."})
    return found


@extend_schema_view(
    list=extend_schema(
        summary="Tickets", description="Staff see every ticket; customers their organisation's."
    ),
    retrieve=extend_schema(summary="A ticket with its SLA clocks now", responses=TicketDetailSerializer),
)
class TicketViewSet(ServiceViewSet[Ticket]):
    """Support tickets. Customers see and raise their organisation's; staff see all."""

    output_serializer = TicketOutSerializer
    input_serializer = TicketInSerializer
    filterset_class = TicketFilter
    search_fields = ["subject", "organization__name"]
    ordering_fields = ["opened_at", "updated_at", "next_due_at", "queue_key", "severity", "status", "id"]
    ordering = ["-opened_at"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    # A ticket changes only through its actions (status, severity, assign ...), each one service.
    http_method_names = ["get", "post", "head", "options"]

    def paginate_queryset(self, queryset: Any) -> Any:
        if self.action != "list":
            return super().paginate_queryset(queryset)
        # Page through ids alone (an index walk), then load the page's tickets: fast on large desks.
        ids = super().paginate_queryset(queryset.values_list("pk", flat=True))
        return selectors.tickets_in_order(actor=self.actor, ids=list(ids or []))

    def get_queryset(self) -> QuerySet[Ticket]:
        return selectors.ticket_list(actor=self.actor).select_related("product_version", "deployment")

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        if self.action == "retrieve":
            return TicketDetailSerializer
        return super().get_serializer_class()

    def _detail(self, ticket: Ticket, status_code: int = status.HTTP_200_OK) -> Response:
        ticket = self.get_queryset().get(pk=ticket.pk)
        ticket.clock_rows = clock_summary(clock_states(ticket))  # type: ignore[attr-defined]
        return Response(
            TicketDetailSerializer(ticket, context=self.get_serializer_context()).data, status=status_code
        )

    def _staff_only(self) -> None:
        """Internal data: to a customer it does not exist."""
        if not can_work_tickets(self.actor):
            raise NotFound()

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._detail(self.get_object())

    @extend_schema(request=TicketInSerializer, responses={201: TicketDetailSerializer, 403: REFUSAL})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Raise a case (channel "api"): the contract's channel, severity, product and named-contact
        checks apply, and a refusal says which plan would allow it."""
        ticket = self.perform_service_create(self._validated(request))
        assert isinstance(ticket, Ticket)
        return self._detail(ticket, status.HTTP_201_CREATED)

    def perform_service_create(self, data: dict[str, Any]) -> Model:
        actor = self.actor
        organization_id = data.get("organization") or actor.organization_id
        if organization_id is None:
            raise ValidationError({"organization": "Say which customer the case is for."})
        organization: Organization = customer_selectors.organization_get(actor=actor, pk=organization_id)
        contact: Contact | None = None
        if can_work_tickets(actor):
            contact = _one(
                customer_selectors.contact_list(actor=actor, organization_id=organization.pk),
                data.get("contact"),
                "contact",
                "contact of this organisation",
            )
        return services.ticket_create(
            actor=actor,
            organization=organization,
            channel=Channel.API,
            contact=contact,
            product=_one(product_list(), data["product"], "product", "product"),
            product_version=_one(
                product_version_list(), data.get("product_version"), "product_version", "version"
            ),
            deployment=_one(
                organization.deployments.all(), data.get("deployment"), "deployment", "deployment"
            ),
            subject=data["subject"],
            body=data["body"],
            severity=data["severity"],
            is_proactive=data["is_proactive"],
            planned_for=data.get("planned_for"),
            tags=data["tags"],
            attachments=_files(data),
        )

    # -- messages ---------------------------------------------------------------------------------------

    def _messages(self, request: Request, ticket: Ticket, *, public: bool) -> Response:
        if request.method == "POST":
            serializer = ReplyInSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            message = services.ticket_reply(
                actor=self.actor,
                ticket=ticket,
                body=serializer.validated_data["body"],
                public=public,
                channel=Channel.API,
                attachments=_files(serializer.validated_data),
            )
            created = selectors.message_list(actor=self.actor, ticket=ticket).get(pk=message.pk)
            return Response(
                MessageSerializer(created, context=self._file_context(ticket)).data,
                status=status.HTTP_201_CREATED,
            )
        queryset = selectors.message_list(actor=self.actor, ticket=ticket).filter(is_public=public)
        page = self.paginate_queryset(queryset)
        data = MessageSerializer(page, many=True, context=self._file_context(ticket)).data
        return self.get_paginated_response(data)

    def _file_context(self, ticket: Ticket) -> dict[str, Any]:
        return {**self.get_serializer_context(), "ticket_id": ticket.pk}

    @extend_schema(methods=["GET"], summary="Public replies", responses=MessageSerializer(many=True))
    @extend_schema(
        methods=["POST"],
        summary="Reply publicly",
        request=ReplyInSerializer,
        responses={201: MessageSerializer},
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def replies(self, request: Request, pk: str | None = None) -> Response:
        """The ticket's public conversation; customers and staff reply here."""
        return self._messages(request, self.get_object(), public=True)

    @extend_schema(methods=["GET"], summary="Internal notes (staff)", responses=MessageSerializer(many=True))
    @extend_schema(
        methods=["POST"],
        summary="Add an internal note (staff)",
        request=ReplyInSerializer,
        responses={201: MessageSerializer},
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def notes(self, request: Request, pk: str | None = None) -> Response:
        """Staff-only notes; to customers this resource does not exist."""
        ticket = self.get_object()
        self._staff_only()
        return self._messages(request, ticket, public=False)

    @extend_schema(summary="Timeline events", responses=EventSerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=[])
    def events(self, request: Request, pk: str | None = None) -> Response:
        """The ticket's history, oldest first; customers see its public part."""
        ticket = self.get_object()
        page = self.paginate_queryset(selectors.event_list(actor=self.actor, ticket=ticket))
        return self.get_paginated_response(EventSerializer(page, many=True).data)

    @extend_schema(summary="SLA clocks now", responses=SlaSerializer)
    @action(detail=True, methods=["get"], filter_backends=[])
    def sla(self, request: Request, pk: str | None = None) -> Response:
        """Every clock of the ticket evaluated now, from its events and the contract in force."""
        ticket = self.get_object()
        clocks = clock_summary(clock_states(ticket, now=timezone.now()))
        return Response(
            SlaSerializer(
                {
                    "ticket": ticket.pk,
                    "sla_state": ticket.sla_state,
                    "next_due_at": ticket.next_due_at,
                    "clocks": clocks,
                }
            ).data
        )

    @extend_schema(
        summary="Download an attachment",
        responses={(200, "application/octet-stream"): BINARY},
        parameters=[OpenApiParameter("attachment_pk", int, OpenApiParameter.PATH)],
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"attachments/(?P<attachment_pk>[0-9]+)",
        url_name="attachment",
        filter_backends=[],
    )
    def attachment(self, request: Request, pk: str | None = None, attachment_pk: str | None = None) -> Any:
        """A file of a message you can see, always as a download."""
        ticket = self.get_object()
        visible = selectors.message_list(actor=self.actor, ticket=ticket)
        found = Attachment.objects.filter(pk=int(attachment_pk or 0), message__in=visible).first()
        if found is None:
            raise Http404("No such attachment.")
        return attachment_response(found)

    # -- actions ----------------------------------------------------------------------------------------

    def _input(self, serializer_class: type[serializers.Serializer[Any]], request: Request) -> dict[str, Any]:
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    @extend_schema(request=StatusInSerializer, responses={200: TicketDetailSerializer, 403: REFUSAL})
    @action(detail=True, methods=["post"], filter_backends=[])
    def status(self, request: Request, pk: str | None = None) -> Response:
        """Move the ticket; customers may close it, or reopen a solved one."""
        ticket = self.get_object()
        data = self._input(StatusInSerializer, request)
        return self._detail(services.ticket_set_status(actor=self.actor, ticket=ticket, **data))

    @extend_schema(request=SeverityInSerializer, responses={200: TicketDetailSerializer, 403: REFUSAL})
    @action(detail=True, methods=["post"], filter_backends=[])
    def severity(self, request: Request, pk: str | None = None) -> Response:
        """Change severity (staff, with a reason the customer sees); every clock is re-targeted."""
        ticket = self.get_object()
        data = self._input(SeverityInSerializer, request)
        return self._detail(services.ticket_set_severity(actor=self.actor, ticket=ticket, **data))

    @extend_schema(request=AssignInSerializer, responses={200: TicketDetailSerializer, 403: REFUSAL})
    @action(detail=True, methods=["post"], filter_backends=[])
    def assign(self, request: Request, pk: str | None = None) -> Response:
        """Reassign to an engineer and/or a team (staff)."""
        ticket = self.get_object()
        data = self._input(AssignInSerializer, request)
        assignee = _one(
            User.objects.filter(role__in=STAFF_ROLES), data["assignee"], "assignee", "staff member"
        )
        team = _one(Team.objects.all(), data.get("team"), "team", "team")
        return self._detail(
            services.ticket_assign(actor=self.actor, ticket=ticket, assignee=assignee, team=team)
        )

    @extend_schema(request=WorkaroundInSerializer, responses={200: TicketDetailSerializer, 403: REFUSAL})
    @action(detail=True, methods=["post"], filter_backends=[])
    def workaround(self, request: Request, pk: str | None = None) -> Response:
        """Record that a workaround was given (staff): the workaround clock is met."""
        ticket = self.get_object()
        data = self._input(WorkaroundInSerializer, request)
        return self._detail(services.ticket_mark_workaround(actor=self.actor, ticket=ticket, **data))

    @extend_schema(request=TagsInSerializer, responses={200: TicketDetailSerializer, 403: REFUSAL})
    @action(detail=True, methods=["post"], filter_backends=[])
    def tags(self, request: Request, pk: str | None = None) -> Response:
        """Replace the ticket's tags (staff)."""
        ticket = self.get_object()
        data = self._input(TagsInSerializer, request)
        return self._detail(services.ticket_set_tags(actor=self.actor, ticket=ticket, tags=data["tags"]))

    @extend_schema(methods=["GET"], summary="Time logged (staff)", responses=TimeSerializer)
    @extend_schema(
        methods=["POST"],
        summary="Log time (staff)",
        request=TimeInSerializer,
        responses={201: TimeSerializer, 403: REFUSAL},
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def time(self, request: Request, pk: str | None = None) -> Response:
        """Time logged on the ticket, and the consulting-hour balance that consulting time draws on."""
        ticket = self.get_object()
        self._staff_only()
        created = request.method == "POST"
        if created:
            data = self._input(TimeInSerializer, request)
            services.time_log(actor=self.actor, ticket=ticket, **data)
        entries = ticket.time_entries.select_related("user")
        balance = services.consulting_balance(organization=ticket.organization)
        body = TimeSerializer(
            {
                "entries": entries,
                "consulting_balance": {
                    "bank_hours": balance.bank_hours,
                    "used_hours": balance.used_hours,
                    "remaining_hours": balance.remaining_hours,
                },
            }
        ).data
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class TeamViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Team]):
    """Support teams, their skills and members: staff data (a customer's list is empty)."""

    serializer_class = TeamSerializer
    search_fields = ["name"]
    ordering_fields = ["name"]
    ordering = ["name"]

    def get_queryset(self) -> QuerySet[Team]:
        if not can_work_tickets(request_actor(self.request)):
            return Team.objects.none()
        return Team.objects.select_related("lead", "calendar").prefetch_related("members", "products")


class NotificationFilter(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(field_name="read_at", lookup_expr="isnull", label="Only unread")

    class Meta:
        model = Notification
        fields = ["kind", "unread"]


class NotificationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Notification]
):
    """Your own in-app notifications (SLA warnings, assignments, replies), newest first."""

    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter
    search_fields: Sequence[str] = []
    ordering_fields = ["created_at"]
    ordering = ["-created_at"]

    def get_queryset(self) -> QuerySet[Notification]:
        return account_selectors.notification_list(actor=request_actor(self.request))

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str | None = None) -> Response:
        """Mark one notification read."""
        notice = account_services.notification_mark_read(
            actor=request_actor(request), notification=self.get_object()
        )
        return Response(NotificationSerializer(notice).data)

    @extend_schema(request=None, responses=MarkedSerializer)
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request) -> Response:
        """Mark every unread notification read."""
        return Response({"marked": account_services.notification_mark_all_read(actor=request_actor(request))})
