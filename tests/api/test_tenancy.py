"""The tenancy matrix: no API endpoint and no web page returns or changes another organisation's objects.

Guessed ids, lists, filters, search and nested objects, as acme's customer admin and as acme's plain
contact. Another organisation's object answers exactly like a missing one (404, never 403). Each
tenant resource is one `Resource` line; a new router endpoint must be classified in `ENDPOINT_KINDS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.db.models import Model, QuerySet
from django.forms.models import model_to_dict
from django.utils import timezone

from ossdesk.accounts.models import Role
from ossdesk.audit.models import AuditEntry
from ossdesk.customers.models import Contact, Deployment, Organization
from ossdesk.customers.services import deployment_create
from ossdesk.plans.models import Agreement, Plan, Subscription
from ossdesk.products.models import Product
from ossdesk.web.api_urls import router
from tests.accounts.factories import SYSTEM
from tests.products.factories import ProductFactory

World = dict[str, dict[str, Any]]
CUSTOMER_ROLES = ["admin", "contact"]
TODAY = timezone.localdate()


def _day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


def _product() -> int:
    return Product.objects.get(slug="tenancy-product").pk


@dataclass(frozen=True)
class Resource:
    """One tenant-scoped API resource and how to aim each kind of request at an organisation's objects."""

    name: str
    model: type[Model]
    of: Callable[[Organization], QuerySet[Any]]
    # Query parameters that select globex's objects (staff get them back; acme must get none).
    filter_other: Callable[[World], dict[str, Any]]
    # A `?search=` term that finds globex's object for staff; None when the endpoint has no search.
    search_other: Callable[[World], str] | None
    patch: dict[str, Any]
    put: Callable[[Organization], dict[str, Any]]
    # A valid create payload for an organisation; None when creating is not scoped by organisation.
    create: Callable[[Organization], dict[str, Any]] | None

    def __str__(self) -> str:
        return self.name


RESOURCES = [
    Resource(
        "organizations",
        Organization,
        lambda org: Organization.objects.filter(pk=org.pk),
        filter_other=lambda w: {"country": "US"},
        search_other=lambda w: "Globex",
        patch={"timezone": "Europe/Paris"},
        put=lambda org: {"name": "Renamed", "country": "FR", "timezone": "Europe/Paris"},
        create=None,
    ),
    Resource(
        "contacts",
        Contact,
        lambda org: Contact.objects.filter(organization=org),
        filter_other=lambda w: {"organization": w["globex"]["org"].pk},
        search_other=lambda w: w["globex"]["contact"].email,
        patch={"phone": "+1 555 0100"},
        put=lambda org: {"organization": org.pk, "name": "Renamed", "email": f"renamed@{org.slug}.test"},
        create=lambda org: {"organization": org.pk, "name": "Mole", "email": "mole@elsewhere.test"},
    ),
    Resource(
        "subscriptions",
        Subscription,
        lambda org: Subscription.objects.filter(organization=org),
        filter_other=lambda w: {"organization": w["globex"]["org"].pk},
        search_other=None,
        patch={"deployments": 7},
        put=lambda org: {
            "organization": org.pk,
            "plan": "enterprise",
            "starts_on": _day(-1),
            "ends_on": _day(400),
        },
        create=lambda org: {
            "organization": org.pk,
            "plan": "enterprise",
            "starts_on": _day(0),
            "ends_on": _day(365),
        },
    ),
    Resource(
        "agreements",
        Agreement,
        lambda org: Agreement.objects.filter(organization=org),
        filter_other=lambda w: {"organization": w["globex"]["org"].pk},
        search_other=lambda w: w["globex"]["agreement"].reference,
        patch={"notes": "taken over"},
        put=lambda org: {
            "organization": org.pk,
            "reference": "EA-TAKEN",
            "starts_on": _day(0),
            "ends_on": _day(30),
        },
        create=lambda org: {
            "organization": org.pk,
            "reference": "EA-MOLE",
            "starts_on": _day(0),
            "ends_on": _day(30),
        },
    ),
    Resource(
        "deployments",
        Deployment,
        lambda org: Deployment.objects.filter(organization=org),
        filter_other=lambda w: {"organization": w["globex"]["org"].pk},
        search_other=lambda w: w["globex"]["deployment"].name,
        patch={"criticality": "critical"},
        put=lambda org: {"organization": org.pk, "name": "renamed", "product": _product()},
        create=lambda org: {"organization": org.pk, "name": "mole", "product": _product()},
    ),
]
SCOPED_CREATE = [r for r in RESOURCES if r.create is not None]
# Actions on one organisation, below /api/organizations/{id}/.
ORGANIZATION_ACTIONS = ["entitlements"]
# Every router prefix, by kind: tenant data (the matrix above), the public catalogue, or the user's own.
ENDPOINT_KINDS = {
    **{r.name: "tenant" for r in RESOURCES},
    "tickets": "tenant",  # matrix: tests/tickets/test_api_tenancy.py
    # Security assurance: read-only or action-only resources, matrix in tests/security/test_api.py.
    "sboms": "tenant",
    "findings": "tenant",
    "notices": "tenant",
    "vex": "tenant",  # a customer also sees the vendor's portfolio-wide statements
    "advisories": "catalogue",  # public advisory data; who is affected is scoped (tests/security)
    "vendor-advisories": "catalogue",  # published ones; drafts are staff data (tests/security)
    "teams": "staff",  # customers get an empty list
    "notifications": "own",
    "products": "catalogue",
    "product-versions": "catalogue",
    "plans": "catalogue",
    "tokens": "own",
    # Customer admins see their organisation's; matrix in tests/webhooks/test_webhooks.py.
    "webhooks/endpoints": "tenant",
    "webhooks/deliveries": "tenant",
    "kb/articles": "catalogue",  # published public/customers articles; drafts, internal: staff (tests/kb)
    "forum/threads": "catalogue",  # public forum; hidden threads are staff data (tests/forum)
    "forum/posts": "catalogue",  # public forum replies; hidden ones are staff data (tests/forum)
    "forum/bans": "staff",  # customers get an empty list (tests/forum)
    "mail/inbound": "staff",  # customers get an empty list (tests/channels/test_inbound_api.py)
    "surveys/responses": "tenant",  # read-only; matrix in tests/surveys/test_surveys.py
}


