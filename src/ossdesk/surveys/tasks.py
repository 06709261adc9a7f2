"""Worker door onto surveys: a sweep that makes the surveys of solves the solved mail did not cover
(no contact, no address, mail switched off), so the portal can still rate them."""

from __future__ import annotations

from ossdesk.config.typed_tasks import crontab, db_periodic_task, lock_task
from ossdesk.surveys.services import surveys_sweep


@db_periodic_task(crontab(minute="*/5"))
@lock_task("surveys-sweep")
def surveys_sweep_task() -> int:
    """Every five minutes: a survey for each recent solve that has none; a second run makes none."""
    return surveys_sweep()
