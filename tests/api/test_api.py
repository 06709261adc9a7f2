"""Each API endpoint as staff use it: writes with their audit entries, errors, lists, entitlements, tokens."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
import yaml
from django.utils import timezone
from rest_framework.test import APIClient

from ossdesk.accounts.actor import Actor
from ossdesk.accounts.models import ApiToken, Role, User
from ossdesk.accounts.services import api_token_create
from ossdesk.audit.models import AuditEntry
from ossdesk.customers.models import Contact, Organization
from ossdesk.plans.models import Agreement, Plan, Subscription
from ossdesk.plans.services import agreement_create
from ossdesk.products.models import Product, ProductVersion
from tests.accounts.factories import staff_user
from tests.customers.factories import OrganizationFactory, contact_with_login
from tests.plans.factories import subscribe
from tests.products.factories import ProductFactory

TODAY = timezone.localdate()
SYSTEM = Actor.system("tests")


def _day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


@pytest.fixture
def admin(db: Any) -> User:
    return staff_user(Role.ADMIN)  # one user, not the four of `staff`: most tests here need only this one


@pytest.fixture
def api(admin: User, api_client_for: Callable[[User], APIClient]) -> APIClient:
    return api_client_for(admin)


def _last_audit() -> AuditEntry:
    return AuditEntry.objects.order_by("-seq").first()


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            Organization,
            Contact,
            Subscription,
            Agreement,
            Plan,
            Product,
            ProductVersion,
            ApiToken,
            User,
            AuditEntry,
        )
    }


# --- create, update, delete, each with its audit entry ---------------------------------------------------


@dataclass(frozen=True)
class Crud:
    """A resource's write cycle: create, change one field, delete (when deletable)."""

    name: str
    object_type: str
    create: Callable[[dict[str, Any]], dict[str, Any]]
    field: str
    new_value: Any
    deletable: bool = True

    def __str__(self) -> str:
        return self.name


CRUD = [
    Crud(
        "organizations",
        "customers.organization",
        lambda w: {
            "name": "Initech",
            "country": "us",
            "timezone": "America/Chicago",
            "compliance_frameworks": ["PCI-DSS", "GDPR", "GDPR"],
        },
        "notes",
        "Renewal in March",
    ),
    Crud(
        "contacts",
        "customers.contact",
        lambda w: {
            "organization": w["org"].pk,
            "name": "Ada Lovelace",
            "email": "Ada@Initech.test",
            "role": "admin",
            "portal_access": True,
            "password": "analytical-engine",
        },
        "phone",
        "+49 30 1234567",
    ),
    Crud(
        "subscriptions",
        "plans.subscription",
        lambda w: {
            "organization": w["org"].pk,
            "plan": "starter",
            "starts_on": _day(0),
            "ends_on": _day(365),
            "products": [w["product"].pk],
        },
        "deployments",
        3,
    ),
    Crud(
        "agreements",
        "plans.agreement",
        lambda w: {
            "organization": w["org"].pk,
            "reference": "EA-2026-001",
            "starts_on": _day(0),
            "ends_on": _day(365),
            "overrides": {"severities": {"S1": {"first_response": "30m"}}},
            "account_manager": w["manager"].pk,
            "consulting_hours_bank": "12.50",
        },
        "currency",
        "USD",
    ),
    Crud(
        "plans",
        "plans.plan",
        lambda w: {
            "code": "platinum",
            "name": "Platinum",
            "rank": 40,
            "best_for": "Banks",
            "terms": w["tiers"]["enterprise"].terms,
        },
        "best_for",
        "Central banks",
        deletable=False,
    ),
    Crud(
        "products",
        "products.product",
        lambda w: {"name": "PostgreSQL", "ecosystem": "Debian", "homepage": "https://www.postgresql.org/"},
        "description",
        "The database",
    ),
    Crud(
        "product-versions",
        "products.productversion",
        lambda w: {
            "product": w["product"].pk,
            "version": "16",
            "released_on": "2023-09-14",
            "end_of_life_on": "2028-11-09",
        },
        "end_of_support_on",
        "2028-11-09",
    ),
]


