"""How tickets follow the changes of the apps below them: handlers of their hooks (ossdesk.hooks),
subscribed by TicketsConfig.ready()."""

from __future__ import annotations

from django.db import transaction

from ossdesk.customers import hooks as customers_hooks
from ossdesk.plans import hooks as plans_hooks
from ossdesk.tickets.services import organization_reachability_changed
from ossdesk.tickets.tasks import deadlines_recalculate_task


def deadlines_recalculate_on_commit(*, organization_ids: list[int]) -> None:
    """Recalculate the open tickets' deadlines once the transaction that changed the terms commits."""
    transaction.on_commit(lambda: deadlines_recalculate_task(organization_ids=organization_ids))


def subscribe() -> None:
    customers_hooks.reachability_changed.subscribe(organization_reachability_changed)
    plans_hooks.terms_changed.subscribe(deadlines_recalculate_on_commit)
