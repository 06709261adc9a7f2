"""Business calendars and the extra holidays that move every deadline they govern."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from ossdesk.accounts.access import can_manage_catalogue, can_manage_holidays, require
from ossdesk.accounts.actor import Actor
from ossdesk.audit.services import audit_record, snapshot
from ossdesk.domain.calendar import BusinessCalendar
from ossdesk.tickets.models import Calendar, ExtraHoliday
from ossdesk.tickets.tasks import deadlines_recalculate_task

# -- calendars and holidays ------------------------------------------------------------------------------


@transaction.atomic
def extra_holiday_add(
    *, actor: Actor, day: date, name: str, country: str = "", calendar: Calendar | None = None
) -> ExtraHoliday:
    """A day off beyond public holidays; the deadlines of affected open tickets are recomputed."""
    require(can_manage_holidays(actor), "Only admins add holidays.")
    country = country.upper()
    if (calendar is None) == (not country):
        raise ValidationError({"country": "Give a country (for its customers) or a team calendar, not both."})
    if not name.strip():
        raise ValidationError({"name": "Name the holiday."})
    holiday = ExtraHoliday.objects.create(calendar=calendar, country=country, date=day, name=name.strip())
    audit_record(actor=actor, action="create", instance=holiday, after=snapshot(holiday))
    if country:
        transaction.on_commit(
            lambda: deadlines_recalculate_task(country=country, changed_from=day.isoformat())
        )
    return holiday


@transaction.atomic
def calendar_create(
    *,
    actor: Actor,
    name: str,
    timezone_name: str,
    weekly: dict[str, Any],
    holidays_country: str = "",
    holidays_subdiv: str = "",
) -> Calendar:
    """A named set of shifts for a team."""
    require(can_manage_catalogue(actor), "Only admins change calendars.")
    try:
        BusinessCalendar(timezone_name, weekly)
    except ValueError as exc:
        raise ValidationError({"weekly": str(exc)}) from None
    calendar = Calendar.objects.create(
        name=name,
        timezone=timezone_name,
        weekly=weekly,
        holidays_country=holidays_country.upper(),
        holidays_subdiv=holidays_subdiv,
    )
    audit_record(actor=actor, action="create", instance=calendar, after=snapshot(calendar))
    return calendar
