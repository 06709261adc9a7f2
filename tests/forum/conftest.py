"""The forum world: acme (Business, covering PostgreSQL only) and globex (Business, PostgreSQL and Kafka),
a Community-tier bakery whose contact signs in, a member with no organisation, staff, and a thread."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from ossdesk.accounts.models import Role, User
from ossdesk.plans.services import subscription_update
from ossdesk.products.models import Product
from tests.accounts.factories import PASSWORD, SYSTEM
from tests.customers.factories import OrganizationFactory, contact_with_login
from tests.forum.factories import World, answer, ask


@pytest.fixture(autouse=True)
def _static_root(settings: Any) -> None:
    # WhiteNoise warns on every client when STATIC_ROOT (in the fresh data directory) does not exist.
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


@pytest.fixture
def forum(customers: dict[str, dict[str, Any]], staff: dict[str, User]) -> World:
    postgres = Product.objects.create(name="PostgreSQL", slug="postgresql")
    kafka = Product.objects.create(name="Apache Kafka", slug="kafka")
    covered = {"acme": [postgres], "globex": [postgres, kafka]}
    world: World = {"postgres": postgres, "kafka": kafka, "staff": staff, "engineer": staff[Role.ENGINEER]}
    for key, entry in customers.items():
        subscription_update(
            actor=SYSTEM, subscription=entry["org"].subscriptions.get(), products=covered[key]
        )
        world[key] = entry
    bakery = OrganizationFactory(name="Bakery", slug="bakery")  # no subscription: Community
    world["bakery"] = {"org": bakery, "contact": contact_with_login(bakery, named=False)}
    world["loner"] = User.objects.create_user(
        username="loner", email="loner@example.test", password=PASSWORD, role=Role.CUSTOMER
    )
    world["asker"] = world["acme"]["contact"].user
    world["thread"] = ask(world["asker"], postgres, "Autovacuum never finishes", "Our table is **huge**.")
    world["reply"] = answer(world["globex"]["contact"].user, world["thread"], "Check `idle in transaction`.")
    return world


@pytest.fixture
def web_for() -> Callable[[User | None], Client]:
    def make(user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make
