"""The staff queue and the customer's ticket list: views, filters, live search, SLA badges, saved views,
pagination, and a query count that does not grow with the rows."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ossdesk.accounts.actor import actor_for
from ossdesk.accounts.models import Role
from ossdesk.tickets import services
from ossdesk.tickets.models import SavedView, Ticket
from ossdesk.tickets.web.presenters import duration_label, sla_badge

pytestmark = pytest.mark.django_db
Desk = dict[str, Any]
ROW = re.compile(r'<td class="num"><a href="/tickets/(\d+)/">')


def _rows(response: Any) -> list[int]:
    return [int(pk) for pk in ROW.findall(response.content.decode())]


def test_staff_queue_lists_open_tickets_with_sla_badges(desk: Desk, web_for: Any) -> None:
    client = web_for(desk["engineer"])
    response = client.get("/tickets/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "<h1>Queue</h1>" in text
    assert set(_rows(response)) == {desk["acme"]["ticket"].pk, desk["globex"]["ticket"].pk}
    assert 'class="sla sla-' in text
    for label in ("Mine", "My team", "Breaching soon"):
        assert f">{label}</a>" in text
    assert 'hx-get="/tickets/"' in text  # live filtering


def test_filters_search_and_htmx_partial(desk: Desk, web_for: Any) -> None:
    client = web_for(desk["engineer"])
    acme, globex = desk["acme"], desk["globex"]
    assert _rows(client.get("/tickets/", {"organization": globex["org"].pk})) == [globex["ticket"].pk]
    assert _rows(client.get("/tickets/", {"q": "Acme"})) == [acme["ticket"].pk]
    assert _rows(client.get("/tickets/", {"q": f"#{globex['ticket'].pk}"})) == [globex["ticket"].pk]
    assert _rows(client.get("/tickets/", {"severity": "S1"})) == []
    assert _rows(client.get("/tickets/", {"product": desk["uncovered"].pk})) == []
    services.ticket_set_tags(actor=actor_for(desk["engineer"]), ticket=acme["ticket"], tags=["wal"])
    assert _rows(client.get("/tickets/", {"tag": "wal"})) == [acme["ticket"].pk]
    assert set(_rows(client.get("/tickets/", {"view": "mine"}))) == {acme["ticket"].pk, globex["ticket"].pk}
    other = web_for(desk["staff"][Role.ADMIN])
    assert _rows(other.get("/tickets/", {"view": "mine"})) == []
    assert _rows(other.get("/tickets/", {"view": "unassigned"})) == []
    partial = client.get("/tickets/", {"q": "Globex"}, HTTP_HX_REQUEST="true")
    assert "<html" not in partial.content.decode()
    assert _rows(partial) == [globex["ticket"].pk]


def test_filtering_by_customer_shows_its_plan(desk: Desk, web_for: Any) -> None:
    client = web_for(desk["engineer"])
    text = client.get("/tickets/", {"organization": desk["acme"]["org"].pk}).content.decode()
    assert 'class="card customer-strip"' in text
    assert "Business" in text


def test_saved_views_personal_and_shared(desk: Desk, web_for: Any) -> None:
    engineer, admin = desk["engineer"], desk["staff"][Role.ADMIN]
    client = web_for(engineer)
    response = client.post(
        "/tickets/views/",
        {"name": "Globex S2", "organization": desk["globex"]["org"].pk, "severity": "S2", "view": "open"},
    )
    assert response.status_code == 302
    view = SavedView.objects.get(name="Globex S2")
    assert view.filters == {"view": "open", "severity": "S2", "organization": desk["globex"]["org"].pk}
    assert (view.owner, view.shared) == (engineer, False)
    text = client.get("/tickets/").content.decode()
    assert ">Globex S2" in text
    assert ">Globex S2" not in web_for(admin).get("/tickets/").content.decode()
    client.post("/tickets/views/", {"name": "Globex S2", "severity": "S2", "shared": "on"})
    view.refresh_from_db()
    assert (view.shared, view.filters) == (True, {"severity": "S2"})
    assert SavedView.objects.count() == 1
    assert ">Globex S2" in web_for(admin).get("/tickets/").content.decode()
    assert web_for(admin).post(f"/tickets/views/{view.pk}/delete/").status_code == 302  # admins tidy up
    assert not SavedView.objects.exists()


def test_saved_view_needs_a_name_and_staff(desk: Desk, web_for: Any) -> None:
    web_for(desk["engineer"]).post("/tickets/views/", {"name": "  "})
    customer = web_for(desk["acme"]["admin"].user)
    customer.post("/tickets/views/", {"name": "mine"})
    assert not SavedView.objects.exists()


def test_pagination_keeps_filters(desk: Desk, web_for: Any) -> None:
    contact = actor_for(desk["acme"]["contact"].user)
    for i in range(26):
        services.ticket_create(
            actor=contact,
            organization=desk["acme"]["org"],
            product=desk["product"],
            subject=f"Bulk {i}",
            body="b",
            severity="S4",
        )
    client = web_for(desk["engineer"])
    first = client.get("/tickets/", {"severity": "S4"})
    assert len(_rows(first)) == 25
    assert "severity=S4&amp;page=2" in first.content.decode()
    assert len(_rows(client.get("/tickets/", {"severity": "S4", "page": 2}))) == 1


@pytest.mark.parametrize("who", ["staff", "customer"])
def test_list_query_count_is_constant(
    who: str, desk: Desk, web_for: Any, django_assert_num_queries: Any
) -> None:
    acme = desk["acme"]
    contact, engineer = actor_for(acme["contact"].user), actor_for(desk["engineer"])
    client = web_for(desk["engineer"] if who == "staff" else acme["contact"].user)

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
            services.ticket_set_tags(actor=engineer, ticket=ticket, tags=["x", f"t{i}"])
            services.ticket_assign(actor=engineer, ticket=ticket, assignee=desk["engineer"])

    populate(1)  # 3 tickets (2 for a customer)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/tickets/").status_code == 200
    populate(10)  # 13 tickets (12 for a customer)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get("/tickets/")
    assert len(_rows(response)) == (13 if who == "staff" else 12)


def test_sla_badge_says_time_left_or_overdue(desk: Desk) -> None:
    ticket = Ticket.objects.get(pk=desk["acme"]["ticket"].pk)
    now = timezone.now()
    ticket.sla_state, ticket.next_due_at = "running", now + timedelta(hours=5, minutes=30)
    assert (sla_badge(ticket, now).css, sla_badge(ticket, now).text) == ("sla-ok", "5 h 30 min left")
    ticket.next_due_at = now + timedelta(minutes=40)
    assert (sla_badge(ticket, now).css, sla_badge(ticket, now).text) == ("sla-soon", "40 min left")
    ticket.next_due_at = now - timedelta(hours=3)
    assert (sla_badge(ticket, now).css, sla_badge(ticket, now).text) == ("sla-breached", "overdue by 3 h")
    ticket.sla_state, ticket.next_due_at = "paused", None
    assert sla_badge(ticket, now).text == "Paused"
    ticket.sla_state = ""
    assert sla_badge(ticket, now).text == "No SLA"
    assert duration_label(2 * 86400 + 3 * 3600) == "2 d 3 h"
    assert duration_label(30) == "under a minute"


# --- the customer's list ----------------------------------------------------------------------------------


def test_customer_sees_their_organisations_tickets_only(desk: Desk, web_for: Any) -> None:
    acme, globex = desk["acme"], desk["globex"]
    for who in ("admin", "contact"):
        client = web_for(acme[who].user)
        response = client.get("/tickets/")
        text = response.content.decode()
        assert "Raise a ticket" in text
        assert _rows(response) == [acme["ticket"].pk], who
        assert "globex" not in text.lower(), who
        for params in (
            {"q": "Globex"},
            {"organization": globex["org"].pk},
            {"view": "all"},
            {"q": str(globex["ticket"].pk)},
            {"assignee": desk["engineer"].pk},
        ):
            found = client.get("/tickets/", params)
            assert globex["ticket"].pk not in _rows(found), (who, params)
            assert "globex replication lag" not in found.content.decode().lower(), (who, params)
        # Staff-only things are not in the customer's list.
        assert "Save these filters" not in text
        assert "/tickets/views/" not in text
