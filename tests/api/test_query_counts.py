"""Every list endpoint answers in a constant number of queries, however many rows it lists (no N+1)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from itertools import count
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ossdesk.accounts.models import ApiToken, Role, User
from ossdesk.customers.models import Contact, Deployment, Organization
from ossdesk.plans.models import Agreement, Plan, Subscription
from ossdesk.products.models import ProductVersion
from ossdesk.security.models import Advisory, Finding, Notice, Sbom, VendorAdvisory, VexStatement
from tests.customers.factories import OrganizationFactory
from tests.products.factories import ProductFactory

TODAY = timezone.localdate()
_serial = count(1)

Populate = Callable[[int, dict[str, Any], Organization | None], None]


def _org(org: Organization | None, ctx: dict[str, Any]) -> Organization:
    return org or OrganizationFactory(account_manager=ctx["manager"])


def _organizations(n: int, ctx: dict[str, Any], org: Organization | None) -> None:
    for _ in range(n):
        organization = _org(None, ctx)
        for _ in range(2):
            i = next(_serial)
            Contact.objects.create(organization=organization, name=f"P {i}", email=f"p{i}@q.test")


def _contacts(n: int, ctx: dict[str, Any], org: Organization | None) -> None:
    for _ in range(n):
        i = next(_serial)
        user = User.objects.create(username=f"qc{i}", email=f"qc{i}@q.test", role=Role.CUSTOMER)
        Contact.objects.create(organization=_org(org, ctx), user=user, name=f"Q {i}", email=f"qc{i}@q.test")


def _subscriptions(n: int, ctx: dict[str, Any], org: Organization | None) -> None:
    for _ in range(n):
        subscription = Subscription.objects.create(
            organization=_org(org, ctx),
            plan=ctx["tiers"]["starter"],
            starts_on=TODAY,
            ends_on=TODAY + timedelta(days=30),
        )
        subscription.products.set([ProductFactory(), ProductFactory()])


def _agreements(n: int, ctx: dict[str, Any], org: Organization | None) -> None:
    for _ in range(n):
        Agreement.objects.create(
            organization=_org(org, ctx),
            reference=f"EA-Q-{next(_serial)}",
            starts_on=TODAY,
            ends_on=TODAY + timedelta(days=30),
            account_manager=ctx["manager"],
        )


def _plans(n: int, ctx: dict[str, Any], org: Organization | None) -> None:
    for _ in range(n):
        i = next(_serial)
        Plan.objects.create(
            code=f"plan-{i}", name=f"Plan {i}", rank=100 + i, terms=ctx["tiers"]["business"].terms
        )


def _products(n: int, ctx: dict[str, Any], org: Organization | None) -> None:
    for _ in range(n):
        product = ProductFactory()
        ProductVersion.objects.bulk_create(ProductVersion(product=product, version=v) for v in ("1", "2"))


def _product_versions(n: int, ctx: dict[str, Any], org: Organization | None) -> None:
    for _ in range(n):
        ProductVersion.objects.create(product=ProductFactory(), version="1.0")


def _tokens(n: int, ctx: dict[str, Any], org: Organization | None) -> None:
    for _ in range(n):
        i = next(_serial)
        ApiToken.objects.create(user=ctx["reader"], name=f"t{i}", prefix=f"q{i:07d}", key_hash="0" * 64)


def _deployment(org: Organization | None, ctx: dict[str, Any]) -> Deployment:
    product = ProductFactory()
    return Deployment.objects.create(
        organization=_org(org, ctx),
        name=f"d{next(_serial)}",
        product=product,
        version=ProductVersion.objects.create(product=product, version="1.0"),
    )


def _advisory() -> Advisory:
    return Advisory.objects.create(
        osv_id=f"Q-{next(_serial)}", modified=timezone.now(), record={}, digest="0" * 64, severity="high"
    )


def _deployments(n: int, ctx: dict[str, Any], org: Organization | None) -> None:
    for _ in range(n):
        _deployment(org, ctx)


def _sboms(n: int, ctx: dict[str, Any], org: Organization | None) -> None:
    for _ in range(n):
        Sbom.objects.create(
            deployment=_deployment(org, ctx),
            filename="requirements.txt",
            format="pip requirements",
            sha256="0" * 64,
            size=10,
            file="sboms/q.txt",
            uploaded_by=ctx["reader"],
            uploaded_at=timezone.now(),
        )


def _advisories(n: int, ctx: dict[str, Any], org: Organization | None) -> None:
    for _ in range(n):
        _advisory()


def _findings(n: int, ctx: dict[str, Any], org: Organization | None) -> None:
    for _ in range(n):
        deployment = _deployment(org, ctx)
        Finding.objects.create(
            organization=deployment.organization,
            deployment=deployment,
            advisory=_advisory(),
            ecosystem="PyPI",
            name="flask",
            name_key="flask",
            version="1.0",
            detected_at=timezone.now(),
            due_at=timezone.now() + timedelta(days=30),
            window_days=30,
        )


def _vex(n: int, ctx: dict[str, Any], org: Organization | None) -> None:
    for _ in range(n):
        deployment = _deployment(org, ctx)
        VexStatement.objects.create(
            organization=deployment.organization,
            deployment=deployment,
            vulnerability=f"CVE-2026-{next(_serial)}",
            product="pkg:pypi/flask",
            status="fixed",
            author=ctx["reader"],
            created_at=timezone.now(),
        )


def _vendor_advisories(n: int, ctx: dict[str, Any], org: Organization | None) -> None:
    for _ in range(n):
        now = timezone.now()
        VendorAdvisory.objects.create(
            tracking_id=f"OSSDESK-Q-{next(_serial)}",
            title="Q",
            summary="Q",
            product=ProductFactory(),
            ecosystem="PyPI",
            package="flask",
            ranges=[{"introduced": "0", "fixed": "2.0"}],
            author=ctx["manager"],
            reviewer=ctx["reader"],
            created_at=now,
            modified_at=now,
        )


def _notices(n: int, ctx: dict[str, Any], org: Organization | None) -> None:
    for _ in range(n):
        Notice.objects.create(
            advisory=_advisory(),
            organization=_org(org, ctx),
            severity="high",
            deployments=["d"],
            findings=1,
            created_at=timezone.now(),
            acknowledged_at=timezone.now(),
            acknowledged_by=ctx["reader"],
        )


LIST_ENDPOINTS: list[tuple[str, Populate]] = [
    ("organizations", _organizations),
    ("contacts", _contacts),
    ("subscriptions", _subscriptions),
    ("agreements", _agreements),
    ("plans", _plans),
    ("products", _products),
    ("product-versions", _product_versions),
    ("tokens", _tokens),
    ("deployments", _deployments),
    ("sboms", _sboms),
    ("advisories", _advisories),
    ("findings", _findings),
    ("vex", _vex),
    ("vendor-advisories", _vendor_advisories),
    ("notices", _notices),
]
# Lists a customer sees, scoped to their own organisation.
CUSTOMER_LIST_ENDPOINTS = [
    e
    for e in LIST_ENDPOINTS
    if e[0]
    in {
        "contacts",
        "subscriptions",
        "agreements",
        "tokens",
        "deployments",
        "sboms",
        "findings",
        "vex",
        "notices",
    }
]


@pytest.fixture(autouse=True)
def _ossdesk_settings(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _assert_constant(client: Any, url: str, populate: Callable[[int], None], assert_num_queries: Any) -> None:
    populate(3)
    client.get(url)  # the first use of a token records when it was used: one extra query, once
    with CaptureQueriesContext(connection) as few:
        response = client.get(url)
    assert response.status_code == 200
    first = response.json()["count"]
    assert first >= 3

    populate(10)
    with assert_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.json()["count"] == first + 10
    assert len(response.json()["results"]) == min(first + 10, 50)


@pytest.mark.parametrize(("name", "populate"), LIST_ENDPOINTS, ids=[e[0] for e in LIST_ENDPOINTS])
def test_staff_list_query_count_is_constant(
    name: str, populate: Populate, tiers: Any, staff: Any, api_client_for: Any, django_assert_num_queries: Any
) -> None:
    ctx = {"tiers": tiers, "manager": staff[Role.ACCOUNT_MANAGER], "reader": staff[Role.ENGINEER]}
    client = api_client_for(ctx["reader"])
    _assert_constant(client, f"/api/{name}/", lambda n: populate(n, ctx, None), django_assert_num_queries)


@pytest.mark.parametrize(
    ("name", "populate"), CUSTOMER_LIST_ENDPOINTS, ids=[e[0] for e in CUSTOMER_LIST_ENDPOINTS]
)
def test_customer_list_query_count_is_constant(
    name: str,
    populate: Populate,
    customers: Any,
    tiers: Any,
    staff: Any,
    api_client_for: Any,
    django_assert_num_queries: Any,
) -> None:
    acme = customers["acme"]
    ctx = {"tiers": tiers, "manager": staff[Role.ACCOUNT_MANAGER], "reader": acme["admin"].user}
    client = api_client_for(ctx["reader"])
    _assert_constant(
        client, f"/api/{name}/", lambda n: populate(n, ctx, acme["org"]), django_assert_num_queries
    )
