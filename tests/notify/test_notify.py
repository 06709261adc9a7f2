"""`ossdesk.notify`: the in-app rows, each subscribed channel (mail by preference, webhooks, a new
channel in the slot), the kinds as an enumeration, and the ticket each notice is about."""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps

from ossdesk.accounts.actor import Actor, actor_for
from ossdesk.accounts.models import Notification, Role, User
from ossdesk.channels.models import DigestEntry, MailKind, OutboundEmail
from ossdesk.channels.preferences import MAIL_KIND_OF, mail_kind_for
from ossdesk.channels.services import notification_preferences_set
from ossdesk.notify import Event, Notice, NotificationKind, notify, subscribe, subscribers, unsubscribe
from ossdesk.plans.services import subscription_update
from ossdesk.tickets import services as tickets
from ossdesk.tickets.models import Ticket
from ossdesk.webhooks.models import Event as WebhookEvent
from ossdesk.webhooks.services import endpoint_create
from tests.accounts.factories import staff_user
from tests.products.factories import ProductFactory

SYSTEM = Actor.system("tests")
SRC = Path(__file__).resolve().parents[2] / "src" / "ossdesk"


@pytest.fixture
def ticket(customers: dict[str, Any]) -> Ticket:
    product = ProductFactory(name="PostgreSQL", slug="postgresql")
    acme = customers["acme"]
    subscription_update(actor=SYSTEM, subscription=acme["org"].subscriptions.get(), products=[product])
    return tickets.ticket_create(
        actor=actor_for(acme["contact"].user),
        organization=acme["org"],
        product=product,
        severity="S2",
        subject="Replication lag",
        body="The standby is an hour behind.",
    )


def test_in_app_rows_once_per_active_person_with_the_ticket(ticket: Ticket, staff: dict[str, User]) -> None:
    engineer, admin = staff[Role.ENGINEER], staff[Role.ADMIN]
    gone = staff_user(Role.ENGINEER)
    gone.is_active = False
    gone.save()
    rows = notify(
        kind=NotificationKind.SLA_WARNING,
        recipients=[engineer, None, admin, engineer, gone],
        subject="#1 at 75%",
        body="Hurry.",
        ticket=ticket,
        url=f"/tickets/{ticket.pk}/",
    )
    assert [row.recipient for row in rows] == [engineer, admin]
    stored = Notification.objects.filter(kind="sla.warning").order_by("pk")
    assert [(n.recipient_id, n.ticket_id, n.subject, n.body) for n in stored] == [
        (engineer.pk, ticket.pk, "#1 at 75%", "Hurry."),
        (admin.pk, ticket.pk, "#1 at 75%", "Hurry."),
    ]
    assert NotificationKind(stored[0].kind).label == "SLA warning"


def test_without_a_ticket_the_reference_is_empty(staff: dict[str, User]) -> None:
    (row,) = notify(
        kind=NotificationKind.WEBHOOK_DISABLED, recipients=[staff[Role.ADMIN]], subject="Disabled", url="/x/"
    )
    row.refresh_from_db()
    assert row.ticket_id is None


def test_an_unknown_kind_fails_and_tells_nobody(staff: dict[str, User]) -> None:
    with pytest.raises(ValueError, match=r"sla\.warn80"):
        notify(kind="sla.warn80", recipients=[staff[Role.ADMIN]], subject="x")  # type: ignore[arg-type]
    assert not Notification.objects.exists()


def test_the_producers_name_their_ticket(ticket: Ticket, staff: dict[str, User]) -> None:
    engineer = staff[Role.ENGINEER]
    tickets.ticket_assign(actor=actor_for(staff[Role.ADMIN]), ticket=ticket, assignee=engineer)
    notice = Notification.objects.get(recipient=engineer)
    assert (notice.kind, notice.ticket_id, notice.url) == (
        "ticket.assigned",
        ticket.pk,
        f"/tickets/{ticket.pk}/",
    )


def test_the_mail_and_webhooks_channels_subscribe_at_start() -> None:
    assert {"mail", "webhooks"} <= set(subscribers())


def test_every_kind_is_mailed_under_a_preference() -> None:
    assert set(MAIL_KIND_OF) == set(NotificationKind)
    assert mail_kind_for("sla.warn90") == MailKind.SLA_WARNING
    assert mail_kind_for("advisory_published") == MailKind.ADVISORY  # a row from before the enumeration


