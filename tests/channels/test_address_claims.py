"""One customer cannot take another's contact address (issue 10, section 2): a later claim counts only once
the address's owner proves it by the mailed link, and adding a contact tells nobody which addresses sign
in anywhere."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from typing import Any

import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from ossdesk.accounts.models import User
from ossdesk.accounts.services import api_token_create
from ossdesk.audit.models import AuditEntry
from ossdesk.channels.models import InboundMessage, MailKind, OutboundEmail
from ossdesk.customers.models import Contact
from ossdesk.customers.proof import PROOF_TTL, proof_token
from ossdesk.tickets.models import Ticket
from tests.accounts.factories import PASSWORD, SYSTEM
from tests.channels.factories import Helpdesk, eml
from tests.customers.factories import OrganizationFactory, contact_with_login
from tests.plans.factories import subscribe

pytestmark = pytest.mark.django_db
LINK = re.compile(r"https://desk\.example\.com/contacts/confirm/([^/\s]+)/")


@pytest.fixture
def rival(helpdesk: Helpdesk, tiers: dict[str, Any]) -> APIClient:
    """The API as the customer admin of another Business customer."""
    today = timezone.localdate()
    globex: Any = OrganizationFactory(name="Globex", slug="globex")
    subscribe(
        globex, tiers["business"], starts_on=today - timedelta(days=1), ends_on=today + timedelta(days=90)
    )
    admin = contact_with_login(globex, role="admin")
    _, key = api_token_create(actor=SYSTEM, user=admin.user, name="tests")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    client.globex = globex  # type: ignore[attr-defined]
    client.admin = admin  # type: ignore[attr-defined]
    return client


def _add(client: APIClient, email: str, **extra: Any) -> dict[str, Any]:
    body = {"organization": client.globex.pk, "name": "Someone", "email": email, **extra}  # type: ignore[attr-defined]
    response = client.post("/api/contacts/", body)
    assert response.status_code == 201, response.content
    return response.json()


def _proof_link(email: str) -> str:
    mail = OutboundEmail.objects.filter(kind=MailKind.CONTACT_PROOF, recipient=email).latest("pk")
    found = LINK.search(mail.body_text)
    assert found, mail.body_text
    return f"/contacts/confirm/{found.group(1)}/"


def test_adding_another_customers_address_takes_nothing_from_them(
    helpdesk: Helpdesk, rival: APIClient
) -> None:
    claim = _add(rival, helpdesk.ana.email.upper(), is_named=True)
    assert (claim["verified"], claim["portal_access"]) == (False, False)

    portal = Client()
    assert portal.login(username=rival.admin.user.username, password=PASSWORD)  # type: ignore[attr-defined]
    assert "address not confirmed yet" in portal.get("/portal/").content.decode()

    row = helpdesk.receive(eml("plain.eml"))  # from ana@acme.example
    assert row.status == InboundMessage.Status.PROCESSED, row.error
    assert Ticket.objects.get(pk=row.ticket_id).organization_id == helpdesk.acme.pk

    # Jürgen has no sign-in; his address too stays Acme's while Globex's claim is unproved.
    _add(rival, helpdesk.jurgen.email)
    row = helpdesk.receive(eml("plain.eml", **{"ana@acme.example": "jurgen@acme.example", "Ana Lima": "J"}))
    assert row.status == InboundMessage.Status.PROCESSED, row.error
    assert Ticket.objects.get(pk=row.ticket_id).organization_id == helpdesk.acme.pk


def test_the_owner_proves_a_second_claim_by_the_mailed_link(helpdesk: Helpdesk, rival: APIClient) -> None:
    _add(rival, helpdesk.jurgen.email)
    link = _proof_link(helpdesk.jurgen.email)
    browser = Client()
    assert browser.get(link).status_code == 200  # a page with a button: following the link confirms nothing
    assert not Contact.objects.filter(email=helpdesk.jurgen.email, verified_at__isnull=False).exclude(
        pk=helpdesk.jurgen.pk
    )
    assert browser.post(link).status_code == 200
    # Both claims are proved now (Acme's contact was added by staff): staff decide which one a mail is for.
    row = helpdesk.receive(eml("plain.eml", **{"ana@acme.example": "jurgen@acme.example"}))
    assert row.status == InboundMessage.Status.HELD
    assert "several customers" in row.error


def test_the_answer_does_not_say_whether_an_address_signs_in_anywhere(
    helpdesk: Helpdesk, rival: APIClient
) -> None:
    signs_in = _add(rival, helpdesk.ana.email, portal_access=True, password=PASSWORD)
    unknown = _add(rival, "newcomer@globex.example", portal_access=True, password=PASSWORD)
    ignore = {"id", "email", "created_at"}
    assert {k: v for k, v in signs_in.items() if k not in ignore} == {
        k: v for k, v in unknown.items() if k not in ignore
    }
    # Each address got the same mail; nothing about the other organisation's sign-in was said to Globex.
    assert OutboundEmail.objects.filter(kind=MailKind.CONTACT_PROOF).count() == 2
    assert User.objects.filter(email__iexact=helpdesk.ana.email).count() == 1
    assert not AuditEntry.objects.filter(after__has_key="pending_password").exists()


def test_a_sign_in_asked_for_is_created_when_the_address_is_proved(
    helpdesk: Helpdesk, rival: APIClient
) -> None:
    _add(rival, "newcomer@globex.example", portal_access=True, password=PASSWORD)
    assert not User.objects.filter(email="newcomer@globex.example").exists()
    browser = Client()
    assert browser.post(_proof_link("newcomer@globex.example")).status_code == 200
    contact = Contact.objects.get(email="newcomer@globex.example")
    assert contact.verified_at is not None
    assert contact.user is not None
    assert browser.login(username="newcomer@globex.example", password=PASSWORD)
    assert contact.pending_password == ""


@pytest.mark.parametrize(
    ("token", "status"),
    [("not-a-token", 400), (signing.dumps([1, "x@example.com"], salt="another.salt"), 400), ("expired", 410)],
    ids=["malformed", "forged", "expired"],
)
def test_a_bad_or_expired_link_proves_nothing(
    token: str, status: int, helpdesk: Helpdesk, rival: APIClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    contact_id = _add(rival, helpdesk.jurgen.email)["id"]
    if token == "expired":
        signed_at = time.time() - PROOF_TTL.total_seconds() - 60
        with monkeypatch.context() as past:
            past.setattr(signing.time, "time", lambda: signed_at)
            token = proof_token(contact_id, helpdesk.jurgen.email)
    response = Client().post(f"/contacts/confirm/{token}/")
    assert response.status_code == status
    assert Contact.objects.get(pk=contact_id).verified_at is None
