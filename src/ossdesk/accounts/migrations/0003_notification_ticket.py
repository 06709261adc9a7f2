import re
from collections import defaultdict
from typing import Any

import django.db.models.deletion
from django.db import migrations, models

TICKET_URL = re.compile(r"^/tickets/(\d{1,18})/")


def ticket_from_url(apps: Any, schema_editor: Any) -> None:
    """Notices written before the reference held their ticket only in the link (`/tickets/1234/`)."""
    Notification = apps.get_model("accounts", "Notification")
    Ticket = apps.get_model("tickets", "Ticket")
    by_ticket: dict[int, list[int]] = defaultdict(list)
    rows = Notification.objects.filter(ticket__isnull=True, url__startswith="/tickets/")
    for pk, url in rows.values_list("pk", "url").iterator():
        match = TICKET_URL.match(url)
        if match:
            by_ticket[int(match.group(1))].append(pk)
    existing = set(Ticket.objects.filter(pk__in=list(by_ticket)).values_list("pk", flat=True))
    for ticket_id, notification_ids in by_ticket.items():
        if ticket_id in existing:
            Notification.objects.filter(pk__in=notification_ids).update(ticket_id=ticket_id)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_notification"),
        ("tickets", "0002_channels_for_cases_ossdesk_opens"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="ticket",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="notifications",
                to="tickets.ticket",
            ),
        ),
        migrations.RunPython(ticket_from_url, migrations.RunPython.noop),
    ]