@pytest.fixture
def scene(tiers: dict[str, Plan]) -> dict[str, Any]:
    organization = OrganizationFactory(name="Initech", slug="initech-existing")
    organization.name = "Initech Holdings"
    organization.save()
    subscribe(
        organization,
        tiers["business"],
        starts_on=TODAY - timedelta(days=1),
        ends_on=TODAY + timedelta(days=364),
    )
    return {
        "org": organization,
        "tiers": tiers,
        "manager": staff_user(Role.ACCOUNT_MANAGER),
        "product": ProductFactory(name="Kafka"),
    }


@pytest.mark.parametrize("crud", CRUD, ids=str)
def test_write_cycle_is_audited(crud: Crud, scene: dict[str, Any], admin: User, api: APIClient) -> None:
    url = f"/api/{crud.name}/"
    payload = crud.create(scene)

    created = api.post(url, payload)

    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    entry = _last_audit()
    assert (entry.actor_id, entry.actor_label, entry.action) == (admin.pk, admin.username, "create")
    assert (entry.object_type, entry.object_id, entry.before) == (crud.object_type, str(pk), None)
    assert entry.after["id"] == pk
    assert api.get(f"{url}{pk}/").json() == created.json()
    old_value = created.json()[crud.field]

    changed = api.patch(f"{url}{pk}/", {crud.field: crud.new_value})

    assert changed.status_code == 200, changed.json()
    assert changed.json()[crud.field] == crud.new_value
    entry = _last_audit()
    assert (entry.actor_label, entry.action, entry.object_id) == (admin.username, "update", str(pk))
    assert entry.before[crud.field] == old_value
    assert entry.after[crud.field] == crud.new_value

    deleted = api.delete(f"{url}{pk}/")

    if not crud.deletable:
        assert deleted.status_code == 405
        return
    assert deleted.status_code == 204
    assert api.get(f"{url}{pk}/").status_code == 404
    entry = _last_audit()
    assert (entry.actor_label, entry.action, entry.object_id, entry.after) == (
        admin.username,
        "delete",
        str(pk),
        None,
    )
    assert entry.before[crud.field] == crud.new_value


def test_created_organization_is_normalised(scene: dict[str, Any], api: APIClient) -> None:
    body = api.post("/api/organizations/", CRUD[0].create(scene)).json()
    assert (body["slug"], body["country"], body["compliance_frameworks"]) == (
        "initech",
        "US",
        ["GDPR", "PCI-DSS"],
    )
    entry = _last_audit()
    assert entry.organization_id == body["id"]
    assert entry.after["name"] == "Initech"


def test_contact_with_portal_access_can_sign_in(scene: dict[str, Any], api: APIClient, client: Any) -> None:
    body = api.post("/api/contacts/", CRUD[1].create(scene)).json()
    assert (body["email"], body["portal_access"], body["organization"]) == (
        "ada@initech.test",
        True,
        scene["org"].pk,
    )
    assert "password" not in body
    assert client.login(username="ada@initech.test", password="analytical-engine")
    assert _last_audit().organization_id == scene["org"].pk


def test_account_manager_writes_are_audited_under_their_name(
    staff: dict[str, User], tiers: Any, api_client_for: Any
) -> None:
    manager = staff[Role.ACCOUNT_MANAGER]
    response = api_client_for(manager).post("/api/organizations/", {"name": "Hooli", "country": "US"})
    assert response.status_code == 201
    entry = _last_audit()
    assert (entry.actor_id, entry.actor_label, entry.object_repr) == (manager.pk, manager.username, "Hooli")


# --- errors: JSON with field messages, nothing written ----------------------------------------------------


def _agreement(**changes: Any) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda s: {
        "organization": s["org"].pk,
        "reference": "EA-BAD",
        "starts_on": _day(0),
        "ends_on": _day(365),
        **changes,
    }


