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
import _django
from _tickets import make_portfolio

TICKETS = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000


def main() -> None:
    _django.setup()
    from django.db import connection
    from django.utils import timezone

    from ossdesk.tickets.models import ExtraHoliday, TicketClock
    from ossdesk.tickets.recalculation import deadlines_recalculate
    from ossdesk.tickets.sla import sync_clocks

    portfolio = make_portfolio(TICKETS)
    now, tickets = portfolio.now, portfolio.tickets
    print(
        f"setup: {TICKETS:,} tickets, {portfolio.clocks:,} running clocks in {portfolio.seconds:.1f}s "
        f"({connection.vendor})"
    )
    rng = random.Random(11)
    today = timezone.localdate()
    holiday = today + timedelta(days=1)
    while holiday.weekday() >= 5:
        holiday += timedelta(days=1)
    ExtraHoliday.objects.create(country="DE", date=holiday, name="Company day")
    started = time.perf_counter()
    result = deadlines_recalculate(country="DE", changed_from=holiday, now=now)
    took = time.perf_counter() - started
    print(
        f"recalculate after a holiday: {result.tickets:,} tickets, {result.updated:,} deadlines moved, "
        f"{result.reevaluated} re-evaluated from events, in {took:.2f}s "
        f"({result.updated / took:,.0f} deadlines/s; target < 2 s)"
    )
    print("  phases: " + ", ".join(f"{phase} {secs:.2f}s" for phase, secs in result.seconds.items()))

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