def test_mail_is_queued_after_commit_by_each_persons_preference(
    ticket: Ticket, staff: dict[str, User], django_capture_on_commit_callbacks: Any
) -> None:
    engineer, manager, analyst = (
        staff[Role.ENGINEER],
        staff[Role.ACCOUNT_MANAGER],
        staff[Role.SECURITY_ANALYST],
    )
    notification_preferences_set(actor=actor_for(manager), user=manager, choices={MailKind.SLA_BREACH: "off"})
    notification_preferences_set(
        actor=actor_for(analyst), user=analyst, choices={MailKind.SLA_BREACH: "digest"}
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        rows = notify(
            kind=NotificationKind.SLA_BREACH,
            recipients=[engineer, manager, analyst],
            subject=f"#{ticket.pk} breached",
            ticket=ticket,
            url=f"/tickets/{ticket.pk}/",
        )
    assert not OutboundEmail.objects.filter(notification__in=rows).exists()  # nothing before the commit
    for callback in callbacks:
        callback()
    email = OutboundEmail.objects.get(notification__in=rows)
    assert (email.recipient, email.kind, email.ticket_id) == (engineer.email, MailKind.SLA_BREACH, ticket.pk)
    assert f"[#{ticket.pk}]" in email.subject  # threaded under the ticket: the reference, not the link
    entry = DigestEntry.objects.get(notification__in=rows)
    assert (entry.user, entry.ticket_id) == (analyst, ticket.pk)


def test_the_webhooks_channel_emits_the_event_that_comes_with_a_notice(
    settings: Any, ticket: Ticket, staff: dict[str, User]
) -> None:
    settings.OSSDESK_WEBHOOKS_ALLOW_HTTP = True
    endpoint_create(
        actor=actor_for(staff[Role.ADMIN]),
        organization=None,
        url="http://127.0.0.1:9/",
        event_types=["sla.*"],
    )
    data = {"ticket": {"id": ticket.pk}, "clock": "resolution", "due_at": None}
    notify(
        kind=NotificationKind.SLA_BREACH,
        recipients=[],  # the event goes out even when nobody is told in-app
        subject="breached",
        ticket=ticket,
        event=Event("sla.breached", data, ticket.organization_id),
    )
    notify(kind=NotificationKind.SLA_WARNING, recipients=[staff[Role.ENGINEER]], subject="no event")
    event = WebhookEvent.objects.get()
    assert (event.type, event.payload, event.organization_id) == (
        "sla.breached",
        data,
        ticket.organization_id,
    )


@pytest.fixture
def paging() -> Iterator[list[Notice]]:
    heard: list[Notice] = []
    subscribe("paging", heard.append)
    yield heard
    unsubscribe("paging")


def test_a_new_channel_subscribes_in_the_slot(
    paging: list[Notice], ticket: Ticket, staff: dict[str, User]
) -> None:
    event = Event("sla.warning", {"level": "warn90"}, ticket.organization_id)
    rows = notify(
        kind=NotificationKind.SLA_WARNING,
        recipients=[staff[Role.ENGINEER]],
        subject="90%",
        ticket=ticket,
        event=event,
    )
    (notice,) = paging
    assert (notice.kind, notice.ticket_id, notice.notifications, notice.event) == (
        NotificationKind.SLA_WARNING,
        ticket.pk,
        tuple(rows),
        event,
    )
    assert list(subscribers())[-1] == "paging"  # after the channels that subscribed at start


def test_existing_notices_get_their_ticket_from_the_link(ticket: Ticket, staff: dict[str, User]) -> None:
    engineer = staff[Role.ENGINEER]
    linked = Notification.objects.create(
        recipient=engineer, kind="sla.breach", subject="a", url=f"/tickets/{ticket.pk}/"
    )
    missing = Notification.objects.create(
        recipient=engineer, kind="sla.breach", subject="b", url="/tickets/999999/"
    )
    other = Notification.objects.create(
        recipient=engineer, kind="security_notice", subject="c", url="/security/notices/1/"
    )
    migration = importlib.import_module("ossdesk.accounts.migrations.0003_notification_ticket")
    migration.ticket_from_url(apps, None)
    for row in (linked, missing, other):
        row.refresh_from_db()
    assert (linked.ticket_id, missing.ticket_id, other.ticket_id) == (ticket.pk, None, None)


# ossdesk.web is left out while webhooks/api still takes its API base from there (it moves to doors/).
HIGHER = [["ossdesk", app] for app in ("tickets", "security", "channels", "cli")]


@pytest.mark.parametrize("package", ["webhooks", "notify"])
def test_webhooks_and_notify_import_nothing_above_themselves(package: str) -> None:
    """Anywhere in the file, inside functions too: producers import these, never the reverse."""
    found = []
    for path in sorted((SRC / package).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            found += [f"{path.name}: {name}" for name in names if name.split(".")[:2] in HIGHER]
    assert found == []
