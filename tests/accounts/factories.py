"""Builders of accounts for the tests: the system actor, the one password every test login uses, staff."""

from __future__ import annotations

from itertools import count

from ossdesk.accounts.actor import Actor
from ossdesk.accounts.models import User
from ossdesk.accounts.services import staff_user_create

SYSTEM = Actor.system("tests")
PASSWORD = "correct-horse-battery"
# One counter for every builder that needs a fresh name (staff here, contacts in tests/customers).
serial = count(1)


def staff_user(role: str) -> User:
    n = next(serial)
    return staff_user_create(
        actor=SYSTEM, username=f"{role}{n}", email=f"{role}{n}@vendor.test", role=role, password=PASSWORD
    )
