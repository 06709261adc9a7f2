"""Worker doors onto the ticket services."""

from __future__ import annotations

from datetime import date, datetime

from ossdesk.config.typed_tasks import crontab, db_periodic_task, db_task
from ossdesk.tickets.attachment_files import attachment_orphans_sweep
from ossdesk.tickets.escalation import sla_sweep, ticket_check_due
from ossdesk.tickets.recalculation import deadlines_recalculate


@db_task()
def ticket_check_task(ticket_id: int, due_at: str) -> int:
    """Queued with an ETA: the ticket's next warning or deadline has come (ossdesk.tickets.escalation)."""
    return ticket_check_due(ticket_id=ticket_id, due_at=datetime.fromisoformat(due_at))


@db_periodic_task(crontab(minute="*"))
def sla_sweep_task() -> int:
    """Every minute, the backstop: warnings, breaches and escalations whose queued check was lost."""
    return sla_sweep()


@db_periodic_task(crontab(minute="41"))
def attachment_orphans_sweep_task() -> int:
    """Hourly: files a killed worker wrote for attachments that were never recorded."""
    return attachment_orphans_sweep()


@db_task()
def deadlines_recalculate_task(
    organization_ids: list[int] | None = None, country: str | None = None, changed_from: str | None = None
) -> int:
    """After a calendar, holiday or agreement change."""
    first_day = date.fromisoformat(changed_from) if changed_from else None
    return deadlines_recalculate(
        organization_ids=organization_ids, country=country, changed_from=first_day
    ).updated
