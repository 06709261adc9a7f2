"""Worker doors onto the index: the sweep every minute (the index follows the desk within about a minute),
the purge of deleted tickets, messages and forum replies every hour."""

from __future__ import annotations

from ossdesk.config.typed_tasks import crontab, db_periodic_task, lock_task
from ossdesk.search.services import search_purge, search_sweep


@db_periodic_task(crontab(minute="*"))
@lock_task("search-sweep")
def search_sweep_task() -> int:
    """Every minute: index the tickets, messages, articles and forum posts changed since the last sweep."""
    report = search_sweep()
    return report.tickets + report.messages + report.articles + report.forum


@db_periodic_task(crontab(minute="17"))
@lock_task("search-sweep")
def search_purge_task() -> int:
    """Hourly: drop documents of deleted tickets, messages and forum replies (deleted articles and
    forum threads go at every sweep)."""
    return search_purge()
