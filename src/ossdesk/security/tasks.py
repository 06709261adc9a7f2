"""Worker doors onto the security services."""

from __future__ import annotations

from ossdesk.config.typed_tasks import crontab, db_periodic_task, db_task
from ossdesk.security.services import risk_acceptances_expire, sbom_process, sboms_resume


@db_task()
def sbom_process_task(sbom_id: int) -> None:
    """A stored upload, read and matched in short transactions (once: it is claimed first)."""
    sbom_process(sbom_id=sbom_id)


@db_periodic_task(crontab(minute="17", hour="*"))
def risk_acceptances_expire_task() -> int:
    """Hourly: findings whose risk acceptance ran out open again."""
    return risk_acceptances_expire()


@db_periodic_task(crontab(minute="*/5"))
def sboms_resume_task() -> int:
    """Every five minutes: uploads whose task was lost, or whose worker died mid-way, are queued again."""
    return sboms_resume()
