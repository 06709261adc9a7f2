"""Housekeeping tasks of the worker itself."""

from __future__ import annotations

from datetime import UTC, datetime

from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task

from ossdesk.web.health import HEARTBEAT_KEY


def record_heartbeat() -> None:
    HUEY.put(HEARTBEAT_KEY, datetime.now(UTC).isoformat())


@db_periodic_task(crontab(minute="*"))
def worker_heartbeat() -> None:
    """Tell /api/health that a worker is consuming the queue."""
    record_heartbeat()