@pytest.fixture
def world(world: World) -> World:
    """The API world plus one deployment for each customer."""
    product = ProductFactory(name="Tenancy product", slug="tenancy-product")
    for key, entry in world.items():
        entry["deployment"] = deployment_create(
            actor=SYSTEM, organization=entry["org"], name=f"{key}-prod", product=product
        )
    return world


def _url(resource: Resource, pk: int | None = None) -> str:
    return f"/api/{resource.name}/" if pk is None else f"/api/{resource.name}/{pk}/"


def _rows(resource: Resource, org: Organization) -> list[dict[str, Any]]:
    return [model_to_dict(obj) for obj in resource.of(org).order_by("pk")]


def _state(world: World) -> dict[str, Any]:
    """Everything of globex's that a request could change, and the length of the audit log."""
    globex = world["globex"]["org"]
    return {
        **{r.name: _rows(r, globex) for r in RESOURCES},
        "audit": AuditEntry.objects.count(),
        "organizations_total": Organization.objects.count(),
        "contacts_total": Contact.objects.count(),
        "subscriptions_total": Subscription.objects.count(),
        "agreements_total": Agreement.objects.count(),
        "deployments_total": Deployment.objects.count(),
    }


def _ids(response: Any) -> set[int]:
    return {item["id"] for item in response.json()["results"]}


@pytest.fixture
def acme_clients(world: World, api_client_for: Callable[..., Any]) -> dict[str, Any]:
    """API clients of acme's customer admin ("admin") and plain contact ("contact").

    Each test runs its requests as both: a loop, not a parameter, halves the fixture work.
    """
    return {who: api_client_for(world["acme"][who].user) for who in CUSTOMER_ROLES}


@pytest.fixture
def staff_client(staff: dict[str, Any], api_client_for: Callable[..., Any]) -> Any:
    return api_client_for(staff[Role.ENGINEER])


def test_every_router_endpoint_is_classified() -> None:
    """A new endpoint must join the matrix (tenant data) or say why it is not tenant data."""
    assert {prefix for prefix, _, _ in router.registry} == set(ENDPOINT_KINDS)


# --- lists, filters, search ---------------------------------------------------------------------------


