"""Bulk recalculation gives exactly the deadlines a full re-evaluation from events gives."""

from __future__ import annotations

import copy
from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from ossdesk.accounts.actor import actor_for
from ossdesk.plans.services import subscription_update
from ossdesk.tickets import services
from ossdesk.tickets.models import ExtraHoliday, Ticket, TicketClock
from ossdesk.tickets.recalculation import deadlines_recalculate
from ossdesk.tickets.sla import sync_clocks
from tests.accounts.factories import SYSTEM
from tests.products.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tickets(customers):
    product = ProductFactory(name="PostgreSQL", slug="postgresql")
    created = []
    for entry in customers.values():
        subscription_update(actor=SYSTEM, subscription=entry["org"].subscriptions.get(), products=[product])
        actor = actor_for(entry["admin"].user)
        for severity in ("S2", "S3", "S4"):
            created.append(
                services.ticket_create(
                    actor=actor,
                    organization=entry["org"],
                    product=product,
                    subject=f"{severity} case",
                    body="details",
                    severity=severity,
                )
            )
    return created


def _dues() -> dict[tuple[int, str], datetime | None]:
    return {(c.ticket_id, c.name): c.due_at for c in TicketClock.objects.all()}


def _ticket_columns() -> dict[int, tuple]:
    return {t.pk: (t.next_due_at, t.queue_key) for t in Ticket.objects.all()}


def _next_business_day(start: date) -> date:
    day = start + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def test_holiday_moves_deadlines_exactly_as_full_evaluation(tickets):
    before = _dues()
    holiday = _next_business_day(timezone.localdate())
    ExtraHoliday.objects.create(country="DE", date=holiday, name="Company day")
    result = deadlines_recalculate(country="DE", changed_from=holiday)
    fast = _dues()
    fast_tickets = _ticket_columns()
    assert result.updated > 0
    assert fast != before  # the holiday pushed business-hour deadlines out
    for ticket in tickets:
        sync_clocks(ticket)
    assert _dues() == fast
    assert _ticket_columns() == fast_tickets  # next deadline and queue key, as a full evaluation sets them


def test_holiday_in_the_past_falls_back_to_full_evaluation(tickets):
    past = timezone.localdate() - timedelta(days=400)
    ExtraHoliday.objects.create(country="DE", date=past, name="Long ago")
    result = deadlines_recalculate(country="DE", changed_from=past)
    assert result.reevaluated == len({t.pk for t in tickets})
    assert result.updated == 0


def test_extra_holiday_service_schedules_recalculation(tickets, django_capture_on_commit_callbacks):
    holiday = _next_business_day(timezone.localdate())
    before = _dues()
    with django_capture_on_commit_callbacks(execute=True):
        services.extra_holiday_add(actor=SYSTEM, day=holiday, name="Company day", country="DE")
    assert _dues() != before


def test_changed_target_is_reevaluated_from_events(tickets, customers, tiers):
    from ossdesk.plans.services import agreement_create

    org = customers["acme"]["org"]
    today = timezone.localdate()
    agreement_create(
        actor=SYSTEM,
        organization=org,
        reference="EA-R",
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=30),
        overrides={"severities": {"S2": {"first_response": "2bh"}}},
    )
    result = deadlines_recalculate(organization_ids=[org.pk])
    acme_s2 = [t for t in tickets if t.organization_id == org.pk and t.severity == "S2"]
    assert result.reevaluated >= len(acme_s2) == 1
    clock = TicketClock.objects.get(ticket=acme_s2[0], name="first_response")
    assert clock.target == "2bh"
    fast = _dues()
    for ticket in tickets:
        sync_clocks(ticket)
    assert _dues() == fast


def _next_checks() -> dict[int, datetime | None]:
    return dict(Ticket.objects.values_list("pk", "next_check_at"))


def test_a_deadline_that_comes_sooner_brings_its_check_forward(tickets):
    holiday = _next_business_day(timezone.localdate())
    row = ExtraHoliday.objects.create(country="DE", date=holiday, name="Company day")
    deadlines_recalculate(country="DE", changed_from=holiday)
    for ticket in Ticket.objects.all():
        sync_clocks(ticket)  # each ticket's next check with the holiday
    with_holiday = _next_checks()
    row.delete()
    result = deadlines_recalculate(country="DE", changed_from=holiday)
    recalculated = _next_checks()
    assert result.reevaluated > 0
    for ticket in Ticket.objects.all():
        sync_clocks(ticket)
    assert recalculated == _next_checks() != with_holiday  # as soon as a full evaluation says


def test_changed_terms_recalculate_deadlines_once_the_change_commits(
    tickets, customers, django_capture_on_commit_callbacks
):
    """plans tells tickets through its terms_changed hook (ossdesk.hooks): nothing is recalculated
    inside the transaction, one recalculation is queued for its commit — for an agreement and a plan."""
    from ossdesk.plans.services import agreement_create, plan_update

    org = customers["acme"]["org"]
    today = timezone.localdate()
    before = _dues()
    with django_capture_on_commit_callbacks() as callbacks:
        agreement_create(
            actor=SYSTEM,
            organization=org,
            reference="EA-C",
            starts_on=today - timedelta(days=1),
            ends_on=today + timedelta(days=30),
            overrides={"severities": {"S2": {"first_response": "2bh"}}},
        )
    assert len(callbacks) == 1
    assert _dues() == before
    callbacks[0]()
    after_agreement = _dues()
    assert after_agreement != before

    plan = customers["globex"]["org"].subscriptions.get().plan
    terms = copy.deepcopy(plan.terms)
    terms["severities"]["S3"]["first_response"] = "1bh"
    with django_capture_on_commit_callbacks() as callbacks:
        plan_update(actor=SYSTEM, plan=plan, terms=terms)
    assert len(callbacks) == 1
    assert _dues() == after_agreement
    callbacks[0]()
    assert _dues() != after_agreement