BAD_INPUT = [
    (
        "country-digits",
        "organizations",
        lambda s: {"name": "Initech", "country": "1A"},
        "country",
        "two-letter",
    ),
    ("country-unknown", "organizations", lambda s: {"name": "Initech", "country": "ZZ"}, "country", "ZZ"),
    (
        "country-too-long",
        "organizations",
        lambda s: {"name": "Initech", "country": "DEU"},
        "country",
        "2 characters",
    ),
    (
        "timezone",
        "organizations",
        lambda s: {"name": "Initech", "country": "DE", "timezone": "Mars/Olympus"},
        "timezone",
        "Mars/Olympus",
    ),
    (
        "framework",
        "organizations",
        lambda s: {"name": "Initech", "country": "DE", "compliance_frameworks": ["GDPR", "SOX"]},
        "compliance_frameworks",
        '1: "SOX" is not a valid choice.',
    ),
    (
        "duplicate-name",
        "organizations",
        lambda s: {"name": "Initech Holdings", "country": "DE"},
        "name",
        "already exists",
    ),
    (
        "contact-email",
        "contacts",
        lambda s: {"organization": s["org"].pk, "name": "X", "email": "not-mail"},
        "email",
        "valid email",
    ),
    (
        "contact-role",
        "contacts",
        lambda s: {"organization": s["org"].pk, "name": "X", "email": "x@initech.test", "role": "owner"},
        "role",
        "owner",
    ),
    (
        "subscription-period",
        "subscriptions",
        lambda s: {"organization": s["org"].pk, "plan": "starter", "starts_on": _day(10), "ends_on": _day(9)},
        "ends_on",
        "ends before it starts",
    ),
    (
        "subscription-plan",
        "subscriptions",
        lambda s: {"organization": s["org"].pk, "plan": "platinum", "starts_on": _day(0), "ends_on": _day(9)},
        "plan",
        "platinum",
    ),
    (
        "subscription-community",
        "subscriptions",
        lambda s: {
            "organization": s["org"].pk,
            "plan": "community",
            "starts_on": _day(0),
            "ends_on": _day(9),
        },
        "plan",
        "Community",
    ),
    ("agreement-period", "agreements", _agreement(ends_on=_day(-1)), "ends_on", "ends before it starts"),
    (
        "agreement-duration",
        "agreements",
        _agreement(overrides={"severities": {"S1": {"first_response": "15x"}}}),
        "overrides",
        "severities.S1.first_response: '15x' is not a duration",
    ),
    (
        "agreement-term",
        "agreements",
        _agreement(overrides={"free_lunch": True}),
        "overrides",
        "free_lunch: is not a plan term",
    ),
    (
        "agreement-coverage",
        "agreements",
        _agreement(overrides={"severities": {"S2": {"coverage": "always"}}}),
        "overrides",
        "severities.S2.coverage",
    ),
    (
        "plan-terms",
        "plans",
        lambda s: {"code": "gold", "name": "Gold", "rank": 50, "terms": {"sla": "yes"}},
        "terms",
        "is required",
    ),
    (
        "product-version-order",
        "product-versions",
        lambda s: {
            "product": s["product"].pk,
            "version": "1",
            "released_on": "2024-01-01",
            "end_of_life_on": "2023-01-01",
        },
        "end_of_life_on",
        "before the release",
    ),
]


@pytest.mark.parametrize(
    ("resource", "payload", "field", "fragment"),
    [case[1:] for case in BAD_INPUT],
    ids=[case[0] for case in BAD_INPUT],
)
def test_bad_input_names_the_field_and_writes_nothing(
    resource: str, payload: Any, field: str, fragment: str, scene: dict[str, Any], api: APIClient
) -> None:
    before = _counts()

    response = api.post(f"/api/{resource}/", payload(scene))

    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert body["detail"] == "Invalid input."
    assert list(body["errors"]) == [field]
    messages = body["errors"][field]
    assert isinstance(messages, list)
    assert all(isinstance(m, str) for m in messages)
    assert any(fragment in m for m in messages), messages
    assert _counts() == before


