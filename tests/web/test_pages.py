"""The web pages: signing in and out, the customer list and page, plans, tokens, forms, assets."""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ossdesk.accounts.actor import actor_for
from ossdesk.accounts.models import ApiToken, Role, User
from ossdesk.audit.models import AuditEntry
from ossdesk.customers.models import Contact, Organization
from ossdesk.customers.services import deployment_create
from ossdesk.domain.entitlements import EntitlementDenied
from ossdesk.plans.models import Subscription
from tests.accounts.factories import PASSWORD, staff_user
from tests.customers.factories import OrganizationFactory
from tests.plans.factories import subscribe
from tests.products.factories import ProductFactory

TODAY = timezone.localdate()
ROW_LINK = re.compile(r'<td><a href="/customers/([\w-]+)/">')

World = dict[str, dict[str, Any]]


def _text(response: Any) -> str:
    return response.content.decode()


def _customer_slugs(response: Any) -> list[str]:
    return ROW_LINK.findall(_text(response))


@pytest.fixture
def admin(db: Any) -> User:
    return staff_user(Role.ADMIN)  # one user, not the four of `staff`


# --- signing in and out ------------------------------------------------------------------------------------


def test_wrong_password_shows_an_error(admin: User, client: Any) -> None:
    response = client.post("/signin/", {"username": admin.username, "password": "not-the-password"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in _text(response)
    assert 'role="alert"' in _text(response)
    assert "_auth_user_id" not in client.session
    assert client.get("/customers/").status_code == 302


def test_staff_sign_in_lands_on_their_home(admin: User, client: Any) -> None:
    response = client.post("/signin/", {"username": admin.username, "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1] == ("/", 302)
    assert response.status_code == 200
    assert "Your queue" in _text(response)
    assert int(client.session["_auth_user_id"]) == admin.pk


def test_customer_sign_in_lands_on_its_home(world: World, client: Any) -> None:
    contact = world["acme"]["contact"]
    response = client.post("/signin/", {"username": contact.email, "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1] == ("/", 302)
    assert "<h1>Acme</h1>" in _text(response)
    assert "Open tickets" in _text(response)


def test_sign_in_honours_next(admin: User, client: Any) -> None:
    response = client.post(
        "/signin/?next=/plans/", {"username": admin.username, "password": PASSWORD, "next": "/plans/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/plans/"


def test_pages_need_sign_in(db: Any, client: Any) -> None:
    for path in ("/", "/customers/", "/customers/new/", "/portal/", "/account/tokens/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/signin/?next="), path


def test_sign_out_is_a_post(admin: User, client: Any) -> None:
    client.force_login(admin)
    assert client.get("/signout/").status_code == 405
    assert client.get("/customers/").status_code == 200

    response = client.post("/signout/")

    assert response.status_code == 302
    assert response["Location"] == "/signin/"
    assert "_auth_user_id" not in client.session
    assert client.get("/customers/").status_code == 302


def test_signed_in_pages_offer_sign_out_form(admin: User, client: Any) -> None:
    client.force_login(admin)
    html = _text(client.get("/customers/"))
    assert re.search(
        r'<form method="post" action="/signout/"[^>]*>\s*<input type="hidden" name="csrfmiddlewaretoken"',
        html,
    )


# --- customer list --------------------------------------------------------------------------------------


def test_customer_list_shows_plans_and_contact_counts(world: World, admin: User, client: Any) -> None:
    client.force_login(admin)
    response = client.get("/customers/")
    assert _customer_slugs(response) == ["acme", "globex"]
    html = _text(response)
    assert html.count('<span class="badge plan-business">Business</span>') == 2
    assert "Add customer" in html


def test_customer_list_search_by_name(world: World, admin: User, client: Any) -> None:
    client.force_login(admin)
    assert _customer_slugs(client.get("/customers/", {"q": "acm"})) == ["acme"]
    assert _customer_slugs(client.get("/customers/", {"q": "GLOB"})) == ["globex"]


def test_customer_list_search_by_contact_email(world: World, admin: User, client: Any) -> None:
    client.force_login(admin)
    response = client.get("/customers/", {"q": world["globex"]["contact"].email})
    assert _customer_slugs(response) == ["globex"]


def test_customer_list_search_without_match_says_so(world: World, admin: User, client: Any) -> None:
    client.force_login(admin)
    response = client.get("/customers/", {"q": "initech"})
    assert _customer_slugs(response) == []
    assert "No customer matches “initech”" in _text(response)


def test_customer_list_pages(tiers: Any, admin: User, client: Any) -> None:
    for i in range(30):
        OrganizationFactory(name=f"Customer {i:02d}", slug=f"customer-{i:02d}")
    client.force_login(admin)

    first = client.get("/customers/")
    second = client.get("/customers/", {"page": 2})

    assert _customer_slugs(first) == [f"customer-{i:02d}" for i in range(25)]
    assert _customer_slugs(second) == [f"customer-{i:02d}" for i in range(25, 30)]
    assert "Page 1 of 2 · 30 in all" in _text(first)
    assert 'href="?page=2" rel="next"' in _text(first)
    assert 'href="?page=1" rel="prev"' in _text(second)
    assert 'rel="next"' not in _text(second)


def test_customer_list_pages_keep_the_search(tiers: Any, admin: User, client: Any) -> None:
    for i in range(30):
        OrganizationFactory(name=f"Customer {i:02d}", slug=f"customer-{i:02d}")
    OrganizationFactory(name="Other", slug="other")
    client.force_login(admin)
    response = client.get("/customers/", {"q": "customer"})
    assert 'href="?q=customer&amp;page=2" rel="next"' in _text(response)
    assert "other" not in _customer_slugs(client.get("/customers/", {"q": "customer", "page": 2}))


def test_htmx_request_gets_only_the_rows(world: World, admin: User, client: Any) -> None:
    client.force_login(admin)
    response = client.get("/customers/", {"q": "acme"}, HTTP_HX_REQUEST="true")
    html = _text(response)
    assert response.status_code == 200
    assert _customer_slugs(response) == ["acme"]
    assert html.lstrip().startswith('<div class="table-wrap">')
    assert "<html" not in html
    assert "<h1>" not in html
    assert 'id="q"' not in html


def test_customer_list_query_count_is_constant(
    tiers: Any, staff: Any, client: Any, django_assert_num_queries: Any
) -> None:
    manager = staff[Role.ACCOUNT_MANAGER]

    def populate(n: int) -> None:
        for _ in range(n):
            organization = OrganizationFactory(account_manager=manager)
            subscribe(organization, tiers["business"], starts_on=TODAY, ends_on=TODAY + timedelta(days=30))
            Contact.objects.create(organization=organization, name="A", email=f"a@{organization.slug}.test")

    client.force_login(staff[Role.ENGINEER])
    populate(3)
    with CaptureQueriesContext(connection) as few:
        response = client.get("/customers/")
    assert len(_customer_slugs(response)) == 3

    populate(10)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get("/customers/")
    assert len(_customer_slugs(response)) == 13
    assert _text(response).count(str(manager)) == 13


# --- one customer ---------------------------------------------------------------------------------------


def test_customer_page_shows_plan_agreement_contacts_and_targets(
    world: World, admin: User, client: Any
) -> None:
    client.force_login(admin)
    acme = world["acme"]
    response = client.get("/customers/acme/")
    assert response.status_code == 200
    html = _text(response)
    assert '<span class="badge plan-business">Business</span>' in html
    assert '<span class="tag">Agreement EA-ACME-1</span>' in html
    assert "<strong>EA-ACME-1</strong>" in html
    for person in ("admin", "contact"):
        assert acme[person].email in html
        assert acme[person].name in html
    assert world["globex"]["admin"].email not in html
    assert "2 of 5" in html  # named contacts used of the plan's seats
    s1 = re.search(r'<span class="sev sev-s1">S1</span>.*?</tr>', html, re.DOTALL).group(0)
    # Business S1: 24/7, first response 1 h, overridden to 30 min by the agreement
    assert re.findall(r"<td>(.*?)</td>", s1) == ["24/7", "30 min", "4 hours", "24 hours", "—"]
    s2 = re.search(r'<span class="sev sev-s2">S2</span>.*?</tr>', html, re.DOTALL).group(0)
    assert re.findall(r"<td>(.*?)</td>", s2) == [
        "Business hours",
        "4 business hours",
        "1 business day",
        "3 business days",
        "—",
    ]


def test_customer_page_without_subscription_says_community(tiers: Any, admin: User, client: Any) -> None:
    OrganizationFactory(name="Freeloader", slug="freeloader")
    client.force_login(admin)
    html = _text(client.get("/customers/freeloader/"))
    assert '<span class="badge plan-community">Community</span>' in html
    assert "No subscription is in force" in html
    assert "No subscriptions: Community terms apply." in html


def test_unknown_customer_page_is_404(world: World, admin: User, client: Any) -> None:
    client.force_login(admin)
    assert client.get("/customers/initech/").status_code == 404


def test_staff_add_contact_on_customer_page(world: World, admin: User, client: Any) -> None:
    client.force_login(admin)
    response = client.post(
        "/customers/globex/",
        {"name": "Hank Scorpio", "email": "hank@globex.test", "role": "admin", "is_named": "on"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/customers/globex/"
    contact = Contact.objects.get(email="hank@globex.test")
    assert (contact.organization, contact.role, contact.user_id) == (world["globex"]["org"], "admin", None)
    assert "Hank Scorpio added as a contact." in _text(client.get("/customers/globex/"))


def test_add_contact_beyond_seats_shows_the_refusal(tiers: Any, admin: User, client: Any) -> None:
    organization = OrganizationFactory(name="Tiny", slug="tiny")
    subscribe(organization, tiers["starter"], starts_on=TODAY, ends_on=TODAY + timedelta(days=30))
    for i in range(2):
        Contact.objects.create(organization=organization, name=f"P{i}", email=f"p{i}@tiny.test")
    client.force_login(admin)
    response = client.post(
        "/customers/tiny/", {"name": "Third", "email": "third@tiny.test", "role": "contact", "is_named": "on"}
    )
    assert response.status_code == 400
    assert "Starter allows 2 named contacts and Tiny already has 2. The Business plan allows it." in _text(
        response
    )
    assert not Contact.objects.filter(email="third@tiny.test").exists()


# --- plans -----------------------------------------------------------------------------------------------


def test_plans_compare_the_four_tiers_without_signing_in(tiers: Any, client: Any) -> None:
    response = client.get("/plans/")
    assert response.status_code == 200
    html = _text(response)
    head = re.search(r"<thead>.*?</thead>", html, re.DOTALL).group(0)
    assert re.findall(r'<span class="badge plan-(\w+)">', head) == [
        "community",
        "starter",
        "business",
        "enterprise",
    ]
    s1 = re.search(r"<th scope=\"row\">S1 first response.*?</tr>", html, re.DOTALL).group(0)
    assert re.findall(r"<td>(.*?)</td>", s1) == [
        "—",
        "4 business hours · Business hours",
        "1 hour · 24/7",
        "15 min · 24/7",
    ]
    # The explanation above the table explains only the units its cells use.
    legend = re.search(r'<p class="muted">(.*?)</p>', html, re.DOTALL).group(1)
    cells = " ".join(re.findall(r"<td>(.*?)</td>", html))
    for unit in re.findall(r"\b(\w+) = ", legend):
        assert re.search(rf"\d {unit}\b", cells), f"the legend explains {unit!r}, no cell uses it"
    assert "business hours and business days count in the customer's own time zone" in legend
    named = re.search(r"<th scope=\"row\">Named contacts</th>.*?</tr>", html, re.DOTALL).group(0)
    assert re.findall(r"<td>(.*?)</td>", named) == ["0", "2", "5", "Unlimited"]
    assert "Sign in" in html


# --- tokens ----------------------------------------------------------------------------------------------


def test_tokens_page_shows_a_new_key_once(admin: User, client: Any) -> None:
    client.force_login(admin)
    response = client.post("/account/tokens/", {"name": "laptop"})
    assert response.status_code == 200
    key = re.search(r'<pre class="key">(osd_\w+_[\w-]+)</pre>', _text(response)).group(1)
    token = ApiToken.objects.get(user=admin, name="laptop")
    assert token.key_hash == ApiToken.hash_key(key)
    assert f"osd_{token.prefix}_…" in _text(response)

    again = _text(client.get("/account/tokens/"))
    assert key not in again
    assert "laptop" in again
    assert "Copy your new token now" not in again


def test_tokens_page_revokes(admin: User, client: Any) -> None:
    client.force_login(admin)
    client.post("/account/tokens/", {"name": "laptop"})
    token = ApiToken.objects.get(user=admin, name="laptop")

    response = client.post(f"/account/tokens/{token.pk}/revoke/", follow=True)

    assert response.redirect_chain == [("/account/tokens/", 302)]
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "Token laptop revoked." in _text(response)
    assert f"revoked {token.revoked_at:%Y-%m-%d}" in _text(response)
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (entry.action, entry.object_id, entry.actor_label) == ("update", str(token.pk), admin.username)


def test_tokens_page_cannot_revoke_anothers_token(admin: User, staff: Any, client: Any) -> None:
    other = staff[Role.ENGINEER]
    client.force_login(other)
    client.post("/account/tokens/", {"name": "theirs"})
    token = ApiToken.objects.get(user=other)
    client.force_login(admin)
    assert client.post(f"/account/tokens/{token.pk}/revoke/").status_code == 404
    assert client.get(f"/account/tokens/{token.pk}/revoke/").status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None
    assert "theirs" not in _text(client.get("/account/tokens/"))


def test_tokens_page_needs_a_name(admin: User, client: Any) -> None:
    client.force_login(admin)
    response = client.post("/account/tokens/", {"name": ""})
    assert "This field is required." in _text(response)
    assert not ApiToken.objects.filter(user=admin).exists()


# --- add customer ---------------------------------------------------------------------------------------

GOOD_CUSTOMER = {
    "name": "Initech",
    "country": "us",
    "subdivision": "TX",
    "timezone": "America/Chicago",
    "compliance_frameworks": ["PCI-DSS"],
}


def test_add_customer(tiers: Any, staff: Any, client: Any) -> None:
    manager = staff[Role.ACCOUNT_MANAGER]
    client.force_login(manager)
    response = client.post("/customers/new/", {**GOOD_CUSTOMER, "account_manager": manager.pk})
    assert response.status_code == 302
    assert response["Location"] == "/customers/initech/"
    initech = Organization.objects.get(slug="initech")
    assert (initech.country, initech.timezone, initech.compliance_frameworks, initech.account_manager) == (
        "US",
        "America/Chicago",
        ["PCI-DSS"],
        manager,
    )
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (entry.action, entry.actor_label, entry.object_repr) == ("create", manager.username, "Initech")
    assert "Initech added." in _text(client.get("/customers/initech/"))


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"timezone": "Mars/Olympus"},
            "timezone",
            "Select a valid choice. Mars/Olympus is not one of the available choices.",
        ),
        ({"country": "ZZ"}, "country", "ZZ is not an ISO 3166 country code"),
        ({"country": "1A"}, "country", "Use the two-letter ISO 3166 code"),
        ({"country": "DEU"}, "country", "Ensure this value has at most 2 characters"),
        ({"name": ""}, "name", "This field is required."),
        (
            {"compliance_frameworks": ["SOX"]},
            "compliance_frameworks",
            "Select a valid choice. SOX is not one of",
        ),
    ],
)
def test_add_customer_with_bad_input_shows_field_errors(
    changes: dict[str, Any], field: str, message: str, admin: User, client: Any
) -> None:
    client.force_login(admin)
    before = (Organization.objects.count(), AuditEntry.objects.count())
    response = client.post("/customers/new/", {**GOOD_CUSTOMER, **changes})
    assert response.status_code == 200
    fields = _text(response).split('<div class="field')[1:]
    (errored,) = [block for block in fields if block.startswith(" has-error")]
    assert f'name="{field}"' in errored
    assert re.search(rf'<p class="field-error" role="alert">{re.escape(message)}', errored)
    assert (Organization.objects.count(), AuditEntry.objects.count()) == before


def test_add_customer_with_taken_name_shows_the_error(world: World, admin: User, client: Any) -> None:
    client.force_login(admin)
    response = client.post("/customers/new/", {**GOOD_CUSTOMER, "name": "Acme"})
    assert "Organization with this Name already exists." in _text(response)
    assert Organization.objects.count() == 2


# --- assets ---------------------------------------------------------------------------------------------


def test_static_css_is_served(db: Any, client: Any) -> None:
    response = client.get("/static/ossdesk/app.css")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    assert b"{" in b"".join(response.streaming_content)


class _Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "link", "img", "iframe"}:
            self.urls += [value or "" for name, value in attrs if name in {"src", "href"}]


def _pages(world: World, staff: Any) -> list[tuple[User | None, str]]:
    customer = world["acme"]["admin"].user
    admin = staff[Role.ADMIN]
    return [
        (None, "/signin/"),
        (None, "/plans/"),
        (admin, "/customers/"),
        (admin, "/customers/acme/"),
        (admin, "/customers/new/"),
        (admin, "/account/tokens/"),
        (customer, "/portal/"),
        (customer, "/customers/"),
    ]


def test_pages_load_no_external_scripts_or_styles(world: World, staff: Any, client: Any) -> None:
    for user, path in _pages(world, staff):
        if user is None:
            client.logout()
        else:
            client.force_login(user)
        response = client.get(path)
        assert response.status_code in {200, 403}, path
        assets = _Assets()
        assets.feed(_text(response))
        assert any(url.endswith(".css") for url in assets.urls), path
        assert any(url.endswith(".js") for url in assets.urls), path  # htmx, served by us
        for url in assets.urls:
            assert not url.startswith(("http:", "https:", "//")), (path, url)
            assert url.startswith("/static/"), (path, url)


def test_htmx_is_served_locally(db: Any, client: Any) -> None:
    assets = _Assets()
    assets.feed(_text(client.get("/plans/")))
    (htmx,) = [url for url in assets.urls if "htmx" in url]
    response = client.get(htmx)
    assert response.status_code == 200
    assert b"htmx" in b"".join(response.streaming_content)


def test_subscription_fixture_sanity(world: World) -> None:
    """The pages above assume the fixture's Business subscription is in force today."""
    subscription = Subscription.objects.get(organization=world["acme"]["org"])
    assert subscription.starts_on <= TODAY <= subscription.ends_on


def test_our_support_states_the_deployments_the_subscription_allows(world: World, client: Any) -> None:
    """Business caps a purchase at 20 deployments; acme's subscription bought 5, and 5 is what it may run."""
    acme = world["acme"]
    product = ProductFactory()
    admin = actor_for(acme["admin"].user)
    deployment_create(actor=admin, organization=acme["org"], name="web-1", product=product)
    client.force_login(acme["admin"].user)
    assert "<dt>Deployments</dt><dd>1 of 5</dd>" in client.get("/portal/").content.decode()
    for i in range(2, 6):
        deployment_create(actor=admin, organization=acme["org"], name=f"web-{i}", product=product)
    with pytest.raises(EntitlementDenied, match="subscription includes 5 deployments, all in use"):
        deployment_create(actor=admin, organization=acme["org"], name="web-6", product=product)
    assert "<dt>Deployments</dt><dd>5 of 5</dd>" in client.get("/portal/").content.decode()
