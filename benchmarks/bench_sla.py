"""How late SLA warnings and breaches arrive (figures, never pass/fail).

A fresh SQLite data directory; one Enterprise customer whose agreement gives S1 a first response of one
minute (so the 50 %, 75 % and 90 % warnings and the breach fall 30, 45, 54 and 60 s after opening); N
tickets opened at an even pace (one a second by default); a real worker (`ossdesk worker`, the Huey
consumer on its SQLite queue, in its own process) announces each notice. The lateness of a notice is
the instant its row was written minus the instant its level was reached (opening + level x target, to
the second). Before checks were queued with an ETA, notices came from the once-a-minute sweep: 30-65 s
late (issue 10).

`python benchmarks/bench_sla.py [N [SECONDS]]` (default 250 tickets opened over 240 s: 1,000 notices,
about 4 checks a second at the busiest; about 5 minutes). A shorter SECONDS measures how many checks a
second the worker keeps up with instead. `--keep` keeps the data directory (removed otherwise).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _django

_NUMBERS = [int(a) for a in sys.argv[1:] if a.isdigit()]
TICKETS = _NUMBERS[0] if _NUMBERS else 250
OPENING_SECONDS = float(_NUMBERS[1]) if len(_NUMBERS) > 1 else 240.0
LEVELS = {"warn50": 0.5, "warn75": 0.75, "warn90": 0.9, "breach": 1.0}
TARGET = timedelta(minutes=1)
ROOT = Path(__file__).resolve().parents[1]


def _customer() -> tuple[object, object, object]:
    from django.utils import timezone

    from ossdesk.accounts.actor import Actor
    from ossdesk.customers.services import contact_create, organization_create
    from ossdesk.plans.models import Plan
    from ossdesk.plans.services import agreement_create, plans_seed_defaults, subscription_create
    from ossdesk.products.services import product_create

    system = Actor.system("bench")
    plans_seed_defaults(actor=system)
    product = product_create(actor=system, name="PostgreSQL")
    org = organization_create(actor=system, name="Northwind Bank", country="DE", timezone="Europe/Berlin")
    today = timezone.localdate()
    subscription_create(
        actor=system,
        organization=org,
        plan=Plan.objects.get(code="enterprise"),
        starts_on=today - timedelta(days=30),
        ends_on=today + timedelta(days=300),
        products=[product],
        deployments=1,
    )
    agreement_create(
        actor=system,
        organization=org,
        reference="EA-BENCH",
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=300),
        overrides={"severities": {"S1": {"first_response": "1m"}}},
    )
    contact = contact_create(
        actor=system, organization=org, name="On-call DBA", email="dba@northwind.test", reachable_24x7=True
    )
    return system, org, (product, contact)


def _worker(data_dir: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "OSSDESK_DATA_DIR": str(data_dir)}
    log = (data_dir / "worker.log").open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "ossdesk.cli", "worker"], env=env, stdout=log, stderr=subprocess.STDOUT
    )


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> int:
    data_dir = _django.setup()
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = False  # the checks go to the real queue, for the worker
    from ossdesk.tickets.models import SlaNotice, Ticket
    from ossdesk.tickets.services import ticket_create

    system, org, (product, contact) = _customer()
    worker = _worker(data_dir)
    try:
        time.sleep(3)  # the worker starts (Django set-up) before the first ticket opens
        started = time.monotonic()
        for n in range(TICKETS):
            time.sleep(max(0.0, started + n * OPENING_SECONDS / TICKETS - time.monotonic()))
            ticket_create(
                actor=system,
                organization=org,
                product=product,
                contact=contact,
                subject=f"Primary down {n}",
                body="The primary stopped accepting connections.",
                severity="S1",
            )
        expected = TICKETS * len(LEVELS)
        deadline = time.monotonic() + TARGET.total_seconds() + 90
        while SlaNotice.objects.count() < expected and time.monotonic() < deadline:
            time.sleep(1)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    opened = dict(Ticket.objects.values_list("pk", "opened_at"))
    lateness: dict[str, list[float]] = {level: [] for level in LEVELS}
    for ticket_id, clock, level, written in SlaNotice.objects.values_list(
        "ticket_id", "clock", "level", "created_at"
    ):
        if clock != "first_response":
            continue
        reached = opened[ticket_id] + TARGET * LEVELS[level]
        lateness[level].append((written - reached).total_seconds())
    every = [value for values in lateness.values() for value in values]
    print(f"{TICKETS} S1 tickets opened over {OPENING_SECONDS:.0f} s; first response target {TARGET}")
    print(f"load average at the end (1 min, on {os.cpu_count()} cores): {os.getloadavg()[0]:.1f}")
    print(f"notices announced: {len(every)} of {TICKETS * len(LEVELS)}")
    print(f"{'level':<8} {'count':>6} {'p50 s':>8} {'p99 s':>8} {'max s':>8} {'min s':>8}")
    for level, values in [*lateness.items(), ("all", every)]:
        if values:
            print(
                f"{level:<8} {len(values):>6} {statistics.median(values):>8.2f} "
                f"{_percentile(values, 0.99):>8.2f} {max(values):>8.2f} {min(values):>8.2f}"
            )
    if "--keep" in sys.argv:
        print(f"data directory kept: {data_dir}")
    else:
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0 if len(every) == TICKETS * len(LEVELS) else 1


if __name__ == "__main__":
    sys.exit(main())
