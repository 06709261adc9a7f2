"""The 503 page of a write that met a busy database gives the form back to send again — the text kept,
files asked for again, a password never echoed (decision 0007). The lock itself is exercised end to end
in tests/tickets/test_busy_database.py."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory

from ossdesk.doors.busy import database_busy_response


def _page(data: dict[str, Any]) -> tuple[int, str, str]:
    request = RequestFactory().post("/login/?next=/tickets/", data)
    request.user = AnonymousUser()
    response = database_busy_response(request)
    return response.status_code, response["Retry-After"], response.content.decode()


def test_a_sign_in_is_given_back_without_its_password(settings: Any) -> None:
    settings.OSSDESK_DB_BUSY_PATIENCE = 30
    status, retry_after, page = _page({"username": "ana@acme.example", "password": "s3cret-Passw0rd!"})
    assert (status, retry_after) == (503, "5")
    assert "s3cret-Passw0rd!" not in page
    assert '<input type="hidden" name="username" value="ana@acme.example">' in page
    assert "Enter your password again" in page
    assert 'action="/login/?next=/tickets/"' in page


def test_chosen_files_are_asked_for_again() -> None:
    upload = SimpleUploadedFile("pg.log", b"FATAL\n", "text/plain")
    _, _, page = _page({"body": "x" * 80, "attachments": upload})
    assert 'enctype="multipart/form-data"' in page
    assert '<input type="file" id="file-attachments" name="attachments" multiple>' in page
    assert f'name="body" rows="8">{"x" * 80}</textarea>' in page
