"""Staff queue page and ticket list endpoint with 100,000 tickets: queries and latency (p95 < 150 ms).

Requests go through the whole Django stack in-process (middleware, auth, selectors, templates or
serializers), so the figures are the server's own time without the network.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _django
from _tickets import make_portfolio

TICKETS = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
REQUESTS = 40


def measure(client, url: str) -> tuple[list[float], int, int]:
    from django.db import connection

    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    timings = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
    return timings, len(queries), len(response.content)


def main() -> None:
    _django.setup()
    from django.db import connection
    from django.test import Client

    from ossdesk.accounts.actor import Actor
    from ossdesk.accounts.services import staff_user_create

    portfolio = make_portfolio(TICKETS)
    print(
        f"setup: {TICKETS:,} tickets, {portfolio.clocks:,} clocks in {portfolio.seconds:.1f}s "
        f"({connection.vendor})"
    )
    staff = staff_user_create(
        actor=Actor.system("bench"),
        username="bench",
        email="bench@vendor.test",
        role="engineer",
        password="bench-password-1",
    )
    client = Client()
    client.force_login(staff)
    print(f"{'request':<44} {'queries':>7} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for label, url in [
        ("queue page, open tickets by urgency", "/tickets/"),
        ("queue page, breaching soon", "/tickets/?view=breaching_soon"),
        (
            "queue page, by customer + severity",
            f"/tickets/?organization={portfolio.organizations[0].pk}&severity=S2",
        ),
        ("queue page, page 200", "/tickets/?page=200"),
        ("API ticket list", "/api/tickets/"),
        ("API ticket list, by customer", f"/api/tickets/?organization={portfolio.organizations[1].pk}"),
    ]:
        timings, queries, _ = measure(client, url)
        p95 = statistics.quantiles(timings, n=20)[18]
        print(f"{label:<44} {queries:>7} {statistics.median(timings):>8.1f} {p95:>8.1f} {max(timings):>8.1f}")


if __name__ == "__main__":
    main()
