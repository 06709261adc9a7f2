"""The promise sentences, table-driven (no database)."""

from __future__ import annotations

import pytest

from ossdesk.domain.entitlements import TargetDuration
from ossdesk.domain.promises import response_promise, weekly_hours_label

OFFICE = {day: [("09:00", "17:00")] for day in ("mon", "tue", "wed", "thu", "fri")}
ALWAYS = {day: [("00:00", "24:00")] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


@pytest.mark.parametrize(
    ("weekly", "label"),
    [
        (OFFICE, "Mon–Fri 09:00–17:00"),
        (ALWAYS, "around the clock"),
        ({**OFFICE, "fri": [("09:00", "13:00")]}, "Mon–Thu 09:00–17:00; Fri 09:00–13:00"),
        ({"mon": [("08:00", "12:00"), ("13:00", "17:00")]}, "Mon 08:00–12:00, 13:00–17:00"),
        ({"mon": [("09:00", "17:00")], "wed": [("09:00", "17:00")]}, "Mon 09:00–17:00; Wed 09:00–17:00"),
        ({**OFFICE, "sat": [("10:00", "14:00")], "sun": []}, "Mon–Fri 09:00–17:00; Sat 10:00–14:00"),
        ({}, "never open"),
    ],
)
def test_weekly_hours_label(weekly: dict, label: str) -> None:
    assert weekly_hours_label(weekly) == label


@pytest.mark.parametrize(
    ("target", "coverage", "weekly", "promise"),
    [
        ("10m", "24x7", OFFICE, "within 10 min, 24/7"),
        ("1h", "24x7", OFFICE, "within 1 hour, 24/7"),
        ("4bh", "business_hours", OFFICE, "within 4 business hours (Mon–Fri 09:00–17:00 Europe/Berlin)"),
        ("1bd", "24x7", OFFICE, "within 1 business day (Mon–Fri 09:00–17:00 Europe/Berlin)"),
        (
            "2h",
            "business_hours",
            OFFICE,
            "within 2 hours of business hours (Mon–Fri 09:00–17:00 Europe/Berlin)",
        ),
        ("4bh", "business_hours", ALWAYS, "within 4 business hours, 24/7"),
    ],
)
def test_response_promise(target: str, coverage: str, weekly: dict, promise: str) -> None:
    assert response_promise(TargetDuration.parse(target), coverage, weekly, "Europe/Berlin") == promise
