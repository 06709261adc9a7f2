"""In-app notifications: the page of one's own, marking read, and the unread count in the header."""

from __future__ import annotations

from typing import Any

import pytest

from ossdesk.accounts.models import Notification, Role

pytestmark = pytest.mark.django_db
Desk = dict[str, Any]


def _text(response: Any) -> str:
    return response.content.decode()


def test_the_page_lists_own_notifications(desk: Desk, web_for: Any) -> None:
    engineer = desk["engineer"]
    other = Notification.objects.create(
        recipient=desk["staff"][Role.ADMIN], kind="x", subject="For the admin only"
    )
    text = _text(web_for(engineer).get("/notifications/"))
    mine = Notification.objects.filter(recipient=engineer)
    assert mine.exists()
    for notice in mine:
        assert notice.subject in text
    assert other.subject not in text
    assert f"{mine.count()} unread" in text


def test_header_shows_the_unread_count(desk: Desk, web_for: Any) -> None:
    client = web_for(desk["engineer"])
    page = _text(client.get("/tickets/"))
    assert 'hx-get="/notifications/badge/"' in page
    unread = Notification.objects.filter(recipient=desk["engineer"], read_at__isnull=True).count()
    assert f">{unread}<" in _text(client.get("/notifications/badge/"))
    Notification.objects.filter(recipient=desk["engineer"]).update(read_at="2026-01-01T00:00Z")
    assert 'class="count zero"' in _text(client.get("/notifications/badge/"))


def test_mark_read_opens_the_ticket_and_read_all(desk: Desk, web_for: Any) -> None:
    engineer = desk["engineer"]
    client = web_for(engineer)
    notice = Notification.objects.filter(recipient=engineer).order_by("pk").first()
    assert notice is not None
    assert notice.url
    response = client.post(f"/notifications/{notice.pk}/read/", {"next": notice.url})
    assert response.status_code == 302
    assert response["Location"] == notice.url
    notice.refresh_from_db()
    assert notice.read_at is not None
    assert client.post(f"/notifications/{notice.pk}/read/", {"next": "https://evil.example/"})[
        "Location"
    ] == ("/notifications/")
    assert client.post("/notifications/read-all/").status_code == 302
    assert not Notification.objects.filter(recipient=engineer, read_at__isnull=True).exists()
    assert "Nothing unread" in _text(client.get("/notifications/", {"show": "unread"}))


def test_others_notifications_are_404(desk: Desk, web_for: Any) -> None:
    other = Notification.objects.create(recipient=desk["staff"][Role.ADMIN], kind="x", subject="s")
    for user in (desk["engineer"], desk["acme"]["contact"].user):
        assert web_for(user).post(f"/notifications/{other.pk}/read/").status_code == 404
    other.refresh_from_db()
    assert other.read_at is None


def test_customers_get_notified_of_nothing_internal(desk: Desk, web_for: Any) -> None:
    client = web_for(desk["acme"]["contact"].user)
    response = client.get("/notifications/")
    assert response.status_code == 200
    assert "SECRET-" not in _text(response)
