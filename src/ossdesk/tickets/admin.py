"""The helpdesk in the Django admin.

Tickets and their history change only through the ticket services (the web pages, the API), so here
they are read-only. New teams and calendars go through `team_create` and `calendar_create`; changes to
them, and tags and saved views, have no service yet, so their admin saves are audited here. Extra
holidays go through `extra_holiday_add`, which also recomputes the affected deadlines.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from ossdesk.accounts.actor import Actor, actor_for
from ossdesk.accounts.models import User
from ossdesk.audit.services import audit_record, snapshot
from ossdesk.doors.admin import ServiceAdmin
from ossdesk.tickets import services
from ossdesk.tickets.models import (
    Calendar,
    ConsultingEngagement,
    ExtraHoliday,
    Message,
    SavedView,
    Tag,
    Team,
    Ticket,
    TicketEvent,
    TimeEntry,
)


def _actor(request: HttpRequest) -> Actor:
    assert isinstance(request.user, User)  # the admin is behind a staff sign-in
    return actor_for(request.user)


_M = TypeVar("_M", bound=Model)


class ReadOnlyAdmin(admin.ModelAdmin[_M]):
    """For records only services write."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AuditedAdmin(admin.ModelAdmin[_M]):
    """Configuration edited here directly, with an audit entry per save and delete (after the
    many-to-many fields, so that the entry shows a team's members and products as saved).

    With `create_service(actor, **fields)` set, adding goes through that service instead (which audits).
    """

    create_service: Callable[..., Model] | None = None

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change and self.create_service is not None:
            fields = {name: form.cleaned_data[name] for name in form.fields if name in form.cleaned_data}
            obj.pk = type(self).create_service(_actor(request), **fields).pk  # type: ignore[misc]
            obj._created_by_service = True
            return
        obj._audit_before = snapshot(type(obj).objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        if getattr(form.instance, "_created_by_service", False):
            return  # the service set the many-to-many fields and audited
        super().save_related(request, form, formsets, change)
        instance = form.instance
        audit_record(
            actor=_actor(request),
            action="update" if change else "create",
            instance=instance,
            before=getattr(instance, "_audit_before", None),
            after=snapshot(instance),
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        audit_record(
            actor=_actor(request),
            action="delete",
            instance=obj,
            before=snapshot(obj),
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


class MessageInline(admin.TabularInline[Message, Ticket]):
    model = Message
    fields = readonly_fields = ("created_at", "author_label", "is_public", "from_customer", "channel", "body")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EventInline(admin.TabularInline[TicketEvent, Ticket]):
    model = TicketEvent
    fields = readonly_fields = ("at", "kind", "value", "actor_label", "data")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin[Ticket]):
    list_display = [
        "id",
        "subject",
        "organization",
        "product",
        "severity",
        "status",
        "assignee",
        "sla_state",
        "next_due_at",
        "opened_at",
    ]
    list_filter = ["status", "severity", "sla_state", "channel", "is_proactive", "team"]
    search_fields = ["subject", "organization__name"]
    list_select_related = ["organization", "product", "assignee"]
    date_hierarchy = "opened_at"
    inlines = [MessageInline, EventInline]


def _team_create(actor: Any, **fields: Any) -> Model:
    return services.team_create(actor=actor, **fields)


@admin.register(Team)
class TeamAdmin(AuditedAdmin[Team]):
    list_display = ["name", "assignment", "is_default", "lead", "calendar"]
    filter_horizontal = ["products", "members"]
    fields = ["name", "products", "severities", "calendar", "lead", "members", "assignment", "is_default"]
    create_service = _team_create


def _calendar_create(actor: Any, **fields: Any) -> Model:
    return services.calendar_create(
        actor=actor,
        name=fields["name"],
        timezone_name=fields["timezone"],
        weekly=fields["weekly"],
        holidays_country=fields.get("holidays_country") or "",
        holidays_subdiv=fields.get("holidays_subdiv") or "",
    )


@admin.register(Calendar)
class CalendarAdmin(AuditedAdmin[Calendar]):
    list_display = ["name", "timezone", "holidays_country", "holidays_subdiv"]
    create_service = _calendar_create


@admin.register(Tag)
class TagAdmin(AuditedAdmin[Tag]):
    search_fields = ["name"]


@admin.register(SavedView)
class SavedViewAdmin(AuditedAdmin[SavedView]):
    list_display = ["name", "owner", "shared"]
    list_filter = ["shared"]


def _holiday_add(actor: Any, **fields: Any) -> Model:
    return services.extra_holiday_add(
        actor=actor,
        day=fields["date"],
        name=fields["name"],
        country=fields.get("country") or "",
        calendar=fields.get("calendar"),
    )


@admin.register(ExtraHoliday)
class ExtraHolidayAdmin(ServiceAdmin[ExtraHoliday]):
    list_display = ["date", "name", "country", "calendar"]
    list_filter = ["country", "calendar"]
    fields = ["date", "name", "country", "calendar"]
    create_service = _holiday_add

    # A holiday moves deadlines; changing or removing one is not supported by a service yet.
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _engagement_create(actor: Any, **fields: Any) -> Model:
    return services.engagement_create(
        actor=actor,
        organization=fields["organization"],
        title=fields["title"],
        description=fields.get("description", ""),
    )


@admin.register(ConsultingEngagement)
class ConsultingEngagementAdmin(ServiceAdmin[ConsultingEngagement]):
    list_display = ["title", "organization", "agreement", "is_open", "created_at"]
    fields = ["organization", "title", "description"]
    create_service = _engagement_create

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(TimeEntry)
class TimeEntryAdmin(ReadOnlyAdmin[TimeEntry]):
    list_display = ["work_date", "user", "organization", "ticket", "minutes", "consulting", "note"]
    list_filter = ["consulting"]
    list_select_related = ["user", "organization", "ticket"]
