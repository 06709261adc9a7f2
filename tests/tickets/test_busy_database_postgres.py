"""On PostgreSQL a write that cannot get its row lock (a deadlock, a serialization failure, a lock
timeout) is rolled back whole and answered 503 with Retry-After, never 500 (decision 0007)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import psycopg
import pytest
from django.db import connection

from ossdesk.tickets.models import Message, TicketEvent
from tests.tickets.factories import Desk

pytestmark = pytest.mark.postgres


def test_reply_that_cannot_lock_its_ticket_is_503_and_writes_nothing(
    transactional_db: None, desk: Desk, api_client_for: Callable[..., Any]
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    client = api_client_for(desk["acme"]["contact"].user)
    ticket = desk["acme"]["ticket"]
    before = (
        Message.objects.filter(ticket=ticket).count(),
        TicketEvent.objects.filter(ticket=ticket).count(),
    )
    params = connection.get_connection_params()
    with psycopg.connect(**params, autocommit=False) as other_writer:
        other_writer.execute("SELECT 1 FROM tickets_ticket WHERE id = %s FOR UPDATE", [ticket.pk])
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '100ms'")  # 55P03 instead of waiting for the lock forever
        try:
            response = client.post(f"/api/tickets/{ticket.pk}/replies/", {"body": "Still lagging."})
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET lock_timeout")
        other_writer.rollback()
    assert response.status_code == 503, response.content
    assert response.json()["code"] == "database_busy"
    assert int(response["Retry-After"]) >= 1
    after = (Message.objects.filter(ticket=ticket).count(), TicketEvent.objects.filter(ticket=ticket).count())
    assert after == before
