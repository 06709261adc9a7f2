"""The ticket API: lists and filters, intake and its refusals, replies, notes, events, SLA, actions,
attachments, teams and notifications."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ossdesk.accounts.actor import actor_for
from ossdesk.accounts.models import Notification, Role
from ossdesk.customers.models import Contact
from ossdesk.plans.services import agreement_create, subscription_update
from ossdesk.tickets import services
from ossdesk.tickets.models import Attachment, Message, Ticket, TicketEvent, TimeEntry
from tests.accounts.factories import SYSTEM

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
Desk = dict[str, Any]


@pytest.fixture
def engineer_api(desk: Desk, api_client_for: Callable[..., Any]) -> Any:
    return api_client_for(desk["engineer"])


@pytest.fixture
def contact_api(desk: Desk, api_client_for: Callable[..., Any]) -> Any:
    return api_client_for(desk["acme"]["contact"].user)


def _new(desk: Desk, **overrides: Any) -> dict[str, Any]:
    return {
        "product": desk["product"].pk,
        "severity": "S3",
        "subject": "Slow vacuum",
        "body": "Autovacuum takes hours on the orders table.",
        **overrides,
    }


def _ids(response: Any) -> list[int]:
    return [item["id"] for item in response.json()["results"]]


# --- list, filter, search, order --------------------------------------------------------------------------


def test_staff_list_filters_search_and_ordering(desk: Desk, engineer_api: Any) -> None:
    acme, globex = desk["acme"]["ticket"], desk["globex"]["ticket"]
    assert set(_ids(engineer_api.get("/api/tickets/"))) == {acme.pk, globex.pk}
    assert _ids(engineer_api.get("/api/tickets/", {"organization": globex.organization_id})) == [globex.pk]
    assert _ids(engineer_api.get("/api/tickets/", {"search": "Globex"})) == [globex.pk]
    assert set(_ids(engineer_api.get("/api/tickets/", {"severity": "S2", "status": "open"}))) == {
        acme.pk,
        globex.pk,
    }
    assert _ids(engineer_api.get("/api/tickets/", {"severity": "S1"})) == []
    assert set(_ids(engineer_api.get("/api/tickets/", {"assignee": desk["engineer"].pk}))) == {
        acme.pk,
        globex.pk,
    }
    assert _ids(engineer_api.get("/api/tickets/", {"product": desk["uncovered"].pk})) == []
    assert _ids(engineer_api.get("/api/tickets/", {"ordering": "id"})) == sorted([acme.pk, globex.pk])
    assert _ids(engineer_api.get("/api/tickets/", {"ordering": "-id"})) == sorted(
        [acme.pk, globex.pk], reverse=True
    )
    services.ticket_set_tags(actor=actor_for(desk["engineer"]), ticket=acme, tags=["replication"])
    assert _ids(engineer_api.get("/api/tickets/", {"tag": "replication"})) == [acme.pk]
    row = engineer_api.get("/api/tickets/", {"tag": "replication"}).json()["results"][0]
    assert row["tags"] == ["replication"]
    assert row["severity_definition"] == "Production severely impaired"
    assert row["organization_name"] == "Acme"
    assert row["sla_state"] in {"running", "met"}


def test_list_query_count_is_constant(
    desk: Desk, engineer_api: Any, contact_api: Any, django_assert_num_queries: Any
) -> None:
    acme = desk["acme"]
    contact = actor_for(acme["contact"].user)

    def populate(n: int) -> None:
        for i in range(n):
            ticket = services.ticket_create(
                actor=contact,
                organization=acme["org"],
                product=desk["product"],
                subject=f"Ticket {i}",
                body="body",
                severity="S3",
            )
            services.ticket_set_tags(actor=actor_for(desk["engineer"]), ticket=ticket, tags=["a", f"t{i}"])

    for client in (engineer_api, contact_api):
        client.get("/api/tickets/")  # the token's first use records itself once
    populate(1)  # two tickets for acme, three in all
    counts = {}
    for name, client in (("staff", engineer_api), ("customer", contact_api)):
        with CaptureQueriesContext(connection) as few:
            assert client.get("/api/tickets/").status_code == 200
        counts[name] = len(few.captured_queries)
    populate(10)
    for name, client in (("staff", engineer_api), ("customer", contact_api)):
        with django_assert_num_queries(counts[name]):
            response = client.get("/api/tickets/")
        assert response.json()["count"] == (13 if name == "staff" else 12)


# --- intake ------------------------------------------------------------------------------------------------


def test_customer_raises_a_ticket_through_the_api(desk: Desk, contact_api: Any) -> None:
    response = contact_api.post("/api/tickets/", _new(desk, tags=["ignored-for-customers-is-fine"]))
    assert response.status_code == 201, response.json()
    body = response.json()
    ticket = Ticket.objects.get(pk=body["id"])
    assert (ticket.channel, ticket.organization, ticket.contact) == (
        "api",
        desk["acme"]["org"],
        desk["acme"]["contact"],
    )
    assert {clock["name"] for clock in body["clocks"]} >= {"first_response"}
    first = next(c for c in body["clocks"] if c["name"] == "first_response")
    assert (first["state"], first["target"]) == ("running", "1bd")  # Business S3
    assert first["remaining_seconds"] > 0


def test_multipart_create_and_reply_with_attachments(desk: Desk, contact_api: Any) -> None:
    files = [
        SimpleUploadedFile("pg.log", b"FATAL: too many connections\n", "text/plain"),
        SimpleUploadedFile("conf.txt", b"max_connections = 100\n", "text/plain"),
    ]
    response = contact_api.post("/api/tickets/", {**_new(desk), "attachments": files}, format="multipart")
    assert response.status_code == 201, response.json()
    ticket_id = response.json()["id"]
    (opening,) = contact_api.get(f"/api/tickets/{ticket_id}/replies/").json()["results"]
    assert [a["filename"] for a in opening["attachments"]] == ["pg.log", "conf.txt"]
    download = contact_api.get(opening["attachments"][0]["download_url"])
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert 'filename="pg.log"' in download["Content-Disposition"]
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == b"FATAL: too many connections\n"

    reply = contact_api.post(
        f"/api/tickets/{ticket_id}/replies/",
        {"body": "Here is the plan.", "attachments": [SimpleUploadedFile("plan.pdf", b"%PDF-1.4")]},
        format="multipart",
    )
    assert reply.status_code == 201, reply.json()
    assert [a["filename"] for a in reply.json()["attachments"]] == ["plan.pdf"]


def test_refused_attachment_writes_nothing(desk: Desk, contact_api: Any) -> None:
    before = (Ticket.objects.count(), Message.objects.count(), Attachment.objects.count())
    bad = SimpleUploadedFile("page.html", b"<script>alert(1)</script>", "text/html")
    response = contact_api.post("/api/tickets/", {**_new(desk), "attachments": [bad]}, format="multipart")
    assert response.status_code == 400
    assert "attachments" in response.json()["errors"]
    ticket = desk["acme"]["ticket"]
    response = contact_api.post(
        f"/api/tickets/{ticket.pk}/replies/", {"body": "x", "attachments": [bad]}, format="multipart"
    )
    assert response.status_code == 400
    assert (Ticket.objects.count(), Message.objects.count(), Attachment.objects.count()) == before


def _refusal(response: Any, code: str, allowed_by: str | None) -> None:
    assert response.status_code == 403, response.json()
    body = response.json()
    assert set(body) == {"detail", "code", "allowed_by"}
    assert (body["code"], body["allowed_by"]) == (code, allowed_by)
    assert body["detail"]


def test_intake_refusal_channel(desk: Desk, contact_api: Any) -> None:
    """An agreement that takes the portal away: the API counts as the portal channel."""
    agreement_create(
        actor=SYSTEM,
        organization=desk["acme"]["org"],
        reference="EA-PHONE-ONLY",
        starts_on=TODAY - timedelta(days=1),
        ends_on=TODAY + timedelta(days=30),
        overrides={"channels": ["phone", "kb"]},
    )
    before = Ticket.objects.count()
    response = contact_api.post("/api/tickets/", _new(desk))
    _refusal(response, "channel", "Starter")
    assert "Customer portal" in response.json()["detail"]
    assert Ticket.objects.count() == before


def test_intake_refusal_community(desk: Desk, contact_api: Any) -> None:
    """An expired subscription falls back to Community, which covers no severity at all."""
    subscription = desk["acme"]["org"].subscriptions.get()
    subscription_update(actor=SYSTEM, subscription=subscription, ends_on=TODAY - timedelta(days=1))
    before = Ticket.objects.count()
    response = contact_api.post("/api/tickets/", _new(desk))
    assert response.json()["allowed_by"] == "Starter"
    assert response.json()["code"] in {"severity", "channel"}
    assert "Community" in response.json()["detail"]
    assert Ticket.objects.count() == before


def test_intake_refusal_severity(desk: Desk, contact_api: Any) -> None:
    agreement_create(
        actor=SYSTEM,
        organization=desk["acme"]["org"],
        reference="EA-NO-S1",
        starts_on=TODAY - timedelta(days=1),
        ends_on=TODAY + timedelta(days=30),
        overrides={"severities": {"S1": {"coverage": "none"}}},
    )
    before = Ticket.objects.count()
    response = contact_api.post("/api/tickets/", _new(desk, severity="S1"))
    _refusal(response, "severity", "Starter")
    assert "S1" in response.json()["detail"]
    assert Ticket.objects.count() == before


def test_intake_refusal_product(desk: Desk, contact_api: Any) -> None:
    before = Ticket.objects.count()
    response = contact_api.post("/api/tickets/", _new(desk, product=desk["uncovered"].pk))
    _refusal(response, "product", None)
    assert "Kafka" in response.json()["detail"]
    assert Ticket.objects.count() == before


def test_intake_refusal_named_contact(desk: Desk, contact_api: Any) -> None:
    Contact.objects.filter(pk=desk["acme"]["contact"].pk).update(is_named=False)
    before = Ticket.objects.count()
    _refusal(contact_api.post("/api/tickets/", _new(desk)), "named_contact", None)
    assert Ticket.objects.count() == before


def test_staff_raise_names_the_contact_and_plans_ahead(desk: Desk, engineer_api: Any) -> None:
    acme = desk["acme"]
    missing = engineer_api.post("/api/tickets/", _new(desk, organization=acme["org"].pk))
    assert missing.status_code == 400
    assert "contact" in missing.json()["errors"]
    planned = (timezone.now() + timedelta(days=3)).isoformat()
    response = engineer_api.post(
        "/api/tickets/",
        _new(
            desk,
            organization=acme["org"].pk,
            contact=acme["admin"].pk,
            is_proactive=True,
            planned_for=planned,
            tags=["upgrade"],
        ),
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["is_proactive"], body["contact"]["id"], body["tags"]) == (
        True,
        acme["admin"].pk,
        ["upgrade"],
    )
    wrong = engineer_api.post(
        "/api/tickets/", _new(desk, organization=acme["org"].pk, contact=desk["globex"]["admin"].pk)
    )
    assert wrong.status_code == 400


def test_invalid_input_is_400(desk: Desk, contact_api: Any) -> None:
    response = contact_api.post("/api/tickets/", {"product": desk["product"].pk, "severity": "S9"})
    assert response.status_code == 400
    assert {"severity", "subject", "body"} <= set(response.json()["errors"])
    assert contact_api.post("/api/tickets/", _new(desk, product=999999)).status_code == 400


def test_tickets_are_not_edited_or_deleted_directly(desk: Desk, engineer_api: Any) -> None:
    url = f"/api/tickets/{desk['acme']['ticket'].pk}/"
    assert engineer_api.patch(url, {"subject": "x"}).status_code == 405
    assert engineer_api.put(url, {"subject": "x"}).status_code == 405
    assert engineer_api.delete(url).status_code == 405


# --- one ticket ---------------------------------------------------------------------------------------


def test_retrieve_replies_events_and_sla(desk: Desk, contact_api: Any, engineer_api: Any) -> None:
    ticket = desk["acme"]["ticket"]
    detail = contact_api.get(f"/api/tickets/{ticket.pk}/").json()
    assert detail["clocks"]
    assert detail["product"]["name"] == "PostgreSQL"
    replies = contact_api.get(f"/api/tickets/{ticket.pk}/replies/").json()["results"]
    assert [m["is_public"] for m in replies] == [True, True]
    assert [m["from_customer"] for m in replies] == [True, False]
    kinds = [e["kind"] for e in contact_api.get(f"/api/tickets/{ticket.pk}/events/").json()["results"]]
    assert "opened" in kinds
    assert "vendor_reply" in kinds
    assert "internal_note" not in kinds
    assert "assigned" not in kinds
    staff_kinds = [e["kind"] for e in engineer_api.get(f"/api/tickets/{ticket.pk}/events/").json()["results"]]
    assert {"internal_note", "assigned"} <= set(staff_kinds)
    sla = contact_api.get(f"/api/tickets/{ticket.pk}/sla/").json()
    assert sla["ticket"] == ticket.pk
    first = next(c for c in sla["clocks"] if c["name"] == "first_response")
    assert first["state"] == "met"


def test_notes_are_staff_only(desk: Desk, contact_api: Any, engineer_api: Any, api_client_for: Any) -> None:
    ticket = desk["acme"]["ticket"]
    notes = engineer_api.get(f"/api/tickets/{ticket.pk}/notes/").json()["results"]
    assert [n["body"] for n in notes] == [desk["acme"]["note"].body]
    created = engineer_api.post(f"/api/tickets/{ticket.pk}/notes/", {"body": "Check the fork's patches."})
    assert created.status_code == 201
    assert created.json()["is_public"] is False
    before = Message.objects.count()
    for client in (contact_api, api_client_for(desk["acme"]["admin"].user)):
        assert client.get(f"/api/tickets/{ticket.pk}/notes/").status_code == 404
        assert client.post(f"/api/tickets/{ticket.pk}/notes/", {"body": "sneaky"}).status_code == 404
    assert Message.objects.count() == before


def test_actions(desk: Desk, engineer_api: Any, contact_api: Any) -> None:
    ticket, engineer = desk["acme"]["ticket"], desk["engineer"]
    url = f"/api/tickets/{ticket.pk}"
    response = engineer_api.post(f"{url}/severity/", {"severity": "S1", "reason": "Primary is down now"})
    assert response.status_code == 200, response.json()
    assert response.json()["severity"] == "S1"
    assert (
        engineer_api.post(f"{url}/severity/", {"severity": "S3"}).status_code == 400
    )  # a reason is required
    assert engineer_api.post(f"{url}/assign/", {"assignee": None}).json()["assignee"] is None
    assert (
        engineer_api.post(f"{url}/assign/", {"assignee": engineer.pk}).json()["assignee"]["id"] == engineer.pk
    )
    assert (
        engineer_api.post(f"{url}/assign/", {"assignee": desk["acme"]["contact"].user.pk}).status_code == 400
    )
    assert engineer_api.post(f"{url}/workaround/", {"note": "Restart the standby"}).status_code == 200
    assert TicketEvent.objects.filter(ticket=ticket, kind="workaround").exists()
    assert engineer_api.post(f"{url}/tags/", {"tags": ["wal", "Replication"]}).json()["tags"] == [
        "replication",
        "wal",
    ]
    waiting = engineer_api.post(f"{url}/status/", {"status": "waiting_on_customer", "reason": "Need logs"})
    assert waiting.json()["status"] == "waiting_on_customer"

    # Customers may close, or reopen a solved ticket, and nothing else.
    assert contact_api.post(f"{url}/status/", {"status": "waiting_on_third_party"}).status_code == 403
    for path, payload in (
        ("severity", {"severity": "S4", "reason": "meh"}),
        ("assign", {"assignee": None}),
        ("workaround", {}),
        ("tags", {"tags": ["x"]}),
    ):
        assert contact_api.post(f"{url}/{path}/", payload).status_code == 403, path
    engineer_api.post(f"{url}/status/", {"status": "solved"})
    assert contact_api.post(f"{url}/status/", {"status": "open"}).json()["status"] == "open"
    assert contact_api.post(f"{url}/status/", {"status": "closed"}).json()["status"] == "closed"
    assert contact_api.post(f"{url}/replies/", {"body": "one more thing"}).status_code == 400


def test_time_and_consulting_balance(desk: Desk, engineer_api: Any, contact_api: Any) -> None:
    ticket = desk["acme"]["ticket"]
    url = f"/api/tickets/{ticket.pk}/time/"
    response = engineer_api.post(url, {"minutes": 45, "note": "log review"})
    assert response.status_code == 201, response.json()
    assert [e["minutes"] for e in response.json()["entries"]] == [45]
    refused = engineer_api.post(url, {"minutes": 60, "consulting": True})
    assert refused.status_code == 403
    assert (refused.json()["code"], refused.json()["allowed_by"]) == ("consulting_hours", "Enterprise")
    agreement_create(
        actor=SYSTEM,
        organization=desk["acme"]["org"],
        reference="EA-HOURS",
        starts_on=TODAY - timedelta(days=1),
        ends_on=TODAY + timedelta(days=300),
        consulting_hours_bank=Decimal(10),
        overrides={},
    )
    assert engineer_api.post(url, {"minutes": 90, "consulting": True}).status_code == 201
    balance = engineer_api.get(url).json()["consulting_balance"]
    assert (Decimal(balance["bank_hours"]), Decimal(balance["used_hours"])) == (Decimal(10), Decimal("1.5"))
    assert Decimal(balance["remaining_hours"]) == Decimal("8.5")
    assert contact_api.get(url).status_code == 404
    assert contact_api.post(url, {"minutes": 5}).status_code == 404
    assert TimeEntry.objects.count() == 2


# --- teams and notifications ----------------------------------------------------------------------------


def test_teams_are_staff_data(desk: Desk, engineer_api: Any, contact_api: Any) -> None:
    team = services.team_create(
        actor=SYSTEM, name="Databases", products=[desk["product"]], members=[desk["engineer"]]
    )
    rows = engineer_api.get("/api/teams/").json()["results"]
    assert [(t["name"], [m["id"] for m in t["members"]]) for t in rows] == [
        ("Databases", [desk["engineer"].pk])
    ]
    assert contact_api.get("/api/teams/").json()["results"] == []
    assert contact_api.get(f"/api/teams/{team.pk}/").status_code == 404


def test_notifications_are_own_and_can_be_marked_read(
    desk: Desk, engineer_api: Any, api_client_for: Any
) -> None:
    engineer = desk["engineer"]
    mine = Notification.objects.filter(recipient=engineer)
    assert mine.count() >= 2  # assigned (twice, by the fixture) and customer replies
    other = Notification.objects.create(recipient=desk["staff"][Role.ADMIN], kind="x", subject="not yours")
    listed = engineer_api.get("/api/notifications/", {"unread": "true"}).json()
    assert listed["count"] == mine.count()
    assert other.pk not in _ids(engineer_api.get("/api/notifications/"))
    assert engineer_api.get(f"/api/notifications/{other.pk}/").status_code == 404
    assert engineer_api.post(f"/api/notifications/{other.pk}/read/").status_code == 404
    first = mine.first()
    assert first is not None
    assert engineer_api.post(f"/api/notifications/{first.pk}/read/").json()["is_read"] is True
    assert engineer_api.post("/api/notifications/read-all/").json() == {"marked": mine.count() - 1}
    assert engineer_api.get("/api/notifications/", {"unread": "true"}).json()["count"] == 0
    Notification.objects.filter(pk=other.pk).update(read_at=None)
    assert Notification.objects.get(pk=other.pk).read_at is None


def test_schema_lists_the_helpdesk(desk: Desk, engineer_api: Any) -> None:
    import yaml

    document = yaml.safe_load(engineer_api.get("/api/schema/").content)
    paths = document["paths"]
    for path in (
        "/api/tickets/",
        "/api/tickets/{id}/",
        "/api/tickets/{id}/replies/",
        "/api/tickets/{id}/notes/",
        "/api/tickets/{id}/events/",
        "/api/tickets/{id}/sla/",
        "/api/tickets/{id}/status/",
        "/api/tickets/{id}/severity/",
        "/api/tickets/{id}/assign/",
        "/api/tickets/{id}/workaround/",
        "/api/tickets/{id}/time/",
        "/api/tickets/{id}/attachments/{attachment_pk}/",
        "/api/teams/",
        "/api/notifications/",
        "/api/notifications/{id}/read/",
    ):
        assert path in paths, path
    assert "multipart/form-data" in paths["/api/tickets/"]["post"]["requestBody"]["content"]
    assert set(paths["/api/tickets/{id}/"]) & {"put", "patch", "delete"} == set()
