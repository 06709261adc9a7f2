"""Worker doors onto the security services."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from ossdesk.security.services import risk_acceptances_expire


@db_periodic_task(crontab(minute="17", hour="*"))
def risk_acceptances_expire_task() -> int:
    """Hourly: findings whose risk acceptance ran out open again."""
    return risk_acceptances_expire()
