"""Builders of subscriptions for the tests (the tiers themselves come from the `tiers` fixture)."""

from __future__ import annotations

from datetime import date

from ossdesk.customers.models import Organization
from ossdesk.plans.models import Plan, Subscription
from ossdesk.plans.services import subscription_create
from ossdesk.products.models import Product
from tests.accounts.factories import SYSTEM


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
