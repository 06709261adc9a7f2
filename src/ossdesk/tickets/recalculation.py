"""Bulk recalculation of deadlines when a calendar, a holiday set or an agreement changes.

Fast path: a running clock stores where its current running stretch began (`anchor_at`) and how much
had run before it (`banked_seconds`); its deadline is calendar.add(anchor, target - banked). A change
that lies after the anchor (a holiday added in the future, new hours from now on) only moves that sum,
which numpy computes for a whole calendar at once (BusinessCalendar.add_many). Clocks the fast path
cannot answer exactly — the change reaches back before the anchor, or the new target is already used up —
are re-evaluated from their events one by one.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
from django.db import connection, transaction

from ossdesk.customers.models import Organization
from ossdesk.domain.calendar import BusinessCalendar
from ossdesk.domain.sla import CLOCK_NAMES, SlaPolicy
from ossdesk.plans.selectors import entitlements_for
from ossdesk.tickets.models import OPEN_STATUSES, SEVERITY_RANK, Ticket, TicketClock
from ossdesk.tickets.sla import policy_for, sync_clocks, whole_seconds


@dataclass(frozen=True)
class Recalculation:
    tickets: int
    updated: int
    reevaluated: int
    seconds: dict[str, float]


def _policies(organization: Organization) -> dict[str, SlaPolicy | None]:
    entitlements = entitlements_for(organization=organization)
    probe = Ticket(organization=organization)
    policies: dict[str, SlaPolicy | None] = {}
    for severity in ("S1", "S2", "S3", "S4"):
        probe.severity = severity
        policies[severity] = policy_for(probe, entitlements=entitlements)
    return policies


def deadlines_recalculate(
    *,
    organization_ids: Iterable[int] | None = None,
    country: str | None = None,
    changed_from: date | None = None,
    now: datetime | None = None,
) -> Recalculation:
    """Recompute the deadlines of open tickets of some organisations (all by default).

    `changed_from` is the first local date the change affects (a new holiday's date); clocks whose
    running stretch began after it take the fast path, the others are re-evaluated from events. Without
    it (a contract change), clocks whose target changed are re-evaluated from events too.
    """
    now = whole_seconds(now)
    organizations = Organization.objects.all()
    if organization_ids is not None:
        organizations = organizations.filter(pk__in=list(organization_ids))
    if country:
        organizations = organizations.filter(country=country)
    # The first instant the change can touch, in the earliest time zone (UTC+14): stretches that began
    # after it have banked nothing the change affects.
    changed_at = (
        datetime(changed_from.year, changed_from.month, changed_from.day, tzinfo=UTC) - timedelta(hours=14)
        if changed_from
        else None
    )
    updates: list[tuple[np.ndarray, np.ndarray]] = []  # (clock ids, due epoch seconds)
    slow: set[int] = set()
    ticket_ids: set[int] = set()
    # (organisation, severity, clock) -> (target as stored, seconds, calendar), worked out once.
    plans: dict[tuple[int, str, str], tuple[str, int, BusinessCalendar] | None] = {}
    clock = time.perf_counter()
    seconds: dict[str, float] = {}

    def lap(phase: str) -> None:
        nonlocal clock
        seconds[phase] = time.perf_counter() - clock
        clock = time.perf_counter()

    org_ids = []
    for organization in organizations.iterator():
        org_ids.append(organization.pk)
        for severity, policy in _policies(organization).items():
            if policy is None:
                continue
            for name, target in policy.targets.items():
                plans[(organization.pk, severity, name)] = (
                    (str(target), policy.seconds(target), policy.calendar_for(target)) if target else None
                )
    lap("terms")
    groups: dict[BusinessCalendar, tuple[list[int], list[int], list[int], list[int]]] = {}
    changed_epoch = changed_at.timestamp() if changed_at is not None else None
    # A target that changed (plan or agreement terms) needs each affected clock re-evaluated from events;
    # a grouped query finds them without reading every row.
    # A holiday (`changed_from`) moves deadlines, never targets: skip the check then.
    for org_id, severity, name, stored in _stored_targets(org_ids) if changed_from is None else ():
        plan = plans.get((org_id, severity, name))
        if plan is None or plan[0] != stored:
            slow.update(_tickets_with_target(org_id, severity, name, stored))
    coded = {(org, SEVERITY_RANK[sev], CLOCK_CODES[name]): plan for (org, sev, name), plan in plans.items()}
    # Deadlines that count for each ticket's "next due" column (running or breached clocks).
    counted_tickets: list[int] = []
    counted_dues: list[int] = []
    counted_ranks: list[int] = []
    counted_at: dict[int, int] = {}  # clock row id -> position in counted_*
    for row_id, ticket_id, org_id, rank, code, running, anchor, banked, due in _deadline_rows(org_ids):
        counted_at[row_id] = len(counted_dues)
        counted_tickets.append(ticket_id)
        counted_dues.append(due)
        counted_ranks.append(rank)
        plan = coded.get((org_id, rank, code))
        if not running or plan is None or ticket_id in slow:
            continue  # breached clocks keep their deadline; changed targets are re-evaluated
        if anchor is None or (changed_epoch is not None and changed_epoch < anchor):
            slow.add(ticket_id)
            continue
        remaining = plan[1] - banked
        if remaining <= 0:
            slow.add(ticket_id)
            continue
        ids, starts, lengths, olds = groups.setdefault(plan[2], ([], [], [], []))
        ids.append(row_id)
        starts.append(anchor)
        lengths.append(remaining)
        olds.append(due)
    ticket_ids.update(counted_tickets)
    lap("read")
    new_dues = list(counted_dues)
    for calendar, (ids, starts, lengths, olds) in groups.items():
        dues = calendar.add_many(np.asarray(starts, dtype=np.int64), np.asarray(lengths, dtype=np.int64))
        old_dues = np.asarray(olds, dtype=np.int64)
        changed = dues != old_dues  # write only the deadlines that move
        moved_ids, moved_dues = np.asarray(ids, dtype=np.int64)[changed], dues[changed]
        updates.append((moved_ids, moved_dues))
        for row_id, due in zip(moved_ids.tolist(), moved_dues.tolist(), strict=True):
            new_dues[counted_at[row_id]] = due  # every fast-path clock is running with a deadline
        # A deadline that comes sooner needs its check queued sooner too: re-evaluated from events, the
        # ticket gets its new next check (one that moves later is met by the check already queued).
        for row_id in np.asarray(ids, dtype=np.int64)[dues < old_dues].tolist():
            slow.add(counted_tickets[counted_at[row_id]])
    ticket_updates = _soonest_changes(
        np.asarray(counted_tickets, dtype=np.int64),
        np.asarray(counted_dues, dtype=np.int64),
        np.asarray(new_dues, dtype=np.int64),
        np.asarray(counted_ranks, dtype=np.int64),
        slow,
    )
    lap("compute")
    with transaction.atomic():
        moved = _write_dues(updates)
        lap("write")
        _write_ticket_dues(ticket_updates)
        lap("tickets")
        for ticket in Ticket.objects.filter(pk__in=slow).select_related("organization"):
            sync_clocks(ticket, now=now)
        lap("re-evaluate")
    lap("commit")
    return Recalculation(tickets=len(ticket_ids), updated=moved, reevaluated=len(slow), seconds=seconds)


CLOCK_CODES = {name: code for code, name in enumerate(CLOCK_NAMES)}


def _epoch(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"EXTRACT(EPOCH FROM {column})::bigint"
    if sqlite3.sqlite_version_info >= (3, 38):
        return f"unixepoch({column})"
    return f"CAST(strftime('%%s', {column}) AS INTEGER)"


def _open_clocks_sql(columns: str, organization_ids: list[int], extra: str = "") -> tuple[str, list[Any]]:
    clock_table, ticket_table = TicketClock._meta.db_table, Ticket._meta.db_table
    sql = (
        f"SELECT {columns} FROM {clock_table} c JOIN {ticket_table} t ON t.id = c.ticket_id "  # noqa: S608
        f"WHERE t.status IN ({', '.join(['%s'] * len(OPEN_STATUSES))}) "
        f"AND t.organization_id IN ({', '.join(['%s'] * len(organization_ids))}) {extra}"
    )
    return sql, [*OPEN_STATUSES, *organization_ids]


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), 500):
        yield ids[start : start + 500]


def _stored_targets(organization_ids: list[int]) -> Iterator[tuple[int, str, str, str]]:
    """The distinct (organisation, severity, clock, target) of open tickets' clocks."""
    with connection.cursor() as cursor:
        for chunk in _chunks(organization_ids):
            cursor.execute(
                *_open_clocks_sql("DISTINCT t.organization_id, t.severity, c.name, c.target", chunk)
            )
            yield from cursor.fetchall()


def _tickets_with_target(organization_id: int, severity: str, name: str, target: str) -> list[int]:
    sql, params = _open_clocks_sql(
        "DISTINCT c.ticket_id", [organization_id], "AND t.severity = %s AND c.name = %s AND c.target = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, severity, name, target])
        return [row[0] for row in cursor.fetchall()]


def _deadline_rows(organization_ids: list[int]) -> Iterator[tuple[Any, ...]]:
    """Clocks with a deadline (running or breached), as integers only: reading strings costs more."""
    severity = (
        "CASE t.severity " + " ".join(f"WHEN '{s}' THEN {r}" for s, r in SEVERITY_RANK.items()) + " END"
    )
    name = "CASE c.name " + " ".join(f"WHEN '{n}' THEN {c}" for n, c in CLOCK_CODES.items()) + " END"
    columns = (
        f"c.id, c.ticket_id, t.organization_id, {severity}, {name}, c.state = 'running', "
        f"{_epoch('c.anchor_at')}, c.banked_seconds, {_epoch('c.due_at')}"
    )
    with connection.cursor() as cursor:
        for chunk in _chunks(organization_ids):
            cursor.execute(
                *_open_clocks_sql(
                    columns, chunk, "AND c.state IN ('running', 'breached') AND c.due_at IS NOT NULL"
                )
            )
            while rows := cursor.fetchmany(20_000):
                yield from rows


def _write_dues(updates: list[tuple[np.ndarray, np.ndarray]]) -> int:
    """Move the deadlines (epoch seconds) with the driver's own executemany, the fastest path it has."""
    clock_table = TicketClock._meta.db_table
    postgres = connection.vendor == "postgresql"
    due, marks = ("to_timestamp(%s)", "%s") if postgres else ("datetime(?, 'unixepoch')", "?")
    total = 0
    with connection.cursor() as cursor:
        for ids, dues in updates:
            cursor.cursor.executemany(
                f"UPDATE {clock_table} SET due_at = {due} WHERE id = {marks}",  # noqa: S608
                zip(dues.tolist(), ids.tolist(), strict=True),
            )
            total += len(ids)
    return total


def _soonest_changes(
    tickets: np.ndarray, old: np.ndarray, new: np.ndarray, ranks: np.ndarray, skip: set[int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Tickets whose soonest running deadline moved: ids, new deadlines (epoch seconds), queue keys."""
    if not len(tickets):
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, empty
    order = np.argsort(tickets, kind="stable")
    sorted_tickets = tickets[order]
    starts = np.flatnonzero(np.r_[True, sorted_tickets[1:] != sorted_tickets[:-1]])
    before = np.minimum.reduceat(old[order], starts)
    after = np.minimum.reduceat(new[order], starts)
    ids = sorted_tickets[starts]
    keep = (before != after) & ~np.isin(ids, np.asarray(sorted(skip), dtype=np.int64))
    return ids[keep], after[keep], after[keep] * 4 + ranks[order][starts][keep]


def _write_ticket_dues(changes: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    ids, dues, keys = changes
    ticket_table = Ticket._meta.db_table
    postgres = connection.vendor == "postgresql"
    due, marks = ("to_timestamp(%s)", "%s") if postgres else ("datetime(?, 'unixepoch')", "?")
    with connection.cursor() as cursor:
        cursor.cursor.executemany(
            f"UPDATE {ticket_table} SET next_due_at = {due}, queue_key = {marks} WHERE id = {marks}",  # noqa: S608
            zip(dues.tolist(), keys.tolist(), ids.tolist(), strict=True),
        )
