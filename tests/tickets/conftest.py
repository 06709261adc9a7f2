"""Fixtures for the helpdesk's doors: two customers, each with a ticket carrying a public reply and an
internal note (both with a file), and the clients of their people."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from ossdesk.accounts.actor import actor_for
from ossdesk.accounts.models import Role, User
from ossdesk.plans.services import subscription_update
from ossdesk.tickets import services
from ossdesk.tickets.models import Attachment, Ticket
from ossdesk.tickets.services import Upload
from tests.factories import SYSTEM, ProductFactory

Desk = dict[str, Any]


@pytest.fixture(autouse=True)
def _helpdesk_settings(settings: Any, tmp_path: Path) -> None:
    # WhiteNoise warns on every client when STATIC_ROOT (in the fresh data directory) does not exist.
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    # Each test stores its attachments in its own directory, outside any web root.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "files")},
        },
    }


def _raise(organization: Any, contact: Any, product: Any, engineer: User, key: str) -> dict[str, Any]:
    name = organization.name
    ticket = services.ticket_create(
        actor=actor_for(contact.user),
        organization=organization,
        product=product,
        severity="S2",
        subject=f"{name} replication lag",
        body=f"{name}'s standby is an hour behind.",
        attachments=[Upload(f"{key}-log.txt", f"{name} log line\n".encode(), "text/plain")],
    )
    staff = actor_for(engineer)
    reply = services.ticket_reply(
        actor=staff,
        ticket=ticket,
        body=f"Looking into {name}'s lag.",
        attachments=[Upload(f"{key}-steps.txt", b"step 1\n", "text/plain")],
    )
    note = services.ticket_reply(
        actor=staff,
        ticket=ticket,
        public=False,
        body=f"SECRET-{key}: {name} runs an unsupported fork.",
        attachments=[Upload(f"{key}-internal.txt", b"internal\n", "text/plain")],
    )
    services.ticket_assign(actor=staff, ticket=ticket, assignee=engineer)
    ticket = Ticket.objects.get(pk=ticket.pk)
    return {
        "ticket": ticket,
        "reply": reply,
        "note": note,
        "opening_file": Attachment.objects.get(message__ticket=ticket, filename=f"{key}-log.txt"),
        "reply_file": Attachment.objects.get(message=reply),
        "note_file": Attachment.objects.get(message=note),
    }


@pytest.fixture
def desk(customers: dict[str, dict[str, Any]], staff: dict[str, User]) -> Desk:
    """acme and globex on Business covering PostgreSQL, each with one ticket; Kafka is covered by nobody."""
    product = ProductFactory(name="PostgreSQL", slug="postgresql")
    uncovered = ProductFactory(name="Kafka", slug="kafka")
    engineer = staff[Role.ENGINEER]
    result: Desk = {"product": product, "uncovered": uncovered, "engineer": engineer, "staff": staff}
    for key, entry in customers.items():
        subscription_update(actor=SYSTEM, subscription=entry["org"].subscriptions.get(), products=[product])
        result[key] = {**entry, **_raise(entry["org"], entry["contact"], product, engineer, key)}
    return result


@pytest.fixture
def web_for() -> Callable[[User], Client]:
    def make(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make
