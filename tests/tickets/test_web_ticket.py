"""The ticket page: header, every clock, the timeline, and each form — which calls one service, and on a
refusal shows the error on that form with 400 and writes nothing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ossdesk.audit.models import AuditEntry
from ossdesk.plans.services import agreement_create
from ossdesk.tickets.models import Attachment, Message, Ticket, TicketEvent, TimeEntry
from tests.accounts.factories import SYSTEM

pytestmark = pytest.mark.django_db
Desk = dict[str, Any]
TODAY = timezone.localdate()


def _text(response: Any) -> str:
    return response.content.decode()


def _counts() -> tuple[int, ...]:
    return (
        Message.objects.count(),
        TicketEvent.objects.count(),
        TimeEntry.objects.count(),
        Attachment.objects.count(),
        AuditEntry.objects.count(),
    )


@pytest.fixture
def staff_page(desk: Desk, web_for: Any) -> Any:
    return web_for(desk["engineer"])


@pytest.fixture
def ticket(desk: Desk) -> Ticket:
    return desk["acme"]["ticket"]


def test_staff_page_shows_header_clocks_and_the_whole_timeline(
    desk: Desk, staff_page: Any, ticket: Ticket
) -> None:
    text = _text(staff_page.get(f"/tickets/{ticket.pk}/"))
    assert "Acme replication lag" in text
    assert "Production severely impaired — first response 4 business hours, Business hours" in text
    for label in ("First response", "Update", "Workaround"):  # Business S2 sets no resolution target
        assert f"<h3>{label}</h3>" in text, label
    assert "Europe/Berlin" in text
    assert " UTC" in text
    assert 'class="msg note"' in text
    assert "SECRET-acme" in text
    assert "Internal note" in text
    assert 'class="msg from-customer"' in text
    assert 'class="msg from-vendor"' in text
    assert "Assigned to" in text
    assert f"/tickets/{ticket.pk}/attachments/{desk['acme']['note_file'].pk}/" in text
    for action in ("reply", "status", "severity", "assign", "workaround", "tags", "time"):
        assert f'action="/tickets/{ticket.pk}/{action}/"' in text, action


def test_customer_page_hides_internal_things(desk: Desk, web_for: Any, ticket: Ticket) -> None:
    for who in ("admin", "contact"):
        text = _text(web_for(desk["acme"][who].user).get(f"/tickets/{ticket.pk}/"))
        assert "Acme replication lag" in text
        for hidden in ("SECRET-", "internal.txt", "Internal note"):
            assert hidden not in text, (who, hidden)
        assert "Assigned to" not in text, who
        assert "<h3>First response</h3>" in text
        for action in ("severity", "assign", "workaround", "tags", "time"):
            assert f"/tickets/{ticket.pk}/{action}/" not in text, (who, action)
        assert "Close the ticket" in text


def test_public_reply_and_internal_note(desk: Desk, staff_page: Any, ticket: Ticket) -> None:
    response = staff_page.post(
        f"/tickets/{ticket.pk}/reply/", {"visibility": "internal", "body": "Fork is 15.2"}
    )
    assert response.status_code == 302
    assert Message.objects.filter(ticket=ticket, is_public=False, body="Fork is 15.2").exists()
    staff_page.post(
        f"/tickets/{ticket.pk}/reply/",
        {
            "visibility": "public",
            "body": "Please send pg_stat_replication",
            "attachments": [SimpleUploadedFile("howto.txt", b"SELECT 1")],
        },
    )
    message = Message.objects.get(ticket=ticket, body="Please send pg_stat_replication")
    assert message.is_public
    assert [a.filename for a in message.attachments.all()] == ["howto.txt"]


def test_customer_reply_is_public(desk: Desk, web_for: Any, ticket: Ticket) -> None:
    client = web_for(desk["acme"]["contact"].user)
    response = client.post(
        f"/tickets/{ticket.pk}/reply/",
        {
            "visibility": "internal",
            "body": "Logs attached",
            "attachments": [SimpleUploadedFile("a.log", b"x")],
        },
    )
    assert response.status_code == 302
    message = Message.objects.get(ticket=ticket, body="Logs attached")
    assert message.is_public
    assert message.from_customer


def test_refused_upload_shows_on_the_form_and_writes_nothing(
    desk: Desk, staff_page: Any, ticket: Ticket
) -> None:
    before = _counts()
    response = staff_page.post(
        f"/tickets/{ticket.pk}/reply/",
        {
            "visibility": "public",
            "body": "see file",
            "attachments": [SimpleUploadedFile("ok.txt", b"fine"), SimpleUploadedFile("tool.exe", b"MZ...")],
        },
    )
    assert response.status_code == 400
    assert ".exe files are not accepted" in _text(response)
    assert _counts() == before


def test_empty_reply_is_400(desk: Desk, staff_page: Any, ticket: Ticket) -> None:
    before = _counts()
    assert (
        staff_page.post(f"/tickets/{ticket.pk}/reply/", {"visibility": "public", "body": ""}).status_code
        == 400
    )
    assert _counts() == before


def test_status_and_customer_close_and_reopen(
    desk: Desk, staff_page: Any, web_for: Any, ticket: Ticket
) -> None:
    customer = web_for(desk["acme"]["contact"].user)
    before = _counts()
    refused = customer.post(f"/tickets/{ticket.pk}/status/", {"status": "solved"})
    assert refused.status_code == 400
    assert "Customers may close a ticket or reopen a solved one." in _text(refused)
    assert _counts() == before
    assert staff_page.post(f"/tickets/{ticket.pk}/status/", {"status": "solved"}).status_code == 302
    assert "Reopen" in _text(customer.get(f"/tickets/{ticket.pk}/"))
    before = _counts()
    refused = customer.post(f"/tickets/{ticket.pk}/status/", {"status": "waiting_on_third_party"})
    assert refused.status_code == 400
    assert "A solved ticket cannot become waiting on third party." in _text(refused)
    assert _counts() == before
    assert customer.post(f"/tickets/{ticket.pk}/status/", {"status": "open"}).status_code == 302
    assert Ticket.objects.get(pk=ticket.pk).status == "open"
    assert customer.post(f"/tickets/{ticket.pk}/status/", {"status": "closed"}).status_code == 302
    assert Ticket.objects.get(pk=ticket.pk).status == "closed"
    text = _text(customer.get(f"/tickets/{ticket.pk}/"))
    assert "This ticket is closed" in text
    assert "Close the ticket" not in text


def test_severity_needs_a_reason_and_a_covered_severity(desk: Desk, staff_page: Any, ticket: Ticket) -> None:
    before = _counts()
    missing = staff_page.post(f"/tickets/{ticket.pk}/severity/", {"severity": "S1", "reason": ""})
    assert missing.status_code == 400
    assert _counts() == before
    agreement_create(
        actor=SYSTEM,
        organization=desk["acme"]["org"],
        reference="EA-NO-S1",
        starts_on=TODAY - timedelta(days=1),
        ends_on=TODAY + timedelta(days=30),
        overrides={"severities": {"S1": {"coverage": "none"}}},
    )
    before = _counts()
    refused = staff_page.post(f"/tickets/{ticket.pk}/severity/", {"severity": "S1", "reason": "down"})
    assert refused.status_code == 400
    assert "does not cover S1" in _text(refused)
    assert _counts() == before
    assert Ticket.objects.get(pk=ticket.pk).severity == "S2"
    ok = staff_page.post(
        f"/tickets/{ticket.pk}/severity/", {"severity": "S3", "reason": "Only reporting is slow"}
    )
    assert ok.status_code == 302
    assert Ticket.objects.get(pk=ticket.pk).severity == "S3"


def test_customer_cannot_use_staff_forms(desk: Desk, web_for: Any, ticket: Ticket) -> None:
    customer = web_for(desk["acme"]["admin"].user)
    before = _counts()
    for action, data in (
        ("severity", {"severity": "S1", "reason": "x"}),
        ("workaround", {"note": "x"}),
        ("tags", {"tags": "x"}),
        ("time", {"minutes": 5}),
        ("assign", {"assignee": ""}),
    ):
        response = customer.post(f"/tickets/{ticket.pk}/{action}/", data)
        assert response.status_code == 400, action
        assert "Only the vendor&#x27;s staff" in _text(response), action
    assert _counts() == before


def test_assign_workaround_tags(desk: Desk, staff_page: Any, ticket: Ticket) -> None:
    admin = desk["staff"]["admin"]
    assert staff_page.post(f"/tickets/{ticket.pk}/assign/", {"assignee": admin.pk}).status_code == 302
    assert Ticket.objects.get(pk=ticket.pk).assignee == admin
    assert (
        staff_page.post(f"/tickets/{ticket.pk}/workaround/", {"note": "Rebuild the standby"}).status_code
        == 302
    )
    assert TicketEvent.objects.filter(ticket=ticket, kind="workaround").exists()
    assert staff_page.post(f"/tickets/{ticket.pk}/tags/", {"tags": "WAL, replication"}).status_code == 302
    assert sorted(Ticket.objects.get(pk=ticket.pk).tags.values_list("name", flat=True)) == [
        "replication",
        "wal",
    ]
    text = _text(staff_page.get(f"/tickets/{ticket.pk}/"))
    assert "Workaround given — Rebuild the standby" in text
    assert "Tags: replication, wal" in text


def test_log_time_and_the_consulting_balance(
    desk: Desk, staff_page: Any, web_for: Any, ticket: Ticket
) -> None:
    assert (
        staff_page.post(f"/tickets/{ticket.pk}/time/", {"minutes": 30, "note": "reading logs"}).status_code
        == 302
    )
    before = _counts()
    refused = staff_page.post(f"/tickets/{ticket.pk}/time/", {"minutes": 30, "consulting": "on"})
    assert refused.status_code == 400
    assert "no agreement with a consulting-hour bank" in _text(refused)
    assert _counts() == before
    agreement_create(
        actor=SYSTEM,
        organization=desk["acme"]["org"],
        reference="EA-HOURS",
        starts_on=TODAY - timedelta(days=1),
        ends_on=TODAY + timedelta(days=300),
        consulting_hours_bank=Decimal(8),
        overrides={},
    )
    assert (
        staff_page.post(f"/tickets/{ticket.pk}/time/", {"minutes": 120, "consulting": "on"}).status_code
        == 302
    )
    text = _text(staff_page.get(f"/tickets/{ticket.pk}/"))
    assert "<strong>6.00</strong> of 8 left" in text
    assert "reading logs" in text
    customer = _text(web_for(desk["acme"]["contact"].user).get(f"/tickets/{ticket.pk}/"))
    assert "<strong>6.00</strong> of 8 left" in customer
    assert "reading logs" not in customer
    assert "Consulting hours: <strong>6.00</strong> of 8 left" in _text(
        web_for(desk["acme"]["contact"].user).get("/tickets/")
    )


def test_attachment_download_headers(desk: Desk, web_for: Any, ticket: Ticket) -> None:
    client = web_for(desk["acme"]["contact"].user)
    response = client.get(f"/tickets/{ticket.pk}/attachments/{desk['acme']['opening_file'].pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="acme-log.txt"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == b"Acme log line\n"
    assert client.get(f"/tickets/{ticket.pk}/attachments/{desk['acme']['note_file'].pk}/").status_code == 404
    assert (
        web_for(desk["engineer"])
        .get(f"/tickets/{ticket.pk}/attachments/{desk['acme']['note_file'].pk}/")
        .status_code
        == 200
    )


def test_files_live_outside_the_web_root(desk: Desk, settings: Any) -> None:
    attachment = desk["acme"]["opening_file"]
    location = settings.STORAGES["default"]["OPTIONS"]["location"]
    assert attachment.file.path.startswith(location)
    assert not attachment.file.path.startswith(str(settings.STATIC_ROOT))
