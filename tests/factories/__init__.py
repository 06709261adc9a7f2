"""factory_boy factories and small builders shared by the tests."""

from __future__ import annotations

from datetime import date
from itertools import count

import factory

from ossdesk.accounts.actor import Actor
from ossdesk.accounts.models import User
from ossdesk.accounts.services import staff_user_create
from ossdesk.customers.models import Contact, Organization
from ossdesk.customers.services import contact_create
from ossdesk.plans.models import Plan, Subscription
from ossdesk.plans.services import subscription_create
from ossdesk.products.models import Product

SYSTEM = Actor.system("tests")
PASSWORD = "correct-horse-battery"
_serial = count(1)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Customer {n}")
    slug = factory.Sequence(lambda n: f"customer-{n}")
    country = "DE"
    timezone = "Europe/Berlin"
    compliance_frameworks = factory.LazyFunction(lambda: ["GDPR"])


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    name = factory.Sequence(lambda n: f"Product {n}")
    slug = factory.Sequence(lambda n: f"product-{n}")
    ecosystem = "PyPI"


def staff_user(role: str) -> User:
    n = next(_serial)
    return staff_user_create(
        actor=SYSTEM, username=f"{role}{n}", email=f"{role}{n}@vendor.test", role=role, password=PASSWORD
    )


def contact_with_login(organization: Organization, *, role: str = "contact", named: bool = True) -> Contact:
    n = next(_serial)
    return contact_create(
        actor=SYSTEM,
        organization=organization,
        name=f"Person {n}",
        email=f"person{n}@{organization.slug}.test",
        role=role,
        is_named=named,
        portal_access=True,
        password=PASSWORD,
    )


def subscribe(
    organization: Organization,
    plan: Plan,
    *,
    starts_on: date,
    ends_on: date,
    products: list[Product] | None = None,
    deployments: int = 1,
) -> Subscription:
    return subscription_create(
        actor=SYSTEM,
        organization=organization,
        plan=plan,
        starts_on=starts_on,
        ends_on=ends_on,
        products=products or [],
        deployments=deployments,
    )
