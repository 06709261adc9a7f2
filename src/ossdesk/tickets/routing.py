"""Which team takes a ticket, and which engineer in it."""

from __future__ import annotations

import json
from datetime import datetime

from django.db.models import Count
from django.utils import timezone

from ossdesk.accounts.models import User
from ossdesk.domain.calendar import BusinessCalendar
from ossdesk.memo import memoized
from ossdesk.tickets.models import OPEN_STATUSES, Calendar, Team, Ticket
from ossdesk.tickets.sla import cached_calendar


def team_for(ticket: Ticket, *, now: datetime | None = None) -> Team | None:
    """A team with the product skill and the severity, preferring one on shift now (follow the sun),
    then the most specific (fewest products); else the default team."""
    now = now or timezone.now()
    candidates = [
        team
        for team in memoized(("tickets.teams", ticket.product_id), lambda: _skilled_teams(ticket.product_id))
        if not team.severities or ticket.severity in team.severities
    ]
    on_shift = [
        team for team in candidates if team.calendar is None or team_calendar(team.calendar).is_open(now)
    ]
    if on_shift or candidates:
        return (on_shift or candidates)[0]
    return Team.objects.filter(is_default=True).order_by("name").first()


def _skilled_teams(product_id: int) -> list[Team]:
    """The teams with the product's skill, the most specific (fewest products) first."""
    return list(
        Team.objects.filter(products=product_id)
        .select_related("calendar")
        .annotate(skill_count=Count("products", distinct=True))
        .order_by("skill_count", "name")
    )


def team_calendar(calendar: Calendar) -> BusinessCalendar:
    """A team's shifts as a BusinessCalendar (with its country's holidays and its extra days off), cached."""
    extra = memoized(
        ("tickets.team_holidays", calendar.pk),
        lambda: tuple(sorted(calendar.extra_holidays.values_list("date", flat=True))),
    )
    return cached_calendar(
        calendar.timezone,
        json.dumps(calendar.weekly, sort_keys=True),
        calendar.holidays_country,
        calendar.holidays_subdiv,
        extra,
        timezone.now().year - 1,
    )


def engineer_for(team: Team) -> User | None:
    """Least loaded (open tickets), ties broken round-robin; or plain round-robin."""
    members = memoized(
        ("tickets.team_members", team.pk), lambda: list(team.members.filter(is_active=True).order_by("pk"))
    )
    if not members:
        return None
    if team.assignment == Team.Assignment.LEAST_LOADED:
        loads = dict.fromkeys((m.pk for m in members), 0)
        loads.update(
            Ticket.objects.filter(assignee__in=list(loads), status__in=OPEN_STATUSES)
            .values_list("assignee")
            .annotate(load=Count("pk"))
            .values_list("assignee", "load")
        )
        lightest = min(loads.values())
        members = [m for m in members if loads[m.pk] == lightest]
    after = [m for m in members if team.last_assigned_id is not None and m.pk > team.last_assigned_id]
    chosen = after[0] if after else members[0]
    Team.objects.filter(pk=team.pk).update(last_assigned=chosen)
    team.last_assigned = chosen
    return chosen