@pytest.mark.parametrize("resource", RESOURCES, ids=str)
def test_list_returns_only_own(
    resource: Resource, world: World, acme_clients: dict[str, Any], staff_client: Any
) -> None:
    expected = {obj.pk for obj in resource.of(world["acme"]["org"])}
    assert expected  # the fixture gave acme something of each kind
    for who, client in acme_clients.items():
        response = client.get(_url(resource))
        assert response.status_code == 200, who
        assert _ids(response) == expected, who
        assert response.json()["count"] == len(expected), who
        assert b"globex" not in response.content.lower(), who
    # The control: staff get both, so the data really holds globex's objects.
    globex_ids = {obj.pk for obj in resource.of(world["globex"]["org"])}
    assert expected | globex_ids <= _ids(staff_client.get(_url(resource)))


@pytest.mark.parametrize("resource", RESOURCES, ids=str)
def test_filter_for_other_organization_returns_nothing(
    resource: Resource, world: World, acme_clients: dict[str, Any], staff_client: Any
) -> None:
    params = resource.filter_other(world)
    globex_ids = {obj.pk for obj in resource.of(world["globex"]["org"])}
    assert _ids(staff_client.get(_url(resource), params)) == globex_ids  # the filter works
    for who, client in acme_clients.items():
        response = client.get(_url(resource), params)
        assert response.status_code == 200, who
        assert (response.json()["count"], response.json()["results"]) == (0, []), who


@pytest.mark.parametrize("resource", [r for r in RESOURCES if r.model is not Organization], ids=str)
def test_filter_by_foreign_id_answers_like_a_missing_id(
    resource: Resource, world: World, acme_clients: dict[str, Any]
) -> None:
    """Filtering by globex's id must not reveal that the id exists."""
    missing = Organization.objects.order_by("-pk").first().pk + 1000
    for who, client in acme_clients.items():
        foreign = client.get(_url(resource), {"organization": world["globex"]["org"].pk})
        absent = client.get(_url(resource), {"organization": missing})
        assert (foreign.status_code, foreign.json()) == (absent.status_code, absent.json()), who


@pytest.mark.parametrize("resource", RESOURCES, ids=str)
def test_search_for_other_organization_finds_nothing(
    resource: Resource, world: World, acme_clients: dict[str, Any], staff_client: Any
) -> None:
    term = resource.search_other(world) if resource.search_other else "globex"
    acme_ids = {obj.pk for obj in resource.of(world["acme"]["org"])}
    for who, client in acme_clients.items():
        response = client.get(_url(resource), {"search": term})
        assert response.status_code == 200, who
        assert b"globex" not in response.content.lower(), who
        # An endpoint without search ignores the term and lists the customer's own objects.
        assert _ids(response) == (set() if resource.search_other else acme_ids), who
    if resource.search_other is not None:  # the control: the term does find globex's object for staff
        globex_ids = {obj.pk for obj in resource.of(world["globex"]["org"])}
        assert _ids(staff_client.get(_url(resource), {"search": term})) & globex_ids


def test_organization_search_by_contact_email_finds_nothing(
    world: World, acme_clients: dict[str, Any]
) -> None:
    for who, client in acme_clients.items():
        response = client.get("/api/organizations/", {"search": world["globex"]["admin"].email})
        assert response.json()["results"] == [], who


# --- one object: retrieve, change, delete -----------------------------------------------------------------


@pytest.mark.parametrize("resource", RESOURCES, ids=str)
def test_retrieve_other_is_404_like_a_missing_id(
    resource: Resource, world: World, acme_clients: dict[str, Any]
) -> None:
    own = resource.of(world["acme"]["org"]).first()
    foreign_pk = resource.of(world["globex"]["org"]).first().pk
    missing_pk = resource.model.objects.order_by("-pk").first().pk + 1000
    for who, client in acme_clients.items():
        assert client.get(_url(resource, own.pk)).status_code == 200, who
        foreign, missing = client.get(_url(resource, foreign_pk)), client.get(_url(resource, missing_pk))
        assert foreign.status_code == 404, who
        assert foreign.json() == missing.json(), who
        assert b"globex" not in foreign.content.lower(), who


