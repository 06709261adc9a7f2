"""What plans' changes ask of the apps built on them (ossdesk.hooks says how hooks work)."""

from __future__ import annotations

from ossdesk.hooks import hook


@hook(handled_by=("ossdesk.tickets",))
def terms_changed(*, organization_ids: list[int]) -> None:
    """The terms in force for these organisations changed (a plan's terms, a subscription or an
    agreement): their open tickets' deadlines follow, once the transaction commits."""
