"""The knowledge-base world: acme and globex on Business with a PostgreSQL ticket each, staff, and one
article of each kind (public, customers only, internal, draft) plus a Kafka article."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from ossdesk.accounts.actor import actor_for
from ossdesk.accounts.models import Role, User
from ossdesk.kb import services
from ossdesk.kb.models import Visibility
from ossdesk.plans.services import subscription_update
from ossdesk.products.models import Product
from ossdesk.products.services import product_version_create
from ossdesk.tickets import services as ticket_services
from tests.accounts.factories import SYSTEM
from tests.kb.factories import World, publish


@pytest.fixture(autouse=True)
def _static_root(settings: Any) -> None:
    # WhiteNoise warns on every client when STATIC_ROOT (in the fresh data directory) does not exist.
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


@pytest.fixture
def kb(customers: dict[str, dict[str, Any]], staff: dict[str, User]) -> World:
    postgres = Product.objects.create(name="PostgreSQL", slug="postgresql")
    kafka = Product.objects.create(name="Apache Kafka", slug="kafka")
    pg16 = product_version_create(actor=SYSTEM, product=postgres, version="16")
    world: World = {"postgres": postgres, "kafka": kafka, "pg16": pg16, "staff": staff}
    world["engineer"] = staff[Role.ENGINEER]
    for key, entry in customers.items():
        subscription_update(
            actor=SYSTEM, subscription=entry["org"].subscriptions.get(), products=[postgres, kafka]
        )
        ticket = ticket_services.ticket_create(
            actor=actor_for(entry["contact"].user),
            organization=entry["org"],
            product=postgres,
            severity="S3",
            subject=f"{entry['org'].name}: table keeps growing, vacuum does not help",
            body="Disk use doubled in a week.",
        )
        world[key] = {**entry, "ticket": ticket}
    world["articles"] = {
        "public": publish(
            "Vacuum and table bloat",
            "Dead tuples pile up when autovacuum falls behind.",
            product=postgres,
            product_versions=[pg16],
        ),
        "customers": publish(
            "Upgrade checklist for customers",
            "Raise a proactive case before a major upgrade; vacuum afterwards.",
            Visibility.CUSTOMERS,
            product=postgres,
        ),
        "internal": publish(
            "Runbook: bloat emergency", "Internal steps for vacuum escalations.", Visibility.INTERNAL
        ),
        "draft": services.article_create(
            actor=SYSTEM, title="Draft on vacuum tuning", body="Not ready.", visibility=Visibility.PUBLIC
        ),
        "kafka": publish("Kafka consumer lag", "Lag grows when consumers are slow.", product=kafka),
    }
    return world


@pytest.fixture
def web_for() -> Callable[[User | None], Client]:
    def make(user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make
