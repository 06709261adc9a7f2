"""Worker doors onto webhook delivery."""

from __future__ import annotations

from ossdesk.config.typed_tasks import crontab, db_periodic_task, db_task
from ossdesk.webhooks import services


@db_task()
def deliveries_send_task(delivery_ids: list[int]) -> int:
    """Right after the emitting transaction commits: the first attempt."""
    return services.deliveries_send(delivery_ids=delivery_ids)


@db_periodic_task(crontab(minute="*"))
def deliveries_sweep_task() -> int:
    """Every minute: retries that have come due, and anything the queue lost."""
    return services.deliveries_sweep()
