"""Fixtures for the helpdesk's doors: two customers, each with a ticket carrying a public reply and an
internal note (both with a file), and the clients of their people."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from ossdesk.accounts.models import Role, User
from ossdesk.plans.services import subscription_update
from tests.accounts.factories import SYSTEM
from tests.products.factories import ProductFactory
from tests.tickets.factories import Desk, make_ticket_with_thread


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


@pytest.fixture
def desk(customers: dict[str, dict[str, Any]], staff: dict[str, User]) -> Desk:
    """acme and globex on Business covering PostgreSQL, each with one ticket; Kafka is covered by nobody."""
    product = ProductFactory(name="PostgreSQL", slug="postgresql")
    uncovered = ProductFactory(name="Kafka", slug="kafka")
    engineer = staff[Role.ENGINEER]
    result: Desk = {"product": product, "uncovered": uncovered, "engineer": engineer, "staff": staff}
    for key, entry in customers.items():
        subscription_update(actor=SYSTEM, subscription=entry["org"].subscriptions.get(), products=[product])
        result[key] = {
            **entry,
            **make_ticket_with_thread(entry["org"], entry["contact"], product, engineer, key),
        }
    return result


@pytest.fixture
def web_for() -> Callable[[User], Client]:
    def make(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make
