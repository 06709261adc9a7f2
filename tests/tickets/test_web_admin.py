"""The helpdesk in the Django admin: tickets are read-only there; configuration saves are audited."""

from __future__ import annotations

from typing import Any

import pytest

from ossdesk.accounts.models import Role
from ossdesk.audit.models import AuditEntry
from ossdesk.tickets.models import Calendar, Tag, Team

pytestmark = pytest.mark.django_db
Desk = dict[str, Any]


@pytest.fixture
def admin_site(desk: Desk, web_for: Any) -> Any:
    return web_for(desk["staff"][Role.ADMIN])


@pytest.mark.parametrize(
    "model",
    ["ticket", "team", "calendar", "tag", "savedview", "extraholiday", "consultingengagement", "timeentry"],
)
def test_changelists_render(model: str, admin_site: Any) -> None:
    assert admin_site.get(f"/admin/tickets/{model}/").status_code == 200


def test_tickets_are_read_only(desk: Desk, admin_site: Any) -> None:
    ticket = desk["acme"]["ticket"]
    assert admin_site.get("/admin/tickets/ticket/add/").status_code == 403
    page = admin_site.get(f"/admin/tickets/ticket/{ticket.pk}/change/")
    assert page.status_code == 200
    assert b"Acme replication lag" in page.content
    response = admin_site.post(f"/admin/tickets/ticket/{ticket.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403


def test_team_added_through_the_service_and_changes_audited(desk: Desk, admin_site: Any) -> None:
    engineer = desk["engineer"]
    response = admin_site.post(
        "/admin/tickets/team/add/",
        {
            "name": "Databases",
            "products": [desk["product"].pk],
            "severities": "[]",
            "members": [engineer.pk],
            "assignment": "least_loaded",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    team = Team.objects.get(name="Databases")
    assert list(team.members.all()) == [engineer]
    created = AuditEntry.objects.filter(object_type="tickets.team", action="create")
    assert created.count() == 1
    response = admin_site.post(
        f"/admin/tickets/team/{team.pk}/change/",
        {
            "name": "Databases EU",
            "products": [desk["product"].pk],
            "severities": '["S1", "S2"]',
            "members": [],
            "assignment": "round_robin",
        },
    )
    assert response.status_code == 302
    team.refresh_from_db()
    assert (team.name, team.severities, list(team.members.all())) == ("Databases EU", ["S1", "S2"], [])
    entry = AuditEntry.objects.filter(object_type="tickets.team", action="update").get()
    assert entry.before["name"] == "Databases"
    assert entry.after["members"] == []


def test_calendar_and_tag_saves_are_audited(admin_site: Any) -> None:
    before = AuditEntry.objects.count()
    response = admin_site.post(
        "/admin/tickets/calendar/add/",
        {
            "name": "EU shift",
            "timezone": "Europe/Berlin",
            "weekly": '{"mon": [["08:00", "16:00"]]}',
            "holidays_country": "DE",
            "holidays_subdiv": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Calendar.objects.filter(name="EU shift").exists()
    assert admin_site.post("/admin/tickets/tag/add/", {"name": "kafka"}).status_code == 302
    tag = Tag.objects.get(name="kafka")
    assert admin_site.post(f"/admin/tickets/tag/{tag.pk}/delete/", {"post": "yes"}).status_code == 302
    assert AuditEntry.objects.count() == before + 3
