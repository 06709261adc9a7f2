"""The inbound-mail API (staff): list, retrieve, retry, assign, discard through the intake services, with
the same rules as the web inbox; to customers the inbox is empty; the schema documents every answer."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from ossdesk.audit.models import AuditEntry
from ossdesk.channels.models import InboundMessage
from tests.accounts.factories import staff_user
from tests.channels.factories import Helpdesk, eml

Inbound = InboundMessage.Status
HELD_RAW = eml("plain.eml").replace(b"ana@acme.example", b"ana.private@home.example")


@pytest.fixture
def staff_api(helpdesk: Helpdesk, api_client_for: Any) -> Any:
    return api_client_for(staff_user("engineer"))


@pytest.fixture
def customer_api(helpdesk: Helpdesk, api_client_for: Any) -> Any:
    assert helpdesk.ana.user is not None
    return api_client_for(helpdesk.ana.user)


def test_the_list_shows_what_needs_a_person_with_its_actions(
    helpdesk: Helpdesk, staff_api: Any, django_assert_max_num_queries: Any
) -> None:
    held = helpdesk.receive(HELD_RAW)
    quarantined = helpdesk.receive(eml("malformed_boundary.eml"))
    processed = helpdesk.receive(eml("alternative.eml"))
    with django_assert_max_num_queries(6):
        response = staff_api.get("/api/mail/inbound/")
    assert response.status_code == 200
    rows = {row["id"]: row for row in response.json()["results"]}
    assert set(rows) == {held.pk, quarantined.pk}  # processed mail needs nobody
    assert rows[held.pk]["status"] == "held"
    assert rows[held.pk]["from_address"] == "ana.private@home.example"
    assert "Unknown sender" in rows[held.pk]["error"]
    assert rows[held.pk]["actions"] == ["retry", "assign", "discard"]
    assert rows[quarantined.pk]["actions"] == ["retry", "discard"]
    assert rows[held.pk]["mailbox"] == "support"
    assert "raw" not in rows[held.pk]

    only_processed = staff_api.get("/api/mail/inbound/", {"status": "processed"}).json()["results"]
    assert [row["id"] for row in only_processed] == [processed.pk]
    assert only_processed[0]["ticket"] == processed.ticket_id
    assert only_processed[0]["actions"] == []
    both = staff_api.get("/api/mail/inbound/?status=held&status=processed").json()["results"]
    assert {row["id"] for row in both} == {held.pk, processed.pk}
    assert staff_api.get(f"/api/mail/inbound/{processed.pk}/").json()["status"] == "processed"

    bad = staff_api.get("/api/mail/inbound/", {"status": "lost"})
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {"status"}


def test_to_customers_the_inbox_is_empty_and_each_mail_missing(helpdesk: Helpdesk, customer_api: Any) -> None:
    held = helpdesk.receive(HELD_RAW)
    listing = customer_api.get("/api/mail/inbound/", {"status": list(Inbound.values)})
    assert listing.status_code == 200
    assert listing.json()["count"] == 0
    assert customer_api.get(f"/api/mail/inbound/{held.pk}/").status_code == 404
    for verb in ("retry", "discard"):
        assert customer_api.post(f"/api/mail/inbound/{held.pk}/{verb}/").status_code == 404
    response = customer_api.post(f"/api/mail/inbound/{held.pk}/assign/", {"contact": helpdesk.ana.pk})
    assert response.status_code == 404
    assert InboundMessage.objects.get(pk=held.pk).status == Inbound.HELD


def test_assign_by_id_or_address_opens_the_contacts_ticket(helpdesk: Helpdesk, staff_api: Any) -> None:
    held = helpdesk.receive(HELD_RAW)
    response = staff_api.post(f"/api/mail/inbound/{held.pk}/assign/", {"contact": helpdesk.ana.pk})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "processed"
    assert body["contact"] == helpdesk.ana.pk
    assert body["organization"] == helpdesk.acme.pk
    assert body["ticket"] is not None
    assert AuditEntry.objects.filter(object_type="channels.inboundmessage", object_id=str(held.pk)).exists()
    again = staff_api.post(f"/api/mail/inbound/{held.pk}/assign/", {"contact": helpdesk.ana.pk})
    assert again.status_code == 400
    assert "processed" in again.json()["errors"]["status"][0]

    second = helpdesk.receive(HELD_RAW.replace(b"Message-ID: <", b"Message-ID: <second-"))
    assert second.status == Inbound.HELD
    by_address = staff_api.post(
        f"/api/mail/inbound/{second.pk}/assign/", {"email": "ana@acme.example", "organization": "acme"}
    )
    assert by_address.status_code == 200, by_address.json()
    assert by_address.json()["contact"] == helpdesk.ana.pk


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "contact"),
        ({"contact": 1, "email": "ana@acme.example"}, "contact"),
        ({"contact": 99999999}, "contact"),
        ({"contact": 2**63}, "contact"),
        ({"email": "nobody@nowhere.example"}, "email"),
        ({"email": "not an address"}, "email"),
    ],
)
def test_assign_refuses_bad_input_with_field_messages(
    helpdesk: Helpdesk, staff_api: Any, payload: dict[str, Any], field: str
) -> None:
    held = helpdesk.receive(HELD_RAW)
    response = staff_api.post(f"/api/mail/inbound/{held.pk}/assign/", payload, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == "Invalid input."
    assert field in response.json()["errors"]
    assert InboundMessage.objects.get(pk=held.pk).status == Inbound.HELD


def test_retry_and_discard_follow_the_inbox_rules(helpdesk: Helpdesk, staff_api: Any) -> None:
    quarantined = helpdesk.receive(eml("malformed_base64.eml"))
    response = staff_api.post(f"/api/mail/inbound/{quarantined.pk}/retry/")
    assert response.status_code == 200
    assert response.json()["status"] == "quarantined"
    assert response.json()["attempts"] == 2
    discarded = staff_api.post(f"/api/mail/inbound/{quarantined.pk}/discard/")
    assert discarded.status_code == 200
    assert discarded.json()["status"] == "discarded"
    assert discarded.json()["actions"] == []
    assert InboundMessage.objects.get(pk=quarantined.pk).status == Inbound.DISCARDED
    for verb in ("retry", "discard"):
        refused = staff_api.post(f"/api/mail/inbound/{quarantined.pk}/{verb}/")
        assert refused.status_code == 400
        assert "discarded" in refused.json()["errors"]["status"][0].lower()
    assert staff_api.post("/api/mail/inbound/99999999/retry/").status_code == 404


def test_the_schema_documents_the_inbound_api(helpdesk: Helpdesk, staff_api: Any) -> None:
    document = yaml.safe_load(staff_api.get("/api/schema/").content)
    paths = document["paths"]
    listing = paths["/api/mail/inbound/"]["get"]
    assert set(listing["responses"]) >= {"200", "400"}
    status = next(p for p in listing["parameters"] if p["name"] == "status")
    assert set(status["schema"]["items"]["enum"]) == set(Inbound.values)
    for verb in ("retry", "assign", "discard"):
        operation = paths[f"/api/mail/inbound/{{id}}/{verb}/"]["post"]
        assert set(operation["responses"]) >= {"200", "400", "404"}, verb
        assert operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
            "/InboundOut"
        )
    assert "requestBody" not in paths["/api/mail/inbound/{id}/retry/"]["post"]
    inbound = document["components"]["schemas"]["InboundOut"]
    assert inbound["properties"]["ticket"]["nullable"] is True
    assert inbound["properties"]["actions"]["items"]["type"] == "string"
    assert set(paths["/api/mail/inbound/{id}/"]) == {"get"}
    assert set(paths["/api/mail/inbound/"]) == {"get"}  # mail arrives by LMTP or IMAP, not by the API
