"""The tenancy matrix of the helpdesk pages: every ticket page and action of another organisation
answers 404 (like a missing ticket) and changes nothing; acme's contact never sees internal notes."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.forms.models import model_to_dict

from ossdesk.audit.models import AuditEntry
from ossdesk.tickets.models import Message, Ticket, TicketEvent, TimeEntry

pytestmark = pytest.mark.django_db
Desk = dict[str, Any]
WHO = ["admin", "contact"]
CSRF = re.compile(r"\b[A-Za-z0-9]{64}\b")
ACTIONS: list[tuple[str, dict[str, Any]]] = [
    ("reply", {"body": "mole", "visibility": "public"}),
    ("status", {"status": "closed"}),
    ("severity", {"severity": "S1", "reason": "mole"}),
    ("assign", {"assignee": ""}),
    ("workaround", {"note": "mole"}),
    ("tags", {"tags": "mole"}),
    ("time", {"minutes": 5}),
]


@pytest.fixture
def acme_pages(desk: Desk, web_for: Any) -> dict[str, Any]:
    return {who: web_for(desk["acme"][who].user) for who in WHO}


def _state(desk: Desk) -> dict[str, Any]:
    ticket = Ticket.objects.get(pk=desk["globex"]["ticket"].pk)
    return {
        "ticket": model_to_dict(ticket),
        "tags": list(ticket.tags.values_list("name", flat=True)),
        "messages": Message.objects.count(),
        "events": TicketEvent.objects.count(),
        "time": TimeEntry.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


def _unmasked(response: Any) -> str:
    """The page without its CSRF token, which is masked afresh on every response."""
    return CSRF.sub("", response.content.decode())


def _missing() -> int:
    last = Ticket.objects.order_by("-pk").first()
    return (last.pk if last else 0) + 1000


def test_ticket_page_of_another_organisation_is_404(desk: Desk, acme_pages: dict[str, Any]) -> None:
    foreign = desk["globex"]["ticket"].pk
    for who, client in acme_pages.items():
        response = client.get(f"/tickets/{foreign}/")
        assert response.status_code == 404, who
        assert _unmasked(response) == _unmasked(client.get(f"/tickets/{_missing()}/")), who
        assert b"Globex" not in response.content, who
        assert client.get(f"/tickets/{desk['acme']['ticket'].pk}/").status_code == 200, who


@pytest.mark.parametrize(("action", "data"), ACTIONS, ids=[a[0] for a in ACTIONS])
def test_actions_on_another_organisations_ticket_are_404(
    action: str, data: dict[str, Any], desk: Desk, acme_pages: dict[str, Any]
) -> None:
    foreign = desk["globex"]["ticket"].pk
    before = _state(desk)
    for who, client in acme_pages.items():
        assert client.post(f"/tickets/{foreign}/{action}/", data).status_code == 404, (who, action)
        assert client.post(f"/tickets/{_missing()}/{action}/", data).status_code == 404, (who, action)
        assert _state(desk) == before, (who, action)


def test_attachment_downloads_of_another_organisation_are_404(desk: Desk, acme_pages: dict[str, Any]) -> None:
    acme, globex = desk["acme"], desk["globex"]
    for who, client in acme_pages.items():
        for ticket in (globex["ticket"], acme["ticket"]):
            for file in (globex["opening_file"], globex["reply_file"], globex["note_file"]):
                assert client.get(f"/tickets/{ticket.pk}/attachments/{file.pk}/").status_code == 404, (
                    who,
                    file,
                )
        assert (
            client.get(f"/tickets/{acme['ticket'].pk}/attachments/{acme['note_file'].pk}/").status_code == 404
        )
        assert (
            client.get(f"/tickets/{acme['ticket'].pk}/attachments/{acme['reply_file'].pk}/").status_code
            == 200
        )


def test_lists_never_show_another_organisation(desk: Desk, acme_pages: dict[str, Any]) -> None:
    for who, client in acme_pages.items():
        for params in (
            {},
            {"view": "all"},
            {"q": "replication"},
            {"organization": desk["globex"]["org"].pk},
            {"product": desk["product"].pk},
            {"status": "open"},
        ):
            response = client.get("/tickets/", params)
            assert response.status_code == 200, (who, params)
            assert b"Globex" not in response.content, (who, params)
            assert f"/tickets/{desk['globex']['ticket'].pk}/".encode() not in response.content, (who, params)
        partial = client.get("/tickets/", {"q": "lag"}, HTTP_HX_REQUEST="true")
        assert b"Globex" not in partial.content, who
        assert b"Acme replication lag" in partial.content, who


def test_acme_contact_never_sees_internal_notes(desk: Desk, acme_pages: dict[str, Any]) -> None:
    ticket = desk["acme"]["ticket"].pk
    for who, client in acme_pages.items():
        for url in ("/tickets/", f"/tickets/{ticket}/", "/notifications/"):
            body = client.get(url).content.decode()
            assert "SECRET-" not in body, (who, url)
            assert "internal.txt" not in body, (who, url)


def test_raise_form_for_staff_cannot_be_reached_by_customers_for_other_orgs(
    desk: Desk, acme_pages: dict[str, Any]
) -> None:
    for who, client in acme_pages.items():
        text = client.get("/tickets/new/", {"organization": desk["globex"]["org"].pk}).content.decode()
        assert "Globex" not in text, who