@pytest.mark.parametrize("method", ["patch", "put", "delete"])
@pytest.mark.parametrize("resource", RESOURCES, ids=str)
def test_change_other_is_404_and_changes_nothing(
    resource: Resource, method: str, world: World, acme_clients: dict[str, Any]
) -> None:
    globex = world["globex"]["org"]
    target = resource.of(globex).first()
    payload = {"patch": resource.patch, "put": resource.put(globex), "delete": None}[method]
    before = _state(world)
    for who, client in acme_clients.items():
        response = getattr(client, method)(_url(resource, target.pk), payload)
        assert response.status_code == 404, who
        assert _state(world) == before, who


@pytest.mark.parametrize("action", ORGANIZATION_ACTIONS)
def test_organization_action_of_other_is_404(action: str, world: World, acme_clients: dict[str, Any]) -> None:
    missing_pk = Organization.objects.order_by("-pk").first().pk + 1000
    for who, client in acme_clients.items():
        own = client.get(f"/api/organizations/{world['acme']['org'].pk}/{action}/")
        assert own.status_code == 200, who
        assert b"globex" not in own.content.lower(), who
        foreign = client.get(f"/api/organizations/{world['globex']['org'].pk}/{action}/")
        assert foreign.status_code == 404, who
        assert foreign.json() == client.get(f"/api/organizations/{missing_pk}/{action}/").json(), who


# --- creating inside another organisation -----------------------------------------------------------------


@pytest.mark.parametrize("resource", SCOPED_CREATE, ids=str)
def test_create_in_other_organization_fails_and_creates_nothing(
    resource: Resource, world: World, acme_clients: dict[str, Any]
) -> None:
    assert resource.create is not None
    before = _state(world)
    for who, client in acme_clients.items():
        response = client.post(_url(resource), resource.create(world["globex"]["org"]))
        assert response.status_code in {403, 404}, who
        assert _state(world) == before, who


def test_create_contact_in_other_org_is_404_like_a_missing_org(
    world: World, acme_clients: dict[str, Any]
) -> None:
    """Not 403, even for a customer admin: a 403 would confirm that the organisation exists."""
    missing = Organization.objects.order_by("-pk").first().pk + 1000
    payload = {"name": "Mole", "email": "mole@elsewhere.test"}
    for who, client in acme_clients.items():
        foreign = client.post("/api/contacts/", {**payload, "organization": world["globex"]["org"].pk})
        absent = client.post("/api/contacts/", {**payload, "organization": missing})
        assert foreign.status_code == 404, who
        assert foreign.json() == absent.json(), who


# --- nested objects and every response -------------------------------------------------------------------


def _acme_urls(world: World) -> list[str]:
    acme = world["acme"]
    urls = [f"/api/{prefix}/" for prefix, _, _ in router.registry]
    urls += [_url(r, r.of(acme["org"]).first().pk) for r in RESOURCES]
    urls += [f"/api/organizations/{acme['org'].pk}/{action}/" for action in ORGANIZATION_ACTIONS]
    urls += ["/api/me"]
    return urls


def test_no_response_to_acme_mentions_globex(
    world: World, acme_clients: dict[str, Any], staff_client: Any
) -> None:
    for who, client in acme_clients.items():
        for url in _acme_urls(world):
            response = client.get(url)
            assert response.status_code == 200, (who, url)
            body = response.content.decode().lower()
            assert "globex" not in body, (who, url)
            for person in ("admin", "contact"):
                assert world["globex"][person].email not in body, (who, url)
    # The control: the same lists do carry globex's data for staff.
    for name in ("organizations", "contacts", "agreements"):
        assert b"globex" in staff_client.get(f"/api/{name}/").content.lower()


def test_nested_organization_fields_point_at_own_organization(
    world: World, acme_clients: dict[str, Any]
) -> None:
    acme = world["acme"]["org"]
    for who, client in acme_clients.items():
        for resource in RESOURCES[1:]:
            results = client.get(_url(resource)).json()["results"]
            assert results, (who, resource)
            assert {item["organization"] for item in results} == {acme.pk}, (who, resource)
        (organization,) = client.get("/api/organizations/").json()["results"]
        assert organization["contact_count"] == Contact.objects.filter(organization=acme).count() == 2
        assert client.get("/api/me").json()["organization"] == acme.pk


