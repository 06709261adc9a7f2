"""Recompute the deadlines of 100,000 open tickets after a holiday is added (target: under 2 s on SQLite).

The tickets are written in bulk (as the import of a large help desk would), each with the clocks that a
real evaluation gives; then a company holiday is added for the customers' country and the bulk
recalculation runs. A sample of tickets is re-evaluated from events to check the answers are exact.
"""

from __future__ import annotations

import random
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _django  # noqa: E402

TICKETS = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000


def main() -> None:
    _django.setup()
    from django.db import connection, transaction
    from django.utils import timezone

    from ossdesk.accounts.actor import Actor
    from ossdesk.customers.services import organization_create
    from ossdesk.plans.models import Plan
    from ossdesk.plans.services import plans_seed_defaults, subscription_create
    from ossdesk.products.services import product_create
    from ossdesk.tickets.models import ExtraHoliday, Ticket, TicketClock, TicketEvent
    from ossdesk.tickets.recalculation import deadlines_recalculate
    from ossdesk.tickets.sla import policy_for, sync_clocks

    system = Actor.system("bench")
    plans_seed_defaults(actor=system)
    product = product_create(actor=system, name="PostgreSQL")
    today = timezone.localdate()
    organizations = []
    for n, plan in enumerate(["starter", "business", "enterprise"] * 4):
        org = organization_create(actor=system, name=f"Customer {n}", country="DE", timezone="Europe/Berlin")
        subscription_create(actor=system, organization=org, plan=Plan.objects.get(code=plan),
                            starts_on=today - timedelta(days=30), ends_on=today + timedelta(days=300),
                            products=[product], deployments=1)
        organizations.append(org)

    rng = random.Random(7)
    now = timezone.now().replace(microsecond=0)
    started = time.perf_counter()
    # One template ticket per (organization, severity), evaluated for real; the rest copy its clocks with
    # their own opening instants, so every ticket's stored clocks are what an evaluation would store.
    with transaction.atomic():
        batch = []
        for n in range(TICKETS):
            org = organizations[n % len(organizations)]
            opened = now - timedelta(minutes=rng.randint(0, 600))
            batch.append(Ticket(organization=org, product=product, subject=f"case {n}", severity=rng.choice(
                ["S2", "S3", "S4"]), status="open", opened_at=opened, updated_at=opened))
        Ticket.objects.bulk_create(batch, batch_size=5000)
        tickets = list(Ticket.objects.select_related("organization").order_by("pk"))
        TicketEvent.objects.bulk_create(
            [TicketEvent(ticket=t, at=t.opened_at, kind="opened", value="yes", actor_label="bench") for t in tickets],
            batch_size=5000)
        policies = {}
        clocks = []
        for ticket in tickets:
            key = (ticket.organization_id, ticket.severity)
            if key not in policies:
                policies[key] = policy_for(ticket, at=now)
            policy = policies[key]
            for name in ("first_response", "resolution", "update_cadence"):
                target = policy.targets.get(name)
                if target is None:
                    continue
                calendar = policy.calendar_for(target)
                elapsed = int(calendar.elapsed(ticket.opened_at, now).total_seconds())
                seconds = policy.seconds(target)
                if elapsed >= seconds:
                    continue  # already breached: nothing for a holiday to move
                clocks.append(TicketClock(ticket=ticket, name=name, state="running", target=str(target),
                                          target_seconds=seconds, started_at=ticket.opened_at,
                                          due_at=calendar.add(now, timedelta(seconds=seconds - elapsed)),
                                          anchor_at=now, banked_seconds=elapsed,
                                          calendar_key=calendar.fingerprint(), elapsed_seconds=elapsed))
        TicketClock.objects.bulk_create(clocks, batch_size=5000)
    print(f"setup: {TICKETS:,} tickets, {len(clocks):,} running clocks in {time.perf_counter() - started:.1f}s "
          f"({connection.vendor})")

    holiday = today + timedelta(days=1)
    while holiday.weekday() >= 5:
        holiday += timedelta(days=1)
    ExtraHoliday.objects.create(country="DE", date=holiday, name="Company day")
    started = time.perf_counter()
    result = deadlines_recalculate(country="DE", changed_from=holiday, now=now)
    took = time.perf_counter() - started
    print(f"recalculate after a holiday: {result.tickets:,} tickets, {result.updated:,} deadlines moved, "
          f"{result.reevaluated} re-evaluated from events, in {took:.2f}s "
          f"({result.updated / took:,.0f} deadlines/s; target < 2 s)")

    sample = rng.sample(tickets, 200)
    stored = {(c.ticket_id, c.name): c.due_at for c in TicketClock.objects.filter(ticket__in=sample)}
    for ticket in sample:
        sync_clocks(ticket, now=now)
    fresh = {(c.ticket_id, c.name): c.due_at for c in TicketClock.objects.filter(ticket__in=sample)}
    same = sum(stored[k] == fresh.get(k) for k in stored)
    for key in [k for k in stored if stored[k] != fresh.get(k)][:5]:
        print("  differs:", key, stored[key], fresh.get(key))
    print(f"check: {same}/{len(stored)} sampled deadlines equal a full re-evaluation from events")


if __name__ == "__main__":
    main()
