"""A help desk of N open tickets written in bulk, each with the clocks an evaluation would store."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any


@dataclass
class Portfolio:
    now: datetime
    tickets: list[Any]
    clocks: int
    organizations: list[Any]
    seconds: float


def make_portfolio(count: int, *, seed: int = 7) -> Portfolio:
    from django.db import transaction
    from django.utils import timezone

    from ossdesk.accounts.actor import Actor
    from ossdesk.customers.services import organization_create
    from ossdesk.plans.models import Plan
    from ossdesk.plans.services import plans_seed_defaults, subscription_create
    from ossdesk.products.services import product_create
    from ossdesk.tickets.models import Ticket, TicketClock, TicketEvent
    from ossdesk.tickets.sla import policy_for

    started = time.perf_counter()
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
    rng = random.Random(seed)
    now = timezone.now().replace(microsecond=0)
    with transaction.atomic():
        batch = []
        for n in range(count):
            org = organizations[n % len(organizations)]
            opened = now - timedelta(minutes=rng.randint(0, 600))
            batch.append(Ticket(organization=org, product=product, subject=f"case {n}",
                                severity=rng.choice(["S2", "S3", "S4"]), status="open", opened_at=opened,
                                updated_at=opened))
        Ticket.objects.bulk_create(batch, batch_size=5000)
        tickets = list(Ticket.objects.select_related("organization").order_by("pk"))
        TicketEvent.objects.bulk_create(
            [TicketEvent(ticket=t, at=t.opened_at, kind="opened", value="yes", actor_label="bench") for t in tickets],
            batch_size=5000)
        policies: dict[tuple[int, str], Any] = {}
        clocks = []
        updates = []
        for ticket in tickets:
            key = (ticket.organization_id, ticket.severity)
            if key not in policies:
                policies[key] = policy_for(ticket, at=now)
            policy = policies[key]
            soonest = None
            for name in ("first_response", "resolution", "update_cadence"):
                target = policy.targets.get(name)
                if target is None:
                    continue
                calendar = policy.calendar_for(target)
                elapsed = int(calendar.elapsed(ticket.opened_at, now).total_seconds())
                seconds = policy.seconds(target)
                if elapsed >= seconds:
                    continue  # keep the portfolio simple: only clocks still running
                due = calendar.add(now, timedelta(seconds=seconds - elapsed))
                soonest = due if soonest is None or due < soonest else soonest
                clocks.append(TicketClock(ticket=ticket, name=name, state="running", target=str(target),
                                          target_seconds=seconds, started_at=ticket.opened_at, due_at=due,
                                          anchor_at=now, banked_seconds=elapsed,
                                          calendar_key=calendar.fingerprint(), elapsed_seconds=elapsed))
            ticket.next_due_at, ticket.sla_state = soonest, "running" if soonest else ""
            updates.append(ticket)
        TicketClock.objects.bulk_create(clocks, batch_size=5000)
        Ticket.objects.bulk_update(updates, ["next_due_at", "sla_state"], batch_size=2000)
    return Portfolio(now=now, tickets=tickets, clocks=len(clocks), organizations=organizations,
                     seconds=time.perf_counter() - started)
