"""Contacts through the API: an organisation keeps an admin who signs in; an address belongs to the
organisation that has proved it (issue 10, section 2)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from ossdesk.accounts.models import Role, User
from ossdesk.customers.models import Contact
from tests.accounts.factories import staff_user
from tests.customers.factories import contact_with_login

pytestmark = pytest.mark.django_db


# --- the last admin ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "body", "field"),
    [
        ("delete", None, "non_field_errors"),
        ("patch", {"role": "contact"}, "role"),
        ("patch", {"is_active": False}, "is_active"),
    ],
    ids=["delete", "demote", "deactivate"],
)
def test_a_customer_cannot_remove_their_last_admin(
    method: str, body: Any, field: str, customers: dict[str, Any], api_client_for: Callable[[User], APIClient]
) -> None:
    admin = customers["acme"]["admin"]
    client = api_client_for(admin.user)
    url = f"/api/contacts/{admin.pk}/"
    response = getattr(client, method)(url, body) if body else getattr(client, method)(url)
    assert response.status_code == 400, response.content
    assert "last admin" in response.json()["errors"][field][0]
    admin.refresh_from_db()
    assert (admin.role, admin.is_active) == ("admin", True)
    assert User.objects.get(pk=admin.user_id).is_active
    assert client.get("/api/me").status_code == 200  # still signed in, still in charge


def test_with_a_second_admin_the_first_may_go(
    customers: dict[str, Any], api_client_for: Callable[[User], APIClient]
) -> None:
    acme = customers["acme"]
    successor = contact_with_login(acme["org"], role="admin")
    response = api_client_for(successor.user).delete(f"/api/contacts/{acme['admin'].pk}/")
    assert response.status_code == 204, response.content
    assert not Contact.objects.filter(pk=acme["admin"].pk).exists()
    # ... and now the successor is the last one.
    response = api_client_for(successor.user).delete(f"/api/contacts/{successor.pk}/")
    assert response.status_code == 400


def test_the_vendor_may_still_remove_a_customer_admin(
    customers: dict[str, Any], api_client_for: Callable[[User], APIClient]
) -> None:
    admin = customers["acme"]["admin"]
    response = api_client_for(staff_user(Role.ADMIN)).delete(f"/api/contacts/{admin.pk}/")
    assert response.status_code == 204, response.content
