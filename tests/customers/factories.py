"""Builders of customers for the tests: organisations and contacts who sign in to the portal."""

from __future__ import annotations

import factory

from ossdesk.customers.models import Contact, Organization
from ossdesk.customers.services import contact_create
from tests.accounts.factories import PASSWORD, SYSTEM, serial


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Customer {n}")
    slug = factory.Sequence(lambda n: f"customer-{n}")
    country = "DE"
    timezone = "Europe/Berlin"
    compliance_frameworks = factory.LazyFunction(lambda: ["GDPR"])


def contact_with_login(organization: Organization, *, role: str = "contact", named: bool = True) -> Contact:
    n = next(serial)
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
