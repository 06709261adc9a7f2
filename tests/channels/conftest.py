"""Inbound mail fixtures: a helpdesk with one Business customer (Acme), a customer without a subscription
(Community), the support mailbox, and the hand-written messages in tests/channels/messages/."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from ossdesk.channels.models import Mailbox
from ossdesk.customers.models import Contact, Organization
from ossdesk.customers.services import contact_create
from ossdesk.plans.models import Subscription
from tests.accounts.factories import PASSWORD, SYSTEM
from tests.channels.factories import DOMAIN, Helpdesk
from tests.customers.factories import OrganizationFactory
from tests.plans.factories import subscribe
from tests.products.factories import ProductFactory


@pytest.fixture
def mail_settings(settings: Any, tmp_path: Path) -> Any:
    settings.OSSDESK_MAIL_DOMAIN = DOMAIN
    settings.OSSDESK_MAIL_FROM = "Example Support <support@mail.test>"
    settings.OSSDESK_MAIL_LINK_URL = "https://desk.example.com"
    settings.OSSDESK_SMTP_HOST = ""
    settings.OSSDESK_MAIL_REPLY_LIMIT = 5
    settings.OSSDESK_MAIL_NOTIFY_HELD = True
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "files")},
        },
    }
    return settings


@pytest.fixture
def helpdesk(tiers: dict[str, Any], mail_settings: Any) -> Helpdesk:
    today = timezone.localdate()
    product: Any = ProductFactory(name="PostgreSQL", slug="postgresql")
    other: Any = ProductFactory(name="Kafka", slug="kafka")
    acme: Any = OrganizationFactory(name="Acme", slug="acme")
    subscribe(
        acme,
        tiers["business"],
        starts_on=today - timedelta(days=30),
        ends_on=today + timedelta(days=335),
        products=[product],
    )
    hobby: Any = OrganizationFactory(name="Hobby", slug="hobby")
    subscribe(
        hobby, tiers["starter"], starts_on=today - timedelta(days=400), ends_on=today + timedelta(days=1)
    )

    def contact(
        org: Organization, name: str, email: str, *, login: bool = False, named: bool = True
    ) -> Contact:
        return contact_create(
            actor=SYSTEM,
            organization=org,
            name=name,
            email=email,
            is_named=named,
            portal_access=login,
            password=PASSWORD if login else None,
        )

    desk = Helpdesk(
        product=product,
        other_product=other,
        acme=acme,
        ana=contact(acme, "Ana Lima", "ana@acme.example", login=True),
        jurgen=contact(acme, "Jürgen Müller", "jurgen@acme.example"),
        tanaka=contact(acme, "Tanaka", "tanaka@acme.example"),
        guest=contact(acme, "Guest", "guest@acme.example", named=False),
        hobby=hobby,
        sam=contact(hobby, "Sam", "sam@hobby.example"),
        mailbox=Mailbox.objects.create(name="support", address="support@mail.test", product=product),
    )
    # Hobby's Starter subscription has lapsed: it is on Community now, with Sam still a named contact.
    Subscription.objects.filter(organization=hobby).update(ends_on=today - timedelta(days=1))
    return desk
