"""Worker doors onto mail: queue and send every minute, the digest once a day; poll IMAP mailboxes
every minute and process each received message."""

from __future__ import annotations

from django.conf import settings

from ossdesk.accounts.models import Notification
from ossdesk.channels.intake import inbound_process, inbound_process_pending
from ossdesk.channels.mailboxes import mailboxes_poll_due
from ossdesk.channels.services import (
    digest_send,
    mail_sweep,
    notification_mail_enqueue,
    outbox_send_due,
    ticket_mail_for_event,
)
from ossdesk.config.typed_tasks import crontab, db_periodic_task, db_task, lock_task
from ossdesk.tickets.models import TicketEvent


@db_periodic_task(crontab(minute="*"))
def outbound_mail_task() -> int:
    """Every minute: queue mail for new notifications and ticket events, then send what is due."""
    mail_sweep()
    return outbox_send_due().sent


@db_task()
def ticket_mail_task(event_id: int) -> bool:
    """A direct hook for the helpdesk: mail one ticket event now instead of at the next sweep."""
    event = TicketEvent.objects.select_related("ticket__contact__user", "message").filter(pk=event_id).first()
    return event is not None and ticket_mail_for_event(event) is not None


@db_task()
def notification_mail_task(notification_id: int) -> bool:
    """A direct hook: mail one notification now instead of at the next sweep."""
    notice = Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    return notice is not None and notification_mail_enqueue(notice) is not None


@db_task()
def outbox_send_now_task() -> int:
    """After a person's "retry now": send without waiting for the minute."""
    return outbox_send_due().sent


@db_periodic_task(crontab(hour=str(settings.OSSDESK_MAIL_DIGEST_HOUR), minute="0"))
def mail_digest_task() -> int:
    """Daily at OSSDESK_MAIL_DIGEST_HOUR (UTC): one digest per person with digest-preference notices."""
    queued = digest_send()
    outbox_send_due()
    return queued


@db_task()
def inbound_process_task(inbound_id: int) -> str:
    """Process one stored message (enqueued when it is committed); running it twice changes nothing."""
    return inbound_process(inbound_id=inbound_id).status


@db_periodic_task(crontab(minute="*"))
@lock_task("inbound-mail")
def inbound_mail_task() -> int:
    """Every minute: poll the IMAP mailboxes that are due, and process messages whose task was lost."""
    report = mailboxes_poll_due()
    inbound_process_pending()
    return report.stored