def test_bad_update_writes_nothing(scene: dict[str, Any], api: APIClient) -> None:
    organization = scene["org"]
    before = (_counts(), Organization.objects.filter(pk=organization.pk).values().get())
    response = api.patch(
        f"/api/organizations/{organization.pk}/", {"timezone": "Nowhere/Special", "country": "XX"}
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"timezone", "country"}
    assert (_counts(), Organization.objects.filter(pk=organization.pk).values().get()) == before


def test_agreement_update_with_bad_override_writes_nothing(
    customers: Any, system_actor: Any, api: APIClient
) -> None:
    agreement = agreement_create(
        actor=system_actor,
        organization=customers["acme"]["org"],
        reference="EA-1",
        starts_on=TODAY,
        ends_on=TODAY + timedelta(days=30),
        overrides={"named_contacts": 10},
    )
    before = _counts()
    response = api.patch(
        f"/api/agreements/{agreement.pk}/", {"overrides": {"severities": {"S1": {"first_response": "15x"}}}}
    )
    assert response.status_code == 400
    assert any("severities.S1.first_response" in m for m in response.json()["errors"]["overrides"])
    agreement.refresh_from_db()
    assert agreement.overrides == {"named_contacts": 10}
    assert _counts() == before


def test_missing_fields_are_named(api: APIClient, db: Any) -> None:
    response = api.post("/api/organizations/", {})
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "name": ["This field is required."],
        "country": ["This field is required."],
    }