# --- what customers may and may not change ---------------------------------------------------------------


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Organization, Contact, Subscription, Agreement, Plan, Product, AuditEntry)
    }


def test_plain_contact_cannot_add_contacts(world: World, acme_clients: dict[str, Any]) -> None:
    client = acme_clients["contact"]
    before = _counts()
    response = client.post(
        "/api/contacts/",
        {"organization": world["acme"]["org"].pk, "name": "New Person", "email": "new@acme.test"},
    )
    assert response.status_code == 403
    assert _counts() == before


def test_customer_admin_adds_contact_to_own_organization(world: World, acme_clients: dict[str, Any]) -> None:
    acme = world["acme"]["org"]
    response = acme_clients["admin"].post(
        "/api/contacts/", {"organization": acme.pk, "name": "New Person", "email": "New@Acme.test"}
    )
    assert response.status_code == 201, response.json()
    assert response.json()["organization"] == acme.pk
    contact = Contact.objects.get(pk=response.json()["id"])
    assert (contact.organization, contact.email) == (acme, "new@acme.test")
    assert not Contact.objects.filter(organization=world["globex"]["org"], email="new@acme.test").exists()


def _own(world: World, kind: str) -> int:
    entry = world["acme"]
    return {
        "organization": entry["org"].pk,
        "subscription": entry["subscription"].pk,
        "agreement": entry["agreement"].pk,
    }[kind]


# (method, path template, payload template); {organization}/{subscription}/{agreement}/{plan} are acme's own.
COMMERCIAL_WRITES = [
    (
        "post",
        "/api/subscriptions/",
        {"organization": "{organization}", "plan": "enterprise", "starts_on": _day(0), "ends_on": _day(365)},
    ),
    ("patch", "/api/subscriptions/{subscription}/", {"deployments": 9}),
    (
        "put",
        "/api/subscriptions/{subscription}/",
        {"organization": "{organization}", "plan": "enterprise", "starts_on": _day(0), "ends_on": _day(365)},
    ),
    ("delete", "/api/subscriptions/{subscription}/", None),
    (
        "post",
        "/api/agreements/",
        {"organization": "{organization}", "reference": "EA-SELF", "starts_on": _day(0), "ends_on": _day(30)},
    ),
    ("patch", "/api/agreements/{agreement}/", {"overrides": {"named_contacts": None}}),
    ("delete", "/api/agreements/{agreement}/", None),
    ("post", "/api/plans/", {"code": "free", "name": "Free", "rank": 99, "terms": {}}),
    ("patch", "/api/plans/{plan}/", {"name": "Business for free"}),
    ("post", "/api/organizations/", {"name": "Shell Company", "country": "DE"}),
    ("delete", "/api/organizations/{organization}/", None),
    ("post", "/api/products/", {"name": "Pirated"}),
]


def _fill(value: Any, ids: dict[str, int]) -> Any:
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, str) and value.startswith("{") and value.endswith("}") and value[1:-1] in ids:
        return ids[value[1:-1]]
    return value


@pytest.mark.parametrize(
    ("method", "path", "payload"), COMMERCIAL_WRITES, ids=[f"{m} {p}" for m, p, _ in COMMERCIAL_WRITES]
)
def test_customers_cannot_change_commercial_terms(
    method: str, path: str, payload: Any, world: World, tiers: dict[str, Plan], acme_clients: dict[str, Any]
) -> None:
    ids = {kind: _own(world, kind) for kind in ("organization", "subscription", "agreement")}
    ids["plan"] = tiers["business"].pk
    if payload is not None and "terms" in payload:
        payload = {**payload, "terms": tiers["business"].terms}
    acme = world["acme"]

    def state() -> tuple[Any, ...]:
        return (
            _counts(),
            model_to_dict(Subscription.objects.get(pk=acme["subscription"].pk)),
            model_to_dict(Agreement.objects.get(pk=acme["agreement"].pk)),
            model_to_dict(Plan.objects.get(pk=tiers["business"].pk)),
        )

    before = state()
    for who, client in acme_clients.items():
        response = getattr(client, method)(path.format(**ids), _fill(payload, ids))
        assert response.status_code == 403, (who, response.content)
        assert state() == before, who


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "Acme Unlimited"),
        ("country", "FR"),
        ("subdivision", "BY"),
        ("compliance_frameworks", ["HIPAA"]),
        ("account_manager", "account_manager"),
    ],
)
def test_customer_admin_cannot_change_staff_only_organization_fields(
    field: str, value: Any, world: World, staff: dict[str, Any], acme_clients: dict[str, Any]
) -> None:
    acme = world["acme"]["org"]
    if value == "account_manager":
        value = staff[Role.ACCOUNT_MANAGER].pk
    client = acme_clients["admin"]
    before = (model_to_dict(Organization.objects.get(pk=acme.pk)), AuditEntry.objects.count())

    response = client.patch(f"/api/organizations/{acme.pk}/", {field: value})

    assert response.status_code == 400
    assert response.json()["errors"] == {field: ["You may not change this field."]}
    assert (model_to_dict(Organization.objects.get(pk=acme.pk)), AuditEntry.objects.count()) == before


