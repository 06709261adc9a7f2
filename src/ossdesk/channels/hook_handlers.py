"""How channels follow the changes of the apps below them: handlers of their hooks (ossdesk.hooks),
subscribed by ChannelsConfig.ready()."""

from __future__ import annotations

from ossdesk.channels.services import contact_proof_mail_enqueue
from ossdesk.customers import hooks as customers_hooks


def subscribe() -> None:
    customers_hooks.contact_proof_requested.subscribe(contact_proof_mail_enqueue)