def test_unknown_object_is_json_404(api: APIClient, db: Any) -> None:
    response = api.get("/api/organizations/999999/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


# --- lists: pagination, filtering, ordering ---------------------------------------------------------------


@pytest.fixture
def many_organizations(db: Any) -> int:
    Organization.objects.bulk_create(
        Organization(
            name=f"Org {i:04d}",
            slug=f"org-{i:04d}",
            country="DE" if i % 2 else "FR",
            timezone="Europe/Berlin",
            compliance_frameworks=["HIPAA"] if i % 5 == 0 else [],
        )
        for i in range(510)
    )
    return 510


def test_pagination_defaults_and_links(many_organizations: int, api: APIClient) -> None:
    body = api.get("/api/organizations/").json()
    assert body["count"] == many_organizations
    assert len(body["results"]) == 50
    assert body["previous"] is None
    assert body["next"].endswith("/api/organizations/?page=2")
    assert body["results"][0]["name"] == "Org 0000"

    page = api.get("/api/organizations/", {"page_size": 3, "page": 2}).json()
    assert [o["name"] for o in page["results"]] == ["Org 0003", "Org 0004", "Org 0005"]
    assert "page=3" in page["next"]
    assert "page_size=3" in page["next"]


def test_page_size_is_capped_at_500(many_organizations: int, api: APIClient) -> None:
    body = api.get("/api/organizations/", {"page_size": 10_000}).json()
    assert body["count"] == many_organizations
    assert len(body["results"]) == 500
    assert body["next"] is not None


def test_page_past_the_end_is_404(many_organizations: int, api: APIClient) -> None:
    assert api.get("/api/organizations/", {"page": 99}).status_code == 404


def test_filter_and_order_organizations(many_organizations: int, api: APIClient) -> None:
    names = [o["name"] for o in api.get("/api/organizations/", {"ordering": "-name"}).json()["results"]]
    assert names[:3] == ["Org 0509", "Org 0508", "Org 0507"]

    french = api.get("/api/organizations/", {"country": "FR", "page_size": 500}).json()
    assert french["count"] == 255
    assert {o["country"] for o in french["results"]} == {"FR"}

    hipaa = api.get("/api/organizations/", {"framework": "HIPAA", "page_size": 500}).json()
    assert hipaa["count"] == 102
    assert all(o["compliance_frameworks"] == ["HIPAA"] for o in hipaa["results"])

    found = api.get("/api/organizations/", {"search": "042"}).json()
    assert [o["name"] for o in found["results"]] == ["Org 0042"] + [f"Org 042{i}" for i in range(10)]


def test_filter_and_order_contacts(customers: Any, api: APIClient) -> None:
    acme = customers["acme"]
    admins = api.get("/api/contacts/", {"role": "admin"}).json()["results"]
    assert {c["email"] for c in admins} == {customers[k]["admin"].email for k in ("acme", "globex")}

    emails = [c["email"] for c in api.get("/api/contacts/", {"ordering": "-email"}).json()["results"]]
    # Compared with the database's own order: PostgreSQL's collation need not sort like Python.
    assert emails == list(Contact.objects.order_by("-email").values_list("email", flat=True))
    assert emails != list(Contact.objects.order_by("name").values_list("email", flat=True))
    assert len(emails) == 4

    of_acme = api.get("/api/contacts/", {"organization": acme["org"].pk}).json()["results"]
    assert {c["id"] for c in of_acme} == {acme["admin"].pk, acme["contact"].pk}

    contact_with_login(acme["org"], named=False)
    unnamed = api.get("/api/contacts/", {"is_named": "false"}).json()["results"]
    assert [c["is_named"] for c in unnamed] == [False]


def test_filter_subscriptions_by_plan(customers: Any, tiers: Any, api: APIClient) -> None:
    subscribe(
        customers["acme"]["org"],
        tiers["starter"],
        starts_on=TODAY - timedelta(days=400),
        ends_on=TODAY - timedelta(days=35),
    )
    body = api.get("/api/subscriptions/", {"plan": tiers["starter"].pk}).json()
    assert [(s["organization"], s["plan"]) for s in body["results"]] == [
        (customers["acme"]["org"].pk, "starter")
    ]
    ordered = api.get("/api/subscriptions/", {"ordering": "starts_on"}).json()["results"]
    assert ordered[0]["plan"] == "starter"


# --- entitlements ------------------------------------------------------------------------------------------


def _entitlements(api: APIClient, organization: Organization, **params: str) -> Any:
    return api.get(f"/api/organizations/{organization.pk}/entitlements/", params)


def test_entitlements_without_subscription_are_community(tiers: Any, api: APIClient) -> None:
    body = _entitlements(api, OrganizationFactory()).json()
    assert (body["plan"]["code"], body["source"], body["subscription"], body["agreement"]) == (
        "community",
        "fallback",
        None,
        None,
    )
    assert body["sla"] is False
    assert body["severities"]["S1"]["first_response"] is None
    assert body["named_contacts"] == 0


def test_expired_subscription_falls_back_to_community(tiers: Any, api: APIClient) -> None:
    organization = OrganizationFactory()
    subscribe(
        organization,
        tiers["enterprise"],
        starts_on=TODAY - timedelta(days=400),
        ends_on=TODAY - timedelta(days=2),
    )
    assert _entitlements(api, organization).json()["plan"]["code"] == "community"


def test_subscription_in_force_gives_its_plan(customers: Any, api: APIClient) -> None:
    body = _entitlements(api, customers["acme"]["org"]).json()
    assert (body["plan"]["code"], body["source"], body["label"]) == ("business", "subscription", "Business")
    assert body["severities"]["S1"] == {
        "definition": "Production down or data at risk",
        "coverage": "24x7",
        "first_response": "1h",
        "update_cadence": "4h",
        "workaround": "24h",
        "resolution": None,
    }
    assert body["named_contacts"] == 5
    assert "phone" in body["channels"]


def test_agreement_overrides_win(customers: Any, system_actor: Any, staff: Any, api: APIClient) -> None:
    organization = customers["acme"]["org"]
    agreement_create(
        actor=system_actor,
        organization=organization,
        reference="EA-ACME",
        starts_on=TODAY - timedelta(days=1),
        ends_on=TODAY + timedelta(days=30),
        account_manager=staff[Role.ACCOUNT_MANAGER],
        overrides={
            "severities": {"S1": {"first_response": "15m"}},
            "named_contacts": None,
            "features": ["compliance_reports"],
        },
    )
    body = _entitlements(api, organization).json()
    assert (body["plan"]["code"], body["source"]) == ("business", "agreement")
    assert body["label"] == "Business (agreement EA-ACME)"
    assert body["agreement"]["reference"] == "EA-ACME"
    assert body["agreement"]["account_manager"] == str(staff[Role.ACCOUNT_MANAGER])
    assert body["severities"]["S1"]["first_response"] == "15m"
    assert body["severities"]["S2"]["first_response"] == "4bh"  # not overridden: the plan's
    assert body["named_contacts"] is None
    assert body["features"] == ["compliance_reports"]


def test_entitlements_at_a_past_instant(tiers: Any, api: APIClient) -> None:
    organization = OrganizationFactory()
    subscribe(
        organization,
        tiers["starter"],
        starts_on=TODAY - timedelta(days=400),
        ends_on=TODAY - timedelta(days=100),
    )
    subscribe(
        organization,
        tiers["enterprise"],
        starts_on=TODAY - timedelta(days=99),
        ends_on=TODAY + timedelta(days=200),
    )
    past = (timezone.now() - timedelta(days=200)).isoformat()
    long_ago = (timezone.now() - timedelta(days=800)).isoformat()

    assert _entitlements(api, organization).json()["plan"]["code"] == "enterprise"
    earlier = _entitlements(api, organization, at=past).json()
    assert earlier["plan"]["code"] == "starter"
    assert earlier["at"] == past
    assert _entitlements(api, organization, at=long_ago).json()["plan"]["code"] == "community"


@pytest.mark.parametrize(
    "at", ["yesterday", "2026-01-31T12:00", "2026-13-45T00:00Z", "2026-02-30T10:00+00:00"]
)
def test_bad_at_is_400_with_a_field_message(at: str, customers: Any, api: APIClient) -> None:
    response = _entitlements(api, customers["acme"]["org"], at=at)
    assert response.status_code == 400
    assert response.json()["detail"] == "Invalid input."
    assert "ISO 8601" in response.json()["errors"]["at"][0]


# --- seats -----------------------------------------------------------------------------------------------


@pytest.fixture
def starter_customer(tiers: Any) -> Organization:
    organization = OrganizationFactory(name="Tiny", slug="tiny")
    subscribe(
        organization,
        tiers["starter"],
        starts_on=TODAY - timedelta(days=10),
        ends_on=TODAY + timedelta(days=300),
    )
    contact_with_login(organization, role="admin")
    contact_with_login(organization)
    return organization


def test_third_named_contact_on_starter_is_refused(starter_customer: Organization, api: APIClient) -> None:
    before = _counts()
    response = api.post(
        "/api/contacts/",
        {"organization": starter_customer.pk, "name": "Third Person", "email": "third@tiny.test"},
    )
    assert response.status_code == 403
    body = response.json()
    assert (body["code"], body["allowed_by"]) == ("named_contact_seats", "Business")
    assert body["detail"] == (
        "Starter allows 2 named contacts and Tiny already has 2. The Business plan allows it."
    )
    assert _counts() == before


def test_unnamed_contact_needs_no_seat(starter_customer: Organization, api: APIClient) -> None:
    response = api.post(
        "/api/contacts/",
        {
            "organization": starter_customer.pk,
            "name": "Observer",
            "email": "observer@tiny.test",
            "is_named": False,
        },
    )
    assert response.status_code == 201
    assert Contact.objects.filter(organization=starter_customer).count() == 3


def test_making_a_contact_named_needs_a_seat(starter_customer: Organization, api: APIClient) -> None:
    observer = contact_with_login(starter_customer, named=False)
    response = api.patch(f"/api/contacts/{observer.pk}/", {"is_named": True})
    assert response.status_code == 403
    assert response.json()["code"] == "named_contact_seats"
    observer.refresh_from_db()
    assert observer.is_named is False


def test_customer_admin_is_refused_the_seat_too(starter_customer: Organization, api_client_for: Any) -> None:
    customer_admin = starter_customer.contacts.get(role="admin").user
    response = api_client_for(customer_admin).post(
        "/api/contacts/",
        {"organization": starter_customer.pk, "name": "Third Person", "email": "third@tiny.test"},
    )
    assert response.status_code == 403
    assert response.json()["allowed_by"] == "Business"
    assert Contact.objects.filter(organization=starter_customer).count() == 2


# --- tokens and authentication ----------------------------------------------------------------------------


def test_token_key_is_shown_once(admin: User, api: APIClient) -> None:
    created = api.post("/api/tokens/", {"name": "CI"})
    assert created.status_code == 201
    key = created.json()["key"]
    assert key.startswith(f"osd_{created.json()['prefix']}_")
    assert ApiToken.objects.get(pk=created.json()["id"]).key_hash == ApiToken.hash_key(key)

    listing = api.get("/api/tokens/")
    assert created.json()["id"] in {t["id"] for t in listing.json()["results"]}
    assert all("key" not in t for t in listing.json()["results"])
    assert key.encode() not in listing.content
    assert key.encode() not in api.get(f"/api/tokens/{created.json()['id']}/").content

    fresh = APIClient()
    fresh.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert fresh.get("/api/me").json()["username"] == admin.username
    entry = _last_audit()
    assert (entry.action, entry.object_type, entry.actor_label) == (
        "create",
        "accounts.apitoken",
        admin.username,
    )
    assert "key_hash" not in entry.after


def test_token_needs_a_name(api: APIClient) -> None:
    response = api.post("/api/tokens/", {"name": ""})
    assert response.status_code == 400
    assert "name" in response.json()["errors"]


def test_tokens_list_only_your_own(admin: User, staff: Any, api: APIClient) -> None:
    other, _ = api_token_create(actor=SYSTEM, user=staff[Role.ENGINEER], name="theirs")
    ids = {t["id"] for t in api.get("/api/tokens/").json()["results"]}
    assert other.pk not in ids
    assert api.get(f"/api/tokens/{other.pk}/").status_code == 404
    assert api.delete(f"/api/tokens/{other.pk}/").status_code == 404
    other.refresh_from_db()
    assert other.revoked_at is None


def _client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_revoked_token_is_401(admin: User, api: APIClient) -> None:
    token, key = api_token_create(actor=SYSTEM, user=admin, name="to revoke")
    assert _client(key).get("/api/me").status_code == 200
    assert api.delete(f"/api/tokens/{token.pk}/").status_code == 204
    token.refresh_from_db()
    assert token.revoked_at is not None
    response = _client(key).get("/api/me")
    assert response.status_code == 401
    assert response.json()["detail"] == "Invalid, expired or revoked token."
    assert response["WWW-Authenticate"] == "Token"


def test_expired_token_is_401(admin: User) -> None:
    _, key = api_token_create(
        actor=SYSTEM, user=admin, name="old", expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert _client(key).get("/api/organizations/").status_code == 401


def test_token_of_deactivated_user_is_401(admin: User) -> None:
    _, key = api_token_create(actor=SYSTEM, user=admin, name="leaver")
    User.objects.filter(pk=admin.pk).update(is_active=False)
    assert _client(key).get("/api/me").status_code == 401


@pytest.mark.parametrize(
    "header", ["Token osd_deadbeef_notarealkey", "Token garbage", "Bearer osd_", "Token "]
)
def test_garbage_token_is_401(header: str, db: Any) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/organizations/")
    assert response.status_code == 401
    assert "detail" in response.json()


def test_tampered_token_is_401(admin: User) -> None:
    _, key = api_token_create(actor=SYSTEM, user=admin, name="real")
    assert _client(key[:-1] + ("A" if key[-1] != "A" else "B")).get("/api/me").status_code == 401


@pytest.mark.parametrize(
    "path", ["/api/organizations/", "/api/contacts/", "/api/me", "/api/tokens/", "/api/plans/"]
)
def test_no_credentials_is_refused(path: str, db: Any) -> None:
    response = APIClient().get(path)
    assert response.status_code in {401, 403}
    assert response.json()["detail"] == "Authentication credentials were not provided."


def test_me(admin: User, api: APIClient, customers: Any, api_client_for: Any) -> None:
    assert api.get("/api/me").json() == {
        "id": admin.pk,
        "username": admin.username,
        "name": str(admin),
        "email": admin.email,
        "role": "admin",
        "organization": None,
    }
    contact = customers["globex"]["contact"]
    me = api_client_for(contact.user).get("/api/me").json()
    assert (me["role"], me["organization"], me["email"]) == (
        "customer",
        customers["globex"]["org"].pk,
        contact.email,
    )


# --- health, schema, docs ----------------------------------------------------------------------------------


def test_health_needs_no_sign_in(db: Any) -> None:
    response = APIClient().get("/api/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["queue"]["ok"] is True
    assert body["database"]["vendor"] in {"sqlite", "postgresql"}


EXPECTED_PATHS = [
    "/api/organizations/",
    "/api/organizations/{id}/",
    "/api/organizations/{id}/entitlements/",
    "/api/contacts/",
    "/api/contacts/{id}/",
    "/api/subscriptions/",
    "/api/agreements/",
    "/api/plans/",
    "/api/products/",
    "/api/product-versions/",
    "/api/tokens/",
    "/api/me",
    "/api/health",
]


def test_schema_is_openapi_3(api: APIClient) -> None:
    as_yaml = api.get("/api/schema/")
    assert as_yaml.status_code == 200
    document = yaml.safe_load(as_yaml.content)
    as_json = api.get("/api/schema/", {"format": "json"})
    assert as_json["Content-Type"].startswith("application/vnd.oai.openapi+json")
    assert json.loads(as_json.content) == document
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "ossdesk API"
    for path in EXPECTED_PATHS:
        assert path in document["paths"], path
    assert set(document["paths"]["/api/organizations/{id}/"]) >= {"get", "put", "patch", "delete"}
    assert "at" in {
        p["name"] for p in document["paths"]["/api/organizations/{id}/entitlements/"]["get"]["parameters"]
    }


class _AssetCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "link"}:
            self.scripts += tag == "script"
            self.urls += [value or "" for name, value in attrs if name in {"src", "href"}]


def test_docs_use_only_local_assets(api: APIClient) -> None:
    response = api.get("/api/docs/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    collector = _AssetCollector()
    collector.feed(response.content.decode())
    assert collector.scripts >= 1
    assert any("swagger-ui" in url for url in collector.urls)
    for url in collector.urls:
        assert "http" not in url, url
        assert url.startswith("/static/"), url


def test_docs_assets_are_served(api: APIClient, client: Any) -> None:
    collector = _AssetCollector()
    collector.feed(api.get("/api/docs/").content.decode())
    bundle = next(url for url in collector.urls if url.endswith(".js"))
    response = client.get(bundle)
    assert response.status_code == 200
    assert b"".join(response.streaming_content)


def test_schema_is_generated_once_without_warnings_or_errors(api: APIClient, monkeypatch: Any) -> None:
    from drf_spectacular.drainage import GENERATOR_STATS

    from ossdesk.web.schema_view import CachedSchemaView

    monkeypatch.setattr(CachedSchemaView, "generated", {})
    GENERATOR_STATS.reset()
    first = api.get("/api/schema/", {"format": "json"})
    assert first.status_code == 200
    assert not GENERATOR_STATS  # no "unable to guess serializer", no enum naming collision
    (kept,) = CachedSchemaView.generated.values()
    kept["info"]["x-marker"] = "kept"  # the second answer must be this very document, not a new one
    second = api.get("/api/schema/", {"format": "json"})
    assert json.loads(second.content) == {**json.loads(first.content), "info": kept["info"]}
    assert json.loads(second.content)["info"]["x-marker"] == "kept"