def test_customer_admin_may_change_own_time_zone(world: World, acme_clients: dict[str, Any]) -> None:
    acme = world["acme"]["org"]
    response = acme_clients["admin"].patch(f"/api/organizations/{acme.pk}/", {"timezone": "Europe/Paris"})
    assert response.status_code == 200
    assert response.json()["timezone"] == "Europe/Paris"
    acme.refresh_from_db()
    assert acme.timezone == "Europe/Paris"
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (entry.actor_label, entry.action, entry.object_id) == (
        world["acme"]["admin"].user.username,
        "update",
        str(acme.pk),
    )


def test_plain_contact_cannot_change_own_organization(world: World, acme_clients: dict[str, Any]) -> None:
    acme = world["acme"]["org"]
    response = acme_clients["contact"].patch(f"/api/organizations/{acme.pk}/", {"timezone": "Europe/Paris"})
    assert response.status_code == 403
    acme.refresh_from_db()
    assert acme.timezone == "Europe/Berlin"


def test_plain_contact_cannot_change_a_colleague(world: World, acme_clients: dict[str, Any]) -> None:
    colleague = world["acme"]["admin"]
    response = acme_clients["contact"].patch(f"/api/contacts/{colleague.pk}/", {"role": "contact"})
    assert response.status_code == 403
    colleague.refresh_from_db()
    assert colleague.role == "admin"


# --- web pages -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", CUSTOMER_ROLES)
def test_portal_shows_own_contacts_and_none_of_others(who: str, world: World, client: Any) -> None:
    client.force_login(world["acme"][who].user)
    response = client.get("/portal/")
    assert response.status_code == 200
    html = response.content.decode()
    for person in ("admin", "contact"):
        assert world["acme"][person].email in html
        assert world["globex"][person].email not in html
    assert "globex" not in html.lower()


STAFF_PAGES = [
    "/customers/",
    "/customers/acme/",
    "/customers/globex/",
    "/customers/nobody/",
    "/customers/new/",
    "/customers/?q=globex",
]


@pytest.mark.parametrize("who", CUSTOMER_ROLES)
def test_staff_pages_are_forbidden_to_customers(who: str, world: World, client: Any) -> None:
    """403 for every one alike, existing customer or not: the answer reveals nothing."""
    client.force_login(world["acme"][who].user)
    for path in STAFF_PAGES:
        response = client.get(path)
        assert response.status_code == 403, path
        assert b"globex" not in response.content.lower(), path
    assert client.post("/customers/globex/", {"name": "Mole", "email": "mole@globex.test"}).status_code == 403
    assert (
        client.post("/customers/new/", {"name": "Shell", "country": "DE", "timezone": "UTC"}).status_code
        == 403
    )
    assert not Contact.objects.filter(email="mole@globex.test").exists()
    assert not Organization.objects.filter(name="Shell").exists()


def test_portal_add_contact_form_adds_to_own_organization_only(world: World, client: Any) -> None:
    acme, globex = world["acme"]["org"], world["globex"]["org"]
    globex_before = list(Contact.objects.filter(organization=globex).values_list("pk", flat=True))
    client.force_login(world["acme"]["admin"].user)

    response = client.post(
        "/portal/",
        {
            "name": "Grace Hopper",
            "email": "grace@acme.test",
            "role": "contact",
            "is_named": "on",
            "organization": globex.pk,
        },
    )

    assert response.status_code == 302
    contact = Contact.objects.get(email="grace@acme.test")
    assert contact.organization == acme
    assert list(Contact.objects.filter(organization=globex).values_list("pk", flat=True)) == globex_before
    assert "grace@acme.test" in client.get("/portal/").content.decode()


