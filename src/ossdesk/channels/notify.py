"""The mail channel of `ossdesk.notify`: once the notice's transaction commits, each in-app row is
mailed by its recipient's preference for its kind (`notification_mail_enqueue`). The minute's mail
sweep reads the same rows and stays the backstop for a task the queue lost; the outbox's unique key
on the notification keeps the two from mailing anything twice."""

from __future__ import annotations

from django.db import transaction

from ossdesk.config.queue import enqueue
from ossdesk.notify import Notice

MAIL_TASK = "ossdesk.channels.tasks.notification_mail_task"


def notice_mail(notice: Notice) -> None:
    notification_ids = [row.pk for row in notice.notifications]
    if notification_ids:
        transaction.on_commit(lambda: _queue(notification_ids), robust=True)


def _queue(notification_ids: list[int]) -> None:
    for notification_id in notification_ids:
        enqueue(MAIL_TASK, notification_id)
