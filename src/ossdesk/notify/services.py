"""`notify`: the one door for notices to people, and for the events that come with them."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Model

from ossdesk.accounts.models import Notification, User
from ossdesk.notify.kinds import NotificationKind
from ossdesk.notify.subscribers import Event, Notice, subscribers

BATCH = 1000


def _people(recipients: Iterable[User | None]) -> list[User]:
    unique: dict[int, User] = {}
    for user in recipients:
        if user is not None and user.is_active:
            unique.setdefault(user.pk, user)
    return list(unique.values())


def notify(
    *,
    kind: NotificationKind,
    recipients: Iterable[User | None],
    subject: str,
    body: str = "",
    ticket: Model | None = None,
    url: str = "",
    event: Event | None = None,
) -> list[Notification]:
    """Tell `recipients` (each active person once; None is skipped) about `kind`, and every
    subscribed channel after that (see `ossdesk.notify.subscribers`); returns the in-app rows.

    `ticket` is the ticket the notice is about, if any; `event` the machine-readable event that
    comes with it, for channels that speak to other systems (emitted even when nobody is told).
    Runs in the caller's transaction.
    """
    kind = NotificationKind(kind)  # ValueError for a kind that is not in the enumeration
    ticket_id = ticket.pk if ticket is not None else None
    rows = Notification.objects.bulk_create(
        (
            Notification(recipient=user, kind=kind, subject=subject, body=body, url=url, ticket_id=ticket_id)
            for user in _people(recipients)
        ),
        batch_size=BATCH,
    )
    notice = Notice(
        kind=kind,
        subject=subject,
        body=body,
        url=url,
        ticket_id=ticket_id,
        notifications=tuple(rows),
        event=event,
    )
    for deliver in subscribers().values():
        deliver(notice)
    return rows
