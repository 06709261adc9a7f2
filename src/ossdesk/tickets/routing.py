"""Which team takes a ticket, and which engineer in it."""

from __future__ import annotations

from django.db.models import Count, Q

from ossdesk.accounts.models import User
from ossdesk.tickets.models import OPEN_STATUSES, Team, Ticket


def team_for(ticket: Ticket) -> Team | None:
    """The most specific team with the product skill and the severity; else the default team."""
    candidates = (Team.objects.filter(products=ticket.product)
                  .annotate(skill_count=Count("products", distinct=True)).order_by("skill_count", "name"))
    for team in candidates:
        if not team.severities or ticket.severity in team.severities:
            return team
    return Team.objects.filter(is_default=True).order_by("name").first()


def engineer_for(team: Team) -> User | None:
    """Least loaded (open tickets), ties broken round-robin; or plain round-robin."""
    members = list(team.members.filter(is_active=True).order_by("pk"))
    if not members:
        return None
    if team.assignment == Team.Assignment.LEAST_LOADED:
        loads = dict(User.objects.filter(pk__in=[m.pk for m in members])
                     .annotate(load=Count("assigned_tickets", filter=Q(assigned_tickets__status__in=OPEN_STATUSES)))
                     .values_list("pk", "load"))
        lightest = min(loads.values())
        members = [m for m in members if loads[m.pk] == lightest]
    after = [m for m in members if team.last_assigned_id is not None and m.pk > team.last_assigned_id]
    chosen = after[0] if after else members[0]
    Team.objects.filter(pk=team.pk).update(last_assigned=chosen)
    team.last_assigned = chosen
    return chosen
