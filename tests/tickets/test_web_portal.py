"""Raising a ticket: a form that offers what the contract covers (products, severities with their
definitions and targets), explains instead when the plan allows none, and shows the service's refusals."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ossdesk.customers.models import Contact
from ossdesk.plans.services import agreement_create, subscription_update
from ossdesk.tickets.models import Message, Ticket
from tests.accounts.factories import SYSTEM
from tests.customers.factories import OrganizationFactory, contact_with_login
from tests.plans.factories import subscribe

pytestmark = pytest.mark.django_db
Desk = dict[str, Any]
TODAY = timezone.localdate()
SEVERITY_INPUT = re.compile(r'<input type="radio" name="severity" value="(S\d)"')


def _text(response: Any) -> str:
    return response.content.decode()


def _offered_severities(response: Any) -> list[str]:
    return SEVERITY_INPUT.findall(_text(response))


def _form(desk: Desk, **overrides: Any) -> dict[str, Any]:
    return {
        "product": desk["product"].pk,
        "severity": "S2",
        "subject": "Checkpoint storms",
        "body": "Checkpoints every 30 s since Monday.",
        **overrides,
    }


def test_business_form_offers_covered_products_and_severities_with_targets(desk: Desk, web_for: Any) -> None:
    response = web_for(desk["acme"]["contact"].user).get("/tickets/new/")
    assert response.status_code == 200
    text = _text(response)
    assert f'<option value="{desk["product"].pk}">PostgreSQL</option>' in text
    assert "Kafka" not in text  # not covered: not offered
    assert _offered_severities(response) == ["S1", "S2", "S3", "S4"]
    assert "S1 — Production down or data at risk — first response 1 hour, 24/7" in text
    assert "S4 — Question, how-to or cosmetic — first response 2 business days, Business hours" in text
    assert 'enctype="multipart/form-data"' in text


def test_starter_covers_all_four_severities_in_business_hours(tiers: Any, web_for: Any, desk: Desk) -> None:
    organization = OrganizationFactory(name="Initech", slug="initech")
    subscribe(
        organization,
        tiers["starter"],
        starts_on=TODAY - timedelta(days=1),
        ends_on=TODAY + timedelta(days=300),
        products=[desk["product"]],
    )
    contact = contact_with_login(organization)
    response = web_for(contact.user).get("/tickets/new/")
    assert _offered_severities(response) == ["S1", "S2", "S3", "S4"]
    assert "S1 — Production down or data at risk — first response 4 business hours, Business hours" in _text(
        response
    )


def test_community_explains_instead_of_a_form(desk: Desk, web_for: Any) -> None:
    subscription = desk["acme"]["org"].subscriptions.get()
    subscription_update(actor=SYSTEM, subscription=subscription, ends_on=TODAY - timedelta(days=1))
    client = web_for(desk["acme"]["contact"].user)
    response = client.get("/tickets/new/")
    text = _text(response)
    assert response.status_code == 200
    assert "Community" in text
    assert "<strong>Starter</strong> plan allows it" in text
    assert 'name="severity"' not in text
    assert '<form method="post" enctype' not in text
    before = Ticket.objects.count()
    assert client.post("/tickets/new/", _form(desk)).status_code == 403
    assert Ticket.objects.count() == before
    assert "Raise a ticket</a>" not in _text(client.get("/tickets/"))


def test_uncovered_product_is_refused_when_posted(desk: Desk, web_for: Any) -> None:
    before = Ticket.objects.count()
    response = web_for(desk["acme"]["contact"].user).post(
        "/tickets/new/", _form(desk, product=desk["uncovered"].pk)
    )
    assert response.status_code == 400
    assert "does not cover Kafka" in _text(response)
    assert Ticket.objects.count() == before


def test_severity_the_agreement_removes_is_not_offered_and_is_refused(desk: Desk, web_for: Any) -> None:
    agreement_create(
        actor=SYSTEM,
        organization=desk["acme"]["org"],
        reference="EA-NO-S1",
        starts_on=TODAY - timedelta(days=1),
        ends_on=TODAY + timedelta(days=30),
        overrides={"severities": {"S1": {"coverage": "none"}}},
    )
    client = web_for(desk["acme"]["contact"].user)
    assert _offered_severities(client.get("/tickets/new/")) == ["S2", "S3", "S4"]
    before = Ticket.objects.count()
    response = client.post("/tickets/new/", _form(desk, severity="S1"))
    assert response.status_code == 400
    assert "does not cover S1" in _text(response)
    assert "The Starter plan allows it." in _text(response)
    assert Ticket.objects.count() == before


def test_not_named_contact_is_told_why(desk: Desk, web_for: Any) -> None:
    Contact.objects.filter(pk=desk["acme"]["contact"].pk).update(is_named=False)
    client = web_for(desk["acme"]["contact"].user)
    assert "Only named contacts may raise tickets" in _text(client.get("/tickets/new/"))
    assert client.post("/tickets/new/", _form(desk)).status_code == 403


def test_field_errors_keep_the_form(desk: Desk, web_for: Any) -> None:
    response = web_for(desk["acme"]["contact"].user).post(
        "/tickets/new/", _form(desk, subject="", severity="S9")
    )
    assert response.status_code == 400
    assert "This field is required." in _text(response)


def test_raising_a_ticket_with_files(desk: Desk, web_for: Any) -> None:
    client = web_for(desk["acme"]["contact"].user)
    files = [
        SimpleUploadedFile("pg.log", b"LOG: checkpoint starting"),
        SimpleUploadedFile("top.txt", b"load 12"),
    ]
    response = client.post("/tickets/new/", {**_form(desk), "attachments": files})
    assert response.status_code == 302
    ticket = Ticket.objects.get(subject="Checkpoint storms")
    assert response["Location"] == f"/tickets/{ticket.pk}/"
    assert (ticket.channel, ticket.organization, ticket.contact) == (
        "portal",
        desk["acme"]["org"],
        desk["acme"]["contact"],
    )
    message = Message.objects.get(ticket=ticket)
    assert sorted(a.filename for a in message.attachments.all()) == ["pg.log", "top.txt"]
    assert "Checkpoint storms" in _text(client.get(f"/tickets/{ticket.pk}/"))


def test_staff_pick_a_customer_then_raise_a_proactive_case(desk: Desk, web_for: Any) -> None:
    client = web_for(desk["engineer"])
    assert "Choose the customer" in _text(client.get("/tickets/new/"))
    acme = desk["acme"]
    form = client.get("/tickets/new/", {"organization": acme["org"].pk})
    assert acme["contact"].email in _text(form)
    assert desk["globex"]["contact"].email not in _text(form)
    planned = (timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        "/tickets/new/",
        {
            **_form(desk, severity="S3"),
            "organization": acme["org"].pk,
            "contact": acme["admin"].pk,
            "channel": "phone",
            "is_proactive": "on",
            "planned_for": planned,
            "tags": "upgrade, pg17",
        },
    )
    assert response.status_code == 302, _text(response)
    ticket = Ticket.objects.get(subject="Checkpoint storms")
    assert (ticket.channel, ticket.is_proactive, ticket.contact) == ("phone", True, acme["admin"])
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["pg17", "upgrade"]
    past = client.post(
        "/tickets/new/",
        {
            **_form(desk, subject="Past"),
            "organization": acme["org"].pk,
            "contact": acme["admin"].pk,
            "channel": "phone",
            "is_proactive": "on",
        },
    )
    assert past.status_code == 400
    assert "planned maintenance" in _text(past)


def test_customer_cannot_raise_for_another_organisation(desk: Desk, web_for: Any) -> None:
    client = web_for(desk["acme"]["contact"].user)
    response = client.post("/tickets/new/", {**_form(desk), "organization": desk["globex"]["org"].pk})
    assert response.status_code == 302
    assert Ticket.objects.get(subject="Checkpoint storms").organization == desk["acme"]["org"]
