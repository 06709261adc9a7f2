"""Housekeeping tasks of the worker itself."""

from __future__ import annotations

from datetime import UTC, datetime

from django.db import connection
from huey.contrib.djhuey import HUEY

from ossdesk.config.typed_tasks import crontab, db_periodic_task
from ossdesk.web.health import HEARTBEAT_KEY


def record_heartbeat() -> None:
    HUEY.put(HEARTBEAT_KEY, datetime.now(UTC).isoformat())


@db_periodic_task(crontab(minute="*"))
def worker_heartbeat() -> None:
    """Tell /api/health that a worker is consuming the queue."""
    record_heartbeat()


def optimize_database() -> None:
    """Keep SQLite's query planner statistics current (PostgreSQL's autovacuum does this itself)."""
    if connection.vendor == "sqlite":
        # A full ANALYZE (0.1 s per 100,000 tickets): sampled statistics mislead the planner about the
        # status columns, where one value covers almost every row.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


@db_periodic_task(crontab(minute="17"))
def optimize_database_task() -> None:
    """Hourly: fresh planner statistics, so the queue's partial index is used as tables grow."""
    optimize_database()
