"""The suite runs under pytest-xdist: every worker process has a test database of its own, on SQLite
and on PostgreSQL, so two workers never see each other's rows."""

from __future__ import annotations

import pytest
from django.db import connection


@pytest.mark.django_db
def test_each_worker_has_a_database_of_its_own(worker_id: str) -> None:
    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        # An in-memory database lives inside its process: one per worker by construction.
        assert connection.is_in_memory_db(), name
        return
    # pytest-django appends the worker's id (test_ossdesk_gw0, test_ossdesk_gw1) under xdist.
    assert name.startswith("test_"), name
    if worker_id != "master":
        assert name.endswith(f"_{worker_id}"), name
