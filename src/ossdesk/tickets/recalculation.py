"""Bulk recalculation of deadlines when a calendar, a holiday set or an agreement changes.

Fast path: a running clock stores where its current running stretch began (`anchor_at`) and how much
had run before it (`banked_seconds`); its deadline is calendar.add(anchor, target - banked). A change
that lies after the anchor (a holiday added in the future, new hours from now on) only moves that sum,
which numpy computes for a whole calendar at once (BusinessCalendar.add_many). Clocks the fast path
cannot answer exactly — the change reaches back before the anchor, or the new target is already used up —
are re-evaluated from their events one by one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from ossdesk.customers.models import Organization
from ossdesk.domain.calendar import BusinessCalendar
from ossdesk.domain.sla import SlaPolicy
from ossdesk.plans.selectors import entitlements_for
from ossdesk.tickets.models import OPEN_STATUSES, Ticket, TicketClock
from ossdesk.tickets.sla import policy_for, sync_clocks


@dataclass(frozen=True)
class Recalculation:
    tickets: int
    updated: int
    reevaluated: int


def _policies(organization: Organization) -> dict[str, SlaPolicy | None]:
    entitlements = entitlements_for(organization=organization)
    probe = Ticket(organization=organization)
    policies: dict[str, SlaPolicy | None] = {}
    for severity in ("S1", "S2", "S3", "S4"):
        probe.severity = severity
        policies[severity] = policy_for(probe, entitlements=entitlements)
    return policies


def deadlines_recalculate(*, organization_ids: Iterable[int] | None = None, country: str | None = None,
                          changed_from: date | None = None, now: datetime | None = None) -> Recalculation:
    """Recompute the deadlines of open tickets of some organisations (all by default).

    `changed_from` is the first local date the change affects (a new holiday's date); clocks whose
    running stretch began after it take the fast path, the others are re-evaluated from events.
    """
    now = now or timezone.now()
    organizations = Organization.objects.all()
    if organization_ids is not None:
        organizations = organizations.filter(pk__in=list(organization_ids))
    if country:
        organizations = organizations.filter(country=country)
    # The first instant the change can touch, in the earliest time zone (UTC+14): stretches that began
    # after it have banked nothing the change affects.
    changed_at = (datetime(changed_from.year, changed_from.month, changed_from.day, tzinfo=UTC) - timedelta(hours=14)
                  if changed_from else None)
    updates: list[tuple[datetime, str, int]] = []
    slow: set[int] = set()
    ticket_ids: set[int] = set()
    for organization in organizations.iterator():
        policies = _policies(organization)
        rows = (TicketClock.objects.filter(ticket__organization=organization, ticket__status__in=OPEN_STATUSES)
                .values_list("id", "ticket_id", "ticket__severity", "name", "state", "target", "anchor_at",
                             "banked_seconds"))
        groups: dict[BusinessCalendar, list[tuple[int, int, datetime, int]]] = defaultdict(list)
        for row_id, ticket_id, severity, name, state, target, anchor, banked in rows:
            ticket_ids.add(ticket_id)
            policy = policies.get(severity)
            new_target = policy.targets.get(name) if policy else None
            if policy is None or new_target is None or str(new_target) != target or state != "running" \
                    or anchor is None or (changed_at is not None and changed_at < anchor):
                if state in ("running", "paused", "breached") or str(new_target or "") != target:
                    slow.add(ticket_id)
                continue
            remaining = policy.seconds(new_target) - banked
            if remaining <= 0:
                slow.add(ticket_id)
                continue
            groups[policy.calendar_for(new_target)].append((row_id, ticket_id, anchor, remaining))
        for calendar, items in groups.items():
            starts = np.fromiter((int(a.timestamp()) for _, _, a, _ in items), dtype=np.int64, count=len(items))
            lengths = np.fromiter((r for *_, r in items), dtype=np.int64, count=len(items))
            dues = calendar.add_many(starts, lengths)
            key = calendar.fingerprint()
            updates += [(datetime.fromtimestamp(int(due), tz=UTC), key, row_id)
                        for (row_id, *_), due in zip(items, dues.tolist(), strict=True)]
    with transaction.atomic():
        _write_dues(updates)
        fast_tickets = ticket_ids - slow
        _refresh_ticket_columns(fast_tickets)
        for ticket in Ticket.objects.filter(pk__in=slow).select_related("organization"):
            sync_clocks(ticket, now=now)
    return Recalculation(tickets=len(ticket_ids), updated=len(updates), reevaluated=len(slow))


def _write_dues(updates: list[tuple[datetime, str, int]]) -> None:
    table = TicketClock._meta.db_table
    with connection.cursor() as cursor:
        for start in range(0, len(updates), 10_000):
            cursor.executemany(f"UPDATE {table} SET due_at = %s, calendar_key = %s WHERE id = %s",  # noqa: S608
                               updates[start:start + 10_000])


def _refresh_ticket_columns(ticket_ids: set[int]) -> None:
    """Each ticket's soonest running deadline, in one statement per chunk."""
    ticket_table, clock_table = Ticket._meta.db_table, TicketClock._meta.db_table
    ids = sorted(ticket_ids)
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"UPDATE {ticket_table} SET next_due_at = (SELECT MIN(c.due_at) FROM {clock_table} c "  # noqa: S608
                f"WHERE c.ticket_id = {ticket_table}.id AND c.state IN ('running', 'breached') "
                f"AND c.stopped_at IS NULL) WHERE id IN ({marks})",
                chunk,
            )

