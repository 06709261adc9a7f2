"""The delivery channels of notices, as subscribers of `ossdesk.notify.notify`.

In-app is the first channel and always on: `notify` writes one `Notification` row per recipient, and
every other channel delivers those rows (or the event that comes with them). The others subscribe
from their app's `ready()`, so this layer imports none of them:

- `mail` (`ossdesk.channels`): once the transaction commits, each row is mailed by its recipient's
  preference for its kind (now, in the daily digest, or not at all); the mail sweep stays the backstop.
- `webhooks` (`ossdesk.webhooks`): the notice's `Event`, if it has one, is emitted to the endpoints
  that subscribe to its type and may see its organisation.

The slot for the channels that come next (paging an on-call engineer, posting to a chat room): write
`<app>/notify.py` with a `deliver(notice: Notice) -> None` and call `subscribe("paging", deliver)`
in the app's `AppConfig.ready()`. A channel runs inside the caller's transaction: anything that
talks to the outside world waits for `transaction.on_commit` (or a task queued then), so a rolled
back write tells nobody.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ossdesk.accounts.models import Notification
from ossdesk.notify.kinds import NotificationKind

# The channels that are known to come; `subscribe` accepts any name, these are documentation.
PLANNED = ("paging", "chat")


@dataclass(frozen=True)
class Event:
    """The machine-readable side of a notice, for systems rather than people (webhooks' event types
    and data are in docs/webhooks.md)."""

    type: str
    data: dict[str, Any]
    organization_id: int | None


@dataclass(frozen=True)
class Notice:
    """What `notify` hands each channel: what happened, and the in-app rows written for it."""

    kind: NotificationKind
    subject: str
    body: str
    url: str
    ticket_id: int | None
    notifications: tuple[Notification, ...] = ()
    event: Event | None = None


Deliver = Callable[[Notice], None]
_subscribers: dict[str, Deliver] = {}


def subscribe(name: str, deliver: Deliver) -> None:
    """Register a delivery channel under `name`; a second registration of a name replaces the first.
    Channels are called in the order they first subscribed."""
    _subscribers[name] = deliver


def unsubscribe(name: str) -> None:
    _subscribers.pop(name, None)


def subscribers() -> dict[str, Deliver]:
    """The registered channels by name, in the order they are called (after in-app)."""
    return dict(_subscribers)
