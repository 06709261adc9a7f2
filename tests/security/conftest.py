"""Fixtures for security assurance, built through the services from real third-party data.

acme and globex (both on Business) each run a web deployment whose pip lockfile pins vulnerable Flask,
Django and Requests; acme also runs a batch deployment with flask-cors and pandas. The lockfiles are
uploaded first and osv-scanner's offline advisories imported after, so the import matches the portfolio
and sends each customer its notices, exactly as a fresh advisory would.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from ossdesk.accounts.actor import Actor, actor_for
from ossdesk.accounts.models import Role, User
from ossdesk.plans.services import subscription_update
from ossdesk.security import services
from tests.accounts.factories import SYSTEM, staff_user
from tests.products.factories import ProductFactory
from tests.security.factories import (
    ADVISORIES,
    BATCH_LOCKFILE,
    WEB_LOCKFILE,
    Security,
    make_deployment,
    upload,
)


@pytest.fixture
def analysts(staff: dict[str, User]) -> dict[str, User]:
    """Two security analysts (four eyes), the admin and an engineer."""
    return {
        "author": staff[Role.SECURITY_ANALYST],
        "reviewer": staff_user(Role.SECURITY_ANALYST),
        "admin": staff[Role.ADMIN],
        "engineer": staff[Role.ENGINEER],
    }


@pytest.fixture
def security(customers: dict[str, dict[str, Any]], analysts: dict[str, User]) -> Security:
    """acme and globex with deployments, lockfiles uploaded, the offline advisories imported."""
    product = ProductFactory(name="Storefront", slug="storefront")
    world: Security = {"product": product, **customers}
    for key, entry in customers.items():
        organization = entry["org"]
        subscription_update(actor=SYSTEM, subscription=organization.subscriptions.get(), deployments=5)
        entry["web"] = make_deployment(organization, f"{key}-web", product)
        entry["web_sbom"] = upload(entry["web"], WEB_LOCKFILE)
    acme = customers["acme"]
    acme["batch"] = make_deployment(acme["org"], "acme-batch", product)
    acme["batch_sbom"] = upload(acme["batch"], BATCH_LOCKFILE)
    world["import"] = services.advisories_import(actor=Actor.system("tests"), path=ADVISORIES)
    return world


@pytest.fixture
def client_of(api_client_for: Callable[[User], Any]) -> Callable[[Any], Any]:
    """An API client for a user or a contact (its user)."""

    def make(who: Any) -> Any:
        return api_client_for(getattr(who, "user", None) or who)

    return make


@pytest.fixture
def actor_of() -> Callable[[Any], Actor]:
    def make(who: Any) -> Actor:
        return actor_for(getattr(who, "user", None) or who)

    return make
