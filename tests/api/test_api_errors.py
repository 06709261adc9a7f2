"""API errors answer as errors: JSON with what went wrong, never a crash page (issue 10, section 2)."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from ossdesk.accounts.models import Role, User
from ossdesk.audit.models import AuditEntry
from ossdesk.customers.models import Deployment, Organization
from ossdesk.customers.services import deployment_create
from ossdesk.forum.models import Post
from ossdesk.forum.services import thread_create
from ossdesk.products.models import Product
from ossdesk.security.models import Sbom
from ossdesk.tickets.services import ticket_create
from tests.accounts.factories import SYSTEM, staff_user
from tests.products.factories import ProductFactory

pytestmark = pytest.mark.django_db

BEYOND_KEYS = 2**63  # one more than the largest key SQLite and PostgreSQL hold
LARGEST_KEY = 2**63 - 1


@pytest.fixture
def admin(db: Any) -> User:
    return staff_user(Role.ADMIN)


@pytest.fixture
def api(admin: User, api_client_for: Callable[[User], APIClient]) -> APIClient:
    return api_client_for(admin)


# --- forum replies through /api/forum/posts/ ----------------------------------------------------------------


def test_a_member_answers_a_thread_through_the_posts_endpoint(
    customers: dict[str, Any], api_client_for: Callable[[User], APIClient]
) -> None:
    contact = customers["acme"]["contact"]
    thread = thread_create(
        actor=SYSTEM, product=ProductFactory(), title="Vacuum stalls", body="Autovacuum never finishes."
    )
    client = api_client_for(contact.user)
    response = client.post("/api/forum/posts/", {"thread": thread.pk, "body": "Raise the cost limit."})
    assert response.status_code == 201, response.content
    post = Post.objects.get(pk=response.json()["id"])
    assert (post.thread_id, post.author_id, post.body) == (
        thread.pk,
        contact.user.pk,
        "Raise the cost limit.",
    )


@pytest.mark.parametrize("thread", [0, 987654, BEYOND_KEYS])
def test_a_reply_to_no_thread_is_400_on_thread(
    thread: int, customers: dict[str, Any], api_client_for: Callable[[User], APIClient]
) -> None:
    client = api_client_for(customers["acme"]["contact"].user)
    response = client.post("/api/forum/posts/", {"thread": thread, "body": "Hello"})
    assert response.status_code == 400, response.content
    assert set(response.json()["errors"]) == {"thread"}
    assert not Post.objects.exists()


# --- ids beyond what a database key holds ---------------------------------------------------------------

ID_FILTERS = [
    ("/api/organizations/", "account_manager"),
    ("/api/contacts/", "organization"),
    ("/api/deployments/", "product"),
    ("/api/subscriptions/", "organization"),
    ("/api/agreements/", "organization"),
    ("/api/tickets/", "assignee"),
    ("/api/sboms/", "deployment"),
    ("/api/vendor-advisories/", "product"),
    ("/api/webhooks/endpoints/", "organization"),
    ("/api/webhooks/deliveries/", "endpoint"),
    ("/api/forum/posts/", "thread"),
    ("/api/forum/threads/", "product"),
    ("/api/kb/articles/", "product"),
    ("/api/kb/suggest?q=vacuum&", "product"),
    ("/api/search/?q=vacuum&", "organization"),
]


def _with(url: str, name: str, value: int) -> str:
    joiner = "" if url.endswith("&") else "?"
    return f"{url}{joiner}{name}={value}"


@pytest.mark.parametrize(("url", "name"), ID_FILTERS)
def test_an_id_filter_beyond_any_key_is_400_on_that_filter(url: str, name: str, api: APIClient) -> None:
    for value in (BEYOND_KEYS, -BEYOND_KEYS, 10**30):
        response = api.get(_with(url, name, value))
        assert response.status_code == 400, (value, response.content)
        assert list(response.json()["errors"]) == [name]
    assert api.get(_with(url, name, LARGEST_KEY)).status_code == 200


# --- deleting what others still refer to ------------------------------------------------------------------


def test_deleting_a_customer_with_tickets_is_409_naming_them_and_changes_nothing(
    customers: dict[str, Any], api: APIClient
) -> None:
    acme = customers["acme"]
    product = ProductFactory()
    acme["org"].subscriptions.get().products.add(product)
    for n in range(2):
        ticket_create(
            actor=SYSTEM,
            organization=acme["org"],
            product=product,
            subject=f"Case {n}",
            body="Replication lags.",
            severity="S3",
            contact=acme["contact"],
        )
    audit_before = AuditEntry.objects.count()
    response = api.delete(f"/api/organizations/{acme['org'].pk}/")
    assert response.status_code == 409, response.content
    assert response.json()["blocked_by"] == {"tickets": 2}
    assert "2 tickets" in response.json()["detail"]
    assert Organization.objects.filter(pk=acme["org"].pk).exists()
    assert acme["admin"].user.__class__.objects.get(pk=acme["admin"].user.pk).is_active
    assert AuditEntry.objects.count() == audit_before


def test_deleting_a_product_in_use_is_409_naming_what_uses_it(
    customers: dict[str, Any], api: APIClient
) -> None:
    deployed = ProductFactory()
    deployment_create(actor=SYSTEM, organization=customers["acme"]["org"], name="db", product=deployed)
    response = api.delete(f"/api/products/{deployed.pk}/")
    assert response.status_code == 409, response.content
    assert response.json()["blocked_by"] == {"deployments": 1}
    assert Product.objects.filter(pk=deployed.pk).exists()

    subscribed = customers["acme"]["org"].subscriptions.get()
    covered = ProductFactory()
    subscribed.products.add(covered)
    response = api.delete(f"/api/products/{covered.pk}/")
    assert response.status_code == 409, response.content
    assert response.json()["blocked_by"] == {"subscriptions": 1}
    assert subscribed.products.filter(pk=covered.pk).exists()


# --- crashes and unknown addresses answer in JSON ----------------------------------------------------------


@pytest.mark.urls("tests.api.crash_urls")
def test_a_server_error_answers_the_api_in_json_and_the_web_with_its_page() -> None:
    client = Client(raise_request_exception=False)
    response = client.get("/api/crash")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Server error; it has been logged."}
    page = client.get("/web-crash")
    assert page.status_code == 500
    assert page["Content-Type"].startswith("text/html")


def test_an_unknown_api_address_is_404_in_json(api: APIClient) -> None:
    for url in ("/api/no-such-thing/", "/api/contacts/1.5/"):
        response = api.get(url)
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}


# --- a raw upload sent in chunks -------------------------------------------------------------------------


def test_a_raw_upload_sent_in_chunks_is_read(customers: dict[str, Any], api_client_for: Callable) -> None:
    acme = customers["acme"]
    deployment: Deployment = deployment_create(
        actor=SYSTEM, organization=acme["org"], name="web", product=ProductFactory()
    )
    body = b"flask==2.0.0\nrequests==2.25.0\n"
    client = api_client_for(acme["admin"].user)
    # What gunicorn hands Django for `Transfer-Encoding: chunked`: no Content-Length, the decoded body on
    # wsgi.input, and the promise that the stream ends with the body.
    response = client.generic(
        "POST",
        f"/api/deployments/{deployment.pk}/sboms/?filename=requirements.txt",
        content_type="text/plain",
        CONTENT_LENGTH="",
        HTTP_TRANSFER_ENCODING="chunked",
        **{"wsgi.input": io.BytesIO(body), "wsgi.input_terminated": True},
    )
    assert response.status_code in {201, 202}, response.content
    sbom = Sbom.objects.get(deployment=deployment)
    assert sbom.filename == "requirements.txt"
