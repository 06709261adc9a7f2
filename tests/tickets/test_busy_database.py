"""A reply that meets a busy database waits and goes through, or is answered 503 with nothing written and,
on the web, the customer's text handed back — never a 500 that drops it (issue 10, section 2).

The suite's SQLite test database lives in memory, where SQLite has no busy timeout; these tests copy it
into a WAL file so a second, raw connection can hold the write lock exactly as a long import does.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from ossdesk.tickets.models import Message, TicketEvent
from tests.tickets.factories import Desk

pytestmark = pytest.mark.sqlite_only

BUSY_TIMEOUT_MS = 100  # SQLite's own wait per attempt, kept short so the tests are quick
Hold = Callable[[float], threading.Timer]


@pytest.fixture
def file_database(transactional_db: None, desk: Desk, tmp_path: Path) -> Iterator[Path]:
    """The committed test data in a WAL file, the default connection switched to it for the test."""
    connection.ensure_connection()
    in_memory, name = connection.connection, connection.settings_dict["NAME"]
    path = tmp_path / "ossdesk.sqlite3"
    target = sqlite3.connect(path)
    in_memory.backup(target)
    target.close()
    connection.connection = None
    connection.settings_dict["NAME"] = str(path)
    connection.ensure_connection()
    connection.cursor().execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    try:
        yield path
    finally:
        connection.close()
        connection.settings_dict["NAME"] = name
        connection.connection = in_memory


@pytest.fixture
def hold_write_lock(file_database: Path) -> Iterator[Hold]:
    """Another writer (a long upload, say) that holds the write lock for `seconds`, then commits;
    join the returned timer to wait for that commit."""
    holder = sqlite3.connect(file_database, isolation_level=None, check_same_thread=False)
    timers: list[threading.Timer] = []

    def hold(seconds: float) -> threading.Timer:
        holder.execute("BEGIN IMMEDIATE")
        holder.execute("CREATE TABLE long_import (n INTEGER)")
        timer = threading.Timer(seconds, holder.execute, args=("COMMIT",))
        timers.append(timer)
        timer.start()
        return timer

    yield hold
    for timer in timers:
        timer.join()
    holder.close()


def _written(desk: Desk) -> tuple[int, int]:
    ticket = desk["acme"]["ticket"]
    return Message.objects.filter(ticket=ticket).count(), TicketEvent.objects.filter(ticket=ticket).count()


def test_api_reply_waits_for_a_long_write_and_succeeds(
    desk: Desk,
    hold_write_lock: Hold,
    api_client_for: Callable[..., Any],
    settings: Any,
) -> None:
    settings.OSSDESK_DB_BUSY_PATIENCE = 10
    client = api_client_for(desk["acme"]["contact"].user)
    ticket = desk["acme"]["ticket"]
    messages_before, _ = _written(desk)
    hold_write_lock(0.6)  # six times SQLite's busy timeout
    started = time.monotonic()
    response = client.post(f"/api/tickets/{ticket.pk}/replies/", {"body": "Still lagging after the fix."})
    assert time.monotonic() - started >= 0.5  # it really met the lock and waited it out
    assert response.status_code == 201, response.content
    assert Message.objects.filter(ticket=ticket).count() == messages_before + 1
    assert Message.objects.filter(ticket=ticket, body="Still lagging after the fix.").exists()


def test_api_reply_refused_503_with_retry_after_when_patience_runs_out(
    desk: Desk,
    hold_write_lock: Hold,
    api_client_for: Callable[..., Any],
    settings: Any,
) -> None:
    settings.OSSDESK_DB_BUSY_PATIENCE = 0.3
    client = api_client_for(desk["acme"]["contact"].user)
    ticket = desk["acme"]["ticket"]
    before = _written(desk)
    other_writer = hold_write_lock(4.0)  # far past the patience, even for a request slowed by a busy machine
    response = client.post(f"/api/tickets/{ticket.pk}/replies/", {"body": "Still lagging."})
    assert response.status_code == 503, response.content
    assert response["Content-Type"] == "application/json"
    assert int(response["Retry-After"]) >= 1
    assert response.json()["code"] == "database_busy"
    assert response.json()["retry_after"] == int(response["Retry-After"])
    other_writer.join()  # the other writer finishes; then nothing of the refused reply is there
    assert _written(desk) == before


def test_web_reply_refused_503_keeps_the_text_in_a_form_to_send_again(
    desk: Desk,
    hold_write_lock: Hold,
    web_for: Callable[..., Any],
    settings: Any,
) -> None:
    settings.OSSDESK_DB_BUSY_PATIENCE = 0.3
    client = web_for(desk["acme"]["contact"].user)
    ticket = desk["acme"]["ticket"]
    before = _written(desk)
    text = "The standby fell behind again at 03:10.\nLog attached <b>below</b>."
    other_writer = hold_write_lock(4.0)  # far past the patience, even for a request slowed by a busy machine
    response = client.post(f"/tickets/{ticket.pk}/reply/", {"body": text, "visibility": "public"})
    assert response.status_code == 503
    assert int(response["Retry-After"]) >= 1
    page = response.content.decode()
    assert f'action="/tickets/{ticket.pk}/reply/"' in page
    assert (
        '<textarea id="kept-1" name="body" rows="8">'
        "The standby fell behind again at 03:10.\nLog attached &lt;b&gt;below&lt;/b&gt;.</textarea>"
    ) in page
    assert 'name="csrfmiddlewaretoken"' in page
    other_writer.join()
    assert _written(desk) == before
    # Sending the kept form again, once the other writer is done, saves the reply.
    again = client.post(f"/tickets/{ticket.pk}/reply/", {"body": text, "visibility": "public"})
    assert again.status_code == 302
    assert Message.objects.filter(ticket=ticket, body=text).exists()