def test_portal_add_contact_form_is_refused_to_a_plain_contact(world: World, client: Any) -> None:
    before = _counts()
    client.force_login(world["acme"]["contact"].user)
    response = client.post("/portal/", {"name": "Grace Hopper", "email": "grace@acme.test", "role": "admin"})
    assert response.status_code == 403
    assert _counts() == before
    assert "Add a contact" not in client.get("/portal/").content.decode()


# --- staff by role ---------------------------------------------------------------------------------------

READ_ONLY_STAFF = [Role.ENGINEER, Role.SECURITY_ANALYST]


@pytest.mark.parametrize("role", READ_ONLY_STAFF)
def test_read_only_staff_see_every_customer(
    role: str, world: World, staff: dict[str, Any], api_client_for: Any, client: Any
) -> None:
    api = api_client_for(staff[role])
    names = {item["name"] for item in api.get("/api/organizations/").json()["results"]}
    assert names == {"Acme", "Globex"}
    assert api.get(f"/api/organizations/{world['globex']['org'].pk}/").json()["name"] == "Globex"
    client.force_login(staff[role])
    html = client.get("/customers/").content.decode()
    assert "Acme" in html
    assert "Globex" in html
    assert "Add customer" not in html
    detail = client.get("/customers/globex/")
    assert detail.status_code == 200
    assert world["globex"]["admin"].email in detail.content.decode()


@pytest.mark.parametrize("role", READ_ONLY_STAFF)
def test_read_only_staff_cannot_change_organizations(
    role: str, world: World, staff: dict[str, Any], api_client_for: Any, client: Any
) -> None:
    api = api_client_for(staff[role])
    globex = world["globex"]["org"]
    before = (_counts(), model_to_dict(Organization.objects.get(pk=globex.pk)))

    assert api.post("/api/organizations/", {"name": "Initech", "country": "US"}).status_code == 403
    assert api.patch(f"/api/organizations/{globex.pk}/", {"notes": "hello"}).status_code == 403
    assert api.put(f"/api/organizations/{globex.pk}/", {"name": "Globex", "country": "US"}).status_code == 403
    assert api.delete(f"/api/organizations/{globex.pk}/").status_code == 403
    client.force_login(staff[role])
    assert client.get("/customers/new/").status_code == 403
    form = {"name": "Initech", "country": "US", "timezone": "America/Chicago"}
    assert client.post("/customers/new/", form).status_code == 403

    assert (_counts(), model_to_dict(Organization.objects.get(pk=globex.pk))) == before


def test_account_manager_creates_and_updates_but_cannot_delete(
    world: World, staff: dict[str, Any], api_client_for: Any
) -> None:
    api = api_client_for(staff[Role.ACCOUNT_MANAGER])
    response = api.post(
        "/api/organizations/", {"name": "Initech", "country": "US", "timezone": "America/Chicago"}
    )
    assert response.status_code == 201
    initech = Organization.objects.get(pk=response.json()["id"])
    assert (initech.name, initech.slug, initech.country) == ("Initech", "initech", "US")
    assert api.patch(f"/api/organizations/{initech.pk}/", {"notes": "met at FOSDEM"}).json()["notes"] == (
        "met at FOSDEM"
    )
    assert api.delete(f"/api/organizations/{initech.pk}/").status_code == 403
    assert Organization.objects.filter(pk=initech.pk).exists()


def test_admin_deletes_an_organization(world: World, staff: dict[str, Any], api_client_for: Any) -> None:
    globex = world["globex"]
    response = api_client_for(staff[Role.ADMIN]).delete(f"/api/organizations/{globex['org'].pk}/")
    assert response.status_code == 204
    assert not Organization.objects.filter(pk=globex["org"].pk).exists()
    assert not Contact.objects.filter(organization_id=globex["org"].pk).exists()
    globex["admin"].user.refresh_from_db()
    assert globex["admin"].user.is_active is False  # their sign-in no longer works
    assert Organization.objects.filter(pk=world["acme"]["org"].pk).exists()
