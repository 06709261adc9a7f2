"""The tenancy matrix of the helpdesk API: acme's people never read or change globex's tickets, and
acme's contact never sees an internal note. Another organisation's ticket answers exactly like a missing
one (404, never 403)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.forms.models import model_to_dict

from ossdesk.audit.models import AuditEntry
from ossdesk.tickets.models import Attachment, Message, Ticket, TicketEvent, TimeEntry

pytestmark = pytest.mark.django_db
Desk = dict[str, Any]
WHO = ["admin", "contact"]

READS = ["", "replies/", "notes/", "events/", "sla/", "time/"]
WRITES: list[tuple[str, dict[str, Any]]] = [
    ("replies/", {"body": "mole"}),
    ("notes/", {"body": "mole"}),
    ("status/", {"status": "closed"}),
    ("severity/", {"severity": "S1", "reason": "mole"}),
    ("assign/", {"assignee": None}),
    ("workaround/", {"note": "mole"}),
    ("tags/", {"tags": ["mole"]}),
    ("time/", {"minutes": 5}),
]


@pytest.fixture
def acme_clients(desk: Desk, api_client_for: Callable[..., Any]) -> dict[str, Any]:
    return {who: api_client_for(desk["acme"][who].user) for who in WHO}


def _missing_pk() -> int:
    last = Ticket.objects.order_by("-pk").first()
    return (last.pk if last else 0) + 1000


def _state(desk: Desk) -> dict[str, Any]:
    ticket = Ticket.objects.get(pk=desk["globex"]["ticket"].pk)
    return {
        "ticket": model_to_dict(ticket),
        "tags": sorted(ticket.tags.values_list("name", flat=True)),
        "messages": Message.objects.count(),
        "events": TicketEvent.objects.count(),
        "time": TimeEntry.objects.count(),
        "tickets": Ticket.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


@pytest.mark.parametrize("suffix", READS)
def test_reads_of_another_organisations_ticket_are_404(
    suffix: str, desk: Desk, acme_clients: dict[str, Any]
) -> None:
    foreign, missing = desk["globex"]["ticket"].pk, _missing_pk()
    for who, client in acme_clients.items():
        response = client.get(f"/api/tickets/{foreign}/{suffix}")
        assert response.status_code == 404, (who, suffix)
        assert response.json() == client.get(f"/api/tickets/{missing}/{suffix}").json(), (who, suffix)
        assert b"globex" not in response.content.lower(), (who, suffix)


@pytest.mark.parametrize(("suffix", "payload"), WRITES, ids=[w[0] for w in WRITES])
def test_writes_to_another_organisations_ticket_are_404_and_change_nothing(
    suffix: str, payload: dict[str, Any], desk: Desk, acme_clients: dict[str, Any]
) -> None:
    foreign, missing = desk["globex"]["ticket"].pk, _missing_pk()
    before = _state(desk)
    for who, client in acme_clients.items():
        response = client.post(f"/api/tickets/{foreign}/{suffix}", payload)
        assert response.status_code == 404, (who, suffix, response.content)
        assert response.json() == client.post(f"/api/tickets/{missing}/{suffix}", payload).json(), (
            who,
            suffix,
        )
        assert _state(desk) == before, (who, suffix)


def test_attachment_downloads_are_scoped(
    desk: Desk, acme_clients: dict[str, Any], api_client_for: Any
) -> None:
    acme, globex = desk["acme"], desk["globex"]
    for who, client in acme_clients.items():
        own = client.get(f"/api/tickets/{acme['ticket'].pk}/attachments/{acme['opening_file'].pk}/")
        assert own.status_code == 200, who
        # globex's file, through globex's ticket or smuggled through acme's own ticket
        for ticket in (globex["ticket"], acme["ticket"]):
            for file in (globex["opening_file"], globex["reply_file"], globex["note_file"]):
                response = client.get(f"/api/tickets/{ticket.pk}/attachments/{file.pk}/")
                assert response.status_code == 404, (who, ticket.pk, file.filename)
        # acme's own internal note's file does not exist for acme's people
        hidden = client.get(f"/api/tickets/{acme['ticket'].pk}/attachments/{acme['note_file'].pk}/")
        assert hidden.status_code == 404, who
    staff = api_client_for(desk["engineer"])
    assert (
        staff.get(f"/api/tickets/{acme['ticket'].pk}/attachments/{acme['note_file'].pk}/").status_code == 200
    )


def test_lists_filters_and_search_never_show_another_organisation(
    desk: Desk, acme_clients: dict[str, Any], api_client_for: Any
) -> None:
    acme, globex = desk["acme"], desk["globex"]
    staff = api_client_for(desk["engineer"])
    assert {t["id"] for t in staff.get("/api/tickets/", {"search": "Globex"}).json()["results"]} == {
        globex["ticket"].pk
    }
    queries: list[dict[str, Any]] = [
        {},
        {"organization": globex["org"].pk},
        {"search": "Globex"},
        {"search": "replication"},
        {"product": desk["product"].pk},
        {"assignee": desk["engineer"].pk},
        {"severity": "S2"},
        {"status": "open"},
        {"ordering": "-next_due_at"},
    ]
    for who, client in acme_clients.items():
        for params in queries:
            response = client.get("/api/tickets/", params)
            assert response.status_code == 200, (who, params)
            ids = {t["id"] for t in response.json()["results"]}
            assert globex["ticket"].pk not in ids, (who, params)
            assert ids <= {acme["ticket"].pk}, (who, params)
            assert b"globex" not in response.content.lower(), (who, params)
        foreign = client.get("/api/tickets/", {"organization": globex["org"].pk})
        absent = client.get("/api/tickets/", {"organization": globex["org"].pk + 1000})
        assert foreign.json() == absent.json(), who


def test_create_in_another_organisation_is_404(desk: Desk, acme_clients: dict[str, Any]) -> None:
    payload = {
        "organization": desk["globex"]["org"].pk,
        "product": desk["product"].pk,
        "severity": "S3",
        "subject": "mole",
        "body": "mole",
    }
    before = _state(desk)
    for who, client in acme_clients.items():
        foreign = client.post("/api/tickets/", payload)
        absent = client.post("/api/tickets/", {**payload, "organization": desk["globex"]["org"].pk + 1000})
        assert foreign.status_code == 404, who
        assert foreign.json() == absent.json(), who
        assert _state(desk) == before, who


def test_acme_never_sees_internal_notes(desk: Desk, acme_clients: dict[str, Any]) -> None:
    acme = desk["acme"]
    ticket = acme["ticket"].pk
    urls = [
        "/api/tickets/",
        f"/api/tickets/{ticket}/",
        f"/api/tickets/{ticket}/replies/",
        f"/api/tickets/{ticket}/events/",
        f"/api/tickets/{ticket}/sla/",
        "/api/notifications/",
    ]
    for who, client in acme_clients.items():
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (who, url)
            body = response.content.decode()
            assert "SECRET-" not in body, (who, url)
            assert "internal.txt" not in body, (who, url)
            assert "globex" not in body.lower(), (who, url)
        events = client.get(f"/api/tickets/{ticket}/events/").json()["results"]
        assert all(e["kind"] != "internal_note" for e in events), who
        assert all(m["is_public"] for m in client.get(f"/api/tickets/{ticket}/replies/").json()["results"]), (
            who
        )


def test_replies_endpoint_never_lists_notes_even_for_staff(desk: Desk, api_client_for: Any) -> None:
    staff = api_client_for(desk["engineer"])
    ticket = desk["acme"]["ticket"].pk
    bodies = [m["body"] for m in staff.get(f"/api/tickets/{ticket}/replies/").json()["results"]]
    assert not any(body.startswith("SECRET-") for body in bodies)
    assert Attachment.objects.filter(message__is_public=False).count() == 2
