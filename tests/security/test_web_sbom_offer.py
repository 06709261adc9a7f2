"""No page offers a customer an SBOM upload that its plan then refuses: a plan without SBOM scanning is
told which plan includes it, wherever the upload would have been offered."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from ossdesk.customers.services import deployment_create
from tests.customers.factories import OrganizationFactory, contact_with_login
from tests.plans.factories import subscribe
from tests.products.factories import ProductFactory
from tests.security.web_fixtures import SYSTEM

PAGES = ("/security/", "/security/findings/", "/security/deployments/")
OFFER = re.compile(r">\s*Upload an SBOM or lockfile\s*</a>|upload its SBOM or lockfile")


def _customer_on(plan: Any, slug: str, *, with_deployment: bool) -> Client:
    organization = OrganizationFactory(name=slug.capitalize(), slug=slug)
    today = timezone.localdate()
    subscribe(organization, plan, starts_on=today - timedelta(days=1), ends_on=today + timedelta(days=30))
    if with_deployment:
        deployment_create(actor=SYSTEM, organization=organization, name="app", product=ProductFactory())
    client = Client()
    client.force_login(contact_with_login(organization, role="admin").user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("path", PAGES)
def test_starter_is_told_which_plan_includes_sbom_scanning(tiers: Any, path: str) -> None:
    client = _customer_on(tiers["starter"], "tiny", with_deployment=path != "/security/deployments/")
    text = client.get(path).content.decode()
    assert not OFFER.search(text)
    assert "Your plan does not include SBOM scanning (Starter); the Business plan does." in text
    assert 'href="/plans/"' in text


@pytest.mark.django_db
def test_starter_deployment_page_names_the_plan(tiers: Any) -> None:
    client = _customer_on(tiers["starter"], "tiny", with_deployment=True)
    deployment = client.get("/security/deployments/").content.decode()
    pk = re.search(r'href="/security/deployments/(\d+)/"', deployment).group(1)  # type: ignore[union-attr]
    text = client.get(f"/security/deployments/{pk}/").content.decode()
    assert "Your plan does not include SBOM scanning (Starter); the Business plan does." in text
    assert 'enctype="multipart/form-data"' not in text


@pytest.mark.django_db
@pytest.mark.parametrize("path", PAGES)
def test_business_is_offered_the_upload(tiers: Any, path: str) -> None:
    client = _customer_on(tiers["business"], "bigger", with_deployment=path != "/security/deployments/")
    text = client.get(path).content.decode()
    assert OFFER.search(text)
    assert "does not include SBOM scanning" not in text
