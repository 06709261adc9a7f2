"""Fixtures for the API tests: a fast password hasher and an agreement for each customer."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from ossdesk.plans.services import agreement_create


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    # PBKDF2's million rounds cost ~0.3 s a user; these tests create several users each.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # WhiteNoise warns on every client when STATIC_ROOT (in the fresh data directory) does not exist.
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


@pytest.fixture
def world(customers: dict[str, dict[str, Any]], system_actor: Any) -> dict[str, dict[str, Any]]:
    """The `customers` fixture plus an enterprise agreement for each of acme and globex.

    Globex is moved to the US so that filters by country can tell the two apart.
    """
    today = timezone.localdate()
    for key, entry in customers.items():
        organization = entry["org"]
        entry["subscription"] = organization.subscriptions.get()
        entry["agreement"] = agreement_create(
            actor=system_actor,
            organization=organization,
            reference=f"EA-{key.upper()}-1",
            starts_on=today - timedelta(days=10),
            ends_on=today + timedelta(days=300),
            overrides={"severities": {"S1": {"first_response": "30m"}}},
            notes=f"{key} agreement",
        )
    globex = customers["globex"]["org"]
    globex.country, globex.timezone = "US", "America/New_York"
    globex.save(update_fields=["country", "timezone"])
    return customers
