"""`UNSET` and the update services that take it (issue 11): a keyword argument left out keeps the stored
value, None sets a field that takes None, and a field a service does not change — a door passes the
fields of its form or serializer as keyword arguments — is refused with the message it always had."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from ossdesk.accounts.actor import actor_for
from ossdesk.accounts.models import Role
from ossdesk.customers import services as customer_services
from ossdesk.kb import services as kb_services
from ossdesk.plans import services as plan_services
from ossdesk.products import services as product_services
from ossdesk.unset import UNSET, Unset, given
from tests.accounts.factories import SYSTEM, staff_user
from tests.products.factories import ProductFactory

TODAY = date(2026, 3, 2)


def test_given_keeps_what_is_not_unset() -> None:
    assert given(a=1, b=UNSET, c=None, d="") == {"a": 1, "c": None, "d": ""}
    assert isinstance(UNSET, Unset)
    assert repr(UNSET) == "UNSET"


# --- a field the service does not change ------------------------------------------------------------------


def _plan(world: dict[str, Any]) -> Any:
    return plan_services.plan_update(actor=SYSTEM, plan=world["tiers"]["business"], code="gold")


def _subscription(world: dict[str, Any]) -> Any:
    acme = world["customers"]["acme"]["org"]
    return plan_services.subscription_update(
        actor=SYSTEM, subscription=acme.subscriptions.get(), organization=acme
    )


def _agreement(world: dict[str, Any]) -> Any:
    acme = world["customers"]["acme"]["org"]
    agreement = plan_services.agreement_create(
        actor=SYSTEM,
        organization=acme,
        reference="ACME-1",
        starts_on=TODAY,
        ends_on=TODAY + timedelta(days=9),
    )
    return plan_services.agreement_update(actor=SYSTEM, agreement=agreement, organization=acme)


def _article(world: dict[str, Any]) -> Any:
    article = kb_services.article_create(actor=SYSTEM, title="Vacuum", body="Run it.")
    return kb_services.article_update(actor=SYSTEM, article=article, author=None)


def _organization(world: dict[str, Any]) -> Any:
    acme = world["customers"]["acme"]["org"]
    return customer_services.organization_update(actor=SYSTEM, organization=acme, slug="acme-2")


def _organization_by_its_customer(world: dict[str, Any]) -> Any:
    acme = world["customers"]["acme"]
    actor = actor_for(acme["admin"].user)
    return customer_services.organization_update(actor=actor, organization=acme["org"], name="Acme 2")


def _contact(world: dict[str, Any]) -> Any:
    contact = world["customers"]["acme"]["contact"]
    return customer_services.contact_update(actor=SYSTEM, contact=contact, email="else@acme.test")


def _deployment(world: dict[str, Any]) -> Any:
    acme = world["customers"]["acme"]["org"]
    deployment = customer_services.deployment_create(
        actor=SYSTEM, organization=acme, name="prod", product=ProductFactory()
    )
    return customer_services.deployment_update(actor=SYSTEM, deployment=deployment, organization=acme)


def _product(world: dict[str, Any]) -> Any:
    return product_services.product_update(actor=SYSTEM, product=ProductFactory(), slug="other")


def _product_version(world: dict[str, Any]) -> Any:
    item = product_services.product_version_create(actor=SYSTEM, product=ProductFactory(), version="1.0")
    return product_services.product_version_update(actor=SYSTEM, item=item, version="2.0")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("update", "field", "message"),
    [
        (_plan, "code", "This field cannot be changed."),
        (_subscription, "organization", "This field cannot be changed."),
        (_agreement, "organization", "This field cannot be changed."),
        (_article, "author", "This field cannot be changed here."),
        (_organization, "slug", "You may not change this field."),
        (_organization_by_its_customer, "name", "You may not change this field."),
        (_contact, "email", "This field cannot be changed."),
        (_deployment, "organization", "Not a field of a deployment."),
        (_product, "slug", "This field cannot be changed."),
        (_product_version, "version", "This field cannot be changed."),
    ],
    ids=lambda value: value.__name__.strip("_") if callable(value) else None,
)
def test_a_field_the_service_does_not_change_is_refused_as_before(
    update: Callable[[dict[str, Any]], Any], field: str, message: str, tiers: Any, customers: Any
) -> None:
    with pytest.raises(ValidationError) as refused:
        update({"tiers": tiers, "customers": customers})
    assert refused.value.message_dict == {field: [message]}


# --- left out, and None -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_left_out_keeps_and_none_clears_a_date() -> None:
    item = product_services.product_version_create(
        actor=SYSTEM,
        product=ProductFactory(),
        version="1.0",
        released_on=TODAY,
        end_of_support_on=TODAY + timedelta(days=300),
        end_of_life_on=TODAY + timedelta(days=400),
    )
    product_services.product_version_update(actor=SYSTEM, item=item, end_of_life_on=None)
    item.refresh_from_db()
    assert (item.released_on, item.end_of_support_on, item.end_of_life_on) == (
        TODAY,
        TODAY + timedelta(days=300),
        None,
    )


@pytest.mark.django_db
def test_left_out_keeps_and_none_removes_the_account_manager(customers: Any) -> None:
    manager = staff_user(Role.ACCOUNT_MANAGER)
    acme = customers["acme"]["org"]
    today = timezone.localdate()
    agreement = plan_services.agreement_create(
        actor=SYSTEM,
        organization=acme,
        reference="ACME-1",
        starts_on=today,
        ends_on=today + timedelta(days=9),
        account_manager=manager,
        notes="first",
    )
    plan_services.agreement_update(actor=SYSTEM, agreement=agreement, notes="second")
    agreement.refresh_from_db()
    assert (agreement.account_manager, agreement.notes, agreement.reference) == (manager, "second", "ACME-1")
    plan_services.agreement_update(actor=SYSTEM, agreement=agreement, account_manager=None)
    agreement.refresh_from_db()
    assert (agreement.account_manager, agreement.notes) == (None, "second")
