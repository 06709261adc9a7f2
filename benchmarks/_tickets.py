"""A help desk of N open tickets written in bulk, each with the clocks an evaluation would store."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np


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
    from ossdesk.tickets.models import Ticket, TicketClock, TicketEvent, queue_key
    from ossdesk.tickets.sla import policy_for
    from ossdesk.web.tasks import optimize_database

    started = time.perf_counter()
    system = Actor.system("bench")
    plans_seed_defaults(actor=system)
    product = product_create(actor=system, name="PostgreSQL")
    today = timezone.localdate()
    organizations = []
    for n, plan in enumerate(["starter", "business", "enterprise"] * 4):
        org = organization_create(actor=system, name=f"Customer {n}", country="DE", timezone="Europe/Berlin")
        subscription_create(
            actor=system,
            organization=org,
            plan=Plan.objects.get(code=plan),
            starts_on=today - timedelta(days=30),
            ends_on=today + timedelta(days=300),
            products=[product],
            deployments=1,
        )
        organizations.append(org)
    rng = random.Random(seed)
    now = timezone.now().replace(microsecond=0)
    with transaction.atomic():
        batch = []
        for n in range(count):
            org = organizations[n % len(organizations)]
            opened = now - timedelta(minutes=rng.randint(0, 600))
            batch.append(
                Ticket(
                    organization=org,
                    product=product,
                    subject=f"case {n}",
                    severity=rng.choice(["S2", "S3", "S4"]),
                    status="open",
                    opened_at=opened,
                    updated_at=opened,
                )
            )
        Ticket.objects.bulk_create(batch, batch_size=5000)
        tickets = list(Ticket.objects.select_related("organization").order_by("pk"))
        TicketEvent.objects.bulk_create(
            [
                TicketEvent(ticket=t, at=t.opened_at, kind="opened", value="yes", actor_label="bench")
                for t in tickets
            ],
            batch_size=5000,
        )
        groups: dict[tuple[int, str], list[Any]] = {}
        for ticket in tickets:
            groups.setdefault((ticket.organization_id, ticket.severity), []).append(ticket)
        clocks = []
        soonest: dict[int, datetime] = {}
        now_s = int(now.timestamp())
        for group in groups.values():
            policy = policy_for(group[0], at=now)
            opened = np.array([int(t.opened_at.timestamp()) for t in group], dtype=np.int64)
            for name in ("first_response", "resolution", "update_cadence"):
                target = policy.targets.get(name)
                if target is None:
                    continue
                calendar = policy.calendar_for(target)
                seconds = policy.seconds(target)
                elapsed = calendar.elapsed_many(opened, np.full(len(group), now_s, dtype=np.int64))
                running = elapsed < seconds  # keep the portfolio simple: only clocks still running
                dues = calendar.add_many(
                    np.full(len(group), now_s, dtype=np.int64), np.where(running, seconds - elapsed, 0)
                )
                for ticket, spent, due, keep in zip(
                    group, elapsed.tolist(), dues.tolist(), running.tolist(), strict=True
                ):
                    if not keep:
                        continue
                    due_at = datetime.fromtimestamp(due, tz=UTC)
                    clocks.append(
                        TicketClock(
                            ticket=ticket,
                            name=name,
                            state="running",
                            target=str(target),
                            target_seconds=seconds,
                            started_at=ticket.opened_at,
                            due_at=due_at,
                            anchor_at=now,
                            banked_seconds=spent,
                            elapsed_seconds=spent,
                        )
                    )
                    if ticket.pk not in soonest or due_at < soonest[ticket.pk]:
                        soonest[ticket.pk] = due_at
        updates = []
        for ticket in tickets:
            ticket.next_due_at = soonest.get(ticket.pk)
            ticket.sla_state = "running" if ticket.pk in soonest else ""
            ticket.queue_key = queue_key(ticket.next_due_at, ticket.severity)
            updates.append(ticket)
        TicketClock.objects.bulk_create(clocks, batch_size=5000)
        Ticket.objects.bulk_update(updates, ["next_due_at", "sla_state", "queue_key"], batch_size=2000)
    optimize_database()  # what the worker's hourly task does
    return Portfolio(
        now=now,
        tickets=tickets,
        clocks=len(clocks),
        organizations=organizations,
        seconds=time.perf_counter() - started,
    )
